/**
 * Go 1.19 encoding/json output for the value kinds a restic tree uses.
 * Strings follow encodeState.string with escapeHTML (json.Marshal's default): `<`, `>`, `&`,
 * U+2028 and U+2029 are escaped, every control byte except \n \r \t becomes \u00XX (so \b and \f
 * are \u0008 and \u000c: Go >= 1.22 writes \b and \f instead), DEL stays raw, and each byte of an
 * invalid UTF-8 sequence becomes \ufffd.
 */
import { RUNE_ERROR, decodeRune } from './goUtf8.ts';

const HEX = '0123456789abcdef';

function escapeAscii(b: number): string | undefined {
  switch (b) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x3c:
    case 0x3e:
    case 0x26:
      return `\\u00${HEX[b >> 4]}${HEX[b & 0xf]}`;
  }
  return b < 0x20 ? `\\u00${HEX[b >> 4]}${HEX[b & 0xf]}` : undefined;
}

/** A Go string (arbitrary bytes) as a JSON string literal, quotes included. */
export function jsonStringFromBytes(bytes: Uint8Array): string {
  let out = '"';
  let start = 0;
  const flush = (end: number): void => {
    if (start < end) out += Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      const escaped = escapeAscii(b);
      if (escaped !== undefined) {
        flush(i);
        out += escaped;
        start = i + 1;
      }
      i += 1;
      continue;
    }
    const { rune, width } = decodeRune(bytes, i);
    if ((rune === RUNE_ERROR && width === 1) || rune === 0x2028 || rune === 0x2029) {
      flush(i);
      out += rune === RUNE_ERROR ? '\\ufffd' : `\\u202${HEX[rune & 0xf]}`;
      start = i + width;
    }
    i += width;
  }
  flush(bytes.length);
  return out + '"';
}

/** A JS string as Go would encode the same text (its UTF-8 bytes) as a JSON string literal. */
export function jsonString(text: string): string {
  return jsonStringFromBytes(Buffer.from(text, 'utf8'));
}

/** Go's unsigned integer formatting (strconv.FormatUint base 10). */
export function jsonUint(value: bigint | number): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  if (value < 0) throw new RangeError(`negative value for an unsigned field: ${value}`);
  return value.toString(10);
}

/** Go's []byte encoding: standard base64 with padding. */
export function jsonBytes(bytes: Uint8Array): string {
  return `"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}"`;
}
