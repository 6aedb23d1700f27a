/**
 * Poly1305 one-time authenticator (RFC 8439), run in WebAssembly (build/wasm/poly1305.wat): about 8x
 * the speed of @noble/ciphers' JavaScript, which stays as the fallback where WebAssembly is missing.
 *
 * key32 = r ‖ s. r is clamped here, never by the caller: restic ≥ 0.17 stores it unclamped.
 *
 * One module instance serves the whole thread. Incremental MACs may be interleaved: the instance holds
 * one MAC's state at a time and swaps the 368-byte state out to whichever object owned it before.
 */
import { Poly1305 as NoblePoly1305 } from '@noble/ciphers/_poly1305.js';
import { poly1305WasmBase64 } from './poly1305Wasm.generated.ts';

export interface Poly1305Mac {
  /** Absorbs more message bytes. Throws after digest(). */
  update(data: Uint8Array): Poly1305Mac;
  /** The 16-byte tag. Usable once. */
  digest(): Uint8Array;
}

/** The part of the WebAssembly global used here (tsconfig's lib has no WebAssembly declarations). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: object };
}

interface Poly1305Exports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  init(): void;
  blocks(pointer: number, length: number, hibit: number): void;
  finish(): void;
}

// Offsets fixed by the memory layout in poly1305.wat.
const KEY = 0;
const TAG = 32;
const STATE_START = 64;
const STATE_END = 432;
const WINDOW = 1024;
// 32 KiB windows measured fastest (8 KiB to 1 MiB windows and a whole-message copy into grown memory were
// tried): the copy stays in L1/L2 and the per-call overhead is amortised.
const WINDOW_BYTES = 32 * 1024;
const HIBIT = 1 << 24;

interface Wasm {
  exports: Poly1305Exports;
  memory: Uint8Array;
}

function loadWasm(): Wasm | null {
  const webAssembly = Reflect.get(globalThis, 'WebAssembly') as WebAssemblyApi | undefined;
  if (typeof webAssembly !== 'object') return null;
  // No catch: with WebAssembly present, a module that fails to load is a build error to surface, not to hide.
  const bytes = Buffer.from(poly1305WasmBase64, 'base64');
  const instance = new webAssembly.Instance(new webAssembly.Module(bytes));
  const exports = instance.exports as Poly1305Exports;
  const missing = WINDOW + WINDOW_BYTES - exports.memory.buffer.byteLength;
  if (missing > 0) exports.memory.grow(Math.ceil(missing / 65536));
  return { exports, memory: new Uint8Array(exports.memory.buffer) };
}

const wasm = loadWasm();

/** 'wasm' normally; 'noble' only where WebAssembly cannot be instantiated. */
export const poly1305Backend: 'wasm' | 'noble' = wasm === null ? 'noble' : 'wasm';

function checkKey(key32: Uint8Array): void {
  if (!(key32 instanceof Uint8Array) || key32.length !== 32) throw new RangeError('Poly1305 key must be 32 bytes');
}

/** The incremental MAC whose state is in the instance's memory, if any. */
let resident: WasmPoly1305 | null = null;

function evictResident(): void {
  if (resident !== null) resident.saveState();
  resident = null;
}

/** Starts a MAC in the instance: the caller becomes (or acts as) the resident. */
function startInInstance(w: Wasm, key32: Uint8Array): void {
  evictResident();
  w.memory.set(key32, KEY);
  w.exports.init();
  w.memory.fill(0, KEY, KEY + 32);
}

/** Absorbs data[start, end), a whole number of 16-byte blocks. */
function absorbBlocks(w: Wasm, data: Uint8Array, start: number, end: number): void {
  for (let offset = start; offset < end; offset += WINDOW_BYTES) {
    const length = Math.min(WINDOW_BYTES, end - offset);
    w.memory.set(data.subarray(offset, offset + length), WINDOW);
    w.exports.blocks(WINDOW, length, HIBIT);
  }
}

/** Absorbs a final block of 1..15 bytes, padded as RFC 8439 requires (0x01 after it, no 2^128 bit). */
function absorbLast(w: Wasm, tail: Uint8Array): void {
  w.memory.fill(0, WINDOW, WINDOW + 16);
  w.memory.set(tail, WINDOW);
  w.memory[WINDOW + tail.length] = 1;
  w.exports.blocks(WINDOW, 16, 0);
}

function finishTag(w: Wasm): Uint8Array {
  w.exports.finish();
  const tag = w.memory.slice(TAG, TAG + 16);
  w.memory.fill(0, 0, STATE_END);
  return tag;
}

class WasmPoly1305 implements Poly1305Mac {
  readonly #w: Wasm;
  /** The state while another MAC is resident; null while this one is. */
  #saved: Uint8Array | null = null;
  readonly #pending = new Uint8Array(16);
  #pendingLength = 0;
  #finished = false;

  constructor(w: Wasm, key32: Uint8Array) {
    this.#w = w;
    startInInstance(w, key32);
    resident = this;
  }

  saveState(): void {
    this.#saved = this.#w.memory.slice(STATE_START, STATE_END);
  }

  #activate(): void {
    if (resident === this) return;
    evictResident();
    if (this.#saved === null) throw new Error('Poly1305 state lost');
    this.#w.memory.set(this.#saved, STATE_START);
    this.#saved.fill(0);
    this.#saved = null;
    resident = this;
  }

  update(data: Uint8Array): Poly1305Mac {
    if (this.#finished) throw new Error('Poly1305: update() after digest()');
    let offset = 0;
    if (this.#pendingLength > 0) {
      const take = Math.min(16 - this.#pendingLength, data.length);
      this.#pending.set(data.subarray(0, take), this.#pendingLength);
      this.#pendingLength += take;
      offset = take;
      if (this.#pendingLength < 16) return this;
      this.#activate();
      absorbBlocks(this.#w, this.#pending, 0, 16);
      this.#pendingLength = 0;
    }
    const whole = data.length - ((data.length - offset) % 16);
    if (whole > offset) {
      this.#activate();
      absorbBlocks(this.#w, data, offset, whole);
    }
    this.#pending.set(data.subarray(whole), 0);
    this.#pendingLength = data.length - whole;
    return this;
  }

  digest(): Uint8Array {
    if (this.#finished) throw new Error('Poly1305: digest() called twice');
    this.#finished = true;
    this.#activate();
    if (this.#pendingLength > 0) absorbLast(this.#w, this.#pending.subarray(0, this.#pendingLength));
    this.#pending.fill(0);
    resident = null;
    return finishTag(this.#w);
  }
}

class NobleFallback implements Poly1305Mac {
  readonly #mac: NoblePoly1305;
  constructor(key32: Uint8Array) {
    this.#mac = new NoblePoly1305(key32);
  }
  update(data: Uint8Array): Poly1305Mac {
    this.#mac.update(data);
    return this;
  }
  digest(): Uint8Array {
    return this.#mac.digest();
  }
}

/** Incremental Poly1305 for messages that arrive in pieces. */
export function createPoly1305(key32: Uint8Array): Poly1305Mac {
  checkKey(key32);
  return wasm === null ? new NobleFallback(key32) : new WasmPoly1305(wasm, key32);
}

/** One-shot Poly1305 tag of message under the one-time key r ‖ s. */
export function poly1305Mac(message: Uint8Array, key32: Uint8Array): Uint8Array {
  checkKey(key32);
  if (wasm === null) return new NobleFallback(key32).update(message).digest();
  startInInstance(wasm, key32);
  const whole = message.length - (message.length % 16);
  absorbBlocks(wasm, message, 0, whole);
  if (whole < message.length) absorbLast(wasm, message.subarray(whole));
  return finishTag(wasm);
}
