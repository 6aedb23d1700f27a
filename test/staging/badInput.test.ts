/** Bad input to seed.start: a stable errorId, the right exit code, and nothing written anywhere. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { RESTIC_PASSWORD } from '../helpers/fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-bad-');
const source = join(work, 'source');
mkdirSync(source);
writeFileSync(join(source, 'a.txt'), 'a');
const good = { sources: [source], stagingPath: join(work, 'staging'), jobName: 'good-job', storageAccount: 'acct01', container: 'seed-1', password: RESTIC_PASSWORD };

const cases: [string, Record<string, unknown>, string, number][] = [
  ['job name with capitals', { jobName: 'Bad-Job' }, 'OfflineSeed.InvalidJobName', 2],
  ['job name starting with a digit', { jobName: '1job' }, 'OfflineSeed.InvalidJobName', 2],
  ['job name with an underscore', { jobName: 'my_job' }, 'OfflineSeed.InvalidJobName', 2],
  ['container with double hyphen', { container: 'seed--x' }, 'OfflineSeed.InvalidContainerName', 2],
  ['container too short', { container: 'ab' }, 'OfflineSeed.InvalidContainerName', 2],
  ['container with capitals', { container: 'Seed' }, 'OfflineSeed.InvalidContainerName', 2],
  ['storage account with a hyphen', { storageAccount: 'my-acct' }, 'OfflineSeed.InvalidStorageAccountName', 2],
  ['prefix with ../', { prefix: 'a/../../etc' }, 'OfflineSeed.InvalidBlobPrefix', 2],
  ['prefix with a backslash', { prefix: 'a\\b' }, 'OfflineSeed.InvalidBlobPrefix', 2],
  ['subscription id not a GUID', { subscriptionId: 'sub-123' }, 'OfflineSeed.InvalidSubscriptionId', 2],
  ['missing source', { sources: [join(work, 'nope')] }, 'OfflineSeed.SourceNotFound', 1],
  ['no password', { password: undefined }, 'OfflineSeed.PasswordRequired', 2],
  ['password and password file', { passwordFile: join(work, 'pw.txt') }, 'OfflineSeed.InvalidRequest', 2],
  ['missing password file', { password: undefined, passwordFile: join(work, 'missing.txt') }, 'OfflineSeed.PasswordFileUnreadable', 1],
  ['staging inside the source', { stagingPath: join(source, 'staging') }, 'OfflineSeed.StagingInsideSource', 2],
  ['pack size out of range', { packSizeMiB: 1024 }, 'OfflineSeed.InvalidRequest', 2],
  ['unknown field', { colour: 'blue' }, 'OfflineSeed.InvalidRequest', 2],
];

for (const [name, change, errorId, exitCode] of cases) {
  test(`seed.start refuses ${name} with ${errorId} and writes nothing`, async () => {
    const params: Record<string, unknown> = { ...good, ...change };
    for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
    const run = await runEngine('seed.start', params);
    assert.is(run.exitCode, exitCode);
    assert.is(run.errors.at(-1)!.errorId, errorId);
    assert.is(run.results.length, 0);
    assert.not.ok(existsSync(String(params.stagingPath)), 'no staging location was created');
    assert.equal(readdirSync(source), ['a.txt']);
    assert.not.match(run.stdout, /at .*\.(ts|js|cjs):\d+/, 'no stack trace on stdout');
  });
}

test('a second seed in the same staging location is refused, and the first is untouched', async () => {
  const staging = join(work, 'shared-staging');
  const first = await runEngine('seed.start', { ...good, stagingPath: staging });
  assert.is(first.exitCode, 0, JSON.stringify(first.errors));
  const second = await runEngine('seed.start', { ...good, stagingPath: staging, jobName: 'other-job' });
  assert.is(second.exitCode, 1);
  assert.is(second.errors.at(-1)!.errorId, 'OfflineSeed.StagingInUse');
  const wrong = await runEngine('seed.start', { ...good, stagingPath: staging, password: 'another password' });
  assert.is(wrong.errors.at(-1)!.errorId, 'OfflineSeed.WrongPassword');
});

test('an unreadable source file is reported as a non-terminating error, the rest is staged', async () => {
  const dir = join(work, 'unreadable');
  mkdirSync(dir);
  writeFileSync(join(dir, 'keep.txt'), 'keep');
  writeFileSync(join(dir, 'secret.txt'), 'secret', { mode: 0o000 });
  const staging = join(work, 'partial-staging');
  // As root every file is readable: run the engine as nobody, with a staging location it may write.
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  if (process.getuid?.() === 0) {
    chmodSync(work, 0o777);
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'keep.txt'), 0o644);
  }
  const run = await runEngine('seed.start', { ...good, sources: [dir], stagingPath: staging }, asNobody);
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  assert.is(run.results[0]!.skippedPaths, 1);
  assert.is(run.results[0]!.files, 1);
  const skipped = run.errors.find((e) => e.errorId === 'OfflineSeed.SourceUnreadable');
  assert.ok(skipped !== undefined && skipped.terminating === false && skipped.category === 'ReadError');
  assert.match(String(skipped.targetObject), /secret\.txt$/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
