/**
 * The archiver's workers. Small files are gathered into batches (one message, one claim round trip per
 * batch); a large file is a batch of its own. Each worker has at most two batches outstanding and at
 * most one large file (its window is the big memory cost), so memory stays bounded whatever the input.
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

export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly inFlight = new Map<number, Batch>();
  private readonly capacityWaiters: (() => void)[] = [];
  private readonly largeThreshold: number;
  private open: Batch = { files: [], bytes: 0, large: false };
  private nextFileId = 1;
  private nextBatchId = 1;
  private failure: Error | undefined;
  private readonly failureListeners: ((e: Error) => void)[] = [];

  constructor(count: number, init: WorkerInit, events: PoolEvents) {
    this.largeThreshold = init.readSize;
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

  /** Queues the file (waiting for room when the pool is busy); `outcome` settles when it is archived. */
  async archive(path: Buffer, expectedSize: number): Promise<{ outcome: Promise<FileOutcome> }> {
    const fileId = this.nextFileId++;
    let resolve!: (o: FileOutcome) => void;
    const outcome = new Promise<FileOutcome>((r) => (resolve = r));
    const file: PendingFile = { fileId, path, resolve };
    if (expectedSize > this.largeThreshold) {
      await this.dispatch({ files: [file], bytes: expectedSize, large: true });
    } else {
      this.open.files.push(file);
      this.open.bytes += expectedSize;
      if (this.open.files.length >= BATCH_FILES || this.open.bytes >= BATCH_BYTES) await this.dispatchOpenBatch();
    }
    return { outcome };
  }

  /** Sends the partly filled batch of small files (call when no more files are coming soon). */
  async dispatchOpenBatch(): Promise<void> {
    if (this.open.files.length === 0) return;
    const batch = this.open;
    this.open = { files: [], bytes: 0, large: false };
    await this.dispatch(batch);
  }

  /** Makes every worker write its partly filled pack. */
  async flush(): Promise<void> {
    await this.dispatchOpenBatch();
    await Promise.all(this.slots.map((slot) => new Promise<void>((resolve) => {
      slot.flushed = resolve;
      this.send(slot, { type: 'flush' });
    })));
  }

  async terminate(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private async dispatch(batch: Batch): Promise<void> {
    let slot = this.pickSlot(batch);
    while (slot === undefined) {
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((r) => this.capacityWaiters.push(r));
      slot = this.pickSlot(batch);
    }
    const batchId = this.nextBatchId++;
    slot.batches++;
    if (batch.large) slot.large++;
    this.inFlight.set(batchId, batch);
    this.send(slot, { type: 'batch', batchId, files: batch.files.map((f) => ({ fileId: f.fileId, path: f.path })) });
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
      case 'claim':
        this.send(slot, { type: 'claimed', requestId: m.requestId, need: m.ids.map((id) => events.claim(id)) });
        break;
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
