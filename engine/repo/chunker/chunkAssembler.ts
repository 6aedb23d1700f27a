/**
 * Turns a stream of read buffers into contiguous chunks for hashing, compression and encryption.
 * A chunk inside one read buffer is returned as a view of it (no copy); only a chunk spanning reads
 * is copied, once, into a buffer of its exact length.
 */
import type { ChunkerParameters } from './chunkerParameters.ts';
import { Chunker } from './chunker.ts';
import type { ChunkCut } from './chunker.ts';

export interface Chunk {
  /** Stream offset of the chunk's first byte. */
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export class ChunkAssembler {
  readonly #chunker: Chunker;
  /** Pushed buffers not yet fully handed out; views into them are returned, hence they must not be reused. */
  readonly #pending: Uint8Array[] = [];
  /** Bytes of #pending[0] already handed out. */
  #consumed = 0;

  constructor(params: ChunkerParameters) {
    this.#chunker = new Chunker(params);
  }

  /**
   * Takes ownership of `buf`: returned chunks may be views of it, so the caller must not overwrite it
   * (e.g. by reading into it again) while those chunks are in use.
   */
  push(buf: Uint8Array): Chunk[] {
    if (buf.length === 0) return [];
    const cuts = this.#chunker.push(buf);
    this.#pending.push(buf);
    return cuts.map((cut) => this.#take(cut));
  }

  finish(): Chunk[] {
    return this.#chunker.finish().map((cut) => this.#take(cut));
  }

  #take(cut: ChunkCut): Chunk {
    const first = this.#pending[0]!;
    const start = this.#consumed;
    if (first.length - start >= cut.length) {
      this.#advance(cut.length);
      return { offset: cut.offset, bytes: first.subarray(start, start + cut.length) };
    }
    const bytes = Buffer.allocUnsafeSlow(cut.length);
    let filled = 0;
    while (filled < cut.length) {
      const segment = this.#pending[0]!;
      const n = Math.min(segment.length - this.#consumed, cut.length - filled);
      bytes.set(segment.subarray(this.#consumed, this.#consumed + n), filled);
      filled += n;
      this.#advance(n);
    }
    return { offset: cut.offset, bytes };
  }

  #advance(n: number): void {
    this.#consumed += n;
    if (this.#consumed === this.#pending[0]!.length) {
      this.#pending.shift();
      this.#consumed = 0;
    }
  }
}

/** Chunks of a stream of reads (e.g. fs.createReadStream), each read buffer handed over to the chunks. */
export async function* chunkStream(source: AsyncIterable<Uint8Array>, params: ChunkerParameters): AsyncGenerator<Chunk> {
  const assembler = new ChunkAssembler(params);
  for await (const buf of source) yield* assembler.push(buf);
  yield* assembler.finish();
}
