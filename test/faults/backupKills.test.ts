/**
 * kill -9 at seeded random points of backup.run into the seed in Blob storage (Azurite), at least 20
 * kills that land, in chains: new data, then kill, rerun, kill the rerun, ... until a rerun completes.
 * After every kill each blob in the container is whole (named by its SHA-256); after every chain the
 * container passes restic check --read-data; at the end the restore from the cloud equals the source.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { uploadRepository } from '../helpers/cloudSeed.ts';
import { diffTrees, restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';
import { faultSeed, KillCampaign, runAndKill } from './faultKit.ts';

const SEED = faultSeed(7003);
const KILLS_WANTED = 20;
const MiB = 1024 * 1024;
const work = mkdtempSync('/var/tmp/offlineseed-fault-backup-');
const source = join(work, 'source');
const staging = join(work, 'staging');
/** The container's blobs as files: a restic repository once a backup completed. */
const mirror = join(work, 'mirror');
const mirrored = new Set<string>();
let world: World;
let url = '';
let referenceMs = 0;

/** New and changed files for round `n`: about 6 MiB that does not compress, and some text. */
function changeSource(n: number): void {
  mkdirSync(join(source, `round-${n}`), { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(join(source, `round-${n}`, `blob-${i}.bin`), seededBytes(9000 + n * 10 + i, 2 * MiB + i * 999));
  for (let i = 0; i < 20; i++) writeFileSync(join(source, `round-${n}`, `note-${i}.txt`), `round ${n} note ${i}\n`.repeat(40 + i));
  writeFileSync(join(source, 'base', 'changing.txt'), `version ${n}\n`.repeat(1000));
}

function params(): Record<string, unknown> {
  return { repository: url, stagingPath: staging, password: RESTIC_PASSWORD, threads: 2 };
}

/** Downloads the blobs not mirrored yet and returns those whose content does not match their name. */
async function mirrorNewBlobs(): Promise<string[]> {
  const bad: string[] = [];
  const container = world.blobService().getContainerClient('seed');
  for await (const blob of container.listBlobsFlat({ prefix: 'host01/' })) {
    const rel = blob.name.slice('host01/'.length);
    if (rel.startsWith('locks/') || mirrored.has(rel)) continue;
    const bytes = await container.getBlobClient(blob.name).downloadToBuffer();
    if (rel !== 'config' && !rel.startsWith('keys/') && createHash('sha256').update(bytes).digest('hex') !== rel.split('/').at(-1)) bad.push(rel);
    mkdirSync(dirname(join(mirror, rel)), { recursive: true });
    writeFileSync(join(mirror, rel), bytes);
    mirrored.add(rel);
  }
  return bad;
}

test.before(async () => {
  world = await startWorld();
  mkdirSync(join(source, 'base'), { recursive: true });
  for (let i = 0; i < 4; i++) writeFileSync(join(source, 'base', `disk-${i}.img`), seededBytes(300 + i, MiB + i));
  writeFileSync(join(source, 'base', 'changing.txt'), 'version 0\n');
  url = `azure://${world.storageAccount.name}/seed/host01`;
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'fault-backup', storageAccount: world.storageAccount.name, container: 'seed', prefix: 'host01', password: RESTIC_PASSWORD, packSizeMiB: 4 });
  if (stage.exitCode !== 0) throw new Error(JSON.stringify(stage.errors));
  await uploadRepository(world, join(staging, 'repository'), 'seed', 'host01');
});

test('a clean incremental backup gives the reference duration', async () => {
  changeSource(0);
  const started = Date.now();
  const run = await runEngine('backup.run', params(), { env: world.env });
  referenceMs = Date.now() - started;
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  assert.equal(await mirrorNewBlobs(), []);
});

test(`seed ${SEED}: ${KILLS_WANTED} kills -9 at seeded points of backup.run, each chain then completes and restic agrees`, async () => {
  const campaign = new KillCampaign(SEED, KILLS_WANTED, referenceMs, { minMs: 100, spread: 0.9, killsPerRun: 6 });
  await campaign.run('faults/backupKills', async (chain) => {
    changeSource(chain + 1);
    const run = await campaign.untilComplete(`chain ${chain + 1}`, (afterMs) => runAndKill('backup.run', params(), afterMs, { env: world.env }), async () => {
      assert.equal(await mirrorNewBlobs(), [], 'no partial blob under a final name');
    });
    assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
    assert.equal(await mirrorNewBlobs(), []);
    assert.match(restic(mirror, 'check', '--read-data'), /no errors were found/);
  });
  // The source only grows, so the last snapshot holds every file of every round.
  const target = join(work, 'restored');
  const restore = await runEngine('restore.run', { repository: url, password: RESTIC_PASSWORD, target }, { env: world.env });
  assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
  assert.equal(diffTrees(source, join(target, source)), [], 'no file lost');
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
