/**
 * The pieces every side-by-side benchmark shares: timing one command into a table row, the rows for
 * a failed or unavailable tool, reading the engine's NDJSON, the per-command timeout, and the
 * environment block every result file carries.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import type { Dataset } from './dataset.ts';
import { exec, tail } from './exec.ts';
import { dropCaches, measure, type Measurement } from './measure.ts';
import { repoRoot } from './paths.ts';
import type { Row } from './report.ts';

const MiB = 2 ** 20;

/** Where a benchmark runs its commands, keeps their logs, and how long one may take. */
export interface RunContext {
  work: string;
  logDir: string;
  timeoutSeconds: number;
  log(message: string): void;
}

export async function timed(ctx: RunContext, label: string, argv: string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const m = await measure({ label, argv, env, cwd: ctx.work, logDir: ctx.logDir, timeoutMs: ctx.timeoutSeconds * 1000 });
  const status = m.exitCode === 0 ? 'ok' : m.timedOut ? `timed out after ${ctx.timeoutSeconds} s` : `exit ${m.exitCode ?? m.signal}`;
  ctx.log(`${label.padEnd(20)} ${m.seconds.toFixed(2).padStart(8)} s  peak RSS ${(m.peakRssBytes / MiB).toFixed(1).padStart(7)} MiB  ${status}`);
  return m;
}

export function measuredRow(benchCase: string, tool: string, runs: Measurement[], bytes: number, storedBytes: number | undefined, isReference: boolean, note?: string): Row {
  const failed = runs.find((m) => m.exitCode !== 0);
  if (failed !== undefined) return failedRow(benchCase, tool, failed, isReference);
  return {
    benchCase,
    tool,
    status: 'ok',
    seconds: runs.reduce((sum, m) => sum + m.seconds, 0),
    bytesProcessed: bytes,
    storedBytes,
    peakRssBytes: Math.max(...runs.map((m) => m.peakRssBytes)),
    isReference,
    note,
    logs: { stdout: runs.map((m) => m.stdoutPath).join(' '), stderr: runs.map((m) => m.stderrPath).join(' ') },
  };
}

export function failedRow(benchCase: string, tool: string, m: Measurement, isReference: boolean): Row {
  const why = tail(readText(m.stderrPath) || readText(m.stdoutPath), 1).slice(0, 100);
  const how = m.timedOut ? `timed out after ${m.seconds.toFixed(0)} s` : `exit ${m.exitCode ?? m.signal}`;
  return {
    benchCase, tool, status: 'failed', isReference,
    seconds: m.seconds, peakRssBytes: m.peakRssBytes,
    note: why === '' ? how : `${how}: ${why}`,
    logs: { stdout: m.stdoutPath, stderr: m.stderrPath },
  };
}

export function unavailableRow(benchCase: string, reason: string): Row {
  return { benchCase, tool: 'ours', status: 'not available', note: reason.replace(/^not available: /, '') };
}

/** restic-style restores land under <target>/<absolute source path>; other layouts are accepted too. */
export function restoredRoot(target: string, source: string): string {
  const candidates = [join(target, source), join(target, basename(source))];
  return candidates.find((path) => existsSync(path)) ?? target;
}

/** The data of every `result` event in NDJSON output; other lines are skipped. */
export function ndjsonResults(ndjson: string): Record<string, unknown>[] {
  const results: Record<string, unknown>[] = [];
  for (const line of ndjson.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const event = JSON.parse(line) as { type?: string; data?: unknown };
      if (event.type === 'result' && typeof event.data === 'object' && event.data !== null) results.push(event.data as Record<string, unknown>);
    } catch {
      // Not an event line: nothing to learn from it.
    }
  }
  return results;
}

/** The engine under test: OFFLINESEED_BENCH_ENGINE, else the built single executable. */
export function enginePath(): string {
  return process.env.OFFLINESEED_BENCH_ENGINE ?? join(repoRoot, 'dist', 'offlineseed-engine');
}

/** The commands the engine's `describe` lists (none when it cannot run). */
export async function engineCommands(path: string): Promise<Set<string>> {
  const described = await exec([path, 'describe', '--json']).catch(() => undefined);
  const results = described === undefined ? [] : ndjsonResults(described.stdout);
  return new Set(results.flatMap((data) => (typeof data.command === 'string' ? [data.command] : [])));
}

/** The flags `<command> --help` lists, without the leading dashes, so older engines are driven with what they have. */
export async function engineFlags(path: string, command: string[]): Promise<Set<string>> {
  const help = await exec([path, ...command, '--help']).catch(() => undefined);
  return new Set([...(help?.stdout ?? '').matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1] ?? ''));
}

/** Per command: OFFLINESEED_BENCH_TIMEOUT_S, else 600 s x scale and at least 60 s. */
export function timeoutSeconds(scale: number): number {
  const text = process.env.OFFLINESEED_BENCH_TIMEOUT_S;
  if (text === undefined || text === '') return Math.max(60, Math.round(600 * scale));
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`OFFLINESEED_BENCH_TIMEOUT_S must be a positive number, not "${text}"`);
  return seconds;
}

export function pageCacheMode(): string {
  if (process.env.OFFLINESEED_BENCH_DROP_CACHES !== '1') return 'warm';
  return dropCaches() ? 'dropped before each command' : 'warm (dropping it was refused)';
}

/** The engine's environment with the benchmark's password and none inherited from the caller. */
export function engineEnv(password: string): NodeJS.ProcessEnv {
  return { ...withoutPrefix(process.env, 'OFFLINESEED_PASSWORD'), OFFLINESEED_PASSWORD: password };
}

export function withoutPrefix(env: NodeJS.ProcessEnv, prefix: string): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith(prefix)));
}

export async function firstLineOf(argv: string[]): Promise<string> {
  return ((await exec(argv).catch(() => undefined))?.stdout ?? '').split('\n')[0] ?? '';
}

/** What every result file records about the machine, the dataset and the tools. */
export async function commonEnvironment(scale: number, dataset: Dataset, engineReason: string, timeout: number, pageCache: string): Promise<Record<string, string | number | boolean>> {
  return {
    scale,
    datasetBytes: dataset.bytes,
    datasetFiles: dataset.files,
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    commit: (await firstLineOf(['git', '-C', repoRoot, 'rev-parse', '--short', 'HEAD'])) || 'unknown',
    restic: (await firstLineOf(['restic', 'version'])).replace(/ compiled.*/, ''),
    engine: engineReason,
    timeoutSeconds: timeout,
    pageCache,
  };
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Runs a benchmark's main and exits with its code; a crash prints its stack and exits 1. */
export function runBenchmark(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`[${name}] ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
