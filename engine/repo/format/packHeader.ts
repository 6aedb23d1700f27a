/**
 * Pack files: EncBlob₁ ‖ … ‖ EncBlobₙ ‖ Seal(header) ‖ uint32le(len(sealed header)).
 * Header entries: type(1) ‖ len_enc u32le [‖ len_plain u32le when compressed] ‖ id(32); bit 0 = tree,
 * bit 1 = compressed. Offsets are implicit: blobs tile the pack from 0.
 */
import { OfflineSeedError } from '../../protocol/errors.ts';
import type { CryptoKey } from '../crypto/masterKey.ts';
import { open, seal } from '../crypto/seal.ts';
import type { BlobType } from './blob.ts';
import { HEADER_ENTRY_COMPRESSED as ENTRY_COMPRESSED, HEADER_ENTRY_RAW as ENTRY_RAW, headerLengthInRange } from './packLayout.ts';

export interface PackEntry {
  id: string;
  type: BlobType;
  offset: number;
  length: number;
  uncompressedLength: number;
}

export function encodeHeaderEntries(entries: readonly PackEntry[]): Buffer {
  const size = entries.reduce((n, e) => n + (e.uncompressedLength !== 0 ? ENTRY_COMPRESSED : ENTRY_RAW), 0);
  const out = Buffer.allocUnsafe(size);
  let p = 0;
  for (const e of entries) {
    const compressed = e.uncompressedLength !== 0;
    out[p] = (e.type === 'tree' ? 1 : 0) | (compressed ? 2 : 0);
    out.writeUInt32LE(e.length, p + 1);
    p += 5;
    if (compressed) {
      out.writeUInt32LE(e.uncompressedLength, p);
      p += 4;
    }
    out.write(e.id, p, 32, 'hex');
    p += 32;
  }
  return out;
}

/** The tail appended after the blobs: sealed header and its length. */
export function packTrailer(key: CryptoKey, entries: readonly PackEntry[]): Buffer {
  const sealed = seal(key, encodeHeaderEntries(entries));
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32LE(sealed.length, 0);
  return Buffer.concat([sealed, length]);
}

export function decodeHeaderEntries(plain: Buffer, packName: string): PackEntry[] {
  const entries: PackEntry[] = [];
  let p = 0;
  let offset = 0;
  while (p < plain.length) {
    const type = plain[p]!;
    if (type > 3) throw corruptHeader(packName, `unknown blob type ${type}`);
    const compressed = (type & 2) !== 0;
    const need = compressed ? ENTRY_COMPRESSED : ENTRY_RAW;
    if (p + need > plain.length) throw corruptHeader(packName, 'truncated entry');
    const length = plain.readUInt32LE(p + 1);
    const uncompressedLength = compressed ? plain.readUInt32LE(p + 5) : 0;
    const id = plain.toString('hex', p + need - 32, p + need);
    entries.push({ id, type: (type & 1) !== 0 ? 'tree' : 'data', offset, length, uncompressedLength });
    offset += length;
    p += need;
  }
  return entries;
}

/** Reads the header from the last bytes of a pack (the caller supplies the tail and the pack size). */
export function parsePackTail(key: CryptoKey, tail: Buffer, packSize: number, packName: string): PackEntry[] {
  if (tail.length < 4) throw corruptHeader(packName, 'too short');
  const headerLength = tail.readUInt32LE(tail.length - 4);
  if (!headerLengthInRange(headerLength, packSize)) throw corruptHeader(packName, 'header length out of range');
  if (headerLength + 4 > tail.length) throw new HeaderNeedsMoreBytes(headerLength + 4);
  const sealed = tail.subarray(tail.length - 4 - headerLength, tail.length - 4);
  const entries = decodeHeaderEntries(open(key, sealed, `pack ${packName} header`), packName);
  const blobsEnd = entries.reduce((n, e) => n + e.length, 0);
  if (blobsEnd + headerLength + 4 !== packSize) throw corruptHeader(packName, 'blobs and header do not add up to the pack size');
  return entries;
}

/** Thrown when the tail read was shorter than the header; read again with `needed` bytes. */
export class HeaderNeedsMoreBytes extends Error {
  readonly needed: number;
  constructor(needed: number) {
    super(`need ${needed} bytes of pack tail`);
    this.needed = needed;
  }
}

function corruptHeader(packName: string, why: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.PackCorrupt', 'InvalidData', `pack ${packName}: header is corrupt (${why})`, { targetObject: `data/${packName}` });
}
