/**
 * Source files that misbehave while they are backed up.
 *
 * Changing while read. What a demanding user expects, and what the engine does: a file that changes
 * during its read is read once more (most changes are one save, so the snapshot then holds a whole
 * version: the new one); if it changes during the second read too, the snapshot holds what that read
 * got, flagged by a warning that names the file and says it may mix old and new content (the next
 * backup reads it again, since its modification time moved). Either way the repository is consistent:
 * restic check --read-data passes and every other file restores exactly.
 *
 * Unreadable (a file and a folder, the engine running as nobody): each is reported as a
 * non-terminating OfflineSeed.SourceUnreadable naming it, the rest is backed up and restores exactly;
 * once readable, the same command stores only what was missing.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { diffTrees, restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';

const MiB = 1024 * 1024;
const work = mkdtempSync('/var/tmp/offlineseed-fault-changing-');

function stageParams(source: string, staging: string): Record<string, unknown> {
  return { sources: [source], stagingPath: staging, jobName: 'fault-changing', storageAccount: 'acct', container: 'seed', password: RESTIC_PASSWORD, packSizeMiB: 4, threads: 1 };
}

function warnings(run: { events: { type: string; level?: unknown; message?: unknown }[] }, level = 'warning'): string[] {
  return run.events.filter((e) => e.type === 'log' && e.level === level).map((e) => String(e.message));
}

async function restoreOf(staging: string, name: string): Promise<string> {
  const target = join(work, name);
  const restore = await runEngine('restore.run', { repository: staging, target, password: RESTIC_PASSWORD });
  assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
  return target;
}

test('a file rewritten all the time while it is read: a warning names it, the snapshot is consistent, the rest restores exactly', async () => {
  const source = join(work, 'busy-source');
  mkdirSync(join(source, 'stable'), { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(join(source, 'stable', `file-${i}.bin`), seededBytes(60 + i, MiB));
  const busy = join(source, 'busy.db');
  writeFileSync(busy, seededBytes(99, 24 * MiB));
  // Another process writes 64 KiB blocks at random places, without pause, until it is stopped.
  const writer = spawn(process.execPath, ['-e', `
    const fs = require('node:fs');
    const fd = fs.openSync(${JSON.stringify(busy)}, 'r+');
    const block = Buffer.alloc(65536);
    for (let n = 0; ; n++) { block.fill(n & 255); fs.writeSync(fd, block, 0, block.length, Math.floor(Math.random() * 383) * 65536); }
  `], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const staging = join(work, 'busy-staging');
    const run = await runEngine('seed.start', stageParams(source, staging));
    assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
    const flagged = warnings(run).filter((m) => m.includes(busy));
    assert.is(flagged.length, 1, `one warning names ${busy}: ${JSON.stringify(warnings(run))}`);
    assert.match(flagged[0]!, /changed while it was read, and again .* may mix old and new content/);
    assert.equal(warnings(run).filter((m) => m.includes('/stable/')), [], 'the stable files are not flagged');
    writer.kill('SIGKILL');
    assert.match(restic(join(staging, 'repository'), 'check', '--read-data'), /no errors were found/);
    const target = await restoreOf(staging, 'busy-restored');
    assert.equal(diffTrees(join(source, 'stable'), join(target, source, 'stable')), [], 'every other file restores exactly');
    assert.is(statSync(join(target, busy)).size, 24 * MiB, 'the flagged file restores at the size that was read');
  } finally {
    writer.kill('SIGKILL');
  }
});

test('a file changed once while it is read: read again, and the snapshot holds its new version exactly (no warning)', async () => {
  const source = join(work, 'once-source');
  mkdirSync(source);
  const file = join(source, 'document.vhdx');
  writeFileSync(file, seededBytes(123, 80 * MiB));
  let changed = false;
  const staging = join(work, 'once-staging');
  const run = await runEngine('seed.start', stageParams(source, staging), {
    onEvent: (event) => {
      // 32 MiB of it were read (progress comes every 32 MiB of a large file): one save, in place, in the
      // part already read, so a single read would hold the old bytes there and the new ones elsewhere.
      if (!changed && event.type === 'progress' && (event.percent as number) > 0 && event.completed !== true) {
        changed = true;
        const fd = openSync(file, 'r+');
        writeSync(fd, seededBytes(456, MiB), 0, MiB, MiB);
        closeSync(fd);
      }
    },
  });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  assert.ok(changed, 'the file was changed during the read');
  assert.equal(warnings(run), [], 'nothing to warn about: the second read was whole');
  assert.ok(warnings(run, 'verbose').some((m) => m.includes(file) && /read it again/.test(m)), 'the engine saw the change and read the file again');
  assert.match(restic(join(staging, 'repository'), 'check', '--read-data'), /no errors were found/);
  const target = await restoreOf(staging, 'once-restored');
  assert.ok(readFileSync(join(target, file)).equals(readFileSync(file)), 'the snapshot holds the new version');
});

test('an unreadable file and folder (engine as nobody): each reported, the rest staged; once readable, the rerun stores what was missing', async () => {
  if (process.getuid?.() !== 0) {
    console.log('  skipped: needs root to run the engine as nobody (as root every file is readable)');
    return;
  }
  const source = join(work, 'locked-source');
  mkdirSync(join(source, 'open'), { recursive: true });
  mkdirSync(join(source, 'closed'), { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(join(source, 'open', `file-${i}.bin`), seededBytes(700 + i, 512 * 1024));
  writeFileSync(join(source, 'closed', 'inside.txt'), 'in a folder nobody may list\n');
  writeFileSync(join(source, 'open', 'secret.bin'), seededBytes(777, 2 * MiB));
  chmodSync(join(source, 'open', 'secret.bin'), 0o000);
  chmodSync(join(source, 'closed'), 0o000);
  chmodSync(work, 0o755);
  const staging = join(work, 'locked-staging');
  mkdirSync(staging);
  chownSync(staging, 65534, 65534);
  const asNobody = { uid: 65534, gid: 65534 };
  const run = await runEngine('seed.start', stageParams(source, staging), asNobody);
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  const skipped = run.errors.filter((e) => e.errorId === 'OfflineSeed.SourceUnreadable');
  assert.equal(skipped.map((e) => String(e.targetObject)).sort(), [join(source, 'closed'), join(source, 'open', 'secret.bin')]);
  assert.ok(skipped.every((e) => e.terminating === false && e.category === 'ReadError' && /EACCES/.test(String(e.message))));
  assert.is(run.results[0]!.skippedPaths, 2);
  assert.match(restic(join(staging, 'repository'), 'check', '--read-data'), /no errors were found/);
  const partial = await restoreOf(staging, 'locked-restored');
  assert.equal(diffTrees(join(source, 'open'), join(partial, source, 'open')), ['missing: secret.bin'], 'everything else restores exactly');

  chmodSync(join(source, 'open', 'secret.bin'), 0o644);
  chmodSync(join(source, 'closed'), 0o755);
  const rerun = await runEngine('seed.start', stageParams(source, staging), asNobody);
  assert.is(rerun.exitCode, 0, JSON.stringify(rerun.errors) + rerun.stderr);
  assert.is(rerun.results[0]!.skippedPaths, 0);
  assert.ok((rerun.results[0]!.bytesStored as number) < 2 * MiB + 256 * 1024, `stored ${String(rerun.results[0]!.bytesStored)} bytes: only what was missing`);
  const full = await restoreOf(staging, 'unlocked-restored');
  assert.equal(diffTrees(source, join(full, source)), []);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
