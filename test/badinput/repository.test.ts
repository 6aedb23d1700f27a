/**
 * Bad input that needs a real repository: a wrong password, a truncated pack, a tampered index, a
 * password file that is empty or a folder. Each command that reads the repository stops with its
 * stable errorId and exit code, and nothing is written: the repository, offlineseed.json and the
 * journals are byte for byte and time for time as before, no lock and no temp file is left (a lock
 * taken and released, or a temp file removed, only touches a folder's time, which is not compared).
 * A restore into a target stops at the damaged pack; what it restored before stays, nothing else.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { bitLockerKey, MiB, stageSeed, type StagedSeed } from '../drive/fixtures.ts';
import { CONCURRENCY, OFFLINE_ENV, pool, refusalProblems, request, runRaw, snapshot, snapshotChanges, type EntryState } from './harness.ts';

const work = mkdtempSync('/var/tmp/offlineseed-badinput-repo-');
const WRONG = 'not the password of this repository';
const azureAccess = { storageAccountKey: Buffer.from('not a real key').toString('base64') };
let seed: StagedSeed;
let truncated: string;
let tampered: string;
let emptyPasswordFile: string;

type Params = Record<string, unknown>;
interface RepoCase { command: string; what: string; params: () => Params; errorId: string | RegExp; exitCode: number; mayWrite?: (key: string) => boolean }

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(join(dir, f)).isFile()).map((f) => join(dir, f));
}

function copyOf(name: string): string {
  const staging = join(work, `${name}-staging`);
  cpSync(seed.staging, staging, { recursive: true });
  return staging;
}

const cases: RepoCase[] = [];
function wrongPassword(command: string, params: () => Params): void {
  cases.push({ command, what: 'a wrong password', params, errorId: 'OfflineSeed.WrongPassword', exitCode: 1 });
}

wrongPassword('repo.check', () => ({ repository: seed.staging, password: WRONG }));
wrongPassword('snapshot.list', () => ({ repository: seed.staging, password: WRONG }));
wrongPassword('restore.run', () => ({ repository: seed.staging, target: join(work, 'wrong-target'), password: WRONG }));
wrongPassword('backup.run', () => ({ repository: seed.staging, stagingPath: seed.staging, password: WRONG }));
wrongPassword('seed.start', () => ({ sources: [seed.source], stagingPath: seed.staging, jobName: seed.jobName, storageAccount: 'acct01', container: seed.container, prefix: seed.prefix, password: WRONG }));
// Checked on the staged copy before the container is touched (the service is unreachable here).
wrongPassword('seed.complete', () => ({ stagingPath: seed.staging, force: true, password: WRONG, ...azureAccess }));
cases.push(
  { command: 'repo.check', what: 'an empty password file', params: () => ({ repository: seed.staging, passwordFile: emptyPasswordFile }), errorId: 'OfflineSeed.PasswordFileEmpty', exitCode: 2 },
  { command: 'restore.run', what: 'a password file that is a folder', params: () => ({ repository: seed.staging, target: join(work, 'folder-target'), passwordFile: work }), errorId: 'OfflineSeed.PasswordFileUnreadable', exitCode: 1 },
  { command: 'backup.run', what: 'no password at all', params: () => ({ repository: seed.staging, stagingPath: seed.staging }), errorId: 'OfflineSeed.PasswordRequired', exitCode: 2 },
  { command: 'repo.check', what: 'a truncated pack', params: () => ({ repository: truncated, password: RESTIC_PASSWORD }), errorId: 'OfflineSeed.CheckFailed', exitCode: 1 },
  { command: 'repo.check', what: 'a truncated pack, reading the data', params: () => ({ repository: truncated, password: RESTIC_PASSWORD, readData: true }), errorId: 'OfflineSeed.CheckFailed', exitCode: 1 },
  { command: 'restore.run', what: 'a truncated pack', params: () => ({ repository: truncated, target: join(work, 'truncated-target'), password: RESTIC_PASSWORD }), errorId: 'OfflineSeed.BlobCorrupt', exitCode: 1, mayWrite: (key) => key.includes(':truncated-target') },
  {
    // Found by the pack trailer check as the pack is read, before it is written. The pack's bytes are
    // new random ones each run, and a cut pack ends in a plausible header length about once in 3000 at
    // this size: then the verification finds it, as DriveVerifyFailed. Either way the drive keeps only
    // what was copied before, and the run fails with a stable id.
    command: 'drive.prepare', what: 'a truncated pack (refused before it is written, the drive keeps what was copied)',
    params: () => ({ stagingPath: truncated, driveRoot: join(work, 'truncated-drive'), driveId: 'TRUNC-1', capacityBytes: 100 * MiB, bitLockerKey: bitLockerKey(41) }),
    errorId: /^OfflineSeed\.(PackCorrupt|DriveVerifyFailed)$/, exitCode: 1,
    mayWrite: (key) => key.includes(':truncated-drive') || key.includes(':truncated-staging/drives') || key === `${work}:truncated-staging/offlineseed.json`,
  },
  { command: 'repo.check', what: 'a tampered index', params: () => ({ repository: tampered, password: RESTIC_PASSWORD }), errorId: 'OfflineSeed.CheckFailed', exitCode: 1 },
  { command: 'restore.run', what: 'a tampered index', params: () => ({ repository: tampered, target: join(work, 'tampered-target'), password: RESTIC_PASSWORD }), errorId: 'OfflineSeed.FileCorrupt', exitCode: 1 },
  { command: 'backup.run', what: 'a tampered index', params: () => ({ repository: tampered, stagingPath: tampered, password: RESTIC_PASSWORD }), errorId: 'OfflineSeed.FileCorrupt', exitCode: 1 },
);

const failures: string[] = [];
let unexpectedWrites: string[] = [];

/** Folder times change when a lock or temp file comes and goes; what must not change is every file and the set of entries. */
function withoutFolderTimes(s: Map<string, EntryState>): Map<string, EntryState> {
  return new Map([...s].map(([k, v]) => [k, v.kind === 'dir' ? { ...v, mtimeMs: 0 } : v]));
}

test.before(async () => {
  seed = await stageSeed(work, 'repo', [3_000_000, 2_000_000]);
  truncated = copyOf('truncated');
  const packs = filesUnder(join(truncated, 'repository', 'data')).sort((a, b) => statSync(b).size - statSync(a).size);
  truncateSync(packs[0]!, Math.floor(statSync(packs[0]!).size / 2));
  tampered = copyOf('tampered');
  const index = filesUnder(join(tampered, 'repository', 'index'))[0]!;
  const bytes = readFileSync(index);
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(index, bytes);
  emptyPasswordFile = join(work, 'empty-password.txt');
  writeFileSync(emptyPasswordFile, '\n');
  mkdirSync(join(work, 'truncated-drive'));
  const before = withoutFolderTimes(snapshot([work]));
  await pool(cases, CONCURRENCY, async (c) => {
    const run = await runRaw(request(c.command, c.params()), { env: OFFLINE_ENV, command: c.command, timeoutMs: 120_000 });
    // repo.check reports what it found as its result, then fails.
    const problems = refusalProblems(run, { exitCode: c.exitCode, errorId: c.errorId, resultAllowed: c.errorId === 'OfflineSeed.CheckFailed' });
    if (run.stdout.includes(WRONG) || run.stdout.includes(RESTIC_PASSWORD)) problems.push('a password was printed');
    if (problems.length > 0) failures.push(`${c.command}: ${c.what}: ${problems.join('; ')}`);
  });
  const mayWrite = (key: string): boolean => cases.some((c) => c.mayWrite?.(key) === true);
  unexpectedWrites = snapshotChanges(before, withoutFolderTimes(snapshot([work]))).filter((line) => !mayWrite(line.replace(/^(added|changed|removed) /, '').replace(/ \(.*\)$/, '')));
});

test('a wrong password, a truncated pack, a tampered index: each command stops with its errorId, one error, no stack trace', () => {
  assert.equal(failures, []);
});

test('nothing written: repository, descriptor, journals, no lock or temp file left, no restore target for a wrong password', () => {
  assert.equal(unexpectedWrites, []);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
