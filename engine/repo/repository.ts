/**
 * An open repository: backend + master key + config + index. Reads and writes the encrypted files
 * and blobs; everything above it (archiver, restorer, checker) speaks in blobs, trees and snapshots.
 */
import { createHash } from 'node:crypto';
import { zstdDecompressSync } from 'node:zlib';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { Backend, FileType } from './backend/backend.ts';
import { newRandomKey, type CryptoKey } from './crypto/masterKey.ts';
import { open, seal } from './crypto/seal.ts';
import { plaintextLength, type BlobLocation, type BlobType } from './format/blob.ts';
import { decodeConfig, encodeConfig, newConfig, type RepositoryConfig } from './format/config.ts';
import { decodeIndex } from './format/indexFile.ts';
import { createKeyFile, openKeyFile, type ScryptParameters } from './format/keyFile.ts';
import { decodeSnapshot, type Snapshot } from './format/snapshot.ts';
import { compressUnpacked, decompressUnpacked } from './format/unpacked.ts';
import { MasterIndex } from './index/masterIndex.ts';

export type UnpackedType = Extract<FileType, 'index' | 'snapshots' | 'locks'>;

export interface SnapshotEntry {
  id: string;
  snapshot: Snapshot;
}

export interface InitOptions {
  scrypt?: ScryptParameters;
  offlineseed?: RepositoryConfig['offlineseed'];
}

export class Repository {
  readonly backend: Backend;
  readonly key: CryptoKey;
  readonly config: RepositoryConfig;
  readonly index = new MasterIndex();
  /** Index files already loaded, so loadIndex() can be called again cheaply. */
  private readonly loadedIndexFiles = new Set<string>();

  private constructor(backend: Backend, key: CryptoKey, config: RepositoryConfig) {
    this.backend = backend;
    this.key = key;
    this.config = config;
  }

  static async init(backend: Backend, password: string, options: InitOptions = {}): Promise<Repository> {
    await backend.create();
    // Keys without a config are what a run killed between the two writes below left behind. They
    // guard no data, and one the same password opens would make restic (and open()) try the wrong
    // master key on the new config.
    for (const stale of await backend.list('keys')) await backend.remove({ type: 'keys', name: stale.name });
    const key = newRandomKey();
    const config = newConfig(options.offlineseed);
    const keyFile = await createKeyFile(password, key, options.scrypt);
    await backend.save({ type: 'keys', name: sha256Hex(keyFile) }, keyFile);
    // config last: its presence is what makes a folder a repository.
    await backend.save({ type: 'config', name: 'config' }, seal(key, encodeConfig(config)));
    return new Repository(backend, key, config);
  }

  static async open(backend: Backend, password: string): Promise<Repository> {
    const configInfo = await backend.stat({ type: 'config', name: 'config' });
    if (configInfo === undefined) {
      throw new OfflineSeedError('OfflineSeed.RepositoryNotFound', 'ObjectNotFound', `no repository at ${backend.location} (no config file)`, {
        targetObject: backend.location,
        recommendedAction: 'Check the path: give the staging location, the repository folder, or azure://<account>/<container>/<prefix>.',
      });
    }
    const keys = await backend.list('keys');
    for (const k of keys) {
      const master = await openKeyFile(await backend.read({ type: 'keys', name: k.name }), password, k.name);
      if (master !== undefined) {
        const config = decodeConfig(open(master, await backend.read({ type: 'config', name: 'config' }), 'config'));
        return new Repository(backend, master, config);
      }
    }
    throw new OfflineSeedError('OfflineSeed.WrongPassword', 'AuthenticationError', `the password does not open any key of the repository at ${backend.location}`, {
      targetObject: backend.location,
      recommendedAction: 'Give the password the seed was created with (or the file that holds it).',
    });
  }

  async loadIndex(): Promise<number> {
    let loaded = 0;
    for (const file of await this.backend.list('index')) {
      if (this.loadedIndexFiles.has(file.name)) continue;
      for (const blob of decodeIndex(await this.loadUnpacked('index', file.name), file.name)) this.index.add(blob);
      this.loadedIndexFiles.add(file.name);
      loaded++;
    }
    return loaded;
  }

  noteIndexFile(name: string): void {
    this.loadedIndexFiles.add(name);
  }

  indexFileNames(): readonly string[] {
    return [...this.loadedIndexFiles];
  }

  /** Seals (0x02+zstd) JSON and saves it under the SHA-256 of the stored bytes; returns that id. */
  async saveUnpacked(type: UnpackedType, json: Buffer): Promise<string> {
    const bytes = seal(this.key, compressUnpacked(json));
    const id = sha256Hex(bytes);
    await this.backend.save({ type, name: id }, bytes);
    return id;
  }

  async loadUnpacked(type: UnpackedType, id: string): Promise<Buffer> {
    const bytes = await this.backend.read({ type, name: id });
    if (sha256Hex(bytes) !== id) {
      throw new OfflineSeedError('OfflineSeed.FileCorrupt', 'InvalidData', `${type}/${id} does not match its name (content hash differs)`, { targetObject: `${type}/${id}` });
    }
    return decompressUnpacked(open(this.key, bytes, `${type}/${id}`), `${type}/${id}`);
  }

  async listSnapshots(): Promise<SnapshotEntry[]> {
    const out: SnapshotEntry[] = [];
    for (const file of await this.backend.list('snapshots')) {
      out.push({ id: file.name, snapshot: decodeSnapshot(await this.loadUnpacked('snapshots', file.name), file.name) });
    }
    return out.sort((a, b) => Date.parse(a.snapshot.time) - Date.parse(b.snapshot.time) || a.id.localeCompare(b.id));
  }

  /** "latest" or a unique id prefix (≥ 8 hex characters). */
  async findSnapshot(ref: string): Promise<SnapshotEntry> {
    const all = await this.listSnapshots();
    const matches = ref === 'latest' ? all.slice(-1) : all.filter((s) => s.id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new OfflineSeedError('OfflineSeed.SnapshotAmbiguous', 'InvalidArgument', `snapshot id prefix ${ref} matches ${matches.length} snapshots`, { targetObject: ref });
    throw new OfflineSeedError('OfflineSeed.SnapshotNotFound', 'ObjectNotFound', ref === 'latest' ? `the repository at ${this.backend.location} has no snapshot` : `no snapshot ${ref}`, { targetObject: ref });
  }

  async loadBlob(type: BlobType, id: string): Promise<Buffer> {
    const location = this.index.lookup(type, id);
    if (location === undefined) {
      throw new OfflineSeedError('OfflineSeed.BlobMissing', 'ObjectNotFound', `${type} blob ${id} is not in the index`, { targetObject: id });
    }
    const sealed = await this.backend.read({ type: 'data', name: location.packId }, location.offset, location.length);
    return decodeBlob(this.key, sealed, location);
  }
}

const MAX_ONE_PASS_CHUNK = 64 * 1024 * 1024;

/** Opens, decompresses and verifies one blob's stored bytes. */
export function decodeBlob(key: CryptoKey, sealed: Buffer, location: BlobLocation): Buffer {
  const what = `${location.type} blob ${location.id} in pack ${location.packId}`;
  if (sealed.length !== location.length) {
    throw new OfflineSeedError('OfflineSeed.BlobCorrupt', 'InvalidData', `${what}: short read (${sealed.length} of ${location.length} bytes)`, { targetObject: location.packId });
  }
  const opened = open(key, sealed, what);
  // An output chunk that holds the whole blob (plus the byte that would show it is too long) lets zstd
  // decode in one pass straight into it: half the time of its default 128 KiB chunks, which it also
  // buffers through a window it allocates and then copies into one Buffer at the end.
  // (Capped: the length comes from the index, which may be damaged.)
  const room = plaintextLength(location) + 1;
  const chunkSize = Math.max(64, Math.min(room, MAX_ONE_PASS_CHUNK));
  const plain = location.uncompressedLength !== 0 ? zstdDecompressSync(opened, { maxOutputLength: room, chunkSize }) : opened;
  if (plain.length !== plaintextLength(location) || sha256Hex(plain) !== location.id) {
    throw new OfflineSeedError('OfflineSeed.BlobCorrupt', 'InvalidData', `${what}: content does not match its id`, { targetObject: location.packId });
  }
  return plain;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
