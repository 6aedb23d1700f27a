/**
 * Complete-OfflineSeed after an import: the container is compared with the drive journals; a deleted
 * pack, a pack the service's error log reports, and (with readData) a silently corrupted pack are
 * uploaded again from staging; the result passes restic check --read-data; a second run repairs nothing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { uploadRepository } from '../helpers/cloudSeed.ts';
import { makeEdgeCaseTree, seededBytes, restic, RESTIC_PASSWORD, diffTrees } from '../helpers/fixtures.ts';
import { bitLockerKey } from '../drive/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';

const work = mkdtempSync('/var/tmp/offlineseed-complete-');
const source = join(work, 'source');
const staging = join(work, 'staging');
const drive = join(work, 'drive-1');
let world: World;
let packs: string[] = [];
const container = 'seed';
const prefix = 'srv01';

// uvu prints nothing for an error thrown in a before hook: report it, so a failure says why.
test.before(async () => {
  try {
    await setUp();
  } catch (error) {
    console.error('complete.test.ts setup failed:', error);
    throw error;
  }
});

async function setUp(): Promise<void> {
  world = await startWorld();
  makeEdgeCaseTree(source);
  // At least three data packs whatever the workers' timing: 12 MiB of incompressible data in 4 MiB packs.
  for (let i = 0; i < 3; i++) writeFileSync(join(source, `pack-filler-${i}.bin`), seededBytes(500 + i, 4 * 1024 * 1024));
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'complete-test', storageAccount: world.storageAccount.name, container, prefix, password: RESTIC_PASSWORD, packSizeMiB: 4 });
  if (stage.exitCode !== 0) throw new Error(JSON.stringify(stage.errors));
  mkdirSync(drive);
  const prep = await runEngine('drive.prepare', { stagingPath: staging, driveRoot: drive, driveId: 'WD-COMPLETE1', bitLockerKey: bitLockerKey(7), capacityBytes: 1024 * 1024 * 1024 });
  if (prep.exitCode !== 0) throw new Error(JSON.stringify(prep.errors));
  // The import: every staged file becomes a blob, as the datacenter would have written them.
  const backend = await uploadRepository(world, join(staging, 'repository'), container, prefix);
  packs = (await backend.list('data')).map((p) => p.name).sort();
  if (packs.length < 3) throw new Error(`the test needs three data packs, the seed has ${packs.length}`);
  const blobs = world.blobService().getContainerClient(container);
  const packBlob = (id: string): string => `${prefix}/data/${id.slice(0, 2)}/${id}`;
  await blobs.deleteBlob(packBlob(packs[0]!));
  for (const id of [packs[1]!, packs[2]!]) {
    const bytes = await blobs.getBlobClient(packBlob(id)).downloadToBuffer();
    bytes[100] = bytes[100]! ^ 0xff;
    await blobs.getBlockBlobClient(packBlob(id)).uploadData(bytes);
  }
  const log = `<?xml version="1.0" encoding="utf-8"?>\n<DriveLog Version="2014-11-01"><DriveId>WD-COMPLETE1</DriveId><Blob Status="CompletedWithErrors"><BlobPath>${container}/${packBlob(packs[1]!)}</BlobPath><Length>1</Length></Blob><Status>CompletedWithErrors</Status></DriveLog>`;
  const diagnostics = world.blobService().getContainerClient('waimportexport');
  await diagnostics.createIfNotExists();
  await diagnostics.getBlockBlobClient('waies/complete-test_WD-COMPLETE1_20261121-120000-000_error.xml').uploadData(Buffer.from(log));
}

test('without an import (state DrivesPrepared) it refuses unless forced', async () => {
  const run = await runEngine('seed.complete', { stagingPath: staging, password: RESTIC_PASSWORD, storageAccountKey: world.storageAccount.key }, { env: world.env });
  assert.is(run.exitCode, 1);
  assert.is(run.errors.at(-1)!.errorId, 'OfflineSeed.SeedNotImported');
});

test('the missing pack and the pack the service reported are repaired from staging', async () => {
  const run = await runEngine('seed.complete', { stagingPath: staging, password: RESTIC_PASSWORD, force: true, verifyPercent: 0 }, { env: world.env });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  const r = run.results[0]!;
  assert.is(r.logsRead, 1);
  assert.is(r.failuresReported, 1);
  assert.is(r.blobsMissing, 1);
  assert.is(r.blobsCorrupt, 1, 'the reported pack was downloaded and found corrupt');
  assert.is(r.blobsRepaired, 2);
  assert.equal((r.repaired as string[]).sort(), [`${prefix}/data/${packs[0]!.slice(0, 2)}/${packs[0]!}`, `${prefix}/data/${packs[1]!.slice(0, 2)}/${packs[1]!}`].sort());
  assert.ok((r.blobsVerifiedByHash as number) >= 3, 'config, keys, index and snapshots are always compared');
  const descriptor = JSON.parse(readFileSync(join(staging, 'offlineseed.json'), 'utf8')) as { state: string };
  assert.is(descriptor.state, 'Completed');
});

test('readData finds and repairs the silently corrupted pack; a second run repairs nothing', async () => {
  const full = await runEngine('seed.complete', { stagingPath: staging, password: RESTIC_PASSWORD, readData: true }, { env: world.env });
  assert.is(full.exitCode, 0, JSON.stringify(full.errors));
  assert.is(full.results[0]!.blobsRepaired, 1);
  assert.equal(full.results[0]!.repaired, [`${prefix}/data/${packs[2]!.slice(0, 2)}/${packs[2]!}`]);
  const again = await runEngine('seed.complete', { stagingPath: staging, password: RESTIC_PASSWORD, readData: true }, { env: world.env });
  assert.is(again.exitCode, 0);
  assert.is(again.results[0]!.blobsRepaired, 0);
});

test('the repaired container passes restic check --read-data and restores the source', async () => {
  const folder = join(work, 'downloaded');
  const blobs = world.blobService().getContainerClient(container);
  for await (const blob of blobs.listBlobsFlat({ prefix: `${prefix}/` })) {
    const path = join(folder, blob.name.slice(prefix.length + 1));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await blobs.getBlobClient(blob.name).downloadToBuffer());
  }
  assert.match(restic(folder, 'check', '--read-data'), /no errors were found/);
  const target = join(work, 'restored');
  const run = await runEngine('restore.run', { repository: `azure://${world.storageAccount.name}/${container}/${prefix}`, password: RESTIC_PASSWORD, target }, { env: world.env });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  assert.equal(diffTrees(source, join(target, source)), []);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
