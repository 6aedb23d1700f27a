/**
 * Azurite stopped in the middle of a backup's upload. A short outage is ridden out by the retries (the
 * backup completes); a long one ends the run after the retries with OfflineSeed.StorageUnavailable
 * (ConnectionError, exit code 1, the location named, a recommended action), and once the service is
 * back the same command resumes: the packs that made it are reused, restic check --read-data passes and
 * the restore equals the source. OFFLINESEED_RETRY_DELAY_MS keeps the real retry policy but shortens
 * its delays.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEngine, runEngine, type EngineRun } from '../helpers/engine.ts';
import { uploadRepository } from '../helpers/cloudSeed.ts';
import { diffTrees, restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';

const MiB = 1024 * 1024;
const work = mkdtempSync('/var/tmp/offlineseed-fault-outage-');
const source = join(work, 'source');
const staging = join(work, 'staging');
let world: World;
let url = '';

function params(): Record<string, unknown> {
  return { repository: url, stagingPath: staging, password: RESTIC_PASSWORD, threads: 1 };
}

async function dataBlobs(): Promise<number> {
  let n = 0;
  for await (const blob of world.blobService().getContainerClient('seed').listBlobsFlat({ prefix: 'host01/data/' })) if (blob.name !== '') n++;
  return n;
}

/** Starts a backup of `newMiB` of new data and halts Azurite once the first new pack is stored. */
async function backupWithOutage(round: number, newMiB: number, retryDelayMs: number, outageMs: number | undefined): Promise<{ run: EngineRun; haltedAt: number; endedAt: number }> {
  writeFileSync(join(source, `new-${round}.bin`), seededBytes(7700 + round, newMiB * MiB));
  const before = await dataBlobs();
  let haltedAt = 0;
  const started = startEngine('backup.run', params(), {
    env: { ...world.env, OFFLINESEED_RETRY_DELAY_MS: String(retryDelayMs) },
    onEvent: (event, child) => {
      if (event.type === 'done') child.stdin.end();
    },
  });
  const halted = (async () => {
    for (;;) {
      if (started.child.exitCode !== null) return;
      if (await dataBlobs() > before) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    await world.azurite.halt();
    haltedAt = Date.now();
    if (outageMs !== undefined) {
      await new Promise((r) => setTimeout(r, outageMs));
      await world.azurite.resume();
    }
  })();
  const run = await started.finished;
  const endedAt = Date.now();
  await halted;
  return { run, haltedAt, endedAt };
}

async function assertRepositoryWhole(name: string): Promise<void> {
  const folder = join(work, name);
  const container = world.blobService().getContainerClient('seed');
  for await (const blob of container.listBlobsFlat({ prefix: 'host01/' })) {
    if (blob.name.includes('/locks/')) continue;
    const path = join(folder, blob.name.slice('host01/'.length));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await container.getBlobClient(blob.name).downloadToBuffer());
  }
  assert.match(restic(folder, 'check', '--read-data'), /no errors were found/);
  const target = join(work, `${name}-restored`);
  const restore = await runEngine('restore.run', { repository: url, password: RESTIC_PASSWORD, target }, { env: world.env });
  assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
  assert.equal(diffTrees(source, join(target, source)), [], 'no file lost');
}

test.before(async () => {
  world = await startWorld();
  mkdirSync(source);
  for (let i = 0; i < 3; i++) writeFileSync(join(source, `base-${i}.bin`), seededBytes(100 + i, MiB));
  url = `azure://${world.storageAccount.name}/seed/host01`;
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'fault-outage', storageAccount: world.storageAccount.name, container: 'seed', prefix: 'host01', password: RESTIC_PASSWORD, packSizeMiB: 4 });
  if (stage.exitCode !== 0) throw new Error(JSON.stringify(stage.errors));
  await uploadRepository(world, join(staging, 'repository'), 'seed', 'host01');
});

test('Azurite stopped mid-upload for a moment: the retries ride it out and the backup completes', async () => {
  // Five retries, waiting at least 0.5, 1, 2, 4 and 8 s: 15 s or more for the outage (a halt, half a
  // second, a restart), which takes a few seconds even on a loaded machine.
  const { run, haltedAt, endedAt } = await backupWithOutage(1, 24, 1000, 500);
  assert.ok(haltedAt > 0, 'Azurite was halted during the upload');
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  console.log(`  outage ridden out; backup ended ${endedAt - haltedAt} ms after the halt`);
  await assertRepositoryWhole('after-short-outage');
});

test('Azurite stopped mid-upload for good: retries, then OfflineSeed.StorageUnavailable; once it is back the rerun resumes', async () => {
  const { run, haltedAt, endedAt } = await backupWithOutage(2, 24, 40, undefined);
  assert.ok(haltedAt > 0, 'Azurite was halted during the upload');
  assert.is(run.exitCode, 1, JSON.stringify(run.errors) + run.stderr);
  const error = run.errors.at(-1)!;
  assert.is(error.errorId, 'OfflineSeed.StorageUnavailable', JSON.stringify(error));
  assert.is(error.category, 'ConnectionError');
  assert.is(error.terminating, true);
  assert.match(String(error.targetObject), /^azure:\/\/seedstore\/seed\/host01$/);
  assert.match(String(error.recommendedAction), /run the same command again/);
  assert.not.match(run.stdout, /at .*\.(ts|js|cjs):\d+/, 'no stack trace on stdout');
  // Five retries with delays from 40 ms doubling: the engine did not give up at the first refusal.
  assert.ok(endedAt - haltedAt >= 600, `gave up ${endedAt - haltedAt} ms after the outage began`);
  console.log(`  gave up ${endedAt - haltedAt} ms after the outage began`);

  await world.azurite.resume();
  const rerun = await runEngine('backup.run', params(), { env: world.env });
  assert.is(rerun.exitCode, 0, JSON.stringify(rerun.errors) + rerun.stderr);
  assert.is(rerun.results[0]!.resumed, true, 'the packs stored before the outage are reused');
  await assertRepositoryWhole('after-long-outage');
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
