/**
 * Chunker micro-benchmark: MB/s (10^6 bytes per second, counting the skipped min regions) of
 * Chunker.push over 4 MiB reads, on random data and on text-like data, and of ChunkAssembler (which
 * also copies the chunks that span reads into one buffer).
 * `node bench/chunker.ts [MiB] [rounds]`
 */
import { randomFillSync } from 'node:crypto';
import { ChunkAssembler } from '../engine/repo/chunker/chunkAssembler.ts';
import { Chunker } from '../engine/repo/chunker/chunker.ts';
import { DEFAULT_CHUNKER_PARAMETERS } from '../engine/repo/chunker/chunkerParameters.ts';

const MiB = 1024 * 1024;
const totalMiB = Number(process.argv[2] ?? 256);
const rounds = Number(process.argv[3] ?? 5);
const readSize = 4 * MiB;

function randomData(size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  for (let off = 0; off < size; off += 64 * 1024) randomFillSync(buf, off, Math.min(64 * 1024, size - off));
  return buf;
}

/** Words drawn from a small vocabulary by a xorshift generator: repetitive like logs or source code. */
function textData(size: number): Buffer {
  const words = 'the of and to in is that for it as with was on be by this are from at or log error info user file data value return const function if else'.split(' ');
  const buf = Buffer.allocUnsafe(size);
  let state = 0x9e3779b9;
  let off = 0;
  while (off < size) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const word = words[(state >>> 0) % words.length]!;
    off += buf.write(word, off, 'latin1');
    if (off < size) buf[off++] = (state & 0xf0) === 0 ? 10 : 32;
  }
  return buf;
}

interface Splitter {
  push(buf: Uint8Array): readonly unknown[];
  finish(): readonly unknown[];
}

function run(data: Buffer, makeSplitter: () => Splitter): { mbps: number; chunks: number } {
  let best = Infinity;
  let chunks = 0;
  for (let r = 0; r < rounds; r++) {
    const chunker = makeSplitter();
    chunks = 0;
    const started = process.hrtime.bigint();
    for (let off = 0; off < data.length; off += readSize) chunks += chunker.push(data.subarray(off, off + readSize)).length;
    chunks += chunker.finish().length;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    best = Math.min(best, seconds);
  }
  return { mbps: data.length / 1e6 / best, chunks };
}

const chunker = (): Splitter => new Chunker(DEFAULT_CHUNKER_PARAMETERS);
const assembler = (): Splitter => new ChunkAssembler(DEFAULT_CHUNKER_PARAMETERS);
const random = randomData(totalMiB * MiB);
const text = textData(totalMiB * MiB);
for (const [name, data, makeSplitter] of [
  ['random', random, chunker],
  ['text', text, chunker],
  ['random, assembled', random, assembler],
] as const) {
  const { mbps, chunks } = run(data, makeSplitter);
  const meanMiB = data.length / chunks / MiB;
  console.log(`${name.padEnd(18)} ${mbps.toFixed(0).padStart(6)} MB/s  (${totalMiB} MiB, ${chunks} chunks, mean ${meanMiB.toFixed(2)} MiB, best of ${rounds})`);
}
