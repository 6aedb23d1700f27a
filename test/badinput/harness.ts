/**
 * The bad-input harness: runs the built engine on one raw request, keeps every stdout line (a line
 * that is not a valid event fails the case instead of crashing the file),
 * snapshots folders before and after to prove nothing was written, and runs cases a few at a time.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runEngineRaw, type EngineRun } from '../helpers/engine.ts';

export type RawRun = EngineRun;

export interface RawOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** The command name, so result events are checked against its result schema. */
  command?: string;
}

/**
 * Endpoints that refuse at once: a case whose input wrongly passes validation reaches the network,
 * fails fast, and still fails the test ("nothing written" / expected errorId), instead of waiting on DNS.
 */
export const OFFLINE_ENV: NodeJS.ProcessEnv = {
  OFFLINESEED_ARM_ENDPOINT: 'https://127.0.0.1:9',
  OFFLINESEED_STORAGE_ENDPOINT_TEMPLATE: 'https://127.0.0.1:9/{account}',
  OFFLINESEED_DISABLE_INSTANCE_DISCOVERY: '1',
  AZURE_CLIENT_ID: '', AZURE_TENANT_ID: '', AZURE_CLIENT_SECRET: '', AZURE_SUBSCRIPTION_ID: '',
};

/**
 * One engine process, one request text (sent as is: it may be deliberately malformed). Lenient: a bad
 * stdout line is a finding of the case (invalidLines), not a crash of the file.
 */
export function runRaw(requestText: string, options: RawOptions = {}): Promise<RawRun> {
  return runEngineRaw(requestText, options.command, { env: { ...OFFLINE_ENV, ...options.env }, lenient: true, timeoutMs: options.timeoutMs ?? 60_000 });
}

export function request(command: string, params: unknown, dryRun?: boolean): string {
  return JSON.stringify({ protocol: 1, command, params, ...(dryRun === undefined ? {} : { dryRun }) });
}

/** Runs fn over items, at most `limit` at a time, keeping the order of the results. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Two engines per core at most: the suite shares the machine with others. */
export const CONCURRENCY = 4;

/** Stack traces and engine source locations: never on stdout (they go to stderr, for crashes only). */
const STACK_PATTERNS: RegExp[] = [
  /\n\s+at /, /\\n\s+at /, /\bat [\w.<>$ ]*\(?[^()\s]*\.(ts|js|cjs|mjs):\d+(:\d+)?\)?/, /engine\/[\w/]+\.ts/, /engine\.cjs/, /node:internal/,
];

/**
 * What every refused request must look like: a clean exit with the expected code, one terminating error
 * event (the last before done) with a stable id, no result, valid event lines only, no stack trace, and
 * nothing on stderr. Returns the problems found (empty when the run is right).
 */
export function refusalProblems(run: RawRun, expect: { exitCode: number | readonly number[]; errorId?: string | RegExp; onlyErrorAndDone?: boolean; resultAllowed?: boolean }): string[] {
  const problems: string[] = [];
  const codes = typeof expect.exitCode === 'number' ? [expect.exitCode] : expect.exitCode;
  if (run.timedOut) problems.push('timed out');
  if (!codes.includes(run.exitCode ?? -1)) problems.push(`exit ${run.exitCode} (signal ${run.signal}), expected ${codes.join(' or ')}`);
  if (run.invalidLines.length > 0) problems.push(`invalid stdout lines: ${run.invalidLines.join(' | ')}`);
  const errors = run.events.filter((e) => e.type === 'error');
  const terminating = errors.filter((e) => e.terminating === true);
  if (terminating.length !== 1) problems.push(`${terminating.length} terminating error events`);
  const last = terminating.at(-1);
  const id = String(last?.errorId);
  if (last !== undefined) {
    if (id === 'OfflineSeed.InternalError') problems.push(`internal error: ${String(last.message)}`);
    if (expect.errorId !== undefined && !(typeof expect.errorId === 'string' ? id === expect.errorId : expect.errorId.test(id))) {
      problems.push(`errorId ${id} (${String(last.message).slice(0, 200)}), expected ${String(expect.errorId)}`);
    }
  }
  const done = run.events.at(-1);
  if (done?.type !== 'done' || done.exitCode !== run.exitCode) problems.push(`last event is not done with the exit code: ${JSON.stringify(done)?.slice(0, 200)}`);
  if (run.events.at(-2) !== last) problems.push('the terminating error is not the event before done');
  if (expect.resultAllowed !== true && run.events.some((e) => e.type === 'result')) problems.push('a result was emitted');
  if (expect.onlyErrorAndDone === true && run.events.length !== 2) problems.push(`${run.events.length} events, expected error and done only: ${run.events.map((e) => e.type).join(',')}`);
  for (const pattern of STACK_PATTERNS) if (pattern.test(run.stdout)) problems.push(`stdout matches ${pattern}: ${run.stdout.slice(0, 400)}`);
  if (run.stderr !== '') problems.push(`stderr: ${run.stderr.slice(0, 400)}`);
  return problems;
}

export interface EntryState {
  kind: 'file' | 'dir' | 'link';
  mode: number;
  size: number;
  mtimeMs: number;
  hash: string;
}

/** Every entry under the roots with its content hash, mode and mtime: equal snapshots mean nothing was written. */
export function snapshot(roots: readonly string[]): Map<string, EntryState> {
  const out = new Map<string, EntryState>();
  const walk = (root: string, path: string): void => {
    const st = lstatSync(path);
    const key = `${root}:${relative(root, path)}`;
    if (st.isSymbolicLink()) {
      out.set(key, { kind: 'link', mode: st.mode, size: 0, mtimeMs: st.mtimeMs, hash: readlinkSync(path) });
    } else if (st.isDirectory()) {
      out.set(key, { kind: 'dir', mode: st.mode, size: 0, mtimeMs: st.mtimeMs, hash: '' });
      for (const name of readdirSync(path)) walk(root, join(path, name));
    } else {
      out.set(key, { kind: 'file', mode: st.mode, size: st.size, mtimeMs: st.mtimeMs, hash: createHash('sha256').update(readFileSync(path)).digest('hex') });
    }
  };
  for (const root of roots) if (existsSync(root)) walk(root, root);
  return out;
}

/** The differences between two snapshots, as readable lines ("added x", "changed y (hash)"). */
export function snapshotChanges(before: Map<string, EntryState>, after: Map<string, EntryState>): string[] {
  const changes: string[] = [];
  for (const [key, a] of after) {
    const b = before.get(key);
    if (b === undefined) changes.push(`added ${key}`);
    else {
      const what = (['kind', 'mode', 'size', 'hash', 'mtimeMs'] as const).filter((k) => a[k] !== b[k]);
      if (what.length > 0) changes.push(`changed ${key} (${what.join(', ')})`);
    }
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push(`removed ${key}`);
  return changes;
}
