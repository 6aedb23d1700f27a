/**
 * The kernel's dirty page allowance (vm.dirty_bytes / vm.dirty_background_bytes), scaled to the data
 * for a steady-state copy measurement.
 *
 * Why: a seed is terabytes; no page cache holds it, so a plain `cp -a` of a real seed runs at the
 * speed the drive takes the data. On a benchmark machine with 24 GB of memory, the default allowance
 * (20 % of it) holds the whole 1.1 GB test copy, and "plain cp -a" then measures a memory copy that
 * finishes before its data is on the disk. Making the allowance a small fraction of the data puts the
 * test copy in the same regime as a real one, for every tool alike.
 *
 * The machine's own settings are written to a file before they are changed, and put back on exit,
 * on SIGINT, and at the start of the next run if a run was killed before it could restore them.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEYS = ['dirty_ratio', 'dirty_bytes', 'dirty_background_ratio', 'dirty_background_bytes'] as const;
type Settings = Record<(typeof KEYS)[number], number>;

/** The allowance is this fraction of the data (a 2 TB seed on a 64 GB server has about 1/170). */
export const DATA_TO_DIRTY = 16;
/** Below this the kernel's own minimum and the per-file bookkeeping would dominate. */
const MIN_DIRTY_BYTES = 8 * 2 ** 20;

export interface DirtyAllowance {
  /** Bytes the kernel lets stay dirty while `scaled` is applied. */
  readonly dirtyBytes: number;
  /** Applies the scaled allowance; false when this machine does not allow it (not root, no /proc). */
  apply(): boolean;
  /** Puts the machine's settings back; safe to call more than once. */
  restore(): void;
}

/** `vmDir` is /proc/sys/vm; tests pass a folder holding the same four files. */
export function scaledDirtyAllowance(dataBytes: number, savedPath: string, vmDir = '/proc/sys/vm'): DirtyAllowance {
  restoreLeftover(vmDir, savedPath);
  const dirtyBytes = Math.max(MIN_DIRTY_BYTES, Math.round(dataBytes / DATA_TO_DIRTY));
  let applied = false;
  const restore = (): void => {
    if (!applied) return;
    applied = false;
    restoreLeftover(vmDir, savedPath);
  };
  return {
    dirtyBytes,
    apply() {
      if (applied) return true;
      const original = readSettings(vmDir);
      if (original === undefined) return false;
      try {
        writeFileSync(savedPath, JSON.stringify(original));
        applied = true;
        writeFileSync(join(vmDir, 'dirty_background_bytes'), String(Math.floor(dirtyBytes / 2)));
        writeFileSync(join(vmDir, 'dirty_bytes'), String(dirtyBytes));
        return true;
      } catch {
        restore();
        return false;
      }
    },
    restore,
  };
}

function readSettings(vmDir: string): Settings | undefined {
  try {
    const values = KEYS.map((key) => Number(readFileSync(join(vmDir, key), 'utf8').trim()));
    if (values.some((v) => !Number.isFinite(v))) return undefined;
    return Object.fromEntries(KEYS.map((key, i) => [key, values[i]!])) as Settings;
  } catch {
    return undefined;
  }
}

/** Writing a ratio zeroes its bytes twin and the reverse, so exactly the one that was set is written back. */
function restoreLeftover(vmDir: string, savedPath: string): void {
  if (!existsSync(savedPath)) return;
  const saved = JSON.parse(readFileSync(savedPath, 'utf8')) as Settings;
  const write = (key: keyof Settings): void => writeFileSync(join(vmDir, key), String(saved[key]));
  write(saved.dirty_background_bytes > 0 ? 'dirty_background_bytes' : 'dirty_background_ratio');
  write(saved.dirty_bytes > 0 ? 'dirty_bytes' : 'dirty_ratio');
  rmSync(savedPath, { force: true });
}
