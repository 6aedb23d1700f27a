/**
 * A full staging location and a full drive (small tmpfs mounts). The run stops with
 * OfflineSeed.NoSpace (LimitsExceeded, exit code 1) naming the location and saying how to go on;
 * nothing half-written is left under a final name; once space is freed the same command resumes and
 * completes, and restic check --read-data passes (drive: drive.verify and the manifest rules too).
 * The staging location fills at several sizes, so the disk runs out at different steps (repository
 * creation, packs, index, snapshot).
 */
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, startEngine, type EngineRun } from '../helpers/engine.ts';
import { diffTrees, restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { bitLockerKey, listing, resultOf, stageSeed, treeHashes, type StagedSeed } from '../drive/fixtures.ts';
import { checkManifestFile } from '../drive/manifestRules.ts';
import { misnamedRepositoryFiles, mountTmpfs, resizeTmpfs, runAndKill, unmount } from './faultKit.ts';

const MiB = 1024 * 1024;
const work = mkdtempSync('/var/tmp/offlineseed-fault-full-');
const mounts: string[] = [];
const source = join(work, 'source');
mkdirSync(source);
for (let i = 0; i < 4; i++) writeFileSync(join(source, `big-${i}.bin`), seededBytes(4100 + i, 2 * MiB + i * 1000));
for (let i = 0; i < 30; i++) writeFileSync(join(source, `note-${i}.txt`), `note ${i}\n`.repeat(100 + i));

function mount(name: string, size: string): string | undefined {
  const dir = join(work, name);
  const problem = mountTmpfs(dir, size);
  if (problem !== undefined) {
    console.log(`  skipped: ${problem}`);
    return undefined;
  }
  mounts.push(dir);
  return dir;
}

function assertNoSpace(run: EngineRun, location: string): void {
  assert.is(run.exitCode, 1, `exit ${run.exitCode}: ${JSON.stringify(run.errors)} ${run.stderr}`);
  const error = run.errors.at(-1)!;
  assert.is(error.errorId, 'OfflineSeed.NoSpace', JSON.stringify(error));
  assert.is(error.category, 'LimitsExceeded');
  assert.is(error.terminating, true);
  assert.ok(String(error.targetObject).startsWith(location), `targetObject ${String(error.targetObject)} names the full location`);
  assert.match(String(error.recommendedAction), /Free space.*run the same command again/);
  assert.not.match(run.stdout, /at .*\.(ts|js|cjs):\d+/, 'no stack trace on stdout');
  assert.is(run.stderr, '', 'nothing on stderr: a known failure, not an internal error');
}

/** Bytes a complete staging location of the source takes (its repository and descriptor). */
function stagedBytes(): number {
  const walk = (dir: string): number => listing(dir).filter((p) => !p.endsWith('/')).reduce((n, p) => n + statSync(join(dir, p)).size, 0);
  return walk(join(work, 'reference'));
}

test('a clean run gives the size a complete staging location takes', async () => {
  const run = await runEngine('seed.start', { sources: [source], stagingPath: join(work, 'reference'), jobName: 'fault-full', storageAccount: 'acct', container: 'seed', password: RESTIC_PASSWORD, packSizeMiB: 4, threads: 2 });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
});

// Full at repository creation, during the packs, and close to the end (index, snapshot).
for (const fraction of [0.02, 0.5, 0.985]) {
  test(`a staging location of ${fraction * 100}% of what it needs fills up: OfflineSeed.NoSpace, nothing partial; once it is larger the rerun completes`, async () => {
    const size = `${Math.floor((stagedBytes() * fraction) / 4096) * 4}k`;
    const staging = mount(`staging-${fraction}`, size);
    if (staging === undefined) return;
    const params = { sources: [source], stagingPath: staging, jobName: 'fault-full', storageAccount: 'acct', container: 'seed', password: RESTIC_PASSWORD, packSizeMiB: 4, threads: 2 };
    const full = await runEngine('seed.start', params);
    assertNoSpace(full, staging);
    const repository = join(staging, 'repository');
    assert.equal(misnamedRepositoryFiles(repository), [], 'no partial file under a final name');
    if (existsSync(join(staging, 'offlineseed.json'))) JSON.parse(readFileSync(join(staging, 'offlineseed.json'), 'utf8'));

    resizeTmpfs(staging, '64m');
    const rerun = await runEngine('seed.start', params);
    assert.is(rerun.exitCode, 0, JSON.stringify(rerun.errors) + rerun.stderr);
    assert.match(restic(repository, 'check', '--read-data'), /no errors were found/);
    const target = join(work, `restore-${fraction}`);
    const restore = await runEngine('restore.run', { repository: staging, target, password: RESTIC_PASSWORD });
    assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
    assert.equal(diffTrees(source, join(target, source)), [], 'no file lost');
    rmSync(target, { recursive: true, force: true });
  });
}

/** Writes 1 MiB blocks into `file` until the file system is full; returns the bytes written. */
function fillUp(file: string): number {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(MiB, 1);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return written;
}

interface DriveCase {
  staging: string;
  drive: string;
  params: (n: number) => Record<string, unknown>;
  journal: string;
}

async function driveCase(name: string): Promise<DriveCase | undefined> {
  const drive = mount(`${name}-drive`, '24m');
  if (drive === undefined) return undefined;
  const staging = join(work, `${name}-staging-copy`);
  cpSync(seed.staging, staging, { recursive: true });
  const second = join(work, `${name}-drive-2`);
  mkdirSync(second);
  const params = (n: number): Record<string, unknown> => ({ stagingPath: staging, driveRoot: n === 1 ? drive : second, driveId: `${name.toUpperCase()}-${n}`, bitLockerKey: bitLockerKey(n), threads: 1 });
  return { staging, drive, params, journal: join(staging, 'drives', `${name.toUpperCase()}-1.jrn`) };
}

/** The drive holds exactly its files of the repository, all whole, verified; restic reads the union of the drives. */
async function assertDrivesComplete(c: DriveCase, results: Record<string, unknown>[]): Promise<void> {
  const union = join(work, `union-${results.length}-${Date.now()}`);
  results.forEach((r, i) => {
    const root = String(r.driveRoot);
    assert.equal(checkManifestFile({ driveRoot: root, driveId: String(r.driveId), containers: [seed.container], manifestHash: String(r.manifestHash) }).problems, [], `drive ${i + 1} manifest`);
    assert.equal(listing(root).filter((p) => p.includes('.tmp') || p.includes('offlineseed-tmp')), [], 'no temporary files left');
    cpSync(join(root, seed.jobName), union, { recursive: true });
  });
  for (const r of results) {
    const verify = resultOf(await runEngine('drive.verify', { driveRoot: String(r.driveRoot), stagingPath: c.staging, driveId: String(r.driveId) }));
    assert.is(verify.ok, true, JSON.stringify(verify.problems));
  }
  assert.equal([...treeHashes(union, []).entries()].sort(), [...treeHashes(seed.repository).entries()].sort(), 'the drives hold the repository, each file once');
  assert.match(restic(union, 'check', '--read-data'), /no errors were found/);
}

let seed: StagedSeed;

test('a drive that another program fills during the copy: OfflineSeed.NoSpace naming the drive; once space is freed the rerun completes', async () => {
  seed = await stageSeed(work, 'full', [3 * MiB, 3 * MiB, 3 * MiB, 3 * MiB]);
  const c = await driveCase('fill');
  if (c === undefined) return;
  const filler = join(c.drive, 'other-program-data.bin');
  let filled = 0;
  const started = startEngine('drive.prepare', c.params(1), { onEvent: (e, child) => e.type === 'done' && child.stdin.end() });
  const poll = setInterval(() => {
    // Once the journal exists the drive's budget is fixed; the copy is starting.
    if (filled === 0 && existsSync(c.journal)) filled = fillUp(filler);
  }, 2);
  const full = await started.finished;
  clearInterval(poll);
  assert.ok(filled > 0, 'the drive was filled during the copy');
  assertNoSpace(full, c.drive);
  assert.equal(misnamedRepositoryFiles(join(c.drive, seed.jobName)), [], 'no partial file under a final name');

  rmSync(filler);
  const rerun = resultOf(await runEngine('drive.prepare', c.params(1)));
  assert.is(rerun.resumed, true);
  assert.is(rerun.state, 'Complete');
  await assertDrivesComplete(c, [rerun]);
});

test('a drive with less free space than planned when the run resumes: it takes what fits and asks for the next drive', async () => {
  const c = await driveCase('less');
  if (c === undefined) return;
  // Stopped as soon as its journal exists: the drive's budget is fixed, little or nothing is copied.
  const killed = await runAndKill('drive.prepare', c.params(1), 60_000, { when: () => existsSync(c.journal) });
  assert.ok(killed.killed, 'the first run was stopped once its journal existed');
  // Another program takes all but 1 MiB: less than a pack still to copy.
  const st = statfsSync(c.drive);
  writeFileSync(join(c.drive, 'other-program-data.bin'), Buffer.alloc(st.bavail * st.bsize - MiB, 1));
  const first = resultOf(await runEngine('drive.prepare', c.params(1)));
  assert.is(first.state, 'NeedsNextDrive');
  assert.ok((first.bytesRemaining as number) > 0);
  const second = resultOf(await runEngine('drive.prepare', c.params(2)));
  assert.is(second.state, 'Complete');
  await assertDrivesComplete(c, [first, second]);
});

test.after(() => {
  for (const dir of mounts) unmount(dir);
  rmSync(work, { recursive: true, force: true });
});
test.run();
