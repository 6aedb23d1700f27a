/**
 * One preflight finding: what was checked, on what, how it came out, why, and what to do about it.
 * Pass / Warn / Fail only: a check that cannot run here (a Windows-only fact on Linux, -Offline) is a
 * Warn that says so, never a silent Pass.
 */
export type CheckStatus = 'Pass' | 'Warn' | 'Fail';
export type CheckCategory = 'Staging' | 'Drive' | 'Shipping' | 'Azure';

export interface CheckResult {
  check: string;
  category: CheckCategory;
  status: CheckStatus;
  target: string;
  reason: string;
  /** What to do; absent on a Pass. */
  fix?: string;
}

export function pass(category: CheckCategory, check: string, target: string, reason: string): CheckResult {
  return { check, category, status: 'Pass', target, reason };
}

export function warn(category: CheckCategory, check: string, target: string, reason: string, fix: string): CheckResult {
  return { check, category, status: 'Warn', target, reason, fix };
}

export function fail(category: CheckCategory, check: string, target: string, reason: string, fix: string): CheckResult {
  return { check, category, status: 'Fail', target, reason, fix };
}

/** "14 passed, 2 warnings, 1 failed (StorageAccountKind)": the line a person reads. */
export function summaryLine(results: readonly CheckResult[]): string {
  const count = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
  const failed = results.filter((r) => r.status === 'Fail').map((r) => r.check);
  const warned = results.filter((r) => r.status === 'Warn').map((r) => r.check);
  const verdict = failed.length > 0 ? 'NOT READY' : warned.length > 0 ? 'ready, with warnings' : 'ready';
  return `Preflight: ${verdict}: ${count('Pass')} passed, ${count('Warn')} warning(s)${warned.length > 0 ? ` (${[...new Set(warned)].join(', ')})` : ''}, `
    + `${count('Fail')} failed${failed.length > 0 ? ` (${[...new Set(failed)].join(', ')})` : ''}.`;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
