/**
 * Shared by the fault suite: seeded kill points (replayable with OFFLINESEED_FAULT_SEED), a kill-and-rerun
 * chain, and invariants every interrupted repository must keep (no file under a final name is partial).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as assert from 'uvu/assert';
import { startEngine, type EngineRun, type StartOptions } from '../helpers/engine.ts';

/** Mulberry32: random but the same on every run of the same seed. */
export function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of a test file: OFFLINESEED_FAULT_SEED replays a failing run, else the file's fixed default. */
export function faultSeed(fallback: number): number {
  const raw = process.env.OFFLINESEED_FAULT_SEED;
  return raw === undefined || raw === '' ? fallback : Number(raw);
}

export function replayHint(seed: number, file: string): string {
  return `replay with OFFLINESEED_FAULT_SEED=${seed} node_modules/.bin/node test/run.ts ${file}`;
}

export interface KillOutcome {
  /** The planned kill point. */
  afterMs: number;
  /** SIGKILL landed (false: the run finished before it). */
  killed: boolean;
  run: EngineRun;
}

/** Starts the command and sends SIGKILL after `afterMs` (or once `when` says so, polled every 2 ms). */
export async function runAndKill(command: string, params: unknown, afterMs: number, options: StartOptions & { when?: () => boolean } = {}): Promise<KillOutcome> {
  const started = startEngine(command, params, {
    ...options,
    onEvent: (event, child) => {
      if (event.type === 'done') child.stdin.end();
    },
  });
  const kill = (): void => {
    if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGKILL');
  };
  const timer = setTimeout(kill, afterMs);
  const poll = options.when === undefined ? undefined : setInterval(() => {
    if (options.when!()) kill();
  }, 2);
  const run = await started.finished;
  clearTimeout(timer);
  if (poll !== undefined) clearInterval(poll);
  return { afterMs, killed: run.signal === 'SIGKILL', run };
}

/**
 * Where kill points fall: from `minMs` (before it the engine is still starting) to `spread × the
 * duration of a whole run`, so that a run as long as the last whole one is killed while it works.
 * Where a whole run is hardly longer than `minMs`, the window is a quarter of a run past `minMs`.
 */
export interface KillTiming {
  minMs: number;
  spread: number;
  /** Kills tried on one run before it is let through (so chains end and spread over fresh starts). */
  killsPerRun: number;
}

/**
 * A seeded series of kill -9s over chains of runs: each run is killed at a seeded point and rerun,
 * until a rerun is let through and completes. The kill window follows the duration of a whole run,
 * re-measured whenever a chain's first run was not killed (the machine's load changes it several
 * times over). Every attempt is logged; a failure prints the log and how to replay the seed.
 */
export class KillCampaign {
  landed = 0;
  readonly seed: number;
  readonly killsWanted: number;
  private readonly timing: KillTiming;
  private readonly random: () => number;
  private readonly log: string[] = [];
  private windowMs: number;

  constructor(seed: number, killsWanted: number, referenceMs: number, timing: KillTiming) {
    this.seed = seed;
    this.killsWanted = killsWanted;
    this.timing = timing;
    this.random = prng(seed);
    this.windowMs = referenceMs;
  }

  get enough(): boolean {
    return this.landed >= this.killsWanted;
  }

  /**
   * Runs `start` with seeded kill points until a run is not killed, calling `afterKill` after every kill
   * that landed; returns the run that was let through. `measures`: this run's duration is the window.
   */
  async untilComplete(label: string, start: (afterMs: number) => Promise<KillOutcome>, afterKill: () => void | Promise<void>, measures = true): Promise<EngineRun> {
    for (let attempt = 0; ; attempt++) {
      const afterMs = attempt < this.timing.killsPerRun ? this.killPoint() : 600_000;
      const t0 = Date.now();
      const { killed, run } = await start(afterMs);
      this.log.push(`${label} run ${attempt}: kill at ${afterMs} ms -> ${killed ? 'killed' : `exit ${run.exitCode}`} after ${Date.now() - t0} ms`);
      if (!killed) {
        if (attempt === 0 && measures) this.windowMs = Date.now() - t0;
        return run;
      }
      this.landed++;
      await afterKill();
    }
  }

  private killPoint(): number {
    const { minMs, spread } = this.timing;
    const window = Math.max(this.windowMs * spread - minMs, this.windowMs / 4);
    return Math.round(minMs + this.random() * window);
  }

  /** Runs the chains (body(chain) until enough kills landed, at most maxChains), then asserts the count. */
  async run(replayFile: string, body: (chain: number) => Promise<void>, maxChains = 30): Promise<void> {
    const began = Date.now();
    try {
      for (let chain = 0; !this.enough && chain < maxChains; chain++) await body(chain);
      assert.ok(this.enough, `only ${this.landed} kills landed`);
      console.log(`  ${this.landed} kills in ${elapsed(began)} (seed ${this.seed})`);
    } catch (error) {
      console.log(`${this.log.join('\n')}\n${replayHint(this.seed, replayFile)}`);
      throw error;
    }
  }
}

/**
 * Content-addressed files of a restic repository (keys, data, index, snapshots) are named by the
 * SHA-256 of their bytes: a file under its final name that is partial or damaged breaks that. Returns
 * the offending paths (temporary folders and locks are left out: they are allowed to be partial).
 */
export function misnamedRepositoryFiles(repository: string): string[] {
  const bad: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const rel = relative(repository, full);
      if (rel.startsWith('.offlineseed-tmp') || rel.startsWith('locks')) continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (rel !== 'config' && createHash('sha256').update(readFileSync(full)).digest('hex') !== name) bad.push(rel);
    }
  };
  if (existsSync(repository)) walk(repository);
  return bad;
}

export function elapsed(startedMs: number): string {
  return `${((Date.now() - startedMs) / 1000).toFixed(1)} s`;
}

/** A small tmpfs at `dir` (a full disk on demand); undefined when mounting is not possible, with the reason. */
export function mountTmpfs(dir: string, size: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed (root and CAP_SYS_ADMIN needed): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
}

/** Grows (or shrinks) a mounted tmpfs in place: "space was freed". */
export function resizeTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-o', `remount,size=${size}`, dir]);
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
}
