/**
 * Starts a worker thread from an engine/**\/*.worker.ts entry. A single executable cannot load worker
 * files from disk, so the build inlines each worker bundle (__OFFLINESEED_WORKERS__) and it is started
 * with eval; in development the TypeScript file runs directly on Node 24.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker, type ResourceLimits } from 'node:worker_threads';

declare const __OFFLINESEED_WORKERS__: Record<string, string> | undefined;


/**
 * Pipeline workers keep little on the JS heap (blobs live in Buffers), yet V8 grows their young
 * generation to its maximum under their allocation rate: 70-130 MB committed for ~7 MB used.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: Number(process.env.OFFLINESEED_WORKER_YOUNG_MB ?? 16) };

/** entry: path relative to engine/, e.g. "archiver/archiver.worker.ts". */
export function startWorker(entry: string, workerData: unknown, resourceLimits: ResourceLimits = RESOURCE_LIMITS): Worker {
  if (typeof __OFFLINESEED_WORKERS__ !== 'undefined') {
    const source = __OFFLINESEED_WORKERS__[entry];
    if (source === undefined) throw new Error(`worker ${entry} was not bundled`);
    return new Worker(source, { eval: true, workerData, resourceLimits });
  }
  return new Worker(new URL(`../${entry}`, import.meta.url), { workerData, resourceLimits });
}

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;
let gcFunction: GcFunction | undefined;

/**
 * Inside a worker: collect garbage now. Pipeline workers allocate hundreds of MB/s of short-lived
 * Buffers and zstd contexts whose native memory is freed only at GC, and V8 lets ~64 MB pile up per
 * isolate before it collects. A minor GC every few hundred blobs (measured: flat memory, and faster
 * than not collecting) and a major one per pack keep the process within its memory budget.
 * (Worker execArgv cannot carry V8 flags, hence setFlagsFromString.)
 */
export function releaseGarbage(type: 'major' | 'minor'): void {
  if (gcFunction === undefined) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as GcFunction;
  }
  gcFunction({ type });
}
