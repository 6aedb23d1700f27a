/**
 * kill -9 at seeded random points of seed.start (at least 20 kills that land), in chains: kill, rerun,
 * kill the rerun, ... until a rerun completes. After every kill no file under a final name is partial;
 * after every chain the run completed, nothing was stored twice, restic check --read-data passes and
 * the restore equals the source (no file lost).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { diffTrees, restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { faultSeed, KillCampaign, misnamedRepositoryFiles, runAndKill } from './faultKit.ts';

const SEED = faultSeed(7001);
const KILLS_WANTED = 20;
const work = mkdtempSync('/var/tmp/offlineseed-fault-stage-');
const source = join(work, 'source');
mkdirSync(source);
for (let i = 0; i < 6; i++) writeFileSync(join(source, `big-${i}.bin`), seededBytes(500 + i, 1536 * 1024 + i * 4099));
for (let d = 0; d < 4; d++) {
  mkdirSync(join(source, `dir-${d}`));
  for (let i = 0; i < 25; i++) writeFileSync(join(source, `dir-${d}`, `f-${i}.txt`), `file ${d}/${i}\n`.repeat(50 + i * 7));
}

function params(staging: string): Record<string, unknown> {
  return { sources: [source], stagingPath: staging, jobName: 'fault-stage', storageAccount: 'acct', container: 'seed', password: RESTIC_PASSWORD, packSizeMiB: 4, threads: 2 };
}

function packBytes(repository: string): number {
  let total = 0;
  for (const sub of readdirSync(join(repository, 'data'))) for (const f of readdirSync(join(repository, 'data', sub))) total += statSync(join(repository, 'data', sub, f)).size;
  return total;
}

let referenceBytes = 0;
let referenceMs = 0;

test('a clean run gives the reference size and duration', async () => {
  const staging = join(work, 'reference');
  const started = Date.now();
  const run = await runEngine('seed.start', params(staging));
  referenceMs = Date.now() - started;
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  referenceBytes = packBytes(join(staging, 'repository'));
});

test(`seed ${SEED}: ${KILLS_WANTED} kills -9 at seeded points, each chain then completes and restic agrees`, async () => {
  // Kill points from just after start-up to a little past a full clean run.
  const campaign = new KillCampaign(SEED, KILLS_WANTED, referenceMs, { minMs: 120, spread: 1, killsPerRun: 6 });
  await campaign.run('faults/stagingKills', async (chain) => {
    const staging = join(work, `chain-${chain}`);
    const repository = join(staging, 'repository');
    let repositoryLeft = false;
    const run = await campaign.untilComplete(`chain ${chain}`, (afterMs) => runAndKill('seed.start', params(staging), afterMs), () => {
      repositoryLeft = existsSync(join(repository, 'config'));
      assert.equal(misnamedRepositoryFiles(repository), [], 'no partial file under a final name');
    });
    assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
    // A kill before the repository existed leaves nothing to resume.
    if (repositoryLeft) assert.is(run.results[0]!.resumed, true, 'a rerun after a kill resumes');
    const stored = packBytes(repository);
    // Tree packs differ a little between runs; data is never stored twice.
    assert.ok(stored <= referenceBytes * 1.02 + 64 * 1024, `stored ${stored} vs reference ${referenceBytes}`);
    assert.match(restic(repository, 'check', '--read-data'), /no errors were found/);
    const target = join(work, `restore-${chain}`);
    const restore = await runEngine('restore.run', { repository: staging, target, password: RESTIC_PASSWORD });
    assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
    assert.equal(diffTrees(source, join(target, source)), [], 'no file lost');
    rmSync(target, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  });
});

test('killed between writing the key and the config: the rerun starts the repository afresh, with one key', async () => {
  const staging = join(work, 'between');
  const first = await runEngine('seed.start', params(staging));
  assert.is(first.exitCode, 0, JSON.stringify(first.errors));
  // What such a kill leaves: a key file and empty folders, no config, no descriptor yet.
  const repository = join(staging, 'repository');
  for (const name of ['config', 'index', 'snapshots', 'data']) rmSync(join(repository, name), { recursive: true, force: true });
  rmSync(join(staging, 'offlineseed.json'));
  const rerun = await runEngine('seed.start', params(staging));
  assert.is(rerun.exitCode, 0, JSON.stringify(rerun.errors) + rerun.stderr);
  assert.is(readdirSync(join(repository, 'keys')).length, 1, 'the stale key is gone');
  assert.match(restic(repository, 'check', '--read-data'), /no errors were found/);
  const again = await runEngine('seed.start', params(staging));
  assert.is(again.exitCode, 0, JSON.stringify(again.errors));
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
