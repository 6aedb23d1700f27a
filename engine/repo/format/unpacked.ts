/**
 * Index, snapshot and lock files in format v2: the plaintext is 0x02 ‖ zstd(JSON). Readers also accept
 * plain JSON (first byte '{' or '['), which is what v1 files kept after an upgrade look like.
 */
import { constants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { OfflineSeedError } from '../../protocol/errors.ts';

const ZSTD_VERSION_BYTE = 0x02;

export function compressUnpacked(json: Buffer): Buffer {
  const frame = zstdCompressSync(json, { params: { [constants.ZSTD_c_compressionLevel]: 3, [constants.ZSTD_c_checksumFlag]: 0 } });
  return Buffer.concat([Buffer.of(ZSTD_VERSION_BYTE), frame]);
}

export function decompressUnpacked(plaintext: Buffer, what: string): Buffer {
  if (plaintext.length === 0) return plaintext;
  const first = plaintext[0];
  if (first === 0x7b || first === 0x5b) return plaintext;
  if (first === ZSTD_VERSION_BYTE) return zstdDecompressSync(plaintext.subarray(1));
  throw new OfflineSeedError('OfflineSeed.UnsupportedEncoding', 'InvalidData', `${what}: not supported encoding format (first byte 0x${first!.toString(16)})`, { targetObject: what });
}
