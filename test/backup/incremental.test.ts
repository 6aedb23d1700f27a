/**
 * Incremental backups into the seed in Blob storage (Azurite): after ~1% of changes only about that
 * much is uploaded, unchanged files are not even read (change detection from the parent snapshot in
 * the repository, no local cache), restores from the cloud equal the source, restic agrees, and a
 * backup killed mid-upload completes on the next run without uploading its packs again.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, startEngine } from '../helpers/engine.ts';
import { uploadRepository } from '../helpers/cloudSeed.ts';
import { diffTrees, restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';
import { Repository } from '../../engine/repo/repository.ts';
import { LocalBackend } from '../../engine/repo/backend/localBackend.ts';
import { chunkBuffer } from '../../engine/repo/chunker/chunker.ts';
import { chunkerParametersFromJson, type ChunkerParameters } from '../../engine/repo/chunker/chunkerParameters.ts';
import { dirname } from 'node:path';

const work = mkdtempSync('/var/tmp/offlineseed-backup-');
const source = join(work, 'source');
const staging = join(work, 'staging');
let world: World;
let url = '';
const MiB = 1024 * 1024;
const image = join(source, 'images', 'disk-0.img');
/** The seed's chunking parameters, from its sealed config. */
let chunking: ChunkerParameters;

/** Bytes of the image's chunks that are new: appending re-cuts the last chunk, whose size is random. */
function newChunkBytes(before: Buffer, after: Buffer): number {
  const chunksOf = (data: Buffer): Buffer[] => {
    let offset = 0;
    return chunkBuffer(data, chunking).map((length) => data.subarray(offset, (offset += length)));
  };
  const digest = (chunk: Buffer): string => createHash('sha256').update(chunk).digest('hex');
  const known = new Set(chunksOf(before).map(digest));
  let fresh = 0;
  for (const chunk of chunksOf(after)) if (!known.has(digest(chunk))) fresh += chunk.length;
  return fresh;
}

function makeSource(): void {
  for (let d = 0; d < 8; d++) {
    mkdirSync(join(source, `dir-${d}`), { recursive: true });
    for (let i = 0; i < 60; i++) writeFileSync(join(source, `dir-${d}`, `doc-${i}.txt`), `document ${d}/${i}\n`.repeat(300 + i));
  }
  mkdirSync(join(source, 'images'));
  for (let i = 0; i < 10; i++) writeFileSync(join(source, 'images', `disk-${i}.img`), seededBytes(300 + i, 4 * MiB));
}

/**
 * About 1% of the data: one image grows, a few documents change, one file is new, one goes away.
 * Returns the bytes written besides the image's append; the image counts with its new chunks.
 */
function changeSource(round: number): { changed: number; imageChunks: number } {
  let changed = 0;
  const before = readFileSync(image);
  appendFileSync(image, seededBytes(900 + round, 256 * 1024));
  const imageChunks = newChunkBytes(before, readFileSync(image));
  for (let i = 0; i < 5; i++) {
    const text = `changed in round ${round}\n`.repeat(500 + i);
    writeFileSync(join(source, 'dir-1', `doc-${i + round * 5}.txt`), text);
    changed += text.length;
  }
  const fresh = seededBytes(1200 + round, 128 * 1024);
  writeFileSync(join(source, `new-${round}.bin`), fresh);
  changed += fresh.length;
  unlinkSync(join(source, 'dir-2', `doc-${round}.txt`));
  return { changed, imageChunks };
}

test.before(async () => {
  world = await startWorld();
  makeSource();
  url = `azure://${world.storageAccount.name}/seed/host01`;
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'backup-test', storageAccount: world.storageAccount.name, container: 'seed', prefix: 'host01', password: RESTIC_PASSWORD });
  if (stage.exitCode !== 0) throw new Error(JSON.stringify(stage.errors));
  await uploadRepository(world, join(staging, 'repository'), 'seed', 'host01');
  // restic's `cat config` drops the member our chunker parameters ride in, so the engine's reader opens it.
  const seed = await Repository.open(new LocalBackend(join(staging, 'repository')), RESTIC_PASSWORD);
  chunking = chunkerParametersFromJson(seed.config.offlineseed?.chunker);
});

for (const round of [1, 2]) {
  test(`incremental backup ${round}: uploads about what changed, reads only changed files`, async () => {
    const { changed, imageChunks } = changeSource(round);
    assert.ok(imageChunks >= 256 * 1024, `new image chunks: ${imageChunks}`);
    // The second round stores its packs in the Cool tier (-DataTier): the tier reaches the Azure backend.
    const tier = round === 2 ? { dataTier: 'Cool' } : {};
    const run = await runEngine('backup.run', { repository: url, stagingPath: staging, password: RESTIC_PASSWORD, ...tier }, { env: world.env });
    assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
    let coolPacks = 0;
    for await (const b of world.blobService().getContainerClient('seed').listBlobsFlat({ prefix: 'host01/data/' })) if (b.properties.accessTier === 'Cool') coolPacks++;
    if (round === 1) assert.is(coolPacks, 0, 'no tier asked for: the account default');
    else assert.ok(coolPacks > 0, 'the packs of a -DataTier Cool run are Cool');
    const r = run.results[0]!;
    assert.match(String(r.parent), /^[0-9a-f]{64}$/, 'the seed (or the last backup) is the parent');
    assert.ok((r.filesUnmodified as number) > 480, `unchanged files not read: ${r.filesUnmodified}`);
    assert.ok((r.bytesRead as number) < 8 * MiB, `read ${r.bytesRead} bytes`);
    // The image's new chunks are random (no compression); the documents compress; pack headers,
    // index and snapshot add a little.
    const bound = imageChunks * 1.01 + changed * 1.2 + 256 * 1024;
    assert.ok((r.bytesUploaded as number) < bound, `uploaded ${r.bytesUploaded} for ${changed} changed + ${imageChunks} in new image chunks`);
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
