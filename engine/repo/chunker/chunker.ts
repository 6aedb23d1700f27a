/**
 * FastCDC content-defined chunker (Xia et al., 2016/2020): a gear hash (h = (h << 1) + G[byte]) with
 * normalized chunking (a stricter mask before normalSize, a looser one after) and no hashing at all in
 * the first minSize bytes of a chunk, where no cut may happen anyway.
 *
 * Why FastCDC rather than restic's Rabin fingerprint: in JavaScript a Rabin window needs 64-bit
 * polynomial arithmetic (BigInt, or two 32-bit halves with two table lookups and an out-byte per
 * step), while the gear hash is one table load, a shift and an add on int32, which V8 compiles to
 * a handful of machine instructions; skipping the min region halves the bytes hashed on top of that.
 * We accept not deduplicating against restic-made snapshots.
 *
 * The hash is a 32-bit gear hash, so only the last 32 bytes influence it; the masks take its top bits,
 * which are the ones that depend on the whole window. Hashing restarts 32 bytes before the first
 * possible cut (at length minSize), so a cut decision depends only on the 32 bytes before it, never on
 * where the chunk began.
 */
import type { ChunkerParameters } from './chunkerParameters.ts';
import { validateChunkerParameters } from './chunkerParameters.ts';
import { deriveGearTable } from './gearTable.ts';

/** One chunk of the stream: bytes [offset, offset + length) of everything pushed so far. */
export interface ChunkCut {
  readonly offset: number;
  readonly length: number;
}

const GEAR_WINDOW = 32;
const NO_CUTS: readonly ChunkCut[] = Object.freeze([]);

/** Top `bits` bits set, as an int32 to AND with the int32 hash. */
export function topBitsMask(bits: number): number {
  return (~0 << (32 - bits)) | 0;
}

// One Chunker per file, and a backup has millions of small files: derive the table once per seed.
let cachedGear: { seed: string; table: Int32Array } | undefined;
function gearTableFor(seedHex: string): Int32Array {
  if (cachedGear?.seed !== seedHex) cachedGear = { seed: seedHex, table: deriveGearTable(Buffer.from(seedHex, 'hex')) };
  return cachedGear.table;
}

export class Chunker {
  readonly #gear: Int32Array;
  readonly #minSize: number;
  readonly #normalSize: number;
  readonly #maxSize: number;
  readonly #maskSmall: number;
  readonly #maskLarge: number;
  /** Stream offset where the current chunk began. */
  #chunkStart = 0;
  /** Stream offset of the next byte to be pushed. */
  #position = 0;
  #hash = 0;
  #finished = false;

  constructor(params: ChunkerParameters) {
    const p = validateChunkerParameters(params);
    this.#gear = gearTableFor(p.seed);
    this.#minSize = p.minSize;
    this.#normalSize = p.normalSize;
    this.#maxSize = p.maxSize;
    this.#maskSmall = topBitsMask(p.maskBits + p.normalization);
    this.#maskLarge = topBitsMask(p.maskBits - p.normalization);
  }

  /** Bytes pushed so far. */
  get position(): number {
    return this.#position;
  }

  /**
   * Feeds the next bytes of the stream and returns the chunks they complete. The buffer is only read
   * during the call, so the caller may reuse it afterwards.
   */
  push(buf: Uint8Array): readonly ChunkCut[] {
    if (this.#finished) throw new Error('Chunker.push after finish');
    const gear = this.#gear;
    const minSize = this.#minSize;
    const normalSize = this.#normalSize;
    const maxSize = this.#maxSize;
    const maskSmall = this.#maskSmall;
    const maskLarge = this.#maskLarge;
    const n = buf.length;
    const streamBase = this.#position;
    let cuts: ChunkCut[] | undefined;
    // Index in buf where the current chunk starts: negative while it began in an earlier buffer.
    let base = this.#chunkStart - streamBase;
    let h = this.#hash;
    let i = 0;
    for (;;) {
      const warmStart = base + minSize - GEAR_WINDOW;
      if (i < warmStart) i = warmStart;
      if (i >= n) break;
      let stop = Math.min(n, base + minSize - 1);
      for (; i < stop; i++) h = ((h << 1) + gear[buf[i]!]!) | 0;
      if (i >= n) break;

      let cut = -1;
      stop = Math.min(n, base + normalSize);
      for (; i < stop; i++) {
        h = ((h << 1) + gear[buf[i]!]!) | 0;
        if ((h & maskSmall) === 0) {
          cut = i + 1;
          break;
        }
      }
      if (cut < 0) {
        if (i >= n) break;
        stop = Math.min(n, base + maxSize);
        for (; i < stop; i++) {
          h = ((h << 1) + gear[buf[i]!]!) | 0;
          if ((h & maskLarge) === 0) {
            cut = i + 1;
            break;
          }
        }
        if (cut < 0) {
          if (i < base + maxSize) break;
          cut = i;
        }
      }
      (cuts ??= []).push({ offset: streamBase + base, length: cut - base });
      base = cut;
      i = cut;
      h = 0;
    }
    this.#position = streamBase + n;
    this.#chunkStart = streamBase + base;
    this.#hash = h;
    return cuts ?? NO_CUTS;
  }

  /** Ends the stream: the rest, if any, is the last chunk, which may be shorter than minSize. */
  finish(): readonly ChunkCut[] {
    if (this.#finished) return NO_CUTS;
    this.#finished = true;
    const length = this.#position - this.#chunkStart;
    return length === 0 ? NO_CUTS : [{ offset: this.#chunkStart, length }];
  }
}

/** Chunk lengths of a whole buffer, in order. */
export function chunkBuffer(buf: Uint8Array, params: ChunkerParameters): number[] {
  const chunker = new Chunker(params);
  return [...chunker.push(buf), ...chunker.finish()].map((c) => c.length);
}
