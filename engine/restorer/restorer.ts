/**
 * Restore-OfflineSeed. Walks the snapshot's trees to create folders, links and empty files and to plan
 * where every data blob goes; then restore workers take one pack range each (every pack is read once),
 * decode its blobs (each one's SHA-256 is checked against its id) and write them at their offsets into
 * every file that holds them. A file wholly written by one request gets its owner, mode and times from
 * that worker right after its last write; other files get theirs once every blob is written, then
 * folders, deepest first (writing into a folder changes its mtime). Paths are kept as bytes: on Linux a
 * name need not be valid UTF-8.
 */
import { closeSync, mkdirSync, openSync, promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { EventSink } from '../protocol/eventSink.ts';
import { CancelledError, OfflineSeedError } from '../protocol/errors.ts';
import { LocalBackend } from '../repo/backend/localBackend.ts';
import { plaintextLength, type BlobLocation } from '../repo/format/blob.ts';
import type { Repository } from '../repo/repository.ts';
import { decodeTree } from '../repo/tree/treeEncoding.ts';
import { nameText, type TreeNode } from '../repo/tree/treeNode.ts';
import { fileMetadataOf, restoreMetadata, restoreMetadataSync, type FileMetadata } from '../fs/restoreMetadata.ts';
import type { BlobTargets, WriteTarget } from './decoderMessages.ts';
import { RestoreWorkerPool } from './decoderPool.ts';
import { releaseGarbage } from '../runtime/startWorker.ts';
import { TreeReader } from './treeReader.ts';

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

/**
 * Kept for every file until the end, so small: the tree node itself only where restoreMetadata needs it.
 * The path is its bytes as latin1 text: a small Buffer would keep its whole 8 KiB pool slab alive (tens of
 * MB over a plan), and a Buffer in a message to a worker is copied with its slab.
 */
interface PlannedFile {
  path: string;
  metadata: Omit<FileMetadata, 'path'>;
  /** Windows only. */
  node: TreeNode | undefined;
  /** Blob writes that make up the file (a blob it holds twice counts twice). */
  writes: number;
  /** A worker set its metadata along with its last write (every write of it was in one request). */
  metadataDone: boolean;
}

const SEP = Buffer.from('/');
const WINDOWS = process.platform === 'win32';
const METADATA_CONCURRENCY = 32;
const PLAN_GC_MIN_BYTES = 1024 * 1024;
/** Files per metadata message to a worker. */
const METADATA_BATCH = 512;

export class Restorer {
  private readonly repo: Repository;
  private readonly events: EventSink;
  private readonly signal: AbortSignal;
  private readonly options: RestoreOptions;
  private readonly includes: string[];
  /** blob id → where it goes */
  private readonly targets = new Map<string, { file: PlannedFile; offset: number }[]>();
  private readonly trees: TreeReader;
  private readonly files: PlannedFile[] = [];
  private readonly dirs: { path: Buffer; node: TreeNode }[] = [];
  private readonly stats: RestoreStats = { files: 0, directories: 0, symlinks: 0, bytes: 0, filesSkipped: 0 };
  private totalBytes = 0;
  private treeBytesSinceGc = 0;
  /** The heap in use right after the last full GC: what the plan keeps. */
  private liveHeapBytes = 0;

  constructor(repo: Repository, events: EventSink, signal: AbortSignal, options: RestoreOptions) {
    this.repo = repo;
    this.events = events;
    this.signal = signal;
    this.options = options;
    this.trees = new TreeReader(repo);
    this.includes = options.include.map((p) => `/${p.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '')}`);
  }

  async run(): Promise<RestoreStats> {
    const target = Buffer.from(this.options.target);
    const existed = await fs.stat(target).then(() => true, () => false);
    await fs.mkdir(target, { recursive: true });
    // The workers start up while the plan is made.
    const local = this.repo.backend instanceof LocalBackend ? this.repo.backend.location : undefined;
    const pool = new RestoreWorkerPool(Math.max(1, this.options.threads ?? availableParallelism()), this.repo.key, local);
    try {
      await this.planTree(this.options.treeId, target, '', !existed);
      await this.writeBlobs(pool, local);
      await this.restoreFileMetadata(pool);
    } finally {
      await pool.terminate();
    }
    await this.restoreFolderMetadata();
    this.events.progress({ id: 1, activity: 'Restoring', status: 'done', percent: 100, completed: true });
    return this.stats;
  }

  private included(path: string): boolean {
    return this.includes.length === 0 || this.includes.some((i) => path === i || path.startsWith(`${i}/`));
  }

  private leadsToInclude(path: string): boolean {
    return this.includes.some((i) => i.startsWith(`${path}/`));
  }

  /** fresh: the folder was created by this restore, so nothing in it exists yet (no lstat needed). */
  private async planTree(treeId: string, dirPath: Buffer, snapshotPath: string, fresh: boolean): Promise<void> {
    const blob = await this.trees.read(treeId);
    this.collectPlanGarbage(blob.length);
    // Only the nodes the walk enters: a subtree read ahead but never taken would hold a read-ahead slot for good.
    const entered = decodeTree(blob).flatMap((node) => {
      const nodeSnapshotPath = `${snapshotPath}/${nameText(node)}`;
      const take = this.included(nodeSnapshotPath);
      return take || (node.type === 'dir' && this.leadsToInclude(nodeSnapshotPath)) ? [{ node, nodeSnapshotPath, take }] : [];
    });
    this.trees.prefetch(entered.flatMap(({ node }) => (node.type === 'dir' && node.subtree !== null ? [node.subtree] : [])));
    for (const { node, nodeSnapshotPath, take } of entered) {
      if (this.signal.aborted) throw new CancelledError();
      const path = Buffer.concat([dirPath, SEP, node.name]);
      switch (node.type) {
        case 'dir': {
          // In a fresh folder, synchronously: a thread-pool round trip per folder adds up on a busy machine.
          const created = fresh ? (mkdirSync(path), true) : (await fs.mkdir(path, { recursive: true })) !== undefined;
          if (take) {
            this.dirs.push({ path, node });
            this.stats.directories++;
          }
          if (node.subtree !== null) await this.planTree(node.subtree, path, nodeSnapshotPath, created);
          break;
        }
        case 'file':
          await this.planFile(path, node, fresh);
          break;
        case 'symlink':
          if (!fresh) await fs.rm(path, { force: true });
          await fs.symlink(node.linkTarget, path);
          await restoreMetadata(path, node);
          this.stats.symlinks++;
          break;
        default:
          this.events.log('warning', `${nodeSnapshotPath}: ${node.type} nodes are not restored`);
      }
    }
  }

  /**
   * Decoding a tree leaves garbage several times its size (the blob's copies, its parsed JSON, the nodes),
   * much of it in Buffer pool slabs that outlive minor GCs (a folder's nodes stay live while its subfolders
   * are walked) and that V8 counts little: left to V8, 7 MB of trees left ~50 MB of it, and a peak RSS
   * that never comes down. So a full GC every so many tree bytes, in proportion to the live heap, so that
   * walking millions of folders spends a bounded share of its time on it.
   */
  private collectPlanGarbage(treeBytes: number): void {
    this.treeBytesSinceGc += treeBytes;
    if (this.treeBytesSinceGc < Math.max(PLAN_GC_MIN_BYTES, this.liveHeapBytes / 16)) return;
    this.treeBytesSinceGc = 0;
    releaseGarbage('major');
    this.liveHeapBytes = getHeapStatistics().used_heap_size;
  }

  private async planFile(path: Buffer, node: TreeNode, fresh: boolean): Promise<void> {
    if (!fresh) {
      const existing = await fs.lstat(path, { bigint: true }).catch(() => undefined);
      if (existing !== undefined) {
        const same = existing.isFile() && existing.size === node.size && existing.mtimeNs === BigInt(node.mtime.unixSeconds) * 1_000_000_000n + BigInt(node.mtime.nanos);
        if (this.options.overwrite === 'never' || (this.options.overwrite === 'if-changed' && same)) {
          this.stats.filesSkipped++;
          return;
        }
        if (existing.isFile()) await fs.truncate(path, 0);
        else await fs.rm(path, { recursive: true, force: true });
      }
    }
    this.stats.files++;
    const content = node.content ?? [];
    const { path: _bytes, ...metadata } = fileMetadataOf(path, node);
    const file: PlannedFile = { path: path.toString('latin1'), metadata, node: WINDOWS ? node : undefined, writes: 0, metadataDone: false };
    this.files.push(file);
    if (content.length === 0 || node.size === 0n) {
      closeSync(openSync(path, 'w', 0o600));
      return;
    }
    // The worker that writes a file's first blob creates it: creating ten thousand files here queued
    // ahead of the tree reads on libuv's pool and kept the workers waiting for the plan.
    let offset = 0;
    for (const id of content) {
      const location = this.repo.index.lookup('data', id);
      if (location === undefined) {
        throw new OfflineSeedError('OfflineSeed.BlobMissing', 'ObjectNotFound', `data blob ${id} of ${path.toString()} is missing from the repository`, { targetObject: id });
      }
      const list = this.targets.get(id);
      if (list === undefined) this.targets.set(id, [{ file, offset }]);
      else list.push({ file, offset });
      file.writes++;
      offset += plaintextLength(location);
    }
    this.totalBytes += offset;
  }

  /**
   * Deepest first. On POSIX synchronously, as the workers do for files: three syscalls a folder instead of
   * three thread-pool round trips, which on a busy machine made a long tail after the last write.
   */
  private async restoreFolderMetadata(): Promise<void> {
    const ownership = process.geteuid?.() === 0;
    for (const { path, node } of this.dirs.reverse()) {
      if (WINDOWS) await restoreMetadata(path, node);
      else restoreMetadataSync(fileMetadataOf(path, node), ownership);
    }
    this.dirs.length = 0;
  }

  /** POSIX: the workers set it synchronously, a batch at a time (three syscalls a file, no thread-pool hops). */
  private async restoreFileMetadata(pool: RestoreWorkerPool): Promise<void> {
    if (WINDOWS) {
      await inParallel(this.files, METADATA_CONCURRENCY, (f) => restoreMetadata(Buffer.from(f.path, 'latin1'), f.node!));
      return;
    }
    const left = this.files.filter((f) => !f.metadataDone);
    const done: Promise<void>[] = [];
    for (let i = 0; i < left.length; i += METADATA_BATCH) {
      const metadata = left.slice(i, i + METADATA_BATCH).map((f): FileMetadata => ({ path: Buffer.from(f.path, 'latin1'), ...f.metadata }));
      const { done: reply } = await pool.submit({ metadata });
      done.push(reply.then((r) => {
        if (r.failure !== undefined) throw new Error(r.failure.message);
      }));
    }
    const settled = await Promise.allSettled(done);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  private async writeBlobs(pool: RestoreWorkerPool, local: string | undefined): Promise<void> {
    const byPack = new Map<string, BlobLocation[]>();
    for (const id of this.targets.keys()) {
      const location = this.repo.index.lookup('data', id)!;
      const list = byPack.get(location.packId);
      if (list === undefined) byPack.set(location.packId, [location]);
      else list.push(location);
    }
    if (byPack.size === 0) return;
    const inFlight: Promise<void>[] = [];
    try {
      for (const [packId, blobs] of byPack) {
        if (this.signal.aborted) throw new CancelledError();
        blobs.sort((a, b) => a.offset - b.offset);
        const rangeStart = blobs[0]!.offset;
        const rangeLength = blobs.at(-1)!.offset + blobs.at(-1)!.length - rangeStart;
        const bytes = local === undefined ? await this.readRemote(packId, rangeStart, rangeLength) : undefined;
        const request = {
          packId,
          rangeStart,
          rangeLength,
          ...(bytes === undefined ? {} : { bytes }),
          blobs: this.blobTargets(blobs),
        };
        const { done } = await pool.submit(request);
        inFlight.push(done.then((reply) => {
          if (reply.failure !== undefined) throw restoreFailure(packId, reply.failure);
          this.stats.bytes += reply.bytesWritten;
          this.events.progress({ id: 1, activity: 'Restoring', status: `${this.stats.bytes} of ${this.totalBytes} bytes`, percent: this.totalBytes > 0 ? (this.stats.bytes / this.totalBytes) * 100 : 100 });
        }));
      }
      await Promise.all(inFlight);
    } finally {
      await Promise.allSettled(inFlight);
    }
  }

  /**
   * Where each blob of one request goes. A file written entirely by this request (a small file, or a large
   * one whose blobs share a pack) gets its metadata with its last write: the worker sets it on the open
   * file and closes it, instead of three calls by path for each file at the end. (POSIX only.)
   */
  private blobTargets(blobs: readonly BlobLocation[]): BlobTargets[] {
    const request = blobs.map((blob): BlobTargets => ({ blob, targets: this.targets.get(blob.id)!.map((t) => ({ path: t.file.path, offset: t.offset })) }));
    if (WINDOWS) return request;
    const inRequest = new Map<PlannedFile, { writes: number; last: WriteTarget }>();
    blobs.forEach((blob, i) => {
      const targets = this.targets.get(blob.id)!;
      targets.forEach((t, j) => {
        const seen = inRequest.get(t.file);
        const wire = request[i]!.targets[j]!;
        if (seen === undefined) inRequest.set(t.file, { writes: 1, last: wire });
        else {
          seen.writes++;
          seen.last = wire;
        }
      });
    });
    for (const [file, { writes, last }] of inRequest) {
      if (writes !== file.writes) continue;
      last.metadata = file.metadata;
      file.metadataDone = true;
    }
    return request;
  }

  private async readRemote(packId: string, start: number, length: number): Promise<ArrayBuffer> {
    const bytes = await this.repo.backend.read({ type: 'data', name: packId }, start, length);
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    return copy;
  }
}

function restoreFailure(packId: string, failure: { message: string; code?: string }): OfflineSeedError {
  if (failure.code !== undefined) {
    return new OfflineSeedError('OfflineSeed.RestoreWriteFailed', 'WriteError', `restoring from pack ${packId} failed: ${failure.message}`, { targetObject: packId });
  }
  return new OfflineSeedError('OfflineSeed.BlobCorrupt', 'InvalidData', failure.message, {
    targetObject: `data/${packId}`,
    recommendedAction: 'Restore from another copy of the seed (staging, a drive or the cloud), or repair the pack.',
  });
}

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
