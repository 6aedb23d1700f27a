/**
 * backup.run finds what a killed run left by its pending markers, not by listing the repository's
 * data/: a run after a clean run lists data/ not at all (counted at a logging relay in front of
 * Azurite), and a run after a kill -9 still indexes the packs the killed run stored (resumed), also
 * without a listing of data/, and leaves no marker behind. The restore equals the source.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, startEngine } from '../helpers/engine.ts';
import { uploadRepository } from '../helpers/cloudSeed.ts';
import { diffTrees, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { listingsOf, startRequestLog, type RequestLog } from '../helpers/requestLog.ts';
import { startWorld, type World } from '../world/world.ts';

const MiB = 1024 * 1024;
const PREFIX = 'host01';
const work = mkdtempSync('/var/tmp/offlineseed-pending-');
const source = join(work, 'source');
const staging = join(work, 'staging');
let world: World;
let relay: RequestLog;
let url = '';

function params(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { repository: url, stagingPath: staging, password: RESTIC_PASSWORD, ...extra };
}

/** The engine talks to Azurite through the relay. */
function relayedEnv(): Record<string, string> {
  return { ...world.env, OFFLINESEED_STORAGE_ENDPOINT_TEMPLATE: relay.endpointTemplate };
}

async function blobNames(folder: string): Promise<string[]> {
  const names: string[] = [];
  for await (const b of world.blobService().getContainerClient('seed').listBlobsFlat({ prefix: `${PREFIX}/${folder}/` })) names.push(b.name);
  return names;
}

test.before(async () => {
  world = await startWorld();
  relay = await startRequestLog(world.azurite.origin, world.certificates);
  mkdirSync(source, { recursive: true });
  for (let i = 0; i < 4; i++) writeFileSync(join(source, `disk-${i}.img`), seededBytes(500 + i, MiB));
  url = `azure://${world.storageAccount.name}/seed/${PREFIX}`;
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'pending-test', storageAccount: world.storageAccount.name, container: 'seed', prefix: PREFIX, password: RESTIC_PASSWORD });
  if (stage.exitCode !== 0) throw new Error(JSON.stringify(stage.errors));
  await uploadRepository(world, join(staging, 'repository'), 'seed', PREFIX);
});

test.after(async () => {
  await relay?.stop();
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('a backup after a clean one does not list data/, and leaves no pending marker', async () => {
  writeFileSync(join(source, 'new-1.bin'), seededBytes(601, 3 * MiB));
  const first = await runEngine('backup.run', params(), { env: relayedEnv() });
  assert.is(first.exitCode, 0, JSON.stringify(first.errors) + first.stderr);
  assert.equal(await blobNames('.offlineseed-pending'), [], 'markers of indexed packs are removed');
  writeFileSync(join(source, 'new-2.bin'), seededBytes(602, MiB));
  relay.requests.length = 0;
  const second = await runEngine('backup.run', params(), { env: relayedEnv() });
  assert.is(second.exitCode, 0, JSON.stringify(second.errors) + second.stderr);
  assert.is(second.results[0]!.resumed, false);
  assert.ok(relay.requests.length > 0, 'the engine went through the relay');
  assert.equal(listingsOf(relay.requests, PREFIX, 'data'), [], 'no listing of data/');
  assert.is(listingsOf(relay.requests, PREFIX, '.offlineseed-pending').length, 1, 'one listing of the pending markers');
});

test('a run killed after storing a pack leaves markers; the next run indexes its packs without listing data/', async () => {
  writeFileSync(join(source, 'big-new.bin'), seededBytes(4343, 40 * MiB));
  const packsBefore = (await blobNames('data')).length;
  const started = startEngine('backup.run', params({ threads: 1 }), { env: world.env });
  let killed = false;
  const poll = setInterval(() => {
    void blobNames('data').then((names) => {
      if (!killed && names.length > packsBefore) {
        killed = true;
        started.child.kill('SIGKILL');
      }
    });
  }, 50);
  const run = await started.finished;
  clearInterval(poll);
  assert.is(run.signal, 'SIGKILL', 'killed after its first pack landed (the run was too quick to kill otherwise)');
  assert.ok((await blobNames('.offlineseed-pending')).length > 0, 'the killed run left pending markers');
  relay.requests.length = 0;
  const rerun = await runEngine('backup.run', params(), { env: relayedEnv() });
  assert.is(rerun.exitCode, 0, JSON.stringify(rerun.errors) + rerun.stderr);
  assert.is(rerun.results[0]!.resumed, true, 'the killed run\'s packs were indexed, not uploaded again');
  assert.ok((rerun.results[0]!.bytesUploaded as number) < 40 * MiB - 8 * MiB, `uploaded ${rerun.results[0]!.bytesUploaded}`);
  assert.equal(listingsOf(relay.requests, PREFIX, 'data'), [], 'no listing of data/');
  assert.equal(await blobNames('.offlineseed-pending'), [], 'no marker left');
  const target = join(work, 'restored');
  const restore = await runEngine('restore.run', { repository: url, password: RESTIC_PASSWORD, target }, { env: world.env });
  assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
  assert.equal(diffTrees(source, join(target, source)), []);
});

test.run();
