/**
 * Writes a pack straight into a temporary file of a local repository as blobs are added, so a pack
 * never sits in memory (restic's packer does the same). finish() appends the header, names the file by
 * its SHA-256 and renames it into data/<2 hex>/. Synchronous: used from pipeline worker threads.
 * Not fsynced here: the archiver flushes packs before the index that lists them. With markPending, the
 * pack's pending marker (packRecovery.ts) is in place before the pack is.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CryptoKey } from '../crypto/masterKey.ts';
import type { BlobType } from '../format/blob.ts';
import { packTrailer, type PackEntry } from '../format/packHeader.ts';
import { pendingMarker } from '../packRecovery.ts';
import { PENDING_FOLDER } from './backend.ts';
import { TEMP_DIR } from './localBackend.ts';

export interface WrittenPack {
  id: string;
  size: number;
  entries: PackEntry[];
}

export class LocalPackWriter {
  private readonly repositoryPath: string;
  private readonly key: CryptoKey;
  private readonly type: BlobType;
  private readonly tempPath: string;
  private readonly fd: number;
  private readonly markPending: boolean;
  private readonly hash: Hash = createHash('sha256');
  private readonly entries: PackEntry[] = [];
  private bytes = 0;

  constructor(repositoryPath: string, key: CryptoKey, type: BlobType, options: { markPending?: boolean } = {}) {
    this.repositoryPath = repositoryPath;
    this.markPending = options.markPending === true;
    this.key = key;
    this.type = type;
    const tempDir = join(repositoryPath, TEMP_DIR);
    mkdirSync(tempDir, { recursive: true, mode: 0o700 });
    this.tempPath = join(tempDir, `pack-${randomBytes(8).toString('hex')}`);
    this.fd = openSync(this.tempPath, 'wx', 0o600);
  }

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.entries.length;
  }

  /** Appends one sealed blob given as its pieces (IV, ciphertext, MAC), in order. */
  add(id: string, parts: readonly Uint8Array[], uncompressedLength: number): void {
    let length = 0;
    for (const part of parts) {
      writeFully(this.fd, part);
      this.hash.update(part);
      length += part.length;
    }
    this.entries.push({ id, type: this.type, offset: this.bytes, length, uncompressedLength });
    this.bytes += length;
  }

  finish(): WrittenPack {
    const trailer = packTrailer(this.key, this.entries);
    writeFully(this.fd, trailer);
    this.hash.update(trailer);
    closeSync(this.fd);
    const id = this.hash.digest('hex');
    if (this.markPending) this.writeMarker(id);
    const dir = join(this.repositoryPath, 'data', id.slice(0, 2));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(this.tempPath, 0o400);
    renameSync(this.tempPath, join(dir, id));
    return { id, size: this.bytes + trailer.length, entries: this.entries };
  }

  private writeMarker(packId: string): void {
    const { handle, content } = pendingMarker(packId);
    const dir = join(this.repositoryPath, PENDING_FOLDER);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.tempPath}.pending`;
    writeFileSync(temp, content, { mode: 0o400 });
    renameSync(temp, join(dir, handle.name));
  }

  /** Drops an unfinished pack (its blobs were never indexed). */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.tempPath, { force: true });
  }
}

function writeFully(fd: number, data: Uint8Array): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}
