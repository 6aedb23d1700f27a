/**
 * Counts the files and bytes under the sources for the progress bar. On its own thread: the walk is
 * synchronous lstat/readdir, and on the main thread it took turns with the archiver's own walk (every
 * path stat'ed twice on one core; an incremental backup is mostly that walk).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { compileExcludes } from './excludePatterns.ts';

export interface ScanRequest {
  sources: string[];
  excludes: string[];
}

export interface ScanTotals {
  files: number;
  bytes: number;
}

const request = workerData as ScanRequest;
const excluded = compileExcludes(request.excludes);
const totals: ScanTotals = { files: 0, bytes: 0 };

function walk(path: string): void {
  if (excluded(path)) return;
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    let names: string[] = [];
    try {
      names = readdirSync(path);
    } catch {
      names = [];
    }
    for (const name of names) walk(join(path, name));
  } else if (st.isFile()) {
    totals.files++;
    totals.bytes += st.size;
  }
}

for (const source of request.sources) walk(source);
parentPort!.postMessage(totals);
