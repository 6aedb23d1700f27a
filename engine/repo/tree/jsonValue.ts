/**
 * A small JSON reader over bytes for restic documents. Unlike JSON.parse it keeps integers exact
 * (uint64 inode, size, device), keeps strings as bytes decoded the way Go's encoding/json does
 * (invalid UTF-8 and lone surrogate escapes become U+FFFD), and records each value's byte span so a
 * caller can keep the exact source text of an object.
 */
import { RUNE_ERROR, decodeRune, encodeRune } from './goUtf8.ts';

interface Span {
  start: number;
  end: number;
}

export type JsonValue = Span &
  (
    | { kind: 'null' }
    | { kind: 'bool'; value: boolean }
    | { kind: 'number'; text: string }
    | { kind: 'string'; bytes: Buffer }
    | { kind: 'array'; items: JsonValue[] }
    | { kind: 'object'; entries: JsonEntry[] }
  );

export interface JsonEntry {
  key: string;
  value: JsonValue;
}

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
}

const MAX_DEPTH = 1000;
const REPLACEMENT = Uint8Array.of(0xef, 0xbf, 0xbd);

function hexDigit(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const lower = b | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** The reader itself, for callers that read a known document shape value by value (treeEncoding's fast path). */
export class JsonReader {
  pos = 0;
  readonly src: Buffer;

  constructor(src: Uint8Array) {
    this.src = Buffer.isBuffer(src) ? src : Buffer.from(src.buffer, src.byteOffset, src.byteLength);
  }

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at byte ${this.pos}`);
  }

  skipSpace(): void {
    for (;;) {
      const b = this.src[this.pos];
      if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) this.pos++;
      else return;
    }
  }

  expect(byte: number): void {
    this.skipSpace();
    if (this.src[this.pos] !== byte) this.fail(`expected '${String.fromCharCode(byte)}'`);
    this.pos++;
  }

  literal(word: string): void {
    for (let i = 0; i < word.length; i++) {
      if (this.src[this.pos + i] !== word.charCodeAt(i)) this.fail('invalid literal');
    }
    this.pos += word.length;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.skipSpace();
    const start = this.pos;
    const b = this.src[this.pos];
    switch (b) {
      case 0x7b:
        return { kind: 'object', entries: this.objectEntries(depth), start, end: this.pos };
      case 0x5b:
        return { kind: 'array', items: this.arrayItems(depth), start, end: this.pos };
      case 0x22:
        return { kind: 'string', bytes: this.string(), start, end: this.pos };
      case 0x74:
        this.literal('true');
        return { kind: 'bool', value: true, start, end: this.pos };
      case 0x66:
        this.literal('false');
        return { kind: 'bool', value: false, start, end: this.pos };
      case 0x6e:
        this.literal('null');
        return { kind: 'null', start, end: this.pos };
    }
    if (b === 0x2d || (b !== undefined && b >= 0x30 && b <= 0x39)) {
      return { kind: 'number', text: this.number(), start, end: this.pos };
    }
    return this.fail('unexpected input');
  }

  objectEntries(depth: number): JsonEntry[] {
    this.pos++;
    const entries: JsonEntry[] = [];
    this.skipSpace();
    if (this.src[this.pos] === 0x7d) {
      this.pos++;
      return entries;
    }
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] !== 0x22) this.fail('expected a key');
      const key = this.key();
      this.expect(0x3a);
      entries.push({ key, value: this.value(depth + 1) });
      this.skipSpace();
      const b = this.src[this.pos++];
      if (b === 0x7d) return entries;
      if (b !== 0x2c) this.fail("expected ',' or '}'");
    }
  }

  arrayItems(depth: number): JsonValue[] {
    return this.items((r) => r.value(depth + 1), () => this.fail("expected ',' or ']'"));
  }

  /** `[item,…]` from the '[' at the current position, each item read by `item`; `bad` reports a missing ',' or ']'. */
  items<T>(item: (r: JsonReader) => T, bad: () => never): T[] {
    this.pos++;
    const items: T[] = [];
    this.skipSpace();
    if (this.src[this.pos] === 0x5d) {
      this.pos++;
      return items;
    }
    for (;;) {
      this.skipSpace();
      items.push(item(this));
      this.skipSpace();
      const b = this.src[this.pos++];
      if (b === 0x5d) return items;
      if (b !== 0x2c) bad();
    }
  }

  /**
   * The longest prefix of -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? within 400 bytes (what follows
   * it is the caller's to reject); by hand, as this runs for every number of every tree.
   */
  number(): string {
    const src = this.src;
    const start = this.pos;
    const limit = Math.min(src.length, start + 400);
    const digitsFrom = (i: number): number => {
      while (i < limit && src[i]! >= 0x30 && src[i]! <= 0x39) i++;
      return i;
    };
    let p = start;
    if (src[p] === 0x2d) p++;
    if (p >= limit || src[p]! < 0x30 || src[p]! > 0x39) this.fail('invalid number');
    p = src[p] === 0x30 ? p + 1 : digitsFrom(p + 1);
    if (p < limit && src[p] === 0x2e) {
      const end = digitsFrom(p + 1);
      if (end > p + 1) p = end;
    }
    if (p < limit && (src[p] === 0x65 || src[p] === 0x45)) {
      const sign = p + 1 < limit && (src[p + 1] === 0x2b || src[p + 1] === 0x2d) ? p + 2 : p + 1;
      const end = digitsFrom(sign);
      if (end > sign) p = end;
    }
    this.pos = p;
    return src.toString('latin1', start, p);
  }

  /** Where a string that needs no decoding (printable ASCII, no escape) ends, at its closing quote; -1 otherwise. */
  plainStringEnd(): number {
    const src = this.src;
    for (let i = this.pos + 1; i < src.length; i++) {
      const b = src[i]!;
      if (b === 0x22) return i;
      if (b < 0x20 || b >= 0x80 || b === 0x5c) return -1;
    }
    return -1;
  }

  /** At a string that needs no decoding: its text (which is its bytes), past it; undefined (and not moved) otherwise. */
  plainText(): string | undefined {
    if (this.src[this.pos] !== 0x22) return undefined;
    const end = this.plainStringEnd();
    if (end < 0) return undefined;
    const text = this.src.toString('latin1', this.pos + 1, end);
    this.pos = end + 1;
    return text;
  }

  /** An object key as text. */
  key(): string {
    return this.plainText() ?? this.string().toString('utf8');
  }

  hex4(): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const d = hexDigit(this.src[this.pos++]);
      if (d < 0) this.fail('invalid \\u escape');
      v = v * 16 + d;
    }
    return v;
  }

  /** A string's bytes, decoded as Go does; a plain one is a view of the source, not a copy. */
  string(): Buffer {
    const plainEnd = this.plainStringEnd();
    if (plainEnd >= 0) {
      const bytes = this.src.subarray(this.pos + 1, plainEnd);
      this.pos = plainEnd + 1;
      return bytes;
    }
    this.pos++;
    const chunks: Uint8Array[] = [];
    let run = this.pos;
    const flush = (): void => {
      if (run < this.pos) chunks.push(this.src.subarray(run, this.pos));
    };
    for (;;) {
      const b = this.src[this.pos];
      if (b === undefined) this.fail('unterminated string');
      if (b >= 0x20 && b < 0x80 && b !== 0x22 && b !== 0x5c) {
        this.pos++;
        continue;
      }
      if (b >= 0x80) {
        const { rune, width } = decodeRune(this.src, this.pos);
        if (rune !== RUNE_ERROR || width !== 1) {
          this.pos += width;
          continue;
        }
        flush();
        chunks.push(REPLACEMENT);
        run = ++this.pos;
        continue;
      }
      flush();
      if (b === 0x22) {
        this.pos++;
        return Buffer.concat(chunks);
      }
      if (b < 0x20) this.fail('control character in string');
      const escaped = this.escape();
      chunks.push(escaped);
      run = this.pos;
    }
  }

  /** At a backslash inside a string: the bytes it stands for. */
  escape(): Uint8Array {
    const e = this.src[this.pos + 1];
    this.pos += 2;
    switch (e) {
      case 0x22:
      case 0x5c:
      case 0x2f:
        return Uint8Array.of(e);
      case 0x62:
        return Uint8Array.of(0x08);
      case 0x66:
        return Uint8Array.of(0x0c);
      case 0x6e:
        return Uint8Array.of(0x0a);
      case 0x72:
        return Uint8Array.of(0x0d);
      case 0x74:
        return Uint8Array.of(0x09);
      case 0x75:
        return encodeRune(this.unicodeEscape());
    }
    return this.fail('invalid escape');
  }

  /** After `\u`: one code unit, combined with a following `\uDC00`-`\uDFFF` when it is a high surrogate. */
  unicodeEscape(): number {
    const unit = this.hex4();
    if (unit < 0xd800 || unit > 0xdfff) return unit;
    if (unit <= 0xdbff && this.src[this.pos] === 0x5c && this.src[this.pos + 1] === 0x75) {
      const save = this.pos;
      this.pos += 2;
      const low = this.hex4();
      if (low >= 0xdc00 && low <= 0xdfff) return 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
      this.pos = save;
    }
    return RUNE_ERROR;
  }
}

/** Parses one JSON document; trailing whitespace (restic's final newline) is allowed, anything else is not. */
export function parseJson(src: Uint8Array): JsonValue {
  const reader = new JsonReader(src);
  const value = reader.value(0);
  reader.skipSpace();
  if (reader.pos !== src.length) reader.fail('trailing data');
  return value;
}
