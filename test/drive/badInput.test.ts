/**
 * Bad input to drive.prepare: a stable errorId, the right exit code, a message that names the problem
 * (never a secret), and nothing written: not on the drive, not beside the journals, not in the seed.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, startEngine } from '../helpers/engine.ts';
import { bitLockerKey, lastErrorId, listing, MiB, resultOf, stageSeed, treeHashes, type StagedSeed } from './fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-drive-bad-');
let seed: StagedSeed;
let drive: string;
let repositoryBefore: [string, string][];
let descriptorBefore: string;

test.before(async () => {
  seed = await stageSeed(work, 'bad', [2_000_000]);
  drive = join(work, 'drive');
  mkdirSync(drive);
  repositoryBefore = [...treeHashes(seed.repository).entries()].sort();
  descriptorBefore = readFileSync(join(seed.staging, 'offlineseed.json'), 'utf8');
});

function good(): Record<string, unknown> {
  return { stagingPath: seed.staging, driveRoot: drive, driveId: 'BAD-1', capacityBytes: 100 * MiB, bitLockerKey: bitLockerKey(5) };
}

function assertNothingWritten(driveRoot = drive): void {
  assert.equal(listing(driveRoot).filter((p) => p !== 'keep.txt'), [], 'the drive is untouched');
  assert.not.ok(existsSync(join(seed.staging, 'drives')), 'no journal, session or key file');
  assert.equal([...treeHashes(seed.repository).entries()].sort(), repositoryBefore);
  assert.is(readFileSync(join(seed.staging, 'offlineseed.json'), 'utf8'), descriptorBefore);
}

const key = bitLockerKey(5);
const groups = key.split('-');
const cases: [string, () => Record<string, unknown>, string, number][] = [
  ['a missing staging location', () => ({ stagingPath: join(work, 'nope') }), 'OfflineSeed.StagingNotFound', 1],
  ['a staging location without a seed', () => ({ stagingPath: work }), 'OfflineSeed.SeedNotFound', 1],
  ['a missing drive root', () => ({ driveRoot: join(work, 'no-drive') }), 'OfflineSeed.DriveNotFound', 1],
  ['a space in the drive id', () => ({ driveId: 'WD 1234' }), 'OfflineSeed.InvalidDriveId', 2],
  ['a tab in the drive id', () => ({ driveId: 'WD\t1234' }), 'OfflineSeed.InvalidDriveId', 2],
  ['an empty drive id', () => ({ driveId: '' }), 'OfflineSeed.InvalidDriveId', 2],
  ['a slash in the drive id', () => ({ driveId: 'WD/1234' }), 'OfflineSeed.InvalidDriveId', 2],
  ['a drive id of 65 characters', () => ({ driveId: 'D'.repeat(65) }), 'OfflineSeed.InvalidDriveId', 2],
  ['a session id of 31 characters', () => ({ sessionId: 's'.repeat(31) }), 'OfflineSeed.InvalidSessionId', 2],
  ['a session id of 2 characters', () => ({ sessionId: 'ab' }), 'OfflineSeed.InvalidSessionId', 2],
  ['a session id with a dot', () => ({ sessionId: 'seed.1' }), 'OfflineSeed.InvalidSessionId', 2],
  ['a BitLocker key of seven groups', () => ({ bitLockerKey: groups.slice(0, 7).join('-') }), 'OfflineSeed.InvalidBitLockerKey', 2],
  ['a BitLocker key with a five-digit group', () => ({ bitLockerKey: [...groups.slice(0, 7), '12345'].join('-') }), 'OfflineSeed.InvalidBitLockerKey', 2],
  ['a BitLocker key group that is not a multiple of 11', () => ({ bitLockerKey: [String(Number(groups[0]) + 1).padStart(6, '0'), ...groups.slice(1)].join('-') }), 'OfflineSeed.InvalidBitLockerKey', 2],
  ['a BitLocker key group of 720896 or more', () => ({ bitLockerKey: ['720907', ...groups.slice(1)].join('-') }), 'OfflineSeed.InvalidBitLockerKey', 2],
  ['a BitLocker key without hyphens', () => ({ bitLockerKey: groups.join('') }), 'OfflineSeed.InvalidBitLockerKey', 2],
  ['a BitLocker key with letters', () => ({ bitLockerKey: ['abcdef', ...groups.slice(1)].join('-') }), 'OfflineSeed.InvalidBitLockerKey', 2],
  ['a BitLocker key with spaces', () => ({ bitLockerKey: groups.join(' - ') }), 'OfflineSeed.InvalidBitLockerKey', 2],
  ['a journal on the drive', () => ({ journalPath: join(drive, 'j.jrn') }), 'OfflineSeed.JournalOnDrive', 2],
  ['the key export on the drive', () => ({ includeBitLockerKeyPath: join(drive, 'info.xml') }), 'OfflineSeed.KeyOnDrive', 2],
  ['a key export without a key', () => ({ bitLockerKey: undefined, includeBitLockerKeyPath: join(work, 'info.xml') }), 'OfflineSeed.BitLockerKeyRequired', 2],
  ['a drive inside the staging location', () => ({ driveRoot: seed.repository }), 'OfflineSeed.DriveOverlapsSource', 2],
  ['both stagingPath and source', () => ({ source: seed.source }), 'OfflineSeed.InvalidRequest', 2],
  ['a blob type for a seed', () => ({ blobType: 'PageBlob' }), 'OfflineSeed.InvalidRequest', 2],
  ['a source without a journal path', () => ({ stagingPath: undefined, source: seed.source, destination: 'data/', sessionId: 'imp-1' }), 'OfflineSeed.JournalPathRequired', 2],
  ['a source without a session id', () => ({ stagingPath: undefined, source: seed.source, destination: 'data/', journalPath: join(work, 'j', 'a.jrn') }), 'OfflineSeed.SessionIdRequired', 2],
  ['a capacity of zero', () => ({ capacityBytes: 0 }), 'OfflineSeed.InvalidRequest', 2],
  ['an unknown parameter', () => ({ colour: 'blue' }), 'OfflineSeed.InvalidRequest', 2],
  ['a capacity too small for a pack', () => ({ capacityBytes: 1 * MiB }), 'OfflineSeed.FileLargerThanDrive', 1],
];

for (const [what, change, errorId, exitCode] of cases) {
  test(`${what}: ${errorId}, exit ${exitCode}, nothing written`, async () => {
    const params: Record<string, unknown> = { ...good(), ...change() };
    for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
    const run = await runEngine('drive.prepare', params);
    assert.is(run.exitCode, exitCode, JSON.stringify(run.errors));
    assert.is(lastErrorId(run), errorId);
    assert.is(run.results.length, 0);
    assert.not.ok(run.stdout.includes(String(params.bitLockerKey ?? 'no key given')), 'the key is never echoed');
    assert.not.match(run.stdout, /at .*\.(ts|js|cjs):\d+/, 'no stack trace');
    assertNothingWritten();
  });
}

test('a seed still being staged is refused with OfflineSeed.SeedNotStaged', async () => {
  const staging = join(work, 'staging-in-progress');
  cpSync(seed.staging, staging, { recursive: true });
  const descriptor = JSON.parse(readFileSync(join(staging, 'offlineseed.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(staging, 'offlineseed.json'), JSON.stringify({ ...descriptor, state: 'Staging' }));
  const run = await runEngine('drive.prepare', { ...good(), stagingPath: staging });
  assert.is(lastErrorId(run), 'OfflineSeed.SeedNotStaged');
  assert.not.ok(existsSync(join(staging, 'drives')));
  assertNothingWritten();
});

test('a drive that is not empty is refused without force; system folders do not count; with force the data goes beside', async () => {
  const busy = join(work, 'busy-drive');
  mkdirSync(join(busy, 'System Volume Information'), { recursive: true });
  mkdirSync(join(busy, '$RECYCLE.BIN'));
  writeFileSync(join(busy, 'keep.txt'), 'user data');
  const run = await runEngine('drive.prepare', { ...good(), driveRoot: busy });
  assert.is(run.exitCode, 1);
  assert.is(lastErrorId(run), 'OfflineSeed.DriveNotEmpty');
  assert.match(String(run.errors.at(-1)!.message), /keep\.txt/);
  assert.not.match(String(run.errors.at(-1)!.message), /System Volume|RECYCLE/);
  assert.equal(listing(busy), ['$RECYCLE.BIN/', 'System Volume Information/', 'keep.txt']);
  assertNothingWritten();
  const forced = resultOf(await runEngine('drive.prepare', { ...good(), driveRoot: busy, force: true, stagingPath: copyOfSeed('forced') }));
  assert.is(forced.state, 'Complete');
  assert.is(readFileSync(join(busy, 'keep.txt'), 'utf8'), 'user data');
});

test('a source with a bad file name, onto a drive that is not empty: the listing\'s error comes first, nothing written', async () => {
  // The session and drive checks run while the source is listed; the listing's errors still win.
  const source = join(work, 'bad-name-source');
  mkdirSync(source);
  writeFileSync(join(source, 'ok.txt'), 'x');
  writeFileSync(join(source, 'a:b.txt'), 'x');
  const busy = join(work, 'bad-name-drive');
  mkdirSync(busy);
  writeFileSync(join(busy, 'keep.txt'), 'user data');
  const journals = join(work, 'bad-name-journals');
  const run = await runEngine('drive.prepare', { source, destination: 'photos/', sessionId: 'bad-name', journalPath: join(journals, 'B-1.jrn'), driveRoot: busy, driveId: 'B-1' });
  assert.is(run.exitCode, 2, JSON.stringify(run.errors));
  assert.is(lastErrorId(run), 'OfflineSeed.InvalidFileName');
  assert.equal(listing(busy), ['keep.txt']);
  assert.not.ok(existsSync(journals), 'no journal, session or lock');
  // With the name fixed, the drive check speaks.
  rmSync(join(source, 'a:b.txt'));
  const next = await runEngine('drive.prepare', { source, destination: 'photos/', sessionId: 'bad-name', journalPath: join(journals, 'B-1.jrn'), driveRoot: busy, driveId: 'B-1' });
  assert.is(lastErrorId(next), 'OfflineSeed.DriveNotEmpty');
  assert.not.ok(existsSync(journals));
});

function copyOfSeed(name: string): string {
  const staging = join(work, `${name}-staging`);
  cpSync(seed.staging, staging, { recursive: true });
  return staging;
}

test('an 11th drive is refused with OfflineSeed.TooManyDrives; -WhatIf warns when a plan needs more than 10', async () => {
  const source = join(work, 'eleven');
  mkdirSync(source);
  for (let i = 0; i < 12; i++) writeFileSync(join(source, `f${String(i).padStart(2, '0')}.bin`), Buffer.alloc(1 * MiB, i));
  const journals = join(work, 'eleven-journals');
  const base = { source, destination: 'many/', sessionId: 'eleven', capacityBytes: 1.5 * MiB };
  const first = join(work, 'eleven-1');
  mkdirSync(first);
  const plan = await runEngine('drive.prepare', { ...base, driveRoot: first, driveId: 'E-1', journalPath: join(journals, 'E-1.jrn') }, { dryRun: true });
  assert.ok(plan.events.some((e) => e.type === 'log' && /12 drive\(s\) in all .*more than the 10/.test(String(e.message))), JSON.stringify(plan.events));
  for (let n = 1; n <= 10; n++) {
    const root = join(work, `eleven-${n}`);
    mkdirSync(root, { recursive: true });
    const r = resultOf(await runEngine('drive.prepare', { ...base, driveRoot: root, driveId: `E-${n}`, journalPath: join(journals, `E-${n}.jrn`), verify: false }));
    assert.is(r.state, 'NeedsNextDrive');
    assert.is(r.files, 1);
  }
  const eleventh = join(work, 'eleven-11');
  mkdirSync(eleventh);
  const run = await runEngine('drive.prepare', { ...base, driveRoot: eleventh, driveId: 'E-11', journalPath: join(journals, 'E-11.jrn') });
  assert.is(run.exitCode, 1);
  assert.is(lastErrorId(run), 'OfflineSeed.TooManyDrives');
  assert.equal(listing(eleventh), []);
  assert.not.ok(existsSync(join(journals, 'E-11.jrn')));
});

test('the next drive while one is unfinished, the same physical drive again, and another key for a drive are refused', async () => {
  const staging = copyOfSeed('order');
  const d1 = join(work, 'order-1');
  const d2 = join(work, 'order-2');
  mkdirSync(d1);
  mkdirSync(d2);
  // Room for the largest pack and a small manifest only: the session needs two drives.
  const largest = Math.max(...[...treeHashes(join(staging, 'repository')).keys()].map((p) => statSync(join(staging, 'repository', p)).size));
  const base = { stagingPath: staging, capacityBytes: Math.ceil(largest / 4096) * 4096 + 1024 + 3 * 4096, bitLockerKey: bitLockerKey(11) };
  // Drive 1 killed as soon as its journal exists: it stays the session's open drive.
  const started = startEngine('drive.prepare', { ...base, driveRoot: d1, driveId: 'ORD-1' });
  const journal = join(staging, 'drives', 'ORD-1.jrn');
  const poll = setInterval(() => {
    if (existsSync(journal)) started.child.kill('SIGKILL');
  }, 1);
  await started.finished;
  clearInterval(poll);
  const next = await runEngine('drive.prepare', { ...base, driveRoot: d2, driveId: 'ORD-2', bitLockerKey: bitLockerKey(12) });
  assert.is(lastErrorId(next), 'OfflineSeed.DriveInProgress');
  assert.equal(listing(d2), []);
  const otherKey = await runEngine('drive.prepare', { ...base, driveRoot: d1, driveId: 'ORD-1', bitLockerKey: bitLockerKey(13) });
  assert.is(lastErrorId(otherKey), 'OfflineSeed.BitLockerKeyMismatch');
  const r1 = resultOf(await runEngine('drive.prepare', { ...base, driveRoot: d1, driveId: 'ORD-1' }));
  assert.is(r1.state, 'NeedsNextDrive');
  const sameDrive = await runEngine('drive.prepare', { ...base, driveRoot: d1, driveId: 'ORD-2', bitLockerKey: bitLockerKey(12) });
  assert.is(lastErrorId(sameDrive), 'OfflineSeed.DriveAlreadyUsed');
  const mismatch = await runEngine('drive.prepare', { ...base, driveRoot: d2, driveId: 'ORD-2', sessionId: 'another-session', bitLockerKey: bitLockerKey(12) });
  assert.is(lastErrorId(mismatch), 'OfflineSeed.SeedSessionMismatch');
  assert.equal(listing(d2), []);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
