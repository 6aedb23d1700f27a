/**
 * Collects sealed blobs of one type into a pack; finish() appends the header and names it by SHA-256.
 * The pack stays a list of parts (written with writev): no 16 MiB copy just to concatenate.
 */
import { createHash, type Hash } from 'node:crypto';
import type { CryptoKey } from '../crypto/masterKey.ts';
import type { BlobType } from './blob.ts';
import { packTrailer, type PackEntry } from './packHeader.ts';

export interface FinishedPack {
  id: string;
  parts: Buffer[];
  size: number;
  entries: PackEntry[];
}

export class PackBuilder {
  readonly type: BlobType;
  private readonly key: CryptoKey;
  private readonly parts: Buffer[] = [];
  private readonly entries: PackEntry[] = [];
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  constructor(key: CryptoKey, type: BlobType) {
    this.key = key;
    this.type = type;
  }

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.entries.length;
  }

  /** Adds one sealed blob, whole or as its pieces (IV, ciphertext, MAC). */
  add(id: string, sealed: Buffer | readonly Uint8Array[], uncompressedLength: number): PackEntry {
    const parts = Buffer.isBuffer(sealed) ? [sealed] : sealed.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
    const length = parts.reduce((n, p) => n + p.length, 0);
    const entry: PackEntry = { id, type: this.type, offset: this.bytes, length, uncompressedLength };
    for (const part of parts) {
      this.parts.push(part);
      this.hash.update(part);
    }
    this.entries.push(entry);
    this.bytes += length;
    return entry;
  }

  finish(): FinishedPack {
    const trailer = packTrailer(this.key, this.entries);
    this.hash.update(trailer);
    return { id: this.hash.digest('hex'), parts: [...this.parts, trailer], size: this.bytes + trailer.length, entries: this.entries };
  }
}

export function concatPack(pack: FinishedPack): Buffer {
  return Buffer.concat(pack.parts, pack.size);
}
