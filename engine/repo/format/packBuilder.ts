/** Collects sealed blobs of one type into a pack; finish() appends the header and names it by SHA-256. */
import { createHash } from 'node:crypto';
import type { CryptoKey } from '../crypto/masterKey.ts';
import type { BlobType } from './blob.ts';
import { packTrailer, type PackEntry } from './packHeader.ts';

export interface FinishedPack {
  id: string;
  bytes: Buffer;
  entries: PackEntry[];
}

export class PackBuilder {
  readonly type: BlobType;
  private readonly key: CryptoKey;
  private readonly parts: Buffer[] = [];
  private readonly entries: PackEntry[] = [];
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

  add(id: string, sealed: Buffer, uncompressedLength: number): PackEntry {
    const entry: PackEntry = { id, type: this.type, offset: this.bytes, length: sealed.length, uncompressedLength };
    this.parts.push(sealed);
    this.entries.push(entry);
    this.bytes += sealed.length;
    return entry;
  }

  finish(): FinishedPack {
    const bytes = Buffer.concat([...this.parts, packTrailer(this.key, this.entries)]);
    const id = createHash('sha256').update(bytes).digest('hex');
    return { id, bytes, entries: this.entries };
  }
}
