/**
 * MD5 of many independent byte ranges at once, in WebAssembly SIMD: each i32x4 vector holds one 32-bit
 * word of four different messages (lanes), and three such groups run interleaved step by step, so
 * twelve 4 MiB manifest blocks hash side by side on one core. MD5 is a strict dependency chain inside
 * one message (node:crypto: about 0.9 GB/s per core here); twelve chains side by side keep the vector
 * units busy: measured about 3.5 GB/s per core (1 group: 1.35, 2: 2.5, 4: 3.1 GB/s).
 *
 * The module is emitted here as bytes (no assembler, no generated file): one function
 *   md5(p0, …, p11, blocks)
 * runs `blocks` 64-byte MD5 compressions on every lane, lane l reading from p<l> on, with the chaining
 * states in memory at STATE_AT (per group: the A, B, C and D vectors). Per block, each group's 16
 * message words are gathered with 4x4 transposes (i8x16.shuffle) into memory; the round constants are
 * in memory too (a v128.const per step costs more than a load). The JavaScript side schedules: a lane
 * whose range runs out of whole blocks gets its final padded block(s) from a scratch area, then the
 * next range; idle lanes re-read another lane's bytes and their result is dropped.
 *
 * Where WebAssembly SIMD is missing, node:crypto's md5 does the same job (Md5Lanes.backend says which),
 * and every instance is checked against node:crypto before use.
 */
import { createHash } from 'node:crypto';

/** The part of the WebAssembly global used here (tsconfig's lib has no WebAssembly declarations). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { readonly exports: object };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { readonly buffer: ArrayBuffer };
}

// ---------------------------------------------------------------------------------------------------
// The WebAssembly module, emitted as bytes.

// Memory layout (the data area for callers starts at DATA_AT).
const STATE_AT = 0; // per group 4 x v128 (A B C D, one lane each)
const CONSTANTS_AT = 1024; // 64 x v128: K[i] in every lane
const MESSAGE_AT = 2048; // 16 x v128: the transposed message words of the current block
const SCRATCH_AT = 4096; // four lanes x 128 bytes: the final padded block(s) of each range
export const DEFAULT_OPTIONS: Md5x4Options = { groups: 3 };

const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Eqz: [0x45],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  end: [0x0b],
  simd: (code: number, ...immediates: number[]) => [0xfd, ...uleb(code), ...immediates],
};
const v128Load = (offset: number) => op.simd(0x00, ...uleb(0), ...uleb(offset)); // align 2^0: lanes' data need not be aligned
const v128Store = (offset: number) => op.simd(0x0b, ...uleb(4), ...uleb(offset));
const v128LoadAligned = (offset: number) => op.simd(0x00, ...uleb(4), ...uleb(offset));
const shuffle = (lanes: readonly number[]) => op.simd(0x0d, ...lanes);
const vNot = op.simd(0x4d);
const vOr = op.simd(0x50);
const vXor = op.simd(0x51);
const vBitselect = op.simd(0x52);
const i32x4Shl = op.simd(0xab);
const i32x4ShrU = op.simd(0xad);
const i32x4Add = op.simd(0xae);

const UNPACK_LO32 = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
const UNPACK_HI32 = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
const UNPACK_LO64 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const UNPACK_HI64 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

export interface Md5x4Options {
  /** Independent groups of four lanes interleaved step by step: MD5 is latency-bound, so two or three
   * chains side by side keep the vector units busy. */
  groups: number;
}

/** The md5xN function body (locals included): params state, one pointer per lane, blocks. */
function md5Body(options: Md5x4Options): number[] {
  const G = options.groups;
  const LANES = 4 * G;
  const P = Array.from({ length: LANES }, (_, i) => i);
  const N = LANES;
  let next = N + 1;
  const firstV128 = next;
  const W = Array.from({ length: G }, () => [next++, next++, next++, next++]); // working a b c d per group
  const R = [next++, next++, next++, next++];
  const T = [next++, next++, next++, next++];
  const TMP = Array.from({ length: G }, () => next++);
  const v128Locals = next - firstV128;

  const code: number[] = [];
  const emit = (...parts: (number | number[])[]): void => {
    for (const p of parts) {
      if (Array.isArray(p)) code.push(...p);
      else code.push(p);
    }
  };
  const stateAt = (g: number, word: number): number => (g * 4 + word) * 16;
  const messageAt = (g: number, word: number): number => MESSAGE_AT + (g * 16 + word) * 16;

  emit(op.block, op.loop);
  emit(op.localGet(N), op.i32Eqz, op.brIf(1));

  // Gather: word w of every lane of a group into one vector (4x4 transposes), stored in memory.
  for (let g = 0; g < G; g++) {
    for (let q = 0; q < 4; q++) {
      for (let lane = 0; lane < 4; lane++) emit(op.localGet(P[g * 4 + lane]!), v128Load(q * 16), op.localSet(R[lane]!));
      emit(op.localGet(R[0]!), op.localGet(R[1]!), shuffle(UNPACK_LO32), op.localSet(T[0]!));
      emit(op.localGet(R[2]!), op.localGet(R[3]!), shuffle(UNPACK_LO32), op.localSet(T[1]!));
      emit(op.localGet(R[0]!), op.localGet(R[1]!), shuffle(UNPACK_HI32), op.localSet(T[2]!));
      emit(op.localGet(R[2]!), op.localGet(R[3]!), shuffle(UNPACK_HI32), op.localSet(T[3]!));
      const pairs: [number, number, number[]][] = [[T[0]!, T[1]!, UNPACK_LO64], [T[0]!, T[1]!, UNPACK_HI64], [T[2]!, T[3]!, UNPACK_LO64], [T[2]!, T[3]!, UNPACK_HI64]];
      pairs.forEach(([x, y, mask], k) => emit(op.i32Const(0), op.localGet(x), op.localGet(y), shuffle(mask), v128Store(messageAt(g, q * 4 + k))));
    }
    for (let w = 0; w < 4; w++) emit(op.i32Const(0), v128LoadAligned(stateAt(g, w)), op.localSet(W[g]![w]!));
  }

  // Roles rotate (a, b, c, d) <- (d, a, b, c) after every step.
  const roles = W.map((w) => [...w]);
  for (let i = 0; i < 64; i++) {
    for (let g = 0; g < G; g++) {
      const [a, b, c, d] = roles[g] as [number, number, number, number];
      const round = i >> 4;
      const m = round === 0 ? i : round === 1 ? (5 * i + 1) & 15 : round === 2 ? (3 * i + 5) & 15 : (7 * i) & 15;
      // a + M[m] + K[i] first: it does not wait for b, so only F and the rotation are on the chain.
      emit(op.i32Const(0), v128LoadAligned(messageAt(g, m)), op.i32Const(0), v128LoadAligned(CONSTANTS_AT + i * 16), i32x4Add, op.localGet(a), i32x4Add);
      if (round === 0) emit(op.localGet(c), op.localGet(d), op.localGet(b), vBitselect); // (b & c) | (~b & d)
      else if (round === 1) emit(op.localGet(b), op.localGet(c), op.localGet(d), vBitselect); // (d & b) | (~d & c)
      else if (round === 2) emit(op.localGet(c), op.localGet(d), vXor, op.localGet(b), vXor);
      else emit(op.localGet(c), op.localGet(b), op.localGet(d), vNot, vOr, vXor); // c ^ (b | ~d)
      const s = S[round * 4 + (i & 3)]!;
      emit(i32x4Add, op.localTee(TMP[g]!), op.i32Const(s), i32x4Shl, op.localGet(TMP[g]!), op.i32Const(32 - s), i32x4ShrU, vOr);
      emit(op.localGet(b), i32x4Add, op.localSet(a));
      roles[g] = [d, a, b, c];
    }
  }
  for (let g = 0; g < G; g++) {
    for (let w = 0; w < 4; w++) {
      emit(op.i32Const(0), op.i32Const(0), v128LoadAligned(stateAt(g, w)), op.localGet(roles[g]![w]!), i32x4Add, v128Store(stateAt(g, w)));
    }
  }
  for (const p of P) emit(op.localGet(p), op.i32Const(64), op.i32Add, op.localSet(p));
  emit(op.localGet(N), op.i32Const(1), op.i32Sub, op.localSet(N));
  emit(op.br(0), op.end, op.end, op.end);

  const locals = [...uleb(1), ...uleb(v128Locals), V128];
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/** The module: imports env.memory, exports md5 (one pointer per lane, blocks). */
export function md5ModuleBytes(options: Md5x4Options = DEFAULT_OPTIONS): Uint8Array {
  const params = 1 + 4 * options.groups;
  const type = section(1, [...uleb(1), 0x60, ...uleb(params), ...Array<number>(params).fill(I32), ...uleb(0)]);
  const imports = section(2, [...uleb(1), ...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]);
  const functions = section(3, [...uleb(1), ...uleb(0)]);
  const exports = section(7, [...uleb(1), ...name('md5'), 0x00, ...uleb(0)]);
  const code = section(10, [...uleb(1), ...md5Body(options)]);
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...functions, ...exports, ...code]);
}

// ---------------------------------------------------------------------------------------------------
// Lanes and their scheduling.

export interface ByteRange {
  /** Offset in `bytes` (the lanes' memory). */
  offset: number;
  length: number;
}

export interface Md5Lanes {
  /** 'simd' (WebAssembly, four lanes) or 'node' (node:crypto, one range at a time). */
  readonly backend: 'simd' | 'node';
  /** The memory the ranges live in: read file data straight into it (dataOffset .. dataOffset+dataBytes). */
  readonly bytes: Uint8Array;
  readonly dataOffset: number;
  readonly dataBytes: number;
  /** MD5 (16 bytes each, in order) of every range, which must lie inside the data area. */
  digest(ranges: readonly ByteRange[]): Buffer[];
}

const DATA_AT = 65536; // page-aligned, so the data area suits O_DIRECT reads
const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

interface Lane {
  job: number;
  pointer: number;
  blocks: number;
  /** True once the lane runs its final padded block(s). */
  inTail: boolean;
}

class SimdLanes implements Md5Lanes {
  readonly backend = 'simd' as const;
  readonly bytes: Uint8Array;
  readonly dataOffset = DATA_AT;
  readonly dataBytes: number;
  private readonly laneCount: number;
  private readonly words: Uint32Array;
  private readonly run: (...args: number[]) => void;

  constructor(dataBytes: number, groups: number, webAssembly: WebAssemblyApi, module: object) {
    const pages = Math.ceil((DATA_AT + dataBytes) / 65536);
    const memory = new webAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new webAssembly.Instance(module, { env: { memory } });
    this.run = (instance.exports as { md5: (...args: number[]) => void }).md5;
    this.bytes = new Uint8Array(memory.buffer);
    this.laneCount = groups * 4;
    this.words = new Uint32Array(memory.buffer, STATE_AT, groups * 16);
    const constants = new Uint32Array(memory.buffer, CONSTANTS_AT, 256);
    for (let i = 0; i < 64; i++) constants.fill(K[i]!, i * 4, i * 4 + 4);
    this.dataBytes = pages * 65536 - DATA_AT;
  }

  digest(ranges: readonly ByteRange[]): Buffer[] {
    for (const r of ranges) {
      if (r.offset < DATA_AT || r.length < 0 || r.offset + r.length > this.bytes.length) throw new RangeError(`range ${r.offset}+${r.length} outside the data area`);
    }
    const L = this.laneCount;
    const out: Buffer[] = new Array(ranges.length);
    const lanes: (Lane | undefined)[] = new Array(L).fill(undefined);
    const args: number[] = new Array(L + 1).fill(0);
    let nextJob = 0;
    const start = (l: number): void => {
      if (nextJob >= ranges.length) {
        lanes[l] = undefined;
        return;
      }
      const job = nextJob++;
      const r = ranges[job]!;
      lanes[l] = { job, pointer: r.offset, blocks: Math.floor(r.length / 64), inTail: false };
      for (let w = 0; w < 4; w++) this.words[this.wordIndex(l, w)] = IV[w]!;
    };
    for (let l = 0; l < L; l++) start(l);
    for (;;) {
      // Lanes out of full blocks move to their padded tail; lanes done with the tail finish and refill.
      for (let l = 0; l < L; l++) {
        for (let lane = lanes[l]; lane !== undefined && lane.blocks === 0; lane = lanes[l]) {
          if (lane.inTail) {
            out[lane.job] = this.laneDigest(l);
            start(l);
          } else {
            this.enterTail(l, lane, ranges[lane.job]!);
          }
        }
      }
      let n = Infinity;
      let any: Lane | undefined;
      for (const lane of lanes) {
        if (lane === undefined) continue;
        n = Math.min(n, lane.blocks);
        any = lane;
      }
      if (any === undefined) return out;
      // Idle lanes re-read an active lane's bytes; their state is reset when they get a range.
      for (let l = 0; l < L; l++) args[l] = (lanes[l] ?? any).pointer;
      args[L] = n;
      this.run(...args);
      for (const lane of lanes) {
        if (lane === undefined) continue;
        lane.pointer += n * 64;
        lane.blocks -= n;
      }
    }
  }

  /** Lane l is lane l % 4 of group l / 4; a group's state is four vectors A B C D. */
  private wordIndex(l: number, word: number): number {
    return ((l >> 2) * 4 + word) * 4 + (l & 3);
  }

  /** The range's last partial block plus MD5 padding and bit length, in the lane's scratch area. */
  private enterTail(l: number, lane: Lane, range: ByteRange): void {
    const scratch = SCRATCH_AT + l * 128;
    const rest = range.length % 64;
    const restAt = range.offset + range.length - rest;
    this.bytes.fill(0, scratch, scratch + 128);
    this.bytes.copyWithin(scratch, restAt, restAt + rest);
    this.bytes[scratch + rest] = 0x80;
    const blocks = rest < 56 ? 1 : 2;
    const bits = range.length * 8;
    const view = new DataView(this.bytes.buffer, scratch + blocks * 64 - 8, 8);
    view.setUint32(0, bits >>> 0, true);
    view.setUint32(4, Math.floor(bits / 2 ** 32) >>> 0, true);
    lane.pointer = scratch;
    lane.blocks = blocks;
    lane.inTail = true;
  }

  private laneDigest(l: number): Buffer {
    const digest = Buffer.allocUnsafe(16);
    for (let w = 0; w < 4; w++) digest.writeUInt32LE(this.words[this.wordIndex(l, w)]!, w * 4);
    return digest;
  }
}

class NodeLanes implements Md5Lanes {
  readonly backend = 'node' as const;
  readonly bytes: Uint8Array;
  readonly dataOffset = DATA_AT;
  readonly dataBytes: number;

  constructor(dataBytes: number) {
    this.bytes = new Uint8Array(DATA_AT + dataBytes);
    this.dataBytes = dataBytes;
  }

  digest(ranges: readonly ByteRange[]): Buffer[] {
    return ranges.map((r) => createHash('md5').update(this.bytes.subarray(r.offset, r.offset + r.length)).digest());
  }
}

declare const __OFFLINESEED_MD5_MODULE__: string | undefined;

/**
 * The module's bytes. The bundled engine has those of the default options from the build (base64):
 * generating them here runs ~13 ms in a cold thread, at the start of every drive copy.
 */
function moduleBytes(options: Md5x4Options): Uint8Array {
  if (typeof __OFFLINESEED_MD5_MODULE__ !== 'undefined' && options.groups === DEFAULT_OPTIONS.groups) return Buffer.from(__OFFLINESEED_MD5_MODULE__, 'base64');
  return md5ModuleBytes(options);
}

const compiled = new Map<string, { webAssembly: WebAssemblyApi; module: object } | null>();

function compile(options: Md5x4Options): { webAssembly: WebAssemblyApi; module: object } | null {
  const key = JSON.stringify(options);
  if (compiled.has(key)) return compiled.get(key)!;
  const webAssembly = Reflect.get(globalThis, 'WebAssembly') as WebAssemblyApi | undefined;
  let result: { webAssembly: WebAssemblyApi; module: object } | null = null;
  if (typeof webAssembly === 'object') {
    try {
      result = { webAssembly, module: new webAssembly.Module(moduleBytes(options)) };
    } catch {
      result = null; // no SIMD in this runtime: node:crypto it is
    }
  }
  compiled.set(key, result);
  return result;
}

/**
 * The compiled module (a WebAssembly.Module), or undefined without SIMD. Worker threads take it in
 * their workerData: a module crosses threads without being built and compiled again (building its
 * bytes costs ~15 ms of a cold thread's time, paid once instead of once per worker).
 */
export function compiledMd5Module(options: Md5x4Options = DEFAULT_OPTIONS): object | undefined {
  return compile(options)?.module;
}

/**
 * Lanes with a data area of at least dataBytes; `module` is compiledMd5Module's from another thread,
 * for the same options. The SIMD backend is checked against node:crypto on first use in each thread,
 * so a miscompiled module can never produce a wrong manifest hash.
 */
export function createMd5Lanes(dataBytes: number, prefer: 'simd' | 'node' = 'simd', options: Md5x4Options = DEFAULT_OPTIONS, module?: object): Md5Lanes {
  const webAssembly = Reflect.get(globalThis, 'WebAssembly') as WebAssemblyApi | undefined;
  const wasm = prefer !== 'simd' ? null : module !== undefined && webAssembly !== undefined ? { webAssembly, module } : compile(options);
  if (wasm !== null) {
    const lanes = new SimdLanes(dataBytes, options.groups, wasm.webAssembly, wasm.module);
    if (selfTest(lanes)) return lanes;
  }
  return new NodeLanes(dataBytes);
}

function selfTest(lanes: Md5Lanes): boolean {
  const lengths = [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 4096 + 7];
  let at = lanes.dataOffset;
  const ranges: ByteRange[] = [];
  for (const length of lengths) {
    for (let i = 0; i < length; i++) lanes.bytes[at + i] = (i * 31 + length) & 0xff;
    ranges.push({ offset: at, length });
    at += length;
  }
  const got = lanes.digest(ranges);
  return ranges.every((r, i) => got[i]!.equals(createHash('md5').update(lanes.bytes.subarray(r.offset, r.offset + r.length)).digest()));
}
