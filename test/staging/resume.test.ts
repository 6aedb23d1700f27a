/**
 * kill -9 at seeded random moments of staging, then the same command again: it completes, reuses what
 * the killed run stored (packs re-indexed from their headers), the repository passes restic's
 * check --read-data, and the restore equals the source.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, startEngine } from '../helpers/engine.ts';
import { diffTrees, restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-resume-');
const source = join(work, 'source');
mkdirSync(source, { recursive: true });
for (let i = 0; i < 12; i++) writeFileSync(join(source, `big-${i}.bin`), seededBytes(1000 + i, 2 * 1024 * 1024 + i));
for (let d = 0; d < 10; d++) {
  mkdirSync(join(source, `dir-${d}`));
  for (let i = 0; i < 30; i++) writeFileSync(join(source, `dir-${d}`, `f-${i}.txt`), `file ${d}/${i}\n`.repeat(200 + i));
}

function packBytes(repository: string): number {
  let total = 0;
  const data = join(repository, 'data');
  for (const sub of readdirSync(data)) for (const f of readdirSync(join(data, sub))) total += statSync(join(data, sub, f)).size;
  return total;
}

function paramsFor(staging: string): Record<string, unknown> {
  return { sources: [source], stagingPath: staging, jobName: 'resume-test', storageAccount: 'acct', container: 'seed', password: RESTIC_PASSWORD, packSizeMiB: 4, threads: 2 };
}

/** Mulberry32: the kill points are random but the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let referencePackBytes = 0;

test('a clean run gives the reference size', async () => {
  const staging = join(work, 'reference');
  const run = await runEngine('seed.start', paramsFor(staging));
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  referencePackBytes = packBytes(join(staging, 'repository'));
  assert.ok(referencePackBytes > 20 * 1024 * 1024);
});

const random = prng(20261121);
for (let k = 0; k < 5; k++) {
  const killAfterMs = 80 + Math.floor(random() * 900);
  test(`kill -9 after ${killAfterMs} ms, then rerun: completes, nothing stored twice, restic agrees`, async () => {
    const staging = join(work, `killed-${k}`);
    const started = startEngine('seed.start', paramsFor(staging));
    const timer = setTimeout(() => started.child.kill('SIGKILL'), killAfterMs);
    const killed = await started.finished;
    clearTimeout(timer);
    // A kill that lands before the repository exists leaves nothing to resume (a loaded machine starts slowly).
    const leftRepository = existsSync(join(staging, 'repository', 'config'));
    const rerun = await runEngine('seed.start', paramsFor(staging));
    assert.is(rerun.exitCode, 0, JSON.stringify(rerun.errors) + rerun.stderr);
    if (killed.signal === 'SIGKILL' && leftRepository) assert.is(rerun.results[0]!.resumed, true);
    const repository = join(staging, 'repository');
    const stored = packBytes(repository);
    // Tree packs differ by a few KiB; data must never be stored twice.
    assert.ok(stored <= referencePackBytes * 1.02 + 64 * 1024, `stored ${stored} vs reference ${referencePackBytes}`);
    assert.match(restic(repository, 'check', '--read-data'), /no errors were found/);
    const target = join(work, `restore-${k}`);
    const restore = await runEngine('restore.run', { repository: staging, target, password: RESTIC_PASSWORD });
    assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
    assert.equal(diffTrees(source, join(target, source)), []);
    rmSync(target, { recursive: true, force: true });
  });
}

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
