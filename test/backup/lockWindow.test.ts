/**
 * backup.run walks and reads while its lock settles (restic's wait for competing locks), but stores
 * nothing before the lock is confirmed. The settle window is stretched to 4 s (OFFLINESEED_LOCK_SETTLE_MS)
 * so the walk, the reading and everything after it would have long finished; an exclusive lock of a live
 * process appears 2.5 s into the window. The run fails with OfflineSeed.RepositoryLocked and the
 * repository is exactly as before (no pack, index, snapshot, pending marker, nor its own lock). Once the
 * other lock is gone, the same backup succeeds and restic check --read-data passes.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, startEngine } from '../helpers/engine.ts';
import { lastErrorId } from '../drive/fixtures.ts';
import { restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { LocalBackend } from '../../engine/repo/backend/localBackend.ts';
import { encodeLock } from '../../engine/repo/format/lockFile.ts';
import { rfc3339Now } from '../../engine/repo/format/timestamp.ts';
import { Repository } from '../../engine/repo/repository.ts';

const MiB = 1024 * 1024;
const work = mkdtempSync('/var/tmp/offlineseed-lockwindow-');
const source = join(work, 'source');
const staging = join(work, 'staging');
const repository = join(staging, 'repository');

/** Every file under the repository except the temporary folder, as relative paths. */
function repositoryFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.offlineseed-tmp' && rel === '') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${rel}${entry.name}/`);
      else out.push(`${rel}${entry.name}`);
    }
  };
  walk(repository, '');
  return out.sort();
}

test.before(async () => {
  mkdirSync(source, { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(join(source, `old-${i}.bin`), seededBytes(700 + i, MiB));
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'lock-window', storageAccount: 'lockwindowacct', container: 'seed', password: RESTIC_PASSWORD });
  if (stage.exitCode !== 0) throw new Error(JSON.stringify(stage.errors));
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test('nothing is stored before the lock is confirmed; a lock that shows up in the window fails the run', async () => {
  writeFileSync(join(source, 'new.bin'), seededBytes(710, 3 * MiB));
  writeFileSync(join(source, 'small.txt'), 'small new file\n');
  const before = repositoryFiles();
  const repo = await Repository.open(new LocalBackend(repository), RESTIC_PASSWORD);
  const locks = join(repository, 'locks');
  let conflicting: Promise<string> | undefined;
  const watcher = watch(locks, () => {
    if (conflicting !== undefined || readdirSync(locks).length === 0) return;
    // The run's own lock is in place: well inside its window, a check or prune of another process locks exclusively.
    conflicting = new Promise((resolve, reject) => setTimeout(() => {
      repo.saveUnpacked('locks', encodeLock({ time: rfc3339Now(), exclusive: true, hostname: hostname(), username: 'test', pid: process.pid })).then(resolve, reject);
    }, 2500));
  });
  let run;
  try {
    run = await startEngine('backup.run', { repository: staging, stagingPath: staging, password: RESTIC_PASSWORD }, { env: { OFFLINESEED_LOCK_SETTLE_MS: '4000' } }).finished;
  } finally {
    watcher.close();
  }
  assert.ok(conflicting !== undefined, 'the run never took its lock');
  const otherLock = await conflicting!;
  assert.is(run.exitCode, 1, run.stdout);
  assert.is(lastErrorId(run), 'OfflineSeed.RepositoryLocked', JSON.stringify(run.errors));
  assert.equal(repositoryFiles(), [...before, `locks/${otherLock}`].sort(), 'the repository changed although the lock was never confirmed');

  rmSync(join(locks, otherLock), { force: true });
  const again = await runEngine('backup.run', { repository: staging, stagingPath: staging, password: RESTIC_PASSWORD });
  assert.is(again.exitCode, 0, JSON.stringify(again.errors));
  assert.is(again.results[0]?.filesNew, 2);
  assert.ok(!existsSync(join(repository, '.offlineseed-pending')) || readdirSync(join(repository, '.offlineseed-pending')).length === 0);
  assert.match(restic(repository, 'check', '--read-data'), /no errors were found/);
});

test.run();
