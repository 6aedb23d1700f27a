/**
 * Runs one command and measures it: wall time, peak RSS of the whole process tree, exit code, with
 * stdout and stderr captured to files.
 *
 * Peak RSS is the largest of: the highest sum of VmRSS over the tree seen by polling /proc (catches
 * pipelines and helper processes; shared pages count once per process, so it errs high), each
 * process's own VmHWM (exact for a single process, even between polls), and GNU time's %M when
 * /usr/bin/time exists (covers processes that live shorter than one poll).
 */
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  /** Names the log files: <logDir>/<label>.stdout and .stderr. */
  label: string;
  argv: readonly string[];
  logDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  pollMs?: number;
  /** Default: OFFLINESEED_BENCH_DROP_CACHES=1. */
  dropCaches?: boolean;
  /** Past this the tree gets SIGTERM, then SIGKILL after a grace period; a hung tool must not stall the run. */
  timeoutMs?: number;
}

export interface Measurement {
  label: string;
  argv: readonly string[];
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  peakRssBytes: number;
  rssSource: string;
  cachesDropped: boolean;
  timedOut: boolean;
  stdoutPath: string;
  stderrPath: string;
}

const GNU_TIME = '/usr/bin/time';
let gnuTimeWorks: boolean | undefined;

export async function measure(options: MeasureOptions): Promise<Measurement> {
  mkdirSync(options.logDir, { recursive: true });
  const stdoutPath = join(options.logDir, `${options.label}.stdout`);
  const stderrPath = join(options.logDir, `${options.label}.stderr`);
  const timePath = join(options.logDir, `${options.label}.maxrss`);
  const cachesDropped = (options.dropCaches ?? process.env.OFFLINESEED_BENCH_DROP_CACHES === '1') && dropCaches();
  // Each command starts with nothing of the previous one's still to be written back: otherwise the
  // second tool of a pair (restic restore, then ours) pays for the first one's dirty pages.
  if (!cachesDropped) flushDirtyPages();
  const wrapped = hasGnuTime();
  const argv = wrapped ? [GNU_TIME, '-f', '%M', '-o', timePath, ...options.argv] : [...options.argv];

  const out = openSync(stdoutPath, 'w');
  const err = openSync(stderrPath, 'w');
  try {
    const outcome = await runSampled(argv, options, out, err, wrapped);
    const timeKiB = wrapped ? readGnuTimeKiB(timePath) : 0;
    rmSync(timePath, { force: true });
    return {
      label: options.label,
      argv: options.argv,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      seconds: outcome.seconds,
      peakRssBytes: Math.max(outcome.peakRssBytes, timeKiB * 1024),
      timedOut: outcome.timedOut,
      rssSource: wrapped ? 'proc poll + GNU time' : procAvailable() ? 'proc poll' : 'unavailable',
      cachesDropped,
      stdoutPath,
      stderrPath,
    };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

interface RunOutcome {
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  peakRssBytes: number;
  timedOut: boolean;
}

const KILL_GRACE_MS = 10_000;

function runSampled(argv: readonly string[], options: MeasureOptions, out: number, err: number, wrapped: boolean): Promise<RunOutcome> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('measure: empty argv'));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', out, err] });
    const pid = child.pid;
    // The GNU time wrapper is not part of what we measure: only its descendants are.
    const sampler = pid === undefined ? undefined : treeRssSampler(pid, !wrapped);
    sampler?.sample();
    const timer = setInterval(() => sampler?.sample(), options.pollMs ?? 50);
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    if (options.timeoutMs !== undefined && pid !== undefined) {
      timers.push(setTimeout(() => {
        timedOut = true;
        signalTree(pid, !wrapped, 'SIGTERM');
        timers.push(setTimeout(() => signalTree(pid, !wrapped, 'SIGKILL'), KILL_GRACE_MS));
      }, options.timeoutMs));
    }
    const stop = (): void => {
      clearInterval(timer);
      for (const t of timers) clearTimeout(t);
    };
    child.on('error', (error) => {
      stop();
      reject(error);
    });
    child.on('exit', (exitCode, signal) => {
      const seconds = (performance.now() - started) / 1000;
      stop();
      resolve({ exitCode, signal, seconds, peakRssBytes: sampler?.peakBytes() ?? 0, timedOut });
    });
  });
}

interface RssSampler {
  sample(): void;
  peakBytes(): number;
}

function treeRssSampler(rootPid: number, includeRoot: boolean): RssSampler {
  let peakSumKiB = 0;
  let peakHwmKiB = 0;
  return {
    sample() {
      if (!procAvailable()) return;
      const pids = descendants(rootPid);
      if (includeRoot) pids.push(rootPid);
      let sumKiB = 0;
      for (const pid of pids) {
        const usage = readMemory(pid);
        sumKiB += usage.rssKiB;
        peakHwmKiB = Math.max(peakHwmKiB, usage.hwmKiB);
      }
      peakSumKiB = Math.max(peakSumKiB, sumKiB);
    },
    peakBytes: () => Math.max(peakSumKiB, peakHwmKiB) * 1024,
  };
}

/** The GNU time wrapper is spared: killing it would orphan the measured process; it exits after it. */
function signalTree(rootPid: number, includeRoot: boolean, signal: NodeJS.Signals): void {
  for (const pid of [...descendants(rootPid).reverse(), ...(includeRoot ? [rootPid] : [])]) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = readParentPid(pid);
    if (ppid === undefined) continue;
    const siblings = children.get(ppid);
    if (siblings === undefined) children.set(ppid, [pid]);
    else siblings.push(pid);
  }
  const found: number[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

function readParentPid(pid: number): number | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

function readMemory(pid: number): { rssKiB: number; hwmKiB: number } {
  const status = readProc(`/proc/${pid}/status`) ?? '';
  return {
    rssKiB: Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0),
    hwmKiB: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0),
  };
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

function procAvailable(): boolean {
  return existsSync('/proc/self/status');
}

function hasGnuTime(): boolean {
  if (gnuTimeWorks === undefined) {
    try {
      execFileSync(GNU_TIME, ['-f', '%M', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
      gnuTimeWorks = true;
    } catch {
      gnuTimeWorks = false;
    }
  }
  return gnuTimeWorks;
}

function readGnuTimeKiB(path: string): number {
  const text = readProc(path) ?? '';
  // On failure GNU time writes "Command exited with non-zero status N" before the figure.
  const last = text.trim().split('\n').pop() ?? '';
  const kib = Number(last);
  return Number.isFinite(kib) ? kib : 0;
}

/** Best effort: needs root and a kernel that lets this container drop the page cache. */
function flushDirtyPages(): void {
  try {
    execFileSync('sync', { stdio: 'ignore' });
  } catch {
    // No sync command: measure as before.
  }
}

export function dropCaches(): boolean {
  try {
    execFileSync('sync', { stdio: 'ignore' });
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}
