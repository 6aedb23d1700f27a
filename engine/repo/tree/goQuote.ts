/**
 * Go 1.19 strconv.Quote / strconv.Unquote on raw bytes. restic stores a node name as
 * Quote(name) without the outer quotes, so names that are not valid UTF-8 survive JSON.
 * Which runes stay raw depends on Go's IsPrint table, frozen here at Go 1.19 (Unicode 13.0.0),
 * the toolchain of Debian's restic 0.14.
 */
import { isNotPrint16, isNotPrint32, isPrint16, isPrint32 } from './isPrintTables.ts';
import { RUNE_ERROR, decodeRune, encodeRune, isValidRune } from './goUtf8.ts';

/** First index i with table[i] >= x (sort.Search), as Go's bsearch16/bsearch32. */
function lowerBound(table: readonly number[], x: number): number {
  let lo = 0;
  let hi = table.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (table[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function inRanges(ranges: readonly number[], r: number): boolean {
  const i = lowerBound(ranges, r);
  return i < ranges.length && r >= ranges[i & ~1]! && r <= ranges[i | 1]!;
}

function isListed(list: readonly number[], r: number): boolean {
  const j = lowerBound(list, r);
  return j < list.length && list[j] === r;
}

/** Go 1.19 strconv.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. */
export function isPrint(r: number): boolean {
  if (r <= 0xff) {
    if (r >= 0x20 && r <= 0x7e) return true;
    if (r >= 0xa1 && r <= 0xff) return r !== 0xad;
    return false;
  }
  if (r < 0x10000) return inRanges(isPrint16, r) && !isListed(isNotPrint16, r);
  if (!inRanges(isPrint32, r)) return false;
  return r >= 0x20000 || !isListed(isNotPrint32, r - 0x10000);
}

const shortEscapes: ReadonlyMap<number, string> = new Map([
  [0x07, '\\a'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x0b, '\\v'],
]);

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

function escapeRune(r: number): string {
  if (r === 0x22) return '\\"';
  if (r === 0x5c) return '\\\\';
  if (isPrint(r)) return String.fromCodePoint(r);
  const short = shortEscapes.get(r);
  if (short !== undefined) return short;
  if (r < 0x20 || r === 0x7f) return `\\x${hex(r, 2)}`;
  if (!isValidRune(r)) r = RUNE_ERROR;
  return r < 0x10000 ? `\\u${hex(r, 4)}` : `\\U${hex(r, 8)}`;
}

/**
 * strconv.Quote(string(raw)), including the surrounding double quotes. The result contains only
 * valid Unicode, so its UTF-8 encoding is exactly Go's output.
 */
export function quote(raw: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < raw.length; ) {
    const { rune, width } = decodeRune(raw, i);
    out += width === 1 && rune === RUNE_ERROR ? `\\x${hex(raw[i]!, 2)}` : escapeRune(rune);
    i += width;
  }
  return out + '"';
}

export class UnquoteError extends Error {
  override name = 'UnquoteError';
}

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

const simpleUnescapes: ReadonlyMap<number, number> = new Map([
  [0x61, 0x07], // a
  [0x62, 0x08], // b
  [0x66, 0x0c], // f
  [0x6e, 0x0a], // n
  [0x72, 0x0d], // r
  [0x74, 0x09], // t
  [0x76, 0x0b], // v
  [0x5c, 0x5c], // backslash
  [0x22, 0x22], // double quote
]);

/**
 * strconv.Unquote(`"` + inner + `"`) returning raw bytes: the inverse of quote() without its quotes.
 * Throws UnquoteError where Go returns ErrSyntax (unescaped `"` or newline, bad escape).
 */
export function unquote(inner: Uint8Array | string): Buffer {
  const s = typeof inner === 'string' ? Buffer.from(inner, 'utf8') : inner;
  const out: number[] = [];
  const fail = (why: string): never => {
    throw new UnquoteError(`invalid quoted name (${why}): ${Buffer.from(s).toString('utf8')}`);
  };
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === 0x22) fail('unescaped quote');
    if (c === 0x0a) fail('unescaped newline');
    if (c >= 0x80) {
      const { rune, width } = decodeRune(s, i);
      out.push(...encodeRune(rune));
      i += width;
      continue;
    }
    if (c !== 0x5c) {
      out.push(c);
      i += 1;
      continue;
    }
    const e = s[i + 1];
    if (e === undefined) fail('trailing backslash');
    i += 2;
    const simple = simpleUnescapes.get(e!);
    if (simple !== undefined) {
      out.push(simple);
      continue;
    }
    if (e === 0x78 || e === 0x75 || e === 0x55) {
      const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8;
      let v = 0;
      for (let j = 0; j < n; j++) {
        const d = hexValue(s[i + j]);
        if (d < 0) fail('bad hex escape');
        v = v * 16 + d;
      }
      i += n;
      if (e === 0x78) out.push(v);
      else if (isValidRune(v)) out.push(...encodeRune(v));
      else fail('escaped rune out of range');
      continue;
    }
    if (e! >= 0x30 && e! <= 0x37) {
      let v = e! - 0x30;
      for (let j = 0; j < 2; j++) {
        const d = (s[i + j] ?? 0) - 0x30;
        if (s[i + j] === undefined || d < 0 || d > 7) fail('bad octal escape');
        v = v * 8 + d;
      }
      i += 2;
      if (v > 255) fail('octal escape out of range');
      out.push(v);
      continue;
    }
    fail('unknown escape');
  }
  return Buffer.from(out);
}
