/**
 * Direct I/O in the drive copy: on a file system that takes O_DIRECT the source is read and the drive
 * written and read back directly (whole sectors: each file's last sector is padded, then the file cut
 * to its length); a file system that refuses it (ramfs answers EINVAL) gets buffered I/O, file by file.
 * Either way the drive holds exactly the repository's bytes and the manifest's block MD5s verify.
 * (The refusing file system is the staging location here: ramfs reports no size, so it cannot stand
 * for a drive, whose capacity is checked.)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { resultOf, stageSeed, treeHashes, type StagedSeed } from './fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-drive-direct-');
let seed: StagedSeed;

/** Sizes around sector and block edges: the padded last sector must never reach the drive. */
const SIZES = [4 * 1024 * 1024 + 1, 3_000_017, 8192];

function prepare(seed: StagedSeed, drive: string, driveId: string) {
  return runEngine('drive.prepare', { stagingPath: seed.staging, driveRoot: drive, driveId, capacityBytes: 1024 ** 3 });
}

function sameTree(seed: StagedSeed, drive: string): void {
  assert.equal([...treeHashes(join(drive, seed.jobName)).entries()].sort(), [...treeHashes(seed.repository).entries()].sort());
}

test.before(async () => {
  seed = await stageSeed(work, 'direct', SIZES);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test('a drive that takes O_DIRECT: copied and verified directly, every file exactly its length', async () => {
  const drive = join(work, 'drive-direct');
  mkdirSync(drive);
  const result = resultOf(await prepare(seed, drive, 'DIO-1'));
  assert.is(result.state, 'Complete');
  assert.is(result.verified, true);
  assert.is(result.directRead, true, 'verify read the drive with O_DIRECT (the file system takes it)');
  sameTree(seed, drive);
  const verify = resultOf(await runEngine('drive.verify', { driveRoot: drive, stagingPath: seed.staging, driveId: 'DIO-1' }));
  assert.is(verify.ok, true);
});

test('a staging location that refuses O_DIRECT (ramfs): read buffered, the same bytes and MD5s', async () => {
  const ramfs = join(work, 'ramfs');
  mkdirSync(ramfs);
  try {
    execFileSync('mount', ['-t', 'ramfs', 'ramfs', ramfs], { stdio: 'ignore' });
  } catch {
    console.log('  skipped: mounting a ramfs needs root (mount -t ramfs failed)');
    return;
  }
  try {
    const buffered = await stageSeed(ramfs, 'buffered', SIZES);
    const drive = join(work, 'drive-from-ramfs');
    mkdirSync(drive);
    const result = resultOf(await prepare(buffered, drive, 'DIO-2'));
    assert.is(result.state, 'Complete');
    assert.is(result.verified, true);
    assert.is(result.directRead, true);
    sameTree(buffered, drive);
  } finally {
    execFileSync('umount', [ramfs], { stdio: 'ignore' });
  }
});

test.run();
