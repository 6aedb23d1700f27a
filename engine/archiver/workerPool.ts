/**
 * The archiver's workers. Small files are gathered into batches (one message, one claim round trip per
 * batch); a large file is a batch of its own. Each worker has at most two batches outstanding and at
 * most one large file (its window is the big memory cost), so memory stays bounded whatever the input.
 * Batches that find no free worker wait in a queue of at most MAX_QUEUED_FILES files: the walk goes
 * on past a few large changed files instead of stopping until a worker is free (in an incremental
 * backup the walk, not the reading, is most of the work, and the two then overlap).
 * Blob claims are answered here so each new blob is stored exactly once.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../runtime/startWorker.ts';
import type { FileReadError, FromWorker, ToWorker, WorkerInit } from './workerMessages.ts';
import type { PackEntry } from '../repo/format/packHeader.ts';

export interface FileOutcome {
  content: string[];
  chunkSizes: number[];
  size: number;
  error?: FileReadError;
  changedWhileRead?: boolean;
  rereadAfterChange?: boolean;
}

export interface PoolEvents {
  /** Is this data blob already stored or claimed? Claims it when not. */
  claim(id: string): boolean;
  onPack(packId: string, size: number, entries: PackEntry[], plaintextBytes: number): void;
  /**
   * Claims are answered only once this settles (resolved: in order; rejected: never, the run fails
   * on it): nothing is stored before, e.g. before the repository lock is confirmed.
   */
  claimsAfter?: Promise<void>;
  /** Remote repositories: upload the pack; the worker waits for this before filling many more. */
  uploadPack?(packId: string, bytes: Buffer): Promise<void>;
  onRead(bytes: number): void;
}

interface PendingFile {
  fileId: number;
  path: Buffer;
  resolve: (o: FileOutcome) => void;
}

interface Batch {
  files: PendingFile[];
  bytes: number;
  large: boolean;
}

interface WorkerSlot {
  worker: Worker;
  batches: number;
  large: number;
  flushed?: () => void;
}

const MAX_BATCHES_PER_WORKER = 2;
const BATCH_FILES = 64;
const BATCH_BYTES = 4 * 1024 * 1024;
/** Files waiting for a worker before archive() makes the walk wait: paths only, so a few KiB. */
export const MAX_QUEUED_FILES = 1024;

export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly inFlight = new Map<number, Batch>();
  private readonly capacityWaiters: (() => void)[] = [];
  private readonly largeThreshold: number;
  private open: Batch = { files: [], bytes: 0, large: false };
  /** Batches no worker had room for yet, oldest first. */
  private readonly queue: Batch[] = [];
  private queuedFiles = 0;
  private nextFileId = 1;
  private nextBatchId = 1;
  private failure: Error | undefined;
  private readonly failureListeners: ((e: Error) => void)[] = [];
  private readonly claimsAfter: Promise<void>;
  private claimsOpen = false;

  constructor(count: number, init: WorkerInit, events: PoolEvents) {
    this.largeThreshold = init.readSize;
    // Registered first, so it runs before the answers queued behind the same promise.
    this.claimsAfter = (events.claimsAfter ?? Promise.resolve()).then(() => {
      this.claimsOpen = true;
    });
    this.claimsAfter.catch(() => undefined);
    for (let i = 0; i < count; i++) {
      const slot: WorkerSlot = { worker: startWorker('archiver/archiver.worker.ts', init), batches: 0, large: 0 };
      slot.worker.on('message', (m: FromWorker) => this.onMessage(slot, m, events));
      slot.worker.on('error', (e) => this.fail(e));
      slot.worker.on('exit', (code) => {
        if (code !== 0 && this.failure === undefined) this.fail(new Error(`pipeline worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  /** Rejects with the first fatal worker error; never settles otherwise. */
  failed(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.failure !== undefined) reject(this.failure);
      else this.failureListeners.push(reject);
    });
  }

  /**
   * Queues the file; waits only while MAX_QUEUED_FILES files are already waiting for a worker.
   * `outcome` settles when the file is archived.
   */
  async archive(path: Buffer, expectedSize: number): Promise<{ outcome: Promise<FileOutcome> }> {
    if (this.failure !== undefined) throw this.failure;
    const fileId = this.nextFileId++;
    let resolve!: (o: FileOutcome) => void;
    const outcome = new Promise<FileOutcome>((r) => (resolve = r));
    const file: PendingFile = { fileId, path, resolve };
    if (expectedSize > this.largeThreshold) {
      this.enqueue({ files: [file], bytes: expectedSize, large: true });
    } else {
      this.open.files.push(file);
      this.open.bytes += expectedSize;
      if (this.open.files.length >= BATCH_FILES || this.open.bytes >= BATCH_BYTES) this.enqueueOpenBatch();
    }
    while (this.queuedFiles >= MAX_QUEUED_FILES) await this.capacity();
    return { outcome };
  }

  /** Sends the partly filled batch of small files (call when no more files are coming soon). */
  async dispatchOpenBatch(): Promise<void> {
    this.enqueueOpenBatch();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Makes every worker write its partly filled pack, once every queued batch has been handed out. */
  async flush(): Promise<void> {
    this.enqueueOpenBatch();
    while (this.queue.length > 0) await this.capacity();
    await Promise.all(this.slots.map((slot) => new Promise<void>((resolve) => {
      slot.flushed = resolve;
      this.send(slot, { type: 'flush' });
    })));
  }

  async terminate(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private enqueueOpenBatch(): void {
    if (this.open.files.length === 0) return;
    this.enqueue(this.open);
    this.open = { files: [], bytes: 0, large: false };
  }

  private enqueue(batch: Batch): void {
    this.queue.push(batch);
    this.queuedFiles += batch.files.length;
    this.dispatchQueued();
  }

  /** Resolves when a batch finished (a worker may have room) or the pool failed (then it throws). */
  private async capacity(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    await new Promise<void>((r) => this.capacityWaiters.push(r));
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Hands queued batches to workers with room, oldest first; a large file that has to wait for a
   * worker without one does not hold up the small batches behind it.
   */
  private dispatchQueued(): void {
    for (let i = 0; i < this.queue.length; ) {
      const slot = this.pickSlot(this.queue[i]!);
      if (slot === undefined) {
        i++;
        continue;
      }
      const [batch] = this.queue.splice(i, 1);
      this.queuedFiles -= batch!.files.length;
      this.send(slot, this.dispatchTo(slot, batch!));
    }
  }

  private dispatchTo(slot: WorkerSlot, batch: Batch): ToWorker {
    const batchId = this.nextBatchId++;
    slot.batches++;
    if (batch.large) slot.large++;
    this.inFlight.set(batchId, batch);
    return { type: 'batch', batchId, files: batch.files.map((f) => ({ fileId: f.fileId, path: f.path })) };
  }

  private pickSlot(batch: Batch): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const slot of this.slots) {
      if (slot.batches >= MAX_BATCHES_PER_WORKER || (batch.large && slot.large > 0)) continue;
      if (best === undefined || slot.batches < best.batches) best = slot;
    }
    return best;
  }

  private send(slot: WorkerSlot, message: ToWorker): void {
    slot.worker.postMessage(message);
  }

  private onMessage(slot: WorkerSlot, m: FromWorker, events: PoolEvents): void {
    switch (m.type) {
      case 'claim': {
        const answer = (): void => this.send(slot, { type: 'claimed', requestId: m.requestId, need: m.ids.map((id) => events.claim(id)) });
        if (this.claimsOpen) answer();
        else this.claimsAfter.then(answer, () => undefined);
        break;
      }
      case 'pack':
        events.onPack(m.packId, m.size, m.entries, m.plaintextBytes);
        break;
      case 'packReady': {
        const upload = events.uploadPack?.(m.packId, Buffer.from(m.bytes)) ?? Promise.reject(new Error('no uploader for remote packs'));
        upload.then(() => {
          events.onPack(m.packId, m.size, m.entries, m.plaintextBytes);
          this.send(slot, { type: 'packStored', packId: m.packId });
        }, (error: unknown) => this.fail(error as Error));
        break;
      }
      case 'read':
        events.onRead(m.bytes);
        break;
      case 'batchDone': {
        const batch = this.inFlight.get(m.batchId);
        if (batch === undefined) break;
        this.inFlight.delete(m.batchId);
        slot.batches--;
        if (batch.large) slot.large--;
        if (m.bytesRead > 0) events.onRead(m.bytesRead);
        const byId = new Map(batch.files.map((f) => [f.fileId, f]));
        for (const r of m.results) {
          byId.get(r.fileId)?.resolve({
            content: r.content,
            chunkSizes: r.chunkSizes,
            size: r.size,
            ...(r.error === undefined ? {} : { error: r.error }),
            ...(r.changedWhileRead === true ? { changedWhileRead: true } : {}),
            ...(r.rereadAfterChange === true ? { rereadAfterChange: true } : {}),
          });
        }
        this.dispatchQueued();
        this.capacityWaiters.splice(0).forEach((r) => r());
        break;
      }
      case 'flushed':
        slot.flushed?.();
        slot.flushed = undefined;
        break;
      case 'fatal':
        this.fail(Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code }));
        break;
    }
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.failureListeners.splice(0).forEach((reject) => reject(error));
    this.capacityWaiters.splice(0).forEach((r) => r());
  }
}
