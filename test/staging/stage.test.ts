/**
 * Start-OfflineSeed end to end through the built engine, with restic as the oracle: what we stage passes
 * `restic check --read-data`, `restic restore` gives back the source byte for byte, and so does our own
 * restore; a second run deduplicates everything; our engine reads what restic writes.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { diffTrees, makeEdgeCaseTree, restic, RESTIC_PASSWORD } from '../helpers/fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-stage-');
const source = join(work, 'source');
const staging = join(work, 'staging');
makeEdgeCaseTree(source);

const stageParams = {
  sources: [source],
  stagingPath: staging,
  jobName: 'seed-test-1',
  storageAccount: 'seedaccount',
  container: 'backup-seed',
  prefix: 'server01',
  subscriptionId: '00000000-1111-2222-3333-444444444444',
  resourceGroup: 'rg-offline',
  password: RESTIC_PASSWORD,
  packSizeMiB: 4,
};

test('seed.start stages the source; restic check --read-data accepts it', async () => {
  const run = await runEngine('seed.start', stageParams);
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  const r = run.results[0]!;
  assert.is(r.jobName, 'seed-test-1');
  assert.is(r.skippedPaths, 0);
  assert.is(r.resumed, false);
  assert.ok((r.files as number) >= 50, `files ${r.files}`);
  assert.ok((r.dedupRatio as number) > 1.2, `the duplicated 3 MiB file dedups (ratio ${r.dedupRatio})`);
  assert.ok((r.compressionRatio as number) > 1.5, `the log compresses (ratio ${r.compressionRatio})`);
  assert.ok(run.events.some((e) => e.type === 'progress' && e.completed === true), 'progress completes');
  const check = restic(join(staging, 'repository'), 'check', '--read-data');
  assert.match(check, /no errors were found/);
});

test('offlineseed.json records the workflow state and no secret', () => {
  const text = readFileSync(join(staging, 'offlineseed.json'), 'utf8');
  const d = JSON.parse(text) as Record<string, unknown>;
  assert.is(d.state, 'Staged');
  assert.is(d.jobName, 'seed-test-1');
  assert.is(d.prefix, 'server01');
  assert.match(String(d.snapshotId), /^[0-9a-f]{64}$/);
  assert.not.match(text, new RegExp(RESTIC_PASSWORD));
});

test('restic restore of our snapshot equals the source byte for byte', () => {
  const target = join(work, 'restic-restore');
  restic(join(staging, 'repository'), 'restore', 'latest', '--target', target);
  assert.equal(diffTrees(source, join(target, source)), []);
});

test('our restore equals the source: content, modes, times, links, odd names', async () => {
  const target = join(work, 'our-restore');
  const run = await runEngine('restore.run', { repository: staging, target, password: RESTIC_PASSWORD });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  assert.equal(diffTrees(source, join(target, source), { dirTimes: true }), []);
  assert.is(run.results[0]!.symlinks, 2);
});

test('restore with a path filter restores only that folder', async () => {
  const target = join(work, 'filtered');
  const run = await runEngine('restore.run', { repository: staging, target, password: RESTIC_PASSWORD, include: [`${source}/data`] });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  assert.ok(existsSync(join(target, source, 'data', 'random.bin')));
  assert.not.ok(existsSync(join(target, source, 'hello.txt')));
});

test('a second run stores no new data and is a new snapshot', async () => {
  const run = await runEngine('seed.start', stageParams);
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  assert.is(run.results[0]!.dataBlobsNew, 0);
  assert.is(run.results[0]!.resumed, true);
  const list = await runEngine('snapshot.list', { repository: staging, password: RESTIC_PASSWORD });
  assert.is(list.results.length, 2);
  assert.equal(list.results[0]!.paths, [source]);
});

test('repo.check passes, with read-data, with a subset, and keyless', async () => {
  const full = await runEngine('repo.check', { repository: staging, password: RESTIC_PASSWORD, readData: true });
  assert.is(full.exitCode, 0, JSON.stringify(full.errors));
  assert.is(full.results[0]!.ok, true);
  assert.ok((full.results[0]!.packsRead as number) > 0);
  // n/t reads the packs whose id's first byte is n-1 modulo t (restic's rule): which ones, and how many,
  // depends on the random pack ids, so the expectation comes from the pack files themselves.
  const packs = readdirSync(join(staging, 'repository', 'data'), { recursive: true }).map(String).filter((f) => /[0-9a-f]{64}$/.test(f)).map((f) => f.slice(-64));
  assert.is(full.results[0]!.packsRead, packs.length);
  const halves = [];
  for (const n of [1, 2]) {
    const half = await runEngine('repo.check', { repository: staging, password: RESTIC_PASSWORD, readDataSubset: `${n}/2` });
    assert.is(half.exitCode, 0, JSON.stringify(half.errors));
    halves.push(half.results[0]!.packsRead as number);
  }
  assert.equal(halves, [0, 1].map((r) => packs.filter((id) => parseInt(id.slice(0, 2), 16) % 2 === r).length), 'each half reads its own packs');
  const keyless = await runEngine('repo.check', { repository: join(staging, 'repository'), keyless: true });
  assert.is(keyless.exitCode, 0);
  assert.is(keyless.results[0]!.keyless, true);
});

test('seed.get reports the state and the next step', async () => {
  const run = await runEngine('seed.get', { stagingPath: staging });
  assert.is(run.results[0]!.state, 'Staged');
  assert.match(String(run.results[0]!.nextStep), /Initialize-OfflineSeedDrive/);
});

test('we check and restore a repository that restic backup wrote', async () => {
  const theirs = join(work, 'restic-repo');
  restic(theirs, 'init', '--repository-version', '2');
  restic(theirs, 'backup', '--host', 'oracle', source);
  const check = await runEngine('repo.check', { repository: theirs, password: RESTIC_PASSWORD, readData: true });
  assert.is(check.exitCode, 0, JSON.stringify(check.errors));
  const target = join(work, 'from-restic');
  const run = await runEngine('restore.run', { repository: theirs, target, password: RESTIC_PASSWORD });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  assert.equal(diffTrees(source, join(target, source)), []);
});

test('a wrong password is refused without touching the repository', async () => {
  const run = await runEngine('restore.run', { repository: staging, target: join(work, 'never'), password: 'not the password' });
  assert.is(run.exitCode, 1);
  assert.is(run.errors.at(-1)!.errorId, 'OfflineSeed.WrongPassword');
  assert.not.ok(existsSync(join(work, 'never')));
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
