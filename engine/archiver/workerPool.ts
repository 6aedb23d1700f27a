/**
 * The archiver's workers: dispatches files to the least-loaded worker with a bound on files and bytes
 * in flight (backpressure: memory stays bounded whatever the input), answers blob claims so each new
 * blob is stored exactly once, and relays packs and finished files to the archiver.
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
}

export interface PoolEvents {
  /** Is this data blob already stored or claimed? Claims it when not. */
  claim(id: string): boolean;
  onPack(packId: string, size: number, entries: PackEntry[], plaintextBytes: number): void;
  onRead(bytes: number): void;
}

interface WorkerSlot {
  worker: Worker;
  files: number;
  bytes: number;
  flushed?: () => void;
}

/**
 * Small files are pipelined (16 in flight hide the claim round trips); a file larger than the read
 * size holds a window of maxChunk + readSize bytes, so a worker takes such a file only when idle.
 */
const MAX_FILES_PER_WORKER = 16;
const MAX_BYTES_PER_WORKER = 4 * 1024 * 1024;

export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly waiting = new Map<number, { slot: WorkerSlot; size: number; resolve: (o: FileOutcome) => void }>();
  private readonly capacityWaiters: (() => void)[] = [];
  private nextFileId = 1;
  private failure: Error | undefined;
  private readonly failureListeners: ((e: Error) => void)[] = [];

  constructor(count: number, init: WorkerInit, events: PoolEvents) {
    for (let i = 0; i < count; i++) {
      const slot: WorkerSlot = { worker: startWorker('archiver/archiver.worker.ts', init), files: 0, bytes: 0 };
      slot.worker.on('message', (m: FromWorker) => this.onMessage(slot, m, events));
      slot.worker.on('error', (e) => this.fail(e));
      slot.worker.on('exit', (code) => {
        if (code !== 0 && this.failure === undefined) this.fail(new Error(`pipeline worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  /** Resolves with the first fatal worker error; never resolves otherwise. */
  failed(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.failure !== undefined) reject(this.failure);
      else this.failureListeners.push(reject);
    });
  }

  /** Waits for room, then hands the file to a worker; `outcome` settles when it is archived. */
  async archive(path: Buffer, expectedSize: number): Promise<{ outcome: Promise<FileOutcome> }> {
    let slot = this.pickSlot(expectedSize);
    while (slot === undefined) {
      await new Promise<void>((r) => this.capacityWaiters.push(r));
      if (this.failure !== undefined) throw this.failure;
      slot = this.pickSlot(expectedSize);
    }
    const fileId = this.nextFileId++;
    slot.files++;
    slot.bytes += expectedSize;
    const outcome = new Promise<FileOutcome>((resolve) => this.waiting.set(fileId, { slot: slot!, size: expectedSize, resolve }));
    this.send(slot, { type: 'file', fileId, path });
    return { outcome };
  }

  /** Makes every worker write its partly filled pack. */
  async flush(): Promise<void> {
    await Promise.all(this.slots.map((slot) => new Promise<void>((resolve) => {
      slot.flushed = resolve;
      this.send(slot, { type: 'flush' });
    })));
  }

  async terminate(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private pickSlot(size: number): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const slot of this.slots) {
      const fits = slot.files === 0 || (slot.files < MAX_FILES_PER_WORKER && slot.bytes + size <= MAX_BYTES_PER_WORKER);
      if (fits && (best === undefined || slot.bytes < best.bytes)) best = slot;
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
      case 'read':
        events.onRead(m.bytes);
        break;
      case 'fileDone': {
        const waiter = this.waiting.get(m.fileId);
        if (waiter === undefined) break;
        this.waiting.delete(m.fileId);
        waiter.slot.files--;
        waiter.slot.bytes -= waiter.size;
        waiter.resolve({ content: m.content, chunkSizes: m.chunkSizes, size: m.size, ...(m.error === undefined ? {} : { error: m.error }), ...(m.changedWhileRead ? { changedWhileRead: true } : {}) });
        this.capacityWaiters.splice(0).forEach((r) => r());
        break;
      }
      case 'flushed':
        slot.flushed?.();
        slot.flushed = undefined;
        break;
      case 'fatal': {
        const error = Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code });
        this.fail(error);
        break;
      }
    }
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.failureListeners.splice(0).forEach((reject) => reject(error));
    this.capacityWaiters.splice(0).forEach((r) => r());
  }
}
