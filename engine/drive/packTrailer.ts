/**
 * A keyless plausibility check of a restic pack's trailer, made while the copy has the pack's last
 * bytes in memory anyway: the last 4 bytes (little endian) are the length of the encrypted header
 * before them (IV 16 + MAC 16 + entries of 37 or 41 bytes, restic-format.md). A pack cut short or
 * overwritten at its end almost never ends in such a length (for a 16 MiB pack about 1 in 250), so a
 * damaged staging pack is reported before it goes to a drive instead of by the verification after
 * the whole drive was written. The verification stays the real check.
 */
import { HEADER_ENTRY_COMPRESSED as ENTRY_COMPRESSED, HEADER_ENTRY_RAW as ENTRY_RAW, headerLengthInRange, SEAL_OVERHEAD } from '../repo/format/packLayout.ts';

/** Whether n bytes are a whole number of 37- and 41-byte entries, at least one. */
function entriesFit(n: number): boolean {
  if (n <= 0) return false;
  for (let compressed = 0; compressed * ENTRY_COMPRESSED <= n; compressed++) {
    if ((n - compressed * ENTRY_COMPRESSED) % ENTRY_RAW === 0) return true;
  }
  return false;
}

/** Why a pack of packLength bytes whose last 4 bytes are `trailer` cannot be whole; undefined when it may be. */
export function packTrailerProblem(trailer: number, packLength: number): string | undefined {
  if (packLength < 4 + SEAL_OVERHEAD + ENTRY_RAW) return `it is ${packLength} bytes long, shorter than any pack`;
  if (!headerLengthInRange(trailer, packLength) || !entriesFit(trailer - SEAL_OVERHEAD)) {
    return `its last 4 bytes give a header length of ${trailer}, which no whole pack of ${packLength} bytes ends with: it was cut short or overwritten`;
  }
  return undefined;
}
