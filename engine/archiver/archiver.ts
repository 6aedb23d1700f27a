/**
 * Staging's engine room. Walks the sources depth-first, sends files to the worker pool (which chunks,
 * dedups, compresses, seals and packs them), assembles directory trees bottom-up as their contents
 * complete, stores the tree blobs, writes index files as packs land, and finally writes the snapshot.
 * Order on disk is restic's: packs, then the index that lists them, then the snapshot.
 */
import type { BigIntStats } from 'node:fs';
import { lstatSync, promises as fs, readdirSync } from 'node:fs';
import { availableParallelism, hostname, userInfo } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import type { EventSink } from '../protocol/eventSink.ts';
import { CancelledError, OfflineSeedError } from '../protocol/errors.ts';
import { baseName, nodeFromStat, nodeFromStats } from '../fs/nodeFromStat.ts';
import { chunkerParametersFromJson, chunkerParametersToJson, deriveChunkerParameters, type ChunkerParameters } from '../repo/chunker/chunkerParameters.ts';
import { sealBlobPlaintext, type CompressionMode } from '../repo/format/blobSealing.ts';
import { encodeIndex, type IndexedPack } from '../repo/format/indexFile.ts';
import { PackBuilder } from '../repo/format/packBuilder.ts';
import { clearPending, markPending } from '../repo/packRecovery.ts';
import { LocalBackend } from '../repo/backend/localBackend.ts';
import { BandwidthLimiter } from '../blob/bandwidthLimiter.ts';
import type { PackEntry } from '../repo/format/packHeader.ts';
import { encodeSnapshot } from '../repo/format/snapshot.ts';
import { rfc3339Now } from '../repo/format/timestamp.ts';
import type { Repository } from '../repo/repository.ts';
import { sha256Hex } from '../repo/repository.ts';
import { decodeTree, encodeTree } from '../repo/tree/treeEncoding.ts';
import { sameNode, type TreeNode } from '../repo/tree/treeNode.ts';
import { compileExcludes, type ExcludeMatcher } from './excludePatterns.ts';
import { ProgressMeter } from './progressMeter.ts';
import { WorkerPool, type FileOutcome } from './workerPool.ts';
import { releaseGarbage, startWorker } from '../runtime/startWorker.ts';
import type { ScanRequest, ScanTotals } from './scanTotals.worker.ts';

export interface ArchiveOptions {
  sources: string[];
  excludes: string[];
  hostname?: string;
  tags?: string[];
  compression: CompressionMode;
  packSize: number;
  threads?: number;
  /** Parent snapshot (id and root tree): unchanged files are taken from it without being read. */
  parent?: string;
  parentTree?: string;
  activity: string;
  /** Remote repositories: cap on upload bandwidth. */
  bandwidthLimitBytesPerSecond?: number;
  /**
   * Record a pending marker before each pack is stored and remove it once an index lists the pack,
   * so the next run finds what a killed one left without listing data/ (packRecovery.ts).
   */
  markPending?: boolean;
  /**
   * Nothing is written to the repository before this resolves (no blob claimed, no tree pack, index or
   * snapshot), while the walk, the parent trees and the reading go ahead; if it rejects the run fails
   * with its error. backup.run passes the confirmation of its lock, so the lock's settle time overlaps
   * the walk.
   */
  writesAfter?: Promise<void>;
}

export interface ArchiveResult {
  snapshotId: string;
  treeId: string;
  files: number;
  directories: number;
  bytesRead: number;
  /** Bytes of packs, index files and snapshot this run wrote. */
  bytesStored: number;
  dataBlobsNew: number;
  /** Plaintext bytes of the new data blobs (after dedup, before compression). */
  uniqueBytesNew: number;
  /** Stored bytes of the new data blobs. */
  packedBytesNew: number;
  skippedPaths: number;
  /** Files taken unchanged from the parent snapshot (not read). */
  filesUnmodified: number;
  /** Files that were in the parent snapshot but changed. */
  filesChanged: number;
  /** Plaintext bytes of the distinct data blobs the snapshot references. */
  uniqueBytes: number;
  /** Stored bytes of those blobs. */
  uniqueStoredBytes: number;
}

/** A directory whose tree blob is written once everything in it is done. */
interface OpenDir {
  node: TreeNode | undefined; // undefined for the snapshot root
  parent: OpenDir | undefined;
  children: TreeNode[];
  pending: number;
  walked: boolean;
  path: Buffer;
  done?: (treeId: string) => void;
  /** The same folder in the parent snapshot, by name (hex of the raw bytes). */
  previous?: Map<string, TreeNode>;
}

const INDEX_EVERY_PACKS = 32;
const SEPARATOR = Buffer.from(sep);
const INDEX_EVERY_MS = 5 * 60_000;
/** Parent trees of up to this many upcoming entries of a folder are loaded ahead of the walk. */
const PREFETCH_AHEAD = 8;
/**
 * The walk lets the event loop run after this many entries (~5 ms of work): it rarely waits for the
 * workers, and without a pause their claim and result messages would sit unanswered until it did.
 */
const ENTRIES_BETWEEN_YIELDS = 64;

export function chunkerParametersOf(repo: Repository): ChunkerParameters {
  const stored = repo.config.offlineseed?.chunker;
  // A repository restic created has no parameters of ours: derive them from its (secret) id.
  return stored !== undefined ? chunkerParametersFromJson(stored) : deriveChunkerParameters(repo.config.id.slice(0, 16));
}

export class Archiver {
  private readonly repo: Repository;
  private readonly events: EventSink;
  private readonly signal: AbortSignal;
  private readonly options: ArchiveOptions;
  private readonly excluded: ExcludeMatcher;
  private readonly claimedData = new Set<string>();
  private readonly pendingIndex: IndexedPack[] = [];
  private lastIndexWrite = Date.now();
  private indexWrites: Promise<void> = Promise.resolve();
  /** Removal of pending markers whose packs an index now lists. */
  private readonly clearing: Promise<void>[] = [];
  private treePack: PackBuilder;
  private readonly stats = { files: 0, directories: 0, bytesRead: 0, bytesStored: 0, dataBlobsNew: 0, uniqueBytesNew: 0, packedBytesNew: 0, skippedPaths: 0, filesUnmodified: 0, filesChanged: 0 };
  private readonly progress: ProgressMeter;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly limiter: BandwidthLimiter | undefined;
  private entriesSinceYield = 0;

  constructor(repo: Repository, events: EventSink, signal: AbortSignal, options: ArchiveOptions) {
    this.repo = repo;
    this.events = events;
    this.signal = signal;
    this.options = options;
    this.excluded = compileExcludes(options.excludes);
    this.treePack = new PackBuilder(repo.key, 'tree');
    this.progress = new ProgressMeter(events, options.activity);
    this.limiter = options.bandwidthLimitBytesPerSecond === undefined ? undefined : new BandwidthLimiter(options.bandwidthLimitBytesPerSecond);
  }

  async run(): Promise<ArchiveResult> {
    const sources = this.options.sources.map((s) => resolve(s));
    const stopScan = this.scanTotals(sources);
    const threads = Math.max(1, this.options.threads ?? availableParallelism());
    const pool = new WorkerPool(threads, {
      key: { encrypt: this.repo.key.encrypt, macK: this.repo.key.macK, macR: this.repo.key.macR },
      chunker: chunkerParametersToJson(chunkerParametersOf(this.repo)),
      compression: this.options.compression,
      packSize: this.options.packSize,
      ...(this.repo.backend instanceof LocalBackend ? { repositoryPath: this.repo.backend.location } : {}),
      ...(this.options.markPending === true ? { markPending: true } : {}),
      readSize: 2 * 1024 * 1024,
    }, {
      uploadPack: async (packId, bytes) => {
        await this.limiter?.take(bytes.length);
        if (this.options.markPending === true) await markPending(this.repo.backend, packId);
        await this.repo.backend.save({ type: 'data', name: packId }, bytes);
      },
      ...(this.options.writesAfter === undefined ? {} : { claimsAfter: this.options.writesAfter }),
      claim: (id) => {
        if (this.repo.index.has('data', id) || this.claimedData.has(id)) return false;
        this.claimedData.add(id);
        return true;
      },
      onPack: (packId, size, entries, plaintextBytes) => this.onPack(packId, size, entries, plaintextBytes),
      onRead: (bytes) => {
        this.stats.bytesRead += bytes;
        this.progress.read(bytes);
      },
    });
    const failed = pool.failed();
    failed.catch(() => undefined);
    // The main thread is mostly idle but churns through a tree node per file; V8 lets that garbage pile
    // up for a long time. A major GC a second costs it a few percent and keeps staging within budget.
    const collector = setInterval(() => releaseGarbage('major'), 1000);
    collector.unref();
    const cancelled = new Promise<never>((_, reject) => {
      const onAbort = (): void => reject(new CancelledError());
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener('abort', onAbort, { once: true });
    });
    cancelled.catch(() => undefined);
    const writesRefused = (this.options.writesAfter ?? Promise.resolve()).then(() => new Promise<never>(() => undefined));
    writesRefused.catch(() => undefined);
    try {
      const treeId = await Promise.race([this.archiveAll(sources, pool), failed, cancelled, writesRefused]);
      await this.options.writesAfter;
      await Promise.race([pool.flush(), failed, cancelled]);
      await this.flushTreePack();
      await this.writeIndex();
      const snapshotJson = encodeSnapshot({
        time: rfc3339Now(),
        ...(this.options.parent === undefined ? {} : { parent: this.options.parent }),
        tree: treeId,
        paths: sources.map(toSnapshotPath),
        hostname: this.options.hostname ?? hostname(),
        username: safeUsername(),
        ...(this.options.excludes.length > 0 ? { excludes: this.options.excludes } : {}),
        ...(this.options.tags !== undefined && this.options.tags.length > 0 ? { tags: this.options.tags } : {}),
        programVersion: 'offlineseed',
      });
      const [snapshotId] = await Promise.all([this.repo.saveUnpacked('snapshots', snapshotJson), Promise.all(this.clearing)]);
      this.stats.bytesStored += snapshotJson.length + 32;
      this.progress.finish();
      let uniqueStoredBytes = 0;
      for (const id of this.referencedData.keys()) uniqueStoredBytes += this.repo.index.lookup('data', id)?.length ?? 0;
      const uniqueBytes = [...this.referencedData.values()].reduce((a, b) => a + b, 0);
      return { snapshotId, treeId, ...this.stats, uniqueBytes, uniqueStoredBytes };
    } catch (error) {
      // Whatever packs landed stay usable: index them so a rerun does not even need to recover them.
      await this.writeIndex().catch(() => undefined);
      await Promise.all(this.clearing);
      if (error instanceof OfflineSeedError) throw error;
      if ((error as NodeJS.ErrnoException).code !== undefined) throw error;
      throw new OfflineSeedError('OfflineSeed.PipelineFailed', 'WriteError', `staging failed: ${(error as Error).message}`, { cause: error });
    } finally {
      clearInterval(collector);
      this.progress.finish();
      await Promise.all([pool.terminate(), stopScan()]);
    }
  }

  /** Totals for the progress bar, counted on a thread of their own; stopped when the run ends. */
  private scanTotals(sources: string[]): () => Promise<void> {
    // A walk that keeps only two numbers: a small young generation keeps this thread's memory small
    // too (the staging run's peak RSS budget is 300 MiB). Past its limits only this thread stops.
    const scanner = startWorker('archiver/scanTotals.worker.ts', { sources, excludes: this.options.excludes } satisfies ScanRequest, { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 });
    scanner.once('message', (totals: ScanTotals) => this.progress.setTotals(totals.files, totals.bytes));
    scanner.on('error', () => undefined); // totals are cosmetic: a failed scan leaves the bar without them
    scanner.unref();
    return async () => {
      await scanner.terminate();
    };
  }

  /** Builds the root tree: intermediate directories of each absolute source path, as restic does. */
  private async archiveAll(sources: string[], pool: WorkerPool): Promise<string> {
    let rootDone!: (id: string) => void;
    const rootId = new Promise<string>((r) => (rootDone = r));
    const root: OpenDir = { node: undefined, parent: undefined, children: [], pending: 0, walked: false, path: Buffer.alloc(0), done: rootDone };
    if (this.options.parentTree !== undefined) root.previous = await this.previousContents(this.options.parentTree);
    const intermediates = new Map<string, OpenDir>();
    intermediates.set(rootPathOf(sources[0]!), root);
    for (const source of [...sources].sort()) {
      let parent = root;
      for (const ancestor of ancestorsOf(source)) {
        let dir = intermediates.get(ancestor);
        if (dir === undefined) {
          // restic records the folders above a source as stat (not lstat) sees them.
          const node = await nodeFromStat(ancestor, { followSymlinks: true });
          dir = { node, parent, children: [], pending: 0, walked: false, path: Buffer.from(ancestor) };
          const before = parent.previous?.get(node.name.toString('hex'));
          if (before?.type === 'dir' && before.subtree !== null) dir.previous = await this.previousContents(before.subtree);
          parent.pending++;
          intermediates.set(ancestor, dir);
        }
        parent = dir;
      }
      const sourcePath = Buffer.from(source);
      const st = await fs.lstat(sourcePath, { bigint: true });
      await this.archiveEntry(sourcePath, st, parent, pool);
    }
    // Deepest first, so each intermediate finishes after everything below it.
    for (const dir of [...intermediates.values()].sort((a, b) => b.path.length - a.path.length)) {
      dir.walked = true;
      await this.tryFinish(dir);
    }
    await pool.dispatchOpenBatch();
    const id = await rootId;
    await Promise.all(this.inFlight);
    return id;
  }

  private async archiveEntry(path: Buffer, st: BigIntStats, parent: OpenDir, pool: WorkerPool): Promise<void> {
    if (this.signal.aborted) throw new CancelledError();
    let node: TreeNode;
    try {
      const linkTarget = st.isSymbolicLink() ? await fs.readlink(path, { encoding: 'buffer' }) : undefined;
      node = nodeFromStats(baseName(path), st, linkTarget);
    } catch (error) {
      this.skipped(path, error);
      return;
    }
    const before = parent.previous?.get(node.name.toString('hex'));
    if (st.isDirectory()) {
      this.stats.directories++;
      const dir: OpenDir = { node, parent, children: [], pending: 0, walked: false, path };
      if (before?.type === 'dir' && before.subtree !== null) dir.previous = await this.previousContents(before.subtree);
      parent.pending++;
      await this.walkDirectory(dir, pool);
      return;
    }
    if (st.isFile()) {
      if (before !== undefined && this.unchanged(before, node)) {
        node.content = before.content;
        // Mostly nothing but the content check changed: then the parent's node text is this node's too.
        parent.children.push(before.sourceJson !== undefined && sameNode(node, before) ? { ...before, sourceIsCurrent: true } : node);
        this.stats.files++;
        this.stats.filesUnmodified++;
        this.progress.skipped(Number(node.size));
        return;
      }
      if (before?.type === 'file') this.stats.filesChanged++;
      parent.pending++;
      const { outcome } = await pool.archive(path, Number(st.size));
      const task = outcome.then((o) => this.fileArchived(path, node, parent, o));
      this.inFlight.add(task);
      void task.finally(() => this.inFlight.delete(task));
      return;
    }
    parent.children.push(node);
  }

  /** A file is taken from the parent snapshot when size, mtime and inode match and its blobs are all stored. */
  private unchanged(before: TreeNode, now: TreeNode): boolean {
    return before.type === 'file'
      && before.size === now.size
      && before.mtime.unixSeconds === now.mtime.unixSeconds && before.mtime.nanos === now.mtime.nanos
      && before.inode === now.inode
      && (before.content ?? []).every((id) => this.repo.index.has('data', id));
  }

  /** The parent snapshot's folder as a map by name; taken from the prefetched ones when it is there. */
  private previousContents(treeId: string): Promise<Map<string, TreeNode> | undefined> {
    const prefetched = this.prefetchedTrees.get(treeId);
    if (prefetched !== undefined) {
      this.prefetchedTrees.delete(treeId);
      return prefetched;
    }
    return this.loadPreviousContents(treeId);
  }

  private async loadPreviousContents(treeId: string): Promise<Map<string, TreeNode> | undefined> {
    try {
      return new Map(decodeTree(await this.repo.loadBlob('tree', treeId)).map((n) => [n.name.toString('hex'), n]));
    } catch {
      // A missing or damaged parent tree only means its files are read again.
      return undefined;
    }
  }

  /**
   * The parent trees of the next few subfolders, loaded while the walk is busy elsewhere: from a cloud
   * repository each tree is a round trip, and one at a time they added up to seconds per backup.
   */
  private prefetchTree(treeId: string): void {
    if (!this.prefetchedTrees.has(treeId)) this.prefetchedTrees.set(treeId, this.loadPreviousContents(treeId));
  }

  private async walkDirectory(dir: OpenDir, pool: WorkerPool): Promise<void> {
    let names: Buffer[] = [];
    try {
      // Synchronous on purpose: cheap on local disks, and a thread-pool hop per entry costs more.
      names = readdirSync(dir.path, { encoding: 'buffer' });
    } catch (error) {
      this.skipped(dir.path, error);
    }
    names.sort(Buffer.compare);
    const subtrees = previousSubtrees(dir.previous, names);
    let ahead = 0;
    for (const [i, name] of names.entries()) {
      for (; ahead < subtrees.length && ahead <= i + PREFETCH_AHEAD; ahead++) {
        const id = subtrees[ahead];
        if (id !== undefined) this.prefetchTree(id);
      }
      if (++this.entriesSinceYield >= ENTRIES_BETWEEN_YIELDS) {
        this.entriesSinceYield = 0;
        await new Promise((r) => setImmediate(r));
      }
      const path = Buffer.concat([dir.path, SEPARATOR, name]);
      if (this.excluded(path.toString('utf8'))) continue;
      let st: BigIntStats;
      try {
        st = lstatSync(path, { bigint: true });
      } catch (error) {
        this.skipped(path, error);
        continue;
      }
      await this.archiveEntry(path, st, dir, pool);
    }
    // Prefetched for entries that turned out excluded, unreadable or no longer folders.
    for (const id of subtrees) if (id !== undefined) this.prefetchedTrees.delete(id);
    dir.walked = true;
    await this.tryFinish(dir);
  }

  private async fileArchived(path: Buffer, node: TreeNode, parent: OpenDir, outcome: FileOutcome): Promise<void> {
    parent.pending--;
    if (outcome.error !== undefined) {
      this.skipped(path, Object.assign(new Error(outcome.error.message), { code: outcome.error.code }));
    } else {
      if (outcome.changedWhileRead === true) {
        this.events.log('warning', `${path.toString('utf8')} changed while it was read, and again while it was read a second time: the snapshot holds the ${outcome.size} bytes the second read got, which may mix old and new content. Back it up again once nothing writes to it (the next backup reads it again).`);
      } else if (outcome.rereadAfterChange === true) {
        this.events.log('verbose', `${path.toString('utf8')} changed while it was read; read it again, unchanged this time`);
      }
      node.content = outcome.content;
      outcome.content.forEach((id, i) => this.referencedData.set(id, outcome.chunkSizes[i]!));
      node.size = BigInt(outcome.size);
      parent.children.push(node);
      this.stats.files++;
      this.progress.fileDone(path.toString('utf8'));
    }
    await this.tryFinish(parent);
  }

  private skipped(pathBytes: Buffer, error: unknown): void {
    const path = pathBytes.toString('utf8');
    this.stats.skippedPaths++;
    const e = error as NodeJS.ErrnoException;
    this.events.error({
      errorId: 'OfflineSeed.SourceUnreadable',
      category: 'ReadError',
      message: `${path} could not be read and is left out of the snapshot: ${e.code ?? ''} ${e.message ?? String(error)}`.replace(/\s+/g, ' '),
      targetObject: path,
      recommendedAction: 'Give the account read access (or exclude the path), then run again: only what is missing is stored.',
      terminating: false,
    });
  }

  private async tryFinish(dir: OpenDir): Promise<void> {
    if (!dir.walked || dir.pending > 0) return;
    dir.walked = false; // finish once
    const treeId = await this.storeTree(encodeTree(dir.children));
    if (dir.node === undefined) {
      dir.done?.(treeId);
      return;
    }
    dir.node.subtree = treeId;
    const parent = dir.parent!;
    parent.children.push(dir.node);
    parent.pending--;
    await this.tryFinish(parent);
  }

  private async storeTree(bytes: Buffer): Promise<string> {
    const id = sha256Hex(bytes);
    if (this.repo.index.has('tree', id) || this.claimedTree.has(id)) return id;
    this.claimedTree.add(id);
    const { sealed, uncompressedLength } = sealBlobPlaintext(this.repo.key, bytes, 'auto', true);
    this.treePack.add(id, sealed, uncompressedLength);
    if (this.treePack.size >= this.options.packSize) await this.flushTreePack();
    return id;
  }

  private readonly claimedTree = new Set<string>();
  private readonly prefetchedTrees = new Map<string, Promise<Map<string, TreeNode> | undefined>>();
  private readonly referencedData = new Map<string, number>();

  private async flushTreePack(): Promise<void> {
    if (this.options.writesAfter !== undefined) await this.options.writesAfter;
    if (this.treePack.count === 0) return;
    const finished = this.treePack.finish();
    this.treePack = new PackBuilder(this.repo.key, 'tree');
    await this.limiter?.take(finished.size);
    // Not durable either: a marker lost with the pack it names costs nothing.
    if (this.options.markPending === true) await markPending(this.repo.backend, finished.id, { durable: false });
    await this.repo.backend.save({ type: 'data', name: finished.id }, finished.parts, { durable: false });
    this.onPack(finished.id, finished.size, finished.entries, 0);
  }

  private onPack(packId: string, size: number, entries: PackEntry[], plaintextBytes: number): void {
    for (const e of entries) this.repo.index.add({ ...e, packId });
    this.pendingIndex.push({ id: packId, blobs: entries });
    this.stats.bytesStored += size;
    if (entries[0]?.type === 'data') {
      this.stats.dataBlobsNew += entries.length;
      this.stats.uniqueBytesNew += plaintextBytes;
      this.stats.packedBytesNew += size;
    }
    if (this.pendingIndex.length >= INDEX_EVERY_PACKS || Date.now() - this.lastIndexWrite > INDEX_EVERY_MS) {
      this.indexWrites = this.indexWrites.then(() => this.writePendingIndex());
    }
  }

  /** Waits for scheduled index writes, then writes whatever is still pending. */
  private async writeIndex(): Promise<void> {
    await this.indexWrites;
    await this.writePendingIndex();
  }

  private async writePendingIndex(): Promise<void> {
    if (this.pendingIndex.length === 0) return;
    const packs = this.pendingIndex.splice(0);
    this.lastIndexWrite = Date.now();
    // Packs first, durably, then the index that refers to them (restic's write order).
    await this.repo.backend.flush?.(packs.map((p) => ({ type: 'data', name: p.id })));
    const json = encodeIndex(packs);
    const id = await this.repo.saveUnpacked('index', json);
    this.repo.noteIndexFile(id);
    this.stats.bytesStored += json.length;
    // The snapshot need not wait for this; a marker left behind is removed by the next run.
    if (this.options.markPending === true) this.clearing.push(clearPending(this.repo.backend, packs.map((p) => p.id)).catch(() => undefined));
  }
}

/** For each name (sorted), the subtree id of the same-named folder in the parent snapshot, if any. */
function previousSubtrees(previous: Map<string, TreeNode> | undefined, names: readonly Buffer[]): (string | undefined)[] {
  if (previous === undefined) return [];
  return names.map((name) => {
    const before = previous.get(name.toString('hex'));
    return before?.type === 'dir' && before.subtree !== null ? before.subtree : undefined;
  });
}

/** Ancestors of an absolute path, outermost first, excluding the filesystem root and the path itself. */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  let current = dirname(path);
  while (current !== dirname(current)) {
    out.unshift(current);
    current = dirname(current);
  }
  return out;
}

function rootPathOf(path: string): string {
  let current = path;
  while (current !== dirname(current)) current = dirname(current);
  return current;
}

/** restic records Windows paths as /C/Users/…; POSIX paths as they are. */
export function toSnapshotPath(path: string): string {
  if (sep === '\\') {
    const m = /^([A-Za-z]):\\?(.*)$/.exec(path);
    if (m !== null) return `/${m[1]!.toUpperCase()}/${m[2]!.split('\\').join('/')}`.replace(/\/$/, '');
  }
  return path;
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}


