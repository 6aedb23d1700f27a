/** Where the benchmarks live and where they leave their output. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const benchDir = join(repoRoot, 'bench');
export const resultsDir = join(benchDir, 'results');

/** A timestamp usable in file names on every platform (no colons). */
export function fileTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}
