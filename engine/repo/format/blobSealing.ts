/**
 * Turning a blob's plaintext into its stored form: zstd (unless it would not shrink), then sealed.
 * Incompressible data (already compressed media, encrypted files) is detected from a small sample
 * so it does not pay for a full zstd pass.
 */
import { constants, zstdCompressSync } from 'node:zlib';
import type { CryptoKey } from '../crypto/masterKey.ts';
import { seal, sealToParts } from '../crypto/seal.ts';

export type CompressionMode = 'auto' | 'off' | 'max';

export interface SealedBlob {
  sealed: Buffer;
  /** 0 when stored uncompressed. */
  uncompressedLength: number;
}

const LEVELS: Record<Exclude<CompressionMode, 'off'>, number> = { auto: 3, max: 19 };
const SAMPLE = 64 * 1024;

function zstd(data: Uint8Array, level: number): Buffer {
  return zstdCompressSync(data, {
    params: {
      [constants.ZSTD_c_compressionLevel]: level,
      [constants.ZSTD_c_checksumFlag]: 0,
      [constants.ZSTD_c_contentSizeFlag]: 1,
    },
    // Without the size, zstd sizes its context for unknown input (MiBs per call, freed only at GC).
    pledgedSrcSize: data.length,
    maxOutputLength: data.length + 1024 + (data.length >> 7),
  });
}

/** A cheap look at one sample: does zstd's fastest level save at least 3 %? */
export function looksCompressible(plaintext: Uint8Array): boolean {
  if (plaintext.length <= SAMPLE * 2) return true;
  const start = Math.floor((plaintext.length - SAMPLE) / 2);
  const sample = plaintext.subarray(start, start + SAMPLE);
  return zstd(sample, 1).length < SAMPLE * 0.97;
}

/** What goes into a pack for one blob: plaintext, zstd if it helps, never copied into one buffer. */
export function prepareBlob(plaintext: Uint8Array, mode: CompressionMode): { payload: Uint8Array; uncompressedLength: number } {
  if (plaintext.length > 0 && mode !== 'off' && looksCompressible(plaintext)) {
    const compressed = zstd(plaintext, LEVELS[mode]);
    if (compressed.length < plaintext.length) return { payload: compressed, uncompressedLength: plaintext.length };
  }
  return { payload: plaintext, uncompressedLength: 0 };
}

export function sealBlobToParts(key: CryptoKey, plaintext: Uint8Array, mode: CompressionMode): { parts: [Buffer, Buffer, Uint8Array]; length: number; uncompressedLength: number } {
  const { payload, uncompressedLength } = prepareBlob(plaintext, mode);
  return { ...sealToParts(key, payload), uncompressedLength };
}

export function sealBlobPlaintext(key: CryptoKey, plaintext: Uint8Array, mode: CompressionMode, alwaysCompress = false): SealedBlob {
  if (plaintext.length > 0 && mode !== 'off' && (alwaysCompress || looksCompressible(plaintext))) {
    const compressed = zstd(plaintext, LEVELS[mode]);
    if (alwaysCompress || compressed.length < plaintext.length) {
      return { sealed: seal(key, compressed), uncompressedLength: plaintext.length };
    }
  }
  return { sealed: seal(key, plaintext), uncompressedLength: 0 };
}
