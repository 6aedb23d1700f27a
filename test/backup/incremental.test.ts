/**
 * Incremental backups into the seed in Blob storage (Azurite): after ~1% of changes only about that
 * much is uploaded, unchanged files are not even read (change detection from the parent snapshot in
 * the repository, no local cache), restores from the cloud equal the source, restic agrees, and a
 * backup killed mid-upload completes on the next run without uploading its packs again.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, startEngine } from '../helpers/engine.ts';
import { uploadRepository } from '../helpers/cloudSeed.ts';
import { diffTrees, restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';
import { dirname } from 'node:path';

const work = mkdtempSync('/var/tmp/offlineseed-backup-');
const source = join(work, 'source');
const staging = join(work, 'staging');
let world: World;
let url = '';
const MiB = 1024 * 1024;

function makeSource(): void {
  for (let d = 0; d < 8; d++) {
    mkdirSync(join(source, `dir-${d}`), { recursive: true });
    for (let i = 0; i < 60; i++) writeFileSync(join(source, `dir-${d}`, `doc-${i}.txt`), `document ${d}/${i}\n`.repeat(300 + i));
  }
  mkdirSync(join(source, 'images'));
  for (let i = 0; i < 10; i++) writeFileSync(join(source, 'images', `disk-${i}.img`), seededBytes(300 + i, 4 * MiB));
}

/** About 1% of the data: one log grows, a few documents change, one file is new, one goes away. */
function changeSource(round: number): number {
  let changed = 0;
  const extra = seededBytes(900 + round, 256 * 1024);
  appendFileSync(join(source, 'images', 'disk-0.img'), extra);
  changed += extra.length;
  for (let i = 0; i < 5; i++) {
    const text = `changed in round ${round}\n`.repeat(500 + i);
    writeFileSync(join(source, 'dir-1', `doc-${i + round * 5}.txt`), text);
    changed += text.length;
  }
  const fresh = seededBytes(1200 + round, 128 * 1024);
  writeFileSync(join(source, `new-${round}.bin`), fresh);
  changed += fresh.length;
  unlinkSync(join(source, 'dir-2', `doc-${round}.txt`));
  return changed;
}

test.before(async () => {
  world = await startWorld();
  makeSource();
  url = `azure://${world.storageAccount.name}/seed/host01`;
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'backup-test', storageAccount: world.storageAccount.name, container: 'seed', prefix: 'host01', password: RESTIC_PASSWORD });
  if (stage.exitCode !== 0) throw new Error(JSON.stringify(stage.errors));
  await uploadRepository(world, join(staging, 'repository'), 'seed', 'host01');
});

for (const round of [1, 2]) {
  test(`incremental backup ${round}: uploads about what changed, reads only changed files`, async () => {
    const changed = changeSource(round);
    const run = await runEngine('backup.run', { repository: url, stagingPath: staging, password: RESTIC_PASSWORD }, { env: world.env });
    assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
    const r = run.results[0]!;
    assert.match(String(r.parent), /^[0-9a-f]{64}$/, 'the seed (or the last backup) is the parent');
    assert.ok((r.filesUnmodified as number) > 480, `unchanged files not read: ${r.filesUnmodified}`);
    assert.ok((r.bytesRead as number) < 8 * MiB, `read ${r.bytesRead} bytes`);
    // Appending to a file re-cuts its last chunk (content-defined chunking: ~1 MiB on average, random
    // here so it does not compress); packs, index and snapshot add a little.
    assert.ok((r.bytesUploaded as number) < changed * 1.2 + 2 * MiB + 256 * 1024, `uploaded ${r.bytesUploaded} for ${changed} changed`);
    assert.ok((r.bytesUploaded as number) > 64 * 1024, `uploaded ${r.bytesUploaded}`);
  });
}

test('restore from the cloud equals the changed source', async () => {
  const target = join(work, 'restored');
  const run = await runEngine('restore.run', { repository: url, password: RESTIC_PASSWORD, target }, { env: world.env });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  assert.equal(diffTrees(source, join(target, source)), []);
});

test('a backup killed mid-upload completes on the next run, without uploading its packs again', async () => {
  writeFileSync(join(source, 'big-new.bin'), seededBytes(4242, 40 * MiB));
  const started = startEngine('backup.run', { repository: url, stagingPath: staging, password: RESTIC_PASSWORD, threads: 1 }, { env: world.env });
  let packsSeen = 0;
  const poll = setInterval(async () => {
    let n = 0;
    for await (const b of world.blobService().getContainerClient('seed').listBlobsFlat({ prefix: 'host01/data/' })) if (b.name) n++;
    if (packsSeen === 0) packsSeen = n;
    else if (n >= packsSeen + 1) started.child.kill('SIGKILL');
  }, 100);
  const killed = await started.finished;
  clearInterval(poll);
  const rerun = await runEngine('backup.run', { repository: url, stagingPath: staging, password: RESTIC_PASSWORD }, { env: world.env });
  assert.is(rerun.exitCode, 0, JSON.stringify(rerun.errors) + rerun.stderr);
  if (killed.signal === 'SIGKILL') assert.is(rerun.results[0]!.resumed, true);
  const target = join(work, 'restored-after-kill');
  const restore = await runEngine('restore.run', { repository: url, password: RESTIC_PASSWORD, target }, { env: world.env });
  assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
  assert.equal(diffTrees(source, join(target, source)), []);
});

test('the container downloaded to a folder passes restic check --read-data and lists every snapshot', async () => {
  const folder = join(work, 'downloaded');
  const container = world.blobService().getContainerClient('seed');
  for await (const blob of container.listBlobsFlat({ prefix: 'host01/' })) {
    if (blob.name.includes('/locks/')) continue;
    const path = join(folder, blob.name.slice('host01/'.length));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await container.getBlobClient(blob.name).downloadToBuffer());
  }
  assert.match(restic(folder, 'check', '--read-data'), /no errors were found/);
  const snapshots = JSON.parse(restic(folder, 'snapshots', '--json')) as unknown[];
  assert.ok(snapshots.length >= 4, `snapshots: ${snapshots.length}`);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
