/**
 * The gear table of the FastCDC chunker: 256 pseudo-random 32-bit words selected by the repository's
 * seed, so each repository cuts at its own places (like restic's per-repository polynomial, chunk
 * sizes then say less about the content) while staying reproducible from the stored parameters.
 */
import { createHash } from 'node:crypto';

const DOMAIN = Buffer.from('offlineseed/chunker/fastcdc/gear/v1\0', 'utf8');
const WORDS_PER_BLOCK = 8;

/**
 * SHA-256 in counter mode over (domain, seed, counter), read as big-endian words. Signed words so the
 * hot loop adds int32 to int32: a uint32 above 2^31 would make V8 fall back to doubles.
 */
export function deriveGearTable(seed: Uint8Array): Int32Array {
  const table = new Int32Array(256);
  const counter = Buffer.alloc(4);
  for (let block = 0; block * WORDS_PER_BLOCK < table.length; block++) {
    counter.writeUInt32BE(block, 0);
    const digest = createHash('sha256').update(DOMAIN).update(seed).update(counter).digest();
    for (let w = 0; w < WORDS_PER_BLOCK; w++) table[block * WORDS_PER_BLOCK + w] = digest.readInt32BE(w * 4);
  }
  return table;
}
