/**
 * Starts a worker thread from an engine/**\/*.worker.ts entry. A single executable cannot load worker
 * files from disk, so the build inlines each worker bundle (__OFFLINESEED_WORKERS__) and it is started
 * with eval; in development the TypeScript file runs directly on Node 24.
 */
import { Worker } from 'node:worker_threads';

declare const __OFFLINESEED_WORKERS__: Record<string, string> | undefined;

/** entry: path relative to engine/, e.g. "archiver/archiver.worker.ts". */
export function startWorker(entry: string, workerData: unknown): Worker {
  if (typeof __OFFLINESEED_WORKERS__ !== 'undefined') {
    const source = __OFFLINESEED_WORKERS__[entry];
    if (source === undefined) throw new Error(`worker ${entry} was not bundled`);
    return new Worker(source, { eval: true, workerData });
  }
  return new Worker(new URL(`../${entry}`, import.meta.url), { workerData });
}
