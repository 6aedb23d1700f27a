/** Shared by the drive tests: staged seeds, BitLocker keys, tree listings, secret scans. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as assert from 'uvu/assert';
import { runEngine, type EngineRun } from '../helpers/engine.ts';
import { RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';

export const MiB = 1024 * 1024;

/** A valid recovery password: eight groups, each 11 x (a number below 65536), six digits. */
export function bitLockerKey(seed: number): string {
  const groups: string[] = [];
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < 8; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    groups.push(String(11 * (x % 65536)).padStart(6, '0'));
  }
  return groups.join('-');
}

export interface StagedSeed {
  staging: string;
  repository: string;
  source: string;
  jobName: string;
  container: string;
  prefix: string;
}

/** Stages a source of incompressible files into a seed whose packs are about 4 MiB. */
export async function stageSeed(work: string, name: string, sizes: readonly number[], options: { prefix?: string; threads?: number } = {}): Promise<StagedSeed> {
  const source = join(work, `${name}-source`);
  mkdirSync(source, { recursive: true });
  sizes.forEach((size, i) => writeFileSync(join(source, `file-${i}.bin`), seededBytes(1000 + i * 7919 + name.length, size)));
  for (let i = 0; i < 20; i++) writeFileSync(join(source, `small-${i}.txt`), `small file ${i} of ${name}\n`.repeat(i + 1));
  const staging = join(work, `${name}-staging`);
  const jobName = `${name}-job`;
  const prefix = options.prefix ?? 'backups/fs01';
  const run = await runEngine('seed.start', {
    sources: [source], stagingPath: staging, jobName, storageAccount: 'acct01', container: 'seed-1', prefix, password: RESTIC_PASSWORD, packSizeMiB: 4, threads: options.threads ?? 2,
  });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  return { staging, repository: join(staging, 'repository'), source, jobName, container: 'seed-1', prefix };
}

/** Relative path -> SHA-256 of every file under root, leaving out the folders restic and we ignore. */
export function treeHashes(root: string, ignore: readonly string[] = ['.offlineseed-tmp', 'locks']): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const rel = relative(root, full).split('\\').join('/');
      if (ignore.some((i) => rel === i || rel.startsWith(`${i}/`))) continue;
      if (statSync(full).isDirectory()) walk(full);
      else out.set(rel, createHash('sha256').update(readFileSync(full)).digest('hex'));
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** Every file under the roots whose bytes contain one of the secrets (as text). */
export function filesContaining(roots: readonly string[], secrets: readonly string[]): string[] {
  const hits: string[] = [];
  const needles = secrets.map((s) => Buffer.from(s, 'utf8'));
  const walk = (path: string): void => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) walk(join(path, name));
      return;
    }
    const bytes = readFileSync(path);
    if (needles.some((n) => bytes.includes(n))) hits.push(path);
  };
  for (const root of roots) if (existsSync(root)) walk(root);
  return hits;
}

/** Everything a folder holds, as sorted relative paths (folders end with "/"). */
export function listing(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(root, full);
      if (statSync(full).isDirectory()) {
        out.push(`${rel}/`);
        walk(full);
      } else out.push(rel);
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

export function resultOf(run: EngineRun): Record<string, unknown> {
  assert.is(run.exitCode, 0, `exit ${run.exitCode}: ${JSON.stringify(run.errors)} ${run.stderr}`);
  assert.is(run.results.length, 1);
  return run.results[0]!;
}

export function lastErrorId(run: EngineRun): string | undefined {
  return run.errors.at(-1)?.errorId as string | undefined;
}
