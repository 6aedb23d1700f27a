/**
 * Go's unicode/utf8 decoding rules, on bytes. Both strconv.Quote and encoding/json walk strings rune by
 * rune with utf8.DecodeRune: an invalid sequence (bad lead byte, surrogate, overlong form, past U+10FFFF,
 * truncated) yields RuneError with width 1, so each offending byte is handled on its own.
 */

export const RUNE_ERROR = 0xfffd;

export interface DecodedRune {
  rune: number;
  width: number;
}

const invalid: DecodedRune = { rune: RUNE_ERROR, width: 1 };

function isContinuation(b: number | undefined, lo = 0x80, hi = 0xbf): boolean {
  return b !== undefined && b >= lo && b <= hi;
}

/** utf8.DecodeRune(bytes[at:]); `at` must be inside the buffer. */
export function decodeRune(bytes: Uint8Array, at: number): DecodedRune {
  const b0 = bytes[at]!;
  if (b0 < 0x80) return { rune: b0, width: 1 };
  const b1 = bytes[at + 1];
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    return isContinuation(b1) ? { rune: ((b0 & 0x1f) << 6) | (b1! & 0x3f), width: 2 } : invalid;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // Second-byte ranges exclude overlong forms (E0) and UTF-16 surrogates (ED).
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    if (!isContinuation(b1, lo, hi) || !isContinuation(bytes[at + 2])) return invalid;
    return { rune: ((b0 & 0x0f) << 12) | ((b1! & 0x3f) << 6) | (bytes[at + 2]! & 0x3f), width: 3 };
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    if (!isContinuation(b1, lo, hi) || !isContinuation(bytes[at + 2]) || !isContinuation(bytes[at + 3])) return invalid;
    const rune = ((b0 & 0x07) << 18) | ((b1! & 0x3f) << 12) | ((bytes[at + 2]! & 0x3f) << 6) | (bytes[at + 3]! & 0x3f);
    return { rune, width: 4 };
  }
  return invalid;
}

/** utf8.ValidRune: a Unicode scalar value. */
export function isValidRune(r: number): boolean {
  return (r >= 0 && r < 0xd800) || (r > 0xdfff && r <= 0x10ffff);
}

/** utf8.Valid */
export function isValidUtf8(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; ) {
    const { rune, width } = decodeRune(bytes, i);
    if (rune === RUNE_ERROR && width === 1) return false;
    i += width;
  }
  return true;
}

/** Go's []byte(string(r)) for a valid rune; invalid runes become U+FFFD as in utf8.EncodeRune. */
export function encodeRune(r: number): Buffer {
  return Buffer.from(String.fromCodePoint(isValidRune(r) ? r : RUNE_ERROR), 'utf8');
}
