/**
 * Restore-OfflineSeed. Walks the snapshot's trees to create folders, links and empty files, then reads
 * each pack once (only the range holding needed blobs), decodes its blobs on worker threads (every
 * blob's SHA-256 is checked against its id) and writes them at their offsets in every file that uses
 * them. File metadata is set when a file's last blob lands; folders' metadata last, deepest first.
 * Paths are kept as bytes: on Linux a name need not be valid UTF-8.
 */
import { promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { EventSink } from '../protocol/eventSink.ts';
import { CancelledError, OfflineSeedError } from '../protocol/errors.ts';
import type { BlobLocation } from '../repo/format/blob.ts';
import type { Repository } from '../repo/repository.ts';
import { decodeTree } from '../repo/tree/treeEncoding.ts';
import { nameText, type TreeNode } from '../repo/tree/treeNode.ts';
import { restoreMetadata } from '../fs/restoreMetadata.ts';
import { DecoderPool } from './decoderPool.ts';

export type OverwriteMode = 'always' | 'never' | 'if-changed';

export interface RestoreOptions {
  treeId: string;
  target: string;
  include: string[];
  overwrite: OverwriteMode;
  threads?: number;
}

export interface RestoreStats {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  filesSkipped: number;
}

interface FilePlan {
  path: Buffer;
  node: TreeNode;
  remaining: number;
  handle?: fs.FileHandle;
  opening?: Promise<fs.FileHandle>;
}

interface BlobUse {
  file: FilePlan;
  offset: number;
}

const SEP = Buffer.from('/');
const MAX_PACKS_IN_FLIGHT = 4;

export class Restorer {
  private readonly repo: Repository;
  private readonly events: EventSink;
  private readonly signal: AbortSignal;
  private readonly options: RestoreOptions;
  private readonly includes: string[];
  private readonly uses = new Map<string, BlobUse[]>();
  private readonly dirs: { path: Buffer; node: TreeNode }[] = [];
  private readonly stats: RestoreStats = { files: 0, directories: 0, symlinks: 0, bytes: 0, filesSkipped: 0 };
  private totalBytes = 0;

  constructor(repo: Repository, events: EventSink, signal: AbortSignal, options: RestoreOptions) {
    this.repo = repo;
    this.events = events;
    this.signal = signal;
    this.options = options;
    this.includes = options.include.map((p) => `/${p.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '')}`);
  }

  async run(): Promise<RestoreStats> {
    const target = Buffer.from(this.options.target);
    await fs.mkdir(target, { recursive: true });
    await this.planTree(this.options.treeId, target, '');
    await this.writeBlobs();
    for (const { path, node } of this.dirs.reverse()) await restoreMetadata(path, node);
    this.events.progress({ id: 1, activity: 'Restoring', status: 'done', percent: 100, completed: true });
    return this.stats;
  }

  private included(path: string): boolean {
    return this.includes.length === 0 || this.includes.some((i) => path === i || path.startsWith(`${i}/`));
  }

  private leadsToInclude(path: string): boolean {
    return this.includes.some((i) => i.startsWith(`${path}/`));
  }

  private async planTree(treeId: string, dirPath: Buffer, snapshotPath: string): Promise<void> {
    for (const node of decodeTree(await this.repo.loadBlob('tree', treeId))) {
      if (this.signal.aborted) throw new CancelledError();
      const nodeSnapshotPath = `${snapshotPath}/${nameText(node)}`;
      const take = this.included(nodeSnapshotPath);
      if (!take && !(node.type === 'dir' && this.leadsToInclude(nodeSnapshotPath))) continue;
      const path = Buffer.concat([dirPath, SEP, node.name]);
      switch (node.type) {
        case 'dir':
          await fs.mkdir(path, { recursive: true });
          if (take) {
            this.dirs.push({ path, node });
            this.stats.directories++;
          }
          if (node.subtree !== null) await this.planTree(node.subtree, path, nodeSnapshotPath);
          break;
        case 'file':
          await this.planFile(path, node);
          break;
        case 'symlink':
          await fs.rm(path, { force: true });
          await fs.symlink(node.linkTarget, path);
          await restoreMetadata(path, node);
          this.stats.symlinks++;
          break;
        default:
          this.events.log('warning', `${nodeSnapshotPath}: ${node.type} nodes are not restored`);
      }
    }
  }

  private async planFile(path: Buffer, node: TreeNode): Promise<void> {
    const existing = await fs.lstat(path, { bigint: true }).catch(() => undefined);
    if (existing !== undefined) {
      const same = existing.isFile() && existing.size === node.size && existing.mtimeNs === BigInt(node.mtime.unixSeconds) * 1_000_000_000n + BigInt(node.mtime.nanos);
      if (this.options.overwrite === 'never' || (this.options.overwrite === 'if-changed' && same)) {
        this.stats.filesSkipped++;
        return;
      }
      if (!existing.isFile()) await fs.rm(path, { recursive: true, force: true });
    }
    this.stats.files++;
    const content = node.content ?? [];
    const handle = await fs.open(path, 'w', 0o600);
    await handle.truncate(Number(node.size));
    if (content.length === 0) {
      await handle.close();
      await restoreMetadata(path, node);
      return;
    }
    await handle.close();
    const plan: FilePlan = { path, node, remaining: content.length };
    let offset = 0;
    for (const id of content) {
      const location = this.repo.index.lookup('data', id);
      if (location === undefined) {
        throw new OfflineSeedError('OfflineSeed.BlobMissing', 'ObjectNotFound', `data blob ${id} of ${path.toString()} is missing from the repository`, { targetObject: id });
      }
      const list = this.uses.get(id);
      if (list === undefined) this.uses.set(id, [{ file: plan, offset }]);
      else list.push({ file: plan, offset });
      offset += location.uncompressedLength !== 0 ? location.uncompressedLength : location.length - 32;
    }
    this.totalBytes += offset;
  }

  private async writeBlobs(): Promise<void> {
    const byPack = new Map<string, BlobLocation[]>();
    for (const id of this.uses.keys()) {
      const location = this.repo.index.lookup('data', id)!;
      const list = byPack.get(location.packId);
      if (list === undefined) byPack.set(location.packId, [location]);
      else list.push(location);
    }
    if (byPack.size === 0) return;
    const pool = new DecoderPool(Math.max(1, this.options.threads ?? availableParallelism()), this.repo.key);
    try {
      const packs = [...byPack.entries()];
      let nextPack = 0;
      const lane = async (): Promise<void> => {
        while (nextPack < packs.length) {
          if (this.signal.aborted) throw new CancelledError();
          const [packId, blobs] = packs[nextPack++]!;
          await this.restorePack(pool, packId, blobs);
        }
      };
      await Promise.all(Array.from({ length: MAX_PACKS_IN_FLIGHT }, lane));
    } finally {
      await pool.terminate();
    }
  }

  private async restorePack(pool: DecoderPool, packId: string, blobs: BlobLocation[]): Promise<void> {
    blobs.sort((a, b) => a.offset - b.offset);
    const start = blobs[0]!.offset;
    const end = blobs.at(-1)!.offset + blobs.at(-1)!.length;
    const bytes = await this.repo.backend.read({ type: 'data', name: packId }, start, end - start);
    const reply = await pool.decode(bytes, start, blobs);
    if (reply.failures.length > 0) {
      const f = reply.failures[0]!;
      throw new OfflineSeedError('OfflineSeed.BlobCorrupt', 'InvalidData', f.message, {
        targetObject: `data/${packId}`,
        recommendedAction: 'Restore from another copy of the seed (staging, a drive or the cloud), or repair the pack.',
      });
    }
    for (let i = 0; i < blobs.length; i++) {
      const plain = Buffer.from(reply.plaintexts[i]!);
      for (const use of this.uses.get(blobs[i]!.id)!) await this.writeAt(use, plain);
    }
  }

  private async writeAt(use: BlobUse, plain: Buffer): Promise<void> {
    const file = use.file;
    if (file.handle === undefined) {
      file.opening ??= fs.open(file.path, 'r+');
      file.handle = await file.opening;
    }
    let written = 0;
    while (written < plain.length) {
      const { bytesWritten } = await file.handle.write(plain, written, plain.length - written, use.offset + written);
      written += bytesWritten;
    }
    this.stats.bytes += plain.length;
    this.events.progress({ id: 1, activity: 'Restoring', status: `${this.stats.bytes} of ${this.totalBytes} bytes`, percent: this.totalBytes > 0 ? (this.stats.bytes / this.totalBytes) * 100 : 100 });
    file.remaining--;
    if (file.remaining === 0) {
      const handle = file.handle;
      delete file.handle;
      await handle.close();
      await restoreMetadata(file.path, file.node);
    }
  }
}
