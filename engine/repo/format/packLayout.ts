/**
 * Facts of restic's pack layout that need no key (restic-format.md): the header's sealed envelope, its
 * entry sizes and its limit. Import-free, so the drive copy worker's keyless trailer check
 * (drive/packTrailer.ts) shares them with the pack reader (packHeader.ts) without loading the crypto.
 */
/** IV 16 + MAC 16 around every sealed thing, the header included (crypto/seal.ts). */
export const SEAL_OVERHEAD = 32;
export const HEADER_ENTRY_RAW = 37;
export const HEADER_ENTRY_COMPRESSED = 41;
/** restic's limit for a pack header. */
export const MAX_HEADER_SIZE = 16 * 1024 * 1024 + 4;

/** Whether the header length a pack's last 4 bytes give fits a pack of packSize bytes. */
export function headerLengthInRange(headerLength: number, packSize: number): boolean {
  return headerLength + 4 <= packSize && headerLength <= MAX_HEADER_SIZE;
}
