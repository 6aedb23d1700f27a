/**
 * Runs the engine the way the PowerShell module does: one request on stdin, NDJSON on stdout.
 * By default the built single executable (dist/offlineseed-engine); OFFLINESEED_ENGINE=dev runs
 * engine/main.ts on the pinned Node instead.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertValidEvent, type WireEvent } from './wire.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const builtEngine = `${repoRoot}dist/offlineseed-engine`;

export function engineCommand(): { file: string; args: string[] } {
  if (process.env.OFFLINESEED_ENGINE === 'dev' || !existsSync(builtEngine)) {
    return { file: process.execPath, args: [`${repoRoot}engine/main.ts`] };
  }
  return { file: builtEngine, args: [] };
}

export interface EngineRun {
  events: WireEvent[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  results: Record<string, unknown>[];
  errors: WireEvent[];
  done: WireEvent | undefined;
  /** Lenient runs only: stdout lines that were not JSON or did not match their event schema. */
  invalidLines: string[];
  /** The run outlived timeoutMs and was killed. */
  timedOut: boolean;
}

export interface StartOptions {
  /** Keep stdin open after the request (as the PowerShell bridge does). Default true. */
  keepStdinOpen?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called for every event as it arrives. */
  onEvent?: (event: WireEvent, child: ChildProcessWithoutNullStreams) => void;
  /** Run as this user and group (tests of permission errors while the suite runs as root). */
  uid?: number;
  gid?: number;
  /**
   * Keep going past a bad stdout line (not JSON, or not matching its schema) and list it in
   * invalidLines, instead of failing at once: for suites that judge bad output as one finding among others.
   */
  lenient?: boolean;
  /** Kill the engine after this long (timedOut is then true). */
  timeoutMs?: number;
}

export interface StartedEngine {
  child: ChildProcessWithoutNullStreams;
  finished: Promise<EngineRun>;
}

/** Starts the engine with a raw request text (which may be deliberately malformed). */
export function startEngineRaw(requestText: string, command: string | undefined, options: StartOptions = {}): StartedEngine {
  const { file, args } = engineCommand();
  const child = spawn(file, [...args, '--json'], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  const events: WireEvent[] = [];
  const invalidLines: string[] = [];
  let stdout = '';
  let stderr = '';
  let pending = '';
  let timedOut = false;
  const take = (line: string): void => {
    let event: WireEvent;
    try {
      event = JSON.parse(line) as WireEvent;
      assertValidEvent(event, command);
    } catch (error) {
      if (options.lenient !== true) throw error;
      invalidLines.push(`${line.slice(0, 300)} (${(error as Error).message.slice(0, 300)})`);
      return;
    }
    events.push(event);
    options.onEvent?.(event, child);
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      take(line);
    }
  });
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => undefined);
  child.stdin.write(requestText.endsWith('\n') ? requestText : `${requestText}\n`);
  if (options.keepStdinOpen === false) child.stdin.end();
  const finished = new Promise<EngineRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (!child.stdin.destroyed) child.stdin.destroy();
      if (pending.trim() !== '') {
        if (options.lenient !== true) {
          reject(new Error(`engine left a partial line on stdout: ${pending}`));
          return;
        }
        invalidLines.push(`partial line: ${pending.slice(0, 300)}`);
      }
      resolve({
        events,
        exitCode,
        signal,
        stdout,
        stderr,
        results: events.filter((e) => e.type === 'result').map((e) => e.data as Record<string, unknown>),
        errors: events.filter((e) => e.type === 'error'),
        done: events.at(-1)?.type === 'done' ? events.at(-1) : undefined,
        invalidLines,
        timedOut,
      });
    });
  });
  // The engine reads stdin until it closes; end it once the run is over so nothing lingers.
  finished.catch(() => undefined);
  return { child, finished };
}

export function startEngine(command: string, params: unknown, options: StartOptions & { dryRun?: boolean } = {}): StartedEngine {
  const request = { protocol: 1, command, params, ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }) };
  return startEngineRaw(JSON.stringify(request), command, options);
}

/** Runs one raw request to completion (stdin closed when the done event arrives). */
export function runEngineRaw(requestText: string, command: string | undefined, options: StartOptions = {}): Promise<EngineRun> {
  const started = startEngineRaw(requestText, command, {
    ...options,
    onEvent: (event, child) => {
      options.onEvent?.(event, child);
      if (event.type === 'done') child.stdin.end();
    },
  });
  return started.finished;
}

/** Runs one command to completion (stdin closed when the done event arrives). */
export function runEngine(command: string, params: unknown, options: StartOptions & { dryRun?: boolean } = {}): Promise<EngineRun> {
  const request = { protocol: 1, command, params, ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }) };
  return runEngineRaw(JSON.stringify(request), command, options);
}
