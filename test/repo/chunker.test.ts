import { createCipheriv, createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChunkAssembler, chunkStream } from '../../engine/repo/chunker/chunkAssembler.ts';
import { Chunker, chunkBuffer } from '../../engine/repo/chunker/chunker.ts';
import type { ChunkCut } from '../../engine/repo/chunker/chunker.ts';
import {
  DEFAULT_CHUNKER_PARAMETERS,
  chunkerParametersFromJson,
  chunkerParametersToJson,
  deriveChunkerParameters,
  newChunkerParameters,
  validateChunkerParameters,
} from '../../engine/repo/chunker/chunkerParameters.ts';
import type { ChunkerParameters } from '../../engine/repo/chunker/chunkerParameters.ts';
import { deriveGearTable } from '../../engine/repo/chunker/gearTable.ts';
import { OfflineSeedError } from '../../engine/protocol/errors.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const params = DEFAULT_CHUNKER_PARAMETERS;
/** Small chunks, so byte-by-byte feeding still sees many cuts in little data. */
const smallParams: ChunkerParameters = validateChunkerParameters({
  ...DEFAULT_CHUNKER_PARAMETERS,
  minSize: 2 * KiB,
  normalSize: 3 * KiB,
  maskBits: 12,
  maxSize: 16 * KiB,
});

/** Deterministic pseudo-random bytes (AES-128-CTR keystream of a label). */
function pseudoRandom(size: number, label: string): Buffer {
  const key = createHash('sha256').update(label).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

function cutsByFeeding(data: Uint8Array, p: ChunkerParameters, pieceSize: number): ChunkCut[] {
  const chunker = new Chunker(p);
  const cuts: ChunkCut[] = [];
  for (let off = 0; off < data.length; off += pieceSize) cuts.push(...chunker.push(data.subarray(off, off + pieceSize)));
  cuts.push(...chunker.finish());
  return cuts;
}

function assertTiling(cuts: readonly ChunkCut[], total: number): void {
  let offset = 0;
  for (const cut of cuts) {
    assert.is(cut.offset, offset, 'chunks follow each other');
    offset += cut.length;
  }
  assert.is(offset, total, 'chunks cover the stream');
}

const random20 = pseudoRandom(20 * MiB, 'random20');
const random64 = pseudoRandom(64 * MiB, 'random64');

test('the same data and parameters always give the same chunks', () => {
  const a = chunkBuffer(random20, params);
  const b = chunkBuffer(Buffer.from(random20), deriveChunkerParameters(params.seed));
  assert.equal(a, b);
  assert.ok(a.length > 5);
});

test('golden chunk lengths pin algorithm version 1 (changing them breaks dedup with existing repositories)', () => {
  assert.equal(Array.from(deriveGearTable(Buffer.alloc(8)).subarray(0, 4)), GOLDEN_GEAR_HEAD);
  assert.equal(chunkBuffer(random20, params), GOLDEN_LENGTHS);
});

/** The algorithm as plainly as possible: hash every byte, test from minSize on, and compare. */
function referenceLengths(data: Uint8Array, p: ChunkerParameters): number[] {
  const gear = deriveGearTable(Buffer.from(p.seed, 'hex'));
  const top = (bits: number): number => Number((0xffffffffn << BigInt(32 - bits)) & 0xffffffffn);
  const lengths: number[] = [];
  let length = 0;
  let h = 0;
  for (const byte of data) {
    h = (h * 2 + (gear[byte]! >>> 0)) % 2 ** 32;
    length++;
    const mask = top(length <= p.normalSize ? p.maskBits + p.normalization : p.maskBits - p.normalization);
    if ((length >= p.minSize && (h & mask) >>> 0 === 0) || length === p.maxSize) {
      lengths.push(length);
      length = 0;
    }
  }
  if (length > 0) lengths.push(length);
  return lengths;
}

test('the fast chunker agrees with a plain reference implementation', () => {
  assert.equal(chunkBuffer(random20, params), referenceLengths(random20, params));
  const data = random20.subarray(0, 2 * MiB);
  assert.equal(chunkBuffer(data, smallParams), referenceLengths(data, smallParams));
  const tiny = validateChunkerParameters({ ...params, minSize: 64, normalSize: 64, maskBits: 4, normalization: 3, maxSize: 200 });
  assert.equal(chunkBuffer(data.subarray(0, 100 * KiB), tiny), referenceLengths(data.subarray(0, 100 * KiB), tiny));
});

test('boundaries do not depend on how the stream is split into buffers (default parameters)', () => {
  const whole = cutsByFeeding(random20, params, random20.length);
  assertTiling(whole, random20.length);
  for (const size of [4097, MiB, 3 * MiB + 1]) assert.equal(cutsByFeeding(random20, params, size), whole, `pieces of ${size}`);
});

test('boundaries do not depend on how the stream is split into buffers (1-byte pieces)', () => {
  const data = pseudoRandom(MiB, 'bytewise');
  const whole = cutsByFeeding(data, smallParams, data.length);
  assert.ok(whole.length > 100);
  for (const size of [1, 7, 4097]) assert.equal(cutsByFeeding(data, smallParams, size), whole, `pieces of ${size}`);
});

test('irregular buffer sizes, including empty ones, give the same boundaries', () => {
  const data = random20.subarray(0, 12 * MiB);
  const whole = cutsByFeeding(data, params, data.length);
  const chunker = new Chunker(params);
  const cuts: ChunkCut[] = [];
  const sizes = pseudoRandom(4096, 'sizes');
  let off = 0;
  for (let i = 0; off < data.length; i++) {
    const size = sizes.readUInt16LE((2 * i) % (sizes.length - 1)) * 64 * (i % 3);
    cuts.push(...chunker.push(data.subarray(off, off + size)));
    off += size;
  }
  cuts.push(...chunker.finish());
  assert.equal(cuts, whole);
  assert.is(chunker.position, data.length);
});

test('min and max sizes hold, and the average is about 1 MiB on random data', () => {
  const lengths = chunkBuffer(random64, params);
  for (const length of lengths.slice(0, -1)) {
    assert.ok(length >= params.minSize, `chunk of ${length} below min`);
    assert.ok(length <= params.maxSize, `chunk of ${length} above max`);
  }
  assert.ok(lengths.at(-1)! <= params.maxSize);
  const mean = random64.length / lengths.length;
  assert.ok(mean >= 0.7 * MiB && mean <= 1.5 * MiB, `mean ${(mean / MiB).toFixed(2)} MiB`);
});

test('data without cut points is cut at maxSize', () => {
  const lengths = chunkBuffer(Buffer.alloc(20 * MiB), params);
  assert.equal(lengths, [8 * MiB, 8 * MiB, 4 * MiB]);
});

test('small files are one chunk, the last chunk may be below min, and an empty stream has none', () => {
  assert.equal(chunkBuffer(Buffer.alloc(0), params), []);
  assert.equal(chunkBuffer(random20.subarray(0, 1), params), [1]);
  assert.equal(chunkBuffer(random20.subarray(0, params.minSize - 1), params), [params.minSize - 1]);
  assert.equal(chunkBuffer(random20.subarray(0, params.minSize), params), [params.minSize]);
  const lengths = chunkBuffer(random20, params);
  const tail = random20.subarray(0, lengths[0]! + 1000);
  assert.equal(chunkBuffer(tail, params), [lengths[0]!, 1000]);
});

test('an insertion near the start leaves the later chunks unchanged', () => {
  const original = random64.subarray(0, 32 * MiB);
  const inserted = Buffer.concat([original.subarray(0, 1000), pseudoRandom(4097, 'insert'), original.subarray(1000)]);
  const ends = (lengths: number[], shift: number): Set<number> => {
    const set = new Set<number>();
    let end = 0;
    for (const length of lengths) set.add((end += length) - shift);
    return set;
  };
  const before = chunkBuffer(original, params);
  const after = ends(chunkBuffer(inserted, params), 4097);
  let end = 0;
  let same = 0;
  for (const [index, length] of before.entries()) {
    const start = end;
    end += length;
    if (index >= 2 && after.has(start) && after.has(end)) same++;
  }
  assert.ok(same >= 0.9 * (before.length - 2), `${same} of ${before.length - 2} chunks unchanged`);
});

test('different seeds cut at different places', () => {
  const a = chunkBuffer(random20, deriveChunkerParameters('0000000000000001'));
  const b = chunkBuffer(random20, deriveChunkerParameters('0000000000000002'));
  const c = chunkBuffer(random20, params);
  assert.not.equal(a, b);
  assert.not.equal(a, c);
  assert.not.equal(deriveGearTable(Buffer.from('0000000000000001', 'hex')), deriveGearTable(Buffer.from('0000000000000002', 'hex')));
});

test('the assembler returns contiguous chunks equal to the stream slices, copying only across reads', async () => {
  const data = random20;
  const expected = chunkBuffer(data, params);
  for (const size of [4097, MiB, data.length]) {
    const assembler = new ChunkAssembler(params);
    const chunks = [];
    for (let off = 0; off < data.length; off += size) chunks.push(...assembler.push(data.subarray(off, off + size)));
    chunks.push(...assembler.finish());
    assert.equal(chunks.map((c) => c.bytes.length), expected, `reads of ${size}`);
    for (const chunk of chunks) assert.ok(Buffer.from(chunk.bytes).equals(data.subarray(chunk.offset, chunk.offset + chunk.bytes.length)));
    if (size === data.length) assert.ok(chunks.every((c) => c.bytes.buffer === data.buffer), 'a single read is never copied');
  }
  async function* reads(): AsyncGenerator<Uint8Array> {
    for (let off = 0; off < data.length; off += 3 * MiB) yield data.subarray(off, off + 3 * MiB);
  }
  const streamed = [];
  for await (const chunk of chunkStream(reads(), params)) streamed.push(chunk.bytes.length);
  assert.equal(streamed, expected);
});

test('push after finish is refused; finish twice returns nothing more', () => {
  const chunker = new Chunker(params);
  chunker.push(Buffer.alloc(10));
  assert.equal(chunker.finish(), [{ offset: 0, length: 10 }]);
  assert.equal(chunker.finish(), []);
  assert.throws(() => chunker.push(Buffer.alloc(1)));
});

test('parameters round-trip through JSON', () => {
  for (const p of [params, smallParams, newChunkerParameters()]) {
    const json = JSON.parse(JSON.stringify(chunkerParametersToJson(p))) as unknown;
    assert.equal(chunkerParametersFromJson(json), p);
  }
  assert.equal(chunkerParametersToJson(params), {
    algorithm: 'fastcdc', version: 1, minSize: 524288, normalSize: 786432, maskBits: 20, normalization: 2, maxSize: 8388608, seed: '0000000000000000',
  });
  assert.is(deriveChunkerParameters('ABCDEF0123456789').seed, 'abcdef0123456789');
  assert.is.not(newChunkerParameters().seed, newChunkerParameters().seed);
});

const good = chunkerParametersToJson(params);
const badParameters: [string, unknown][] = [
  ['null', null],
  ['an array', [good]],
  ['a string', JSON.stringify(good)],
  ['another algorithm', { ...good, algorithm: 'rabin' }],
  ['a future version', { ...good, version: 2 }],
  ['an unknown member', { ...good, window: 64 }],
  ['a missing member', { ...good, maxSize: undefined }],
  ['a fractional size', { ...good, minSize: 524288.5 }],
  ['a size as a string', { ...good, minSize: '524288' }],
  ['a negative size', { ...good, minSize: -1 }],
  ['min below the hash window', { ...good, minSize: 32, normalSize: 64 }],
  ['normal below min', { ...good, normalSize: good.minSize - 1 }],
  ['max below normal', { ...good, maxSize: good.normalSize - 1 }],
  ['max above 64 MiB', { ...good, maxSize: 64 * MiB + 1 }],
  ['no bits left for the loose mask', { ...good, maskBits: 2, normalization: 2 }],
  ['too many bits for the strict mask', { ...good, maskBits: 30, normalization: 2 }],
  ['a short seed', { ...good, seed: '00000000' }],
  ['an uppercase seed', { ...good, seed: 'ABCDEF0123456789' }],
  ['a non-hex seed', { ...good, seed: '000000000000000g' }],
  ['a numeric seed', { ...good, seed: 0 }],
];
for (const [name, value] of badParameters) {
  test(`parameters with ${name} are rejected`, () => {
    try {
      chunkerParametersFromJson(value);
      assert.unreachable('accepted');
    } catch (error) {
      assert.instance(error, OfflineSeedError);
      assert.is((error as OfflineSeedError).errorId, 'OfflineSeed.ChunkerParametersInvalid');
    }
  });
}

test('invalid parameters are refused by the chunker too', () => {
  assert.throws(() => new Chunker({ ...params, minSize: 10 }), /minSize/);
  assert.throws(() => deriveChunkerParameters('xyz'), /seed/);
});

const GOLDEN_GEAR_HEAD = [1461431423, -571938343, -2037893351, 509670775];
const GOLDEN_LENGTHS = [
  1509307, 934616, 791487, 1237161, 825089, 610340, 978446, 800030, 822298, 843797, 1704546, 821449, 841948, 1086398,
  1982351, 1191016, 535084, 913441, 898255, 997168, 611642, 35651,
];

test.run();
