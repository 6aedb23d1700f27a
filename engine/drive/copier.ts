/**
 * The copy and verify workers, seen from the main thread: a small pool of driveCopy.worker.ts threads.
 * A copy request is a batch of files that fits one slot of a worker's window (or one larger file);
 * each worker has two slots, so it takes its next request (reads it) while the last one is hashed
 * and written. Results come back per file as each is durable on the drive, and the caller journals
 * it. Cancelling raises a shared flag the workers check between steps; in-flight requests end,
 * temporary files go.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CancelledError, fromSystemError, OfflineSeedError } from '../protocol/errors.ts';
import { startWorker } from '../runtime/startWorker.ts';
import { BLOCK_SIZE } from './driveNames.ts';
import { compiledMd5Module } from './md5Lanes.ts';
import type { CopyFile, VerifyFile, WorkerReply, WorkerRequest, WorkerSetup } from './workerMessages.ts';

export interface CopierOptions {
  threads?: number;
  /**
   * A batch (one slot of a worker's window, which has two); rounded up to a multiple of 4 MiB.
   * Default 52 MiB: three packs of a little over 16 MiB, so all twelve MD5 lanes work.
   */
  windowBytes?: number;
  sync?: boolean;
  directIo?: boolean;
  md5Backend?: 'simd' | 'node';
}

export const DEFAULT_WINDOW_BYTES = 13 * BLOCK_SIZE;
/** Batches stay small enough in file count that progress and cancellation stay responsive. */
const MAX_FILES_PER_BATCH = 512;

/**
 * One worker per core (at least two, at most four): a worker's I/O runs on the thread pool while it
 * hashes, so it needs no extra thread to keep the disks busy, and each worker is an isolate and a
 * window of memory more.
 */
export function defaultThreads(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}

/**
 * Groups files into batches that fit a window, each file at a 4 KiB-aligned offset; a file larger
 * than the window is a batch of its own.
 */
export function batchesOf<T extends { length: number }>(files: readonly T[], windowBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const file of files) {
    const aligned = Math.ceil(file.length / 4096) * 4096;
    if (aligned > windowBytes) {
      out.push([file]);
      continue;
    }
    if (current.length > 0 && (bytes + aligned > windowBytes || current.length >= MAX_FILES_PER_BATCH)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += aligned;
  }
  if (current.length > 0) out.push(current);
  return out;
}

type Request = { type: 'copy'; files: CopyFile[] } | { type: 'verify'; files: VerifyFile[] };

export class DriveWorkers {
  /** The most bytes of one batch (a slot). */
  readonly windowBytes: number;
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly cancel = new SharedArrayBuffer(4);
  /** Bytes copied or verified so far, as the workers report them. */
  onProgress: (bytes: number) => void = () => undefined;

  constructor(options: CopierOptions = {}) {
    this.windowBytes = Math.ceil((options.windowBytes ?? DEFAULT_WINDOW_BYTES) / BLOCK_SIZE) * BLOCK_SIZE;
    this.threads = options.threads ?? defaultThreads();
    const md5Backend = options.md5Backend ?? 'simd';
    const md5Module = md5Backend === 'simd' ? compiledMd5Module() : undefined;
    const setup: WorkerSetup = {
      slotBytes: this.windowBytes,
      sync: options.sync ?? true,
      directIo: options.directIo ?? true,
      md5Backend,
      ...(md5Module === undefined ? {} : { md5Module }),
      cancel: this.cancel,
    };
    for (let i = 0; i < this.threads; i++) {
      const worker = startWorker('drive/driveCopy.worker.ts', setup);
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** onFile runs once per file as soon as it is durable on the drive (files of a batch in order). */
  async copy(batches: readonly CopyFile[][], onFile: (file: CopyFile, md5: string[]) => Promise<void>, signal: AbortSignal): Promise<void> {
    await this.runAll(batches.map((files) => ({ type: 'copy' as const, files })), async (request, reply) => {
      if (reply.type === 'fileCopied') await onFile(request.files[reply.index] as CopyFile, reply.md5);
    }, signal);
  }

  async verify(batches: readonly VerifyFile[][], onDone: (files: VerifyFile[], results: { problems: string[]; direct: boolean }[]) => Promise<void>, signal: AbortSignal): Promise<void> {
    await this.runAll(batches.map((files) => ({ type: 'verify' as const, files })), async (request, reply) => {
      if (reply.type === 'verified') await onDone(request.files as VerifyFile[], reply.results);
    }, signal);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /**
   * Stops the workers without waiting for their threads to end (tearing an isolate down takes about
   * 15 ms each): for a command whose result should not wait for that. They are unref'd, so they do not
   * keep the process alive.
   */
  release(): void {
    for (const worker of this.workers) void worker.terminate().catch(() => undefined);
  }

  private runAll(requests: readonly Request[], onReply: (request: Request, reply: WorkerReply) => Promise<void>, signal: AbortSignal): Promise<void> {
    const flag = new Int32Array(this.cancel);
    Atomics.store(flag, 0, 0);
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let inFlight = 0;
      let failure: unknown;
      let nextId = 1;
      const pending = new Map<number, Request>();
      const chains = new Map<number, Promise<void>>();
      const readySent = new Set<number>();
      const listeners: [Worker, (reply: WorkerReply) => void, (error: Error) => void][] = [];
      const onAbort = (): void => {
        failure ??= new CancelledError();
        Atomics.store(flag, 0, 1);
      };
      signal.addEventListener('abort', onAbort);
      if (signal.aborted) onAbort();
      const finish = (): void => {
        if (inFlight > 0) return;
        if (failure === undefined && next < requests.length) return;
        signal.removeEventListener('abort', onAbort);
        for (const [worker, onMessage, onError] of listeners) {
          worker.off('message', onMessage);
          worker.off('error', onError);
        }
        if (failure === undefined) resolve();
        else reject(failure);
      };
      const dispatch = (worker: Worker): void => {
        if (failure !== undefined || next >= requests.length) return;
        const request = requests[next++]!;
        const id = nextId++;
        pending.set(id, request);
        inFlight++;
        worker.postMessage({ ...request, id } as WorkerRequest);
      };
      for (const worker of this.workers) {
        const onMessage = (reply: WorkerReply): void => {
          if (reply.type === 'progress') {
            this.onProgress(reply.bytes);
            return;
          }
          if (reply.type === 'ready') {
            readySent.add(reply.id);
            dispatch(worker); // its last request finishes (fdatasync) in the background
            return;
          }
          if (reply.type === 'fileCopied') {
            // Journalled in order, before the request's final reply is counted done.
            const request = pending.get(reply.id)!;
            const previous = chains.get(reply.id) ?? Promise.resolve();
            chains.set(reply.id, previous.then(() => onReply(request, reply)).catch((error: unknown) => {
              failure ??= error;
              Atomics.store(flag, 0, 1);
            }));
            return;
          }
          const request = pending.get(reply.id)!;
          pending.delete(reply.id);
          const chain = chains.get(reply.id) ?? Promise.resolve();
          chains.delete(reply.id);
          if (reply.type === 'failed') failure ??= workerFailure(reply);
          else if (reply.type === 'cancelled') failure ??= new CancelledError();
          if (!readySent.delete(reply.id)) dispatch(worker); // keep the worker busy while the reply is journalled
          void chain.then(() => onReply(request, reply)).catch((error: unknown) => {
            failure ??= error;
            Atomics.store(flag, 0, 1);
          }).finally(() => {
            inFlight--;
            finish();
          });
        };
        const onError = (error: Error): void => {
          failure ??= error;
          Atomics.store(flag, 0, 1);
          inFlight = 0;
          finish();
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        listeners.push([worker, onMessage, onError]);
        dispatch(worker);
      }
      finish();
    });
  }
}

function workerFailure(reply: { code: string; message: string; path?: string }): OfflineSeedError {
  if (reply.code === 'EFILECHANGED') {
    return new OfflineSeedError('OfflineSeed.SourceChanged', 'InvalidData', reply.message, {
      ...(reply.path === undefined ? {} : { targetObject: reply.path }),
      recommendedAction: 'Nothing may change the source while drives are prepared: stop whatever writes to it, then run the same command again (it resumes).',
    });
  }
  if (reply.code === 'EPACKCORRUPT') {
    return new OfflineSeedError('OfflineSeed.PackCorrupt', 'InvalidData', reply.message, {
      ...(reply.path === undefined ? {} : { targetObject: reply.path }),
      recommendedAction: 'The staging repository is damaged: check it (Test-OfflineSeed -ReadData) and stage the seed again. What is on the drive so far stays; the same command resumes once the staging is whole.',
    });
  }
  const system = Object.assign(new Error(reply.message), { code: reply.code, ...(reply.path === undefined ? {} : { path: reply.path }) });
  return fromSystemError(system) ?? new OfflineSeedError('OfflineSeed.DriveWriteFailed', 'WriteError', `copying to the drive failed: ${reply.message}`, {
    ...(reply.path === undefined ? {} : { targetObject: reply.path }),
    recommendedAction: 'Check the drive and its connection, then run the same command again: it resumes.',
  });
}
