/**
 * Restore sets each file's owner, mode and times either on the open file right after its last write (a
 * file one pack request writes entirely) or by path at the end (a file whose blobs span requests), and
 * folders' last, synchronously. All must give back exactly the source's content, modes and mtimes,
 * read-only files included; and small files must take the first way, which strace shows as fchmod calls
 * instead of chmod by path.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { engineCommand, runEngine } from '../helpers/engine.ts';
import { diffTrees, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-restore-meta-');
const source = join(work, 'source');
const staging = join(work, 'staging');
const SMALL_FILES = 240;
const MODES = [0o644, 0o600, 0o755, 0o400, 0o444, 0o640];
const root = process.geteuid?.() === 0;

function makeSource(): void {
  for (let d = 0; d < 4; d++) mkdirSync(join(source, `dir${d}`), { recursive: true });
  for (let i = 0; i < SMALL_FILES; i++) {
    const path = join(source, `dir${i % 4}`, `small-${i}.bin`);
    writeFileSync(path, seededBytes(i + 1, 1000 + i * 37));
    chmodSync(path, MODES[i % MODES.length]!);
    utimesSync(path, 1_600_000_000 + i + 0.25, 1_500_000_000 + i * 3 + 0.5);
    if (root && i % 5 === 0) chownSync(path, 1234, 2345);
  }
  // Blobs in several 4 MiB packs: its metadata is set by path once every blob is written.
  const large = join(source, 'large.bin');
  writeFileSync(large, seededBytes(99, 11 * 1024 * 1024));
  chmodSync(large, 0o400);
  utimesSync(large, 1_650_000_000.125, 1_550_000_000.75);
  // The same 2 MiB twice: the same blob goes to two places in one file.
  const block = seededBytes(7, 2 * 1024 * 1024);
  const twice = join(source, 'twice.bin');
  writeFileSync(twice, Buffer.concat([block, block]));
  chmodSync(twice, 0o750);
  utimesSync(twice, 1_650_000_001, 1_550_000_001.5);
  // Folders last (writing into one changes its mtime); one the owner alone may enter.
  for (let d = 0; d < 4; d++) utimesSync(join(source, `dir${d}`), 1_400_000_000 + d, 1_300_000_000 + d * 7 + 0.125);
  chmodSync(join(source, 'dir3'), 0o700);
}

function hasStrace(): boolean {
  return spawnSync('strace', ['-V']).status === 0;
}

makeSource();

test('staging the source', async () => {
  const run = await runEngine('seed.start', {
    sources: [source], stagingPath: staging, jobName: 'restore-meta', storageAccount: 'seedaccount', container: 'seed',
    password: RESTIC_PASSWORD, packSizeMiB: 4,
  });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
});

test('restore gives back content, modes and mtimes of every file, owners too when root', async () => {
  const target = join(work, 'restored');
  const run = await runEngine('restore.run', { repository: staging, target, password: RESTIC_PASSWORD });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  const restored = join(target, source);
  assert.equal(diffTrees(source, restored, { dirTimes: true }), []);
  assert.equal(statSync(join(restored, 'large.bin')).mode & 0o7777, 0o400);
  assert.equal(statSync(join(restored, 'dir3')).mode & 0o7777, 0o700);
  assert.ok(readFileSync(join(restored, 'twice.bin')).equals(readFileSync(join(source, 'twice.bin'))));
  if (root) {
    for (let i = 0; i < SMALL_FILES; i += 5) {
      const st = statSync(join(restored, `dir${i % 4}`, `small-${i}.bin`));
      assert.equal([st.uid, st.gid], [1234, 2345], `owner of small-${i}.bin`);
    }
  }
});

test('small files get their metadata through the open file, not three calls by path each', () => {
  if (!hasStrace()) {
    console.log('  skipped: strace is not installed (Debian package strace)');
    return;
  }
  const target = join(work, 'traced');
  const counts = join(work, 'strace.txt');
  const { file, args } = engineCommand();
  execFileSync('strace', ['-f', '-c', '-o', counts, '-e', 'trace=chmod,fchmod,fchmodat', file, ...args, 'restore', 'run', '--repo', staging, '--target', target], {
    env: { ...process.env, OFFLINESEED_PASSWORD: RESTIC_PASSWORD },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall
  const rows = readFileSync(counts, 'utf8').split('\n').map((line) => line.trim().split(/\s+/)).filter((cols) => cols.length >= 5 && /^\d/.test(cols[0]!));
  const calls = (name: string): number => Number(rows.find((cols) => cols.at(-1) === name)?.[3] ?? 0);
  assert.ok(calls('fchmod') >= SMALL_FILES, `fchmod ${calls('fchmod')} for ${SMALL_FILES} small files`);
  assert.ok(calls('chmod') + calls('fchmodat') < 20, `chmod by path ${calls('chmod') + calls('fchmodat')} (folders and the large file only)`);
  assert.equal(diffTrees(source, join(target, source)), []);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
