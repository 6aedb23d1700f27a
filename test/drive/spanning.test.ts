/**
 * A staged seed spread over three small drives (folders with a declared capacity): the -WhatIf plan,
 * NeedsNextDrive twice then Complete, the union of the drives equals the staged repository (and restic
 * checks it), manifests obey every §3.6 rule, DriveInfo exports, the seed descriptor, idempotent reruns,
 * drive.verify, and no secret anywhere it must not be.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, type EngineRun } from '../helpers/engine.ts';
import { restic, RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { bitLockerKey, filesContaining, lastErrorId, listing, resultOf, stageSeed, treeHashes, type StagedSeed } from './fixtures.ts';
import { checkManifestFile, readXml } from './manifestRules.ts';

const work = mkdtempSync('/var/tmp/offlineseed-span-');
const drives = [1, 2, 3].map((n) => join(work, `drive-${n}`));
for (const d of drives) mkdirSync(d);
const keys = [bitLockerKey(1), bitLockerKey(2), bitLockerKey(3)];
const runs: EngineRun[] = [];
let seed: StagedSeed;
let capacity = 0;
let totalBytes = 0;
const results: Record<string, unknown>[] = [];

function params(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { stagingPath: seed.staging, driveRoot: drives[n - 1], driveId: `WD-SPAN000${n}`, capacityBytes: capacity, bitLockerKey: keys[n - 1], threads: 2, ...extra };
}

async function run(command: string, p: Record<string, unknown>, dryRun = false): Promise<EngineRun> {
  const r = await runEngine(command, p, { dryRun });
  runs.push(r);
  return r;
}

test.before(async () => {
  // One worker: the packs (and so how they fall onto drives of this capacity) are the same on every run.
  seed = await stageSeed(work, 'span', [4_700_000, 3_900_000, 5_100_000, 4_300_000, 4_900_000, 4_100_000], { threads: 1 });
  totalBytes = [...treeHashes(seed.repository).keys()].reduce((n, p) => n + statSync(join(seed.repository, p)).size, 0);
  capacity = Math.ceil(totalBytes / 2.5);
});

test('-WhatIf plans three drives of this capacity, says what goes on each, and writes nothing', async () => {
  const r = await run('drive.prepare', params(1), true);
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  assert.is(r.results.length, 0);
  const plan = r.events.filter((e) => e.type === 'log' && e.level === 'information').map((e) => String(e.message));
  assert.ok(plan.some((m) => /drive 1 \(WD-SPAN0001/.test(m) && /config/.test(m)), plan.join('\n'));
  assert.ok(plan.some((m) => /drive 3 \(the next drive\)/.test(m)), plan.join('\n'));
  assert.ok(plan.some((m) => /3 drive\(s\) in all/.test(m)), plan.join('\n'));
  assert.ok(r.events.some((e) => e.type === 'log' && e.level === 'warning' && /Rehearsal/.test(String(e.message))));
  assert.equal(listing(drives[0]!), []);
  assert.equal(listing(join(seed.staging, 'drives')), []);
});

test('three drives: NeedsNextDrive, NeedsNextDrive, Complete, with progress, bytes remaining and the rehearsal flag', async () => {
  for (let n = 1; n <= 3; n++) {
    const r = await run('drive.prepare', params(n));
    const result = resultOf(r);
    results.push(result);
    assert.is(result.state, n < 3 ? 'NeedsNextDrive' : 'Complete');
    assert.is(result.driveNumber, n);
    assert.is(result.sessionId, seed.jobName);
    assert.is(result.shippable, false);
    assert.is(result.verified, true);
    assert.is(result.manifestFile, '\\DriveManifest.xml');
    assert.match(String(result.manifestHash), /^[0-9A-F]{32}$/);
    assert.is(result.journalPath, join(seed.staging, 'drives', `WD-SPAN000${n}.jrn`));
    assert.ok((result.files as number) > 0);
    const progress = r.events.filter((e) => e.type === 'progress' && e.id === 1);
    assert.ok(progress.some((e) => /files, .* of .*\/s\)/.test(String(e.status))), 'copy progress shows bytes and rate');
    assert.ok(progress.some((e) => (e.secondsRemaining as number) >= 0) || progress.length <= 2, 'an ETA once bytes flowed');
    assert.ok(progress.some((e) => e.completed === true));
  }
  const bytes = results.map((r) => r.bytes as number);
  assert.is(bytes.reduce((a, b) => a + b, 0), totalBytes);
  assert.is(results[0]!.bytesRemaining, bytes[1]! + bytes[2]!);
  assert.is(results[1]!.bytesRemaining, bytes[2]!);
  assert.is(results[2]!.bytesRemaining, 0);
  for (const r of results) assert.ok((r.bytes as number) <= capacity);
});

test('the drives together hold exactly the staged repository, each file once, and restic checks the union', async () => {
  const union = new Map<string, string>();
  for (let n = 1; n <= 3; n++) {
    const sessionFolder = join(drives[n - 1]!, seed.jobName);
    for (const [path, hash] of treeHashes(sessionFolder, [])) {
      assert.not.ok(union.has(path), `${path} is on two drives`);
      union.set(path, hash);
    }
    assert.equal(listing(drives[n - 1]!).filter((p) => !p.startsWith(seed.jobName)), ['DriveManifest.xml'], 'only the session folder and the manifest at the root');
  }
  assert.equal([...union.entries()].sort(), [...treeHashes(seed.repository).entries()].sort());
  const merged = join(work, 'merged');
  for (const d of drives) cpSync(join(d, seed.jobName), merged, { recursive: true });
  assert.match(restic(merged, 'check', '--read-data'), /no errors were found/);
});

test('every manifest obeys every rule of §3.6, maps files to <container>/<prefix>/<path>, and matches its DriveInfo', () => {
  for (let n = 1; n <= 3; n++) {
    const result = results[n - 1]!;
    const { problems, blobs } = checkManifestFile({ driveRoot: drives[n - 1]!, driveId: `WD-SPAN000${n}`, containers: [seed.container], manifestHash: String(result.manifestHash) });
    assert.equal(problems, [], problems.join('\n'));
    assert.is(blobs.length, result.files);
    for (const b of blobs) {
      const rel = b.filePath.split('\\').slice(2).join('/');
      assert.is(b.filePath.split('\\')[1], seed.jobName);
      assert.is(b.blobPath, `${seed.container}/${seed.prefix}/${rel}`);
    }
    const manifest = readXml(readFileSync(join(drives[n - 1]!, 'DriveManifest.xml'), 'utf8'));
    assert.is(manifest.kids[0]!.kids.find((k) => k.name === 'BlobList')!.attrs['Id'], `${seed.jobName}#${n}`);
    const info = readXml(readFileSync(String(result.driveInfoPath), 'utf8'));
    assert.equal(info.kids.map((k) => k.name), ['DriveId', 'BitLockerKey', 'ManifestFile', 'ManifestHash']);
    assert.is(info.kids[0]!.text, `WD-SPAN000${n}`);
    assert.is(info.kids[1]!.text, '', 'no key in the DriveInfo export');
    assert.is(info.kids[1]!.attrs['KeyFile'], result.bitLockerKeyFile);
    assert.is(info.kids[2]!.text, '\\DriveManifest.xml');
    assert.is(info.kids[3]!.text, result.manifestHash);
  }
});

test('the seed descriptor moves to DrivesPrepared and lists the drives', () => {
  const descriptor = JSON.parse(readFileSync(join(seed.staging, 'offlineseed.json'), 'utf8')) as { state: string; drives: { sessionId: string; complete: boolean; drives: { driveId: string; state: string; manifestHash: string; journalPath: string }[] } };
  assert.is(descriptor.state, 'DrivesPrepared');
  assert.is(descriptor.drives.sessionId, seed.jobName);
  assert.is(descriptor.drives.complete, true);
  assert.equal(descriptor.drives.drives.map((d) => [d.driveId, d.state, d.manifestHash]), results.map((r) => [r.driveId, r.state, r.manifestHash]));
  const get = JSON.parse(readFileSync(join(seed.staging, 'drives', `${seed.jobName}.session.json`), 'utf8')) as { complete: boolean; drives: unknown[] };
  assert.is(get.complete, true);
  assert.is(get.drives.length, 3);
});

test('a rerun on a closed drive copies nothing, verifies, and returns the same manifest hash', async () => {
  const manifest = join(drives[1]!, 'DriveManifest.xml');
  const before = statSync(manifest).mtimeMs;
  const files = listing(drives[1]!);
  const r = await run('drive.prepare', params(2));
  const result = resultOf(r);
  assert.is(result.alreadyComplete, true);
  assert.is(result.bytesCopied, 0);
  assert.is(result.manifestHash, results[1]!.manifestHash);
  assert.is(result.state, 'NeedsNextDrive');
  assert.is(statSync(manifest).mtimeMs, before);
  assert.equal(listing(drives[1]!), files);
});

test('a fourth drive is refused: the session is complete', async () => {
  const extra = join(work, 'drive-4');
  mkdirSync(extra);
  const r = await run('drive.prepare', { ...params(1), driveRoot: extra, driveId: 'WD-SPAN0004', bitLockerKey: bitLockerKey(4) });
  assert.is(r.exitCode, 1);
  assert.is(lastErrorId(r), 'OfflineSeed.SessionComplete');
  assert.equal(listing(extra), []);
});

test('drive.verify checks each drive from its journal: manifest hash, blocks, keyless names', async () => {
  for (let n = 1; n <= 3; n++) {
    const r = await run('drive.verify', { driveRoot: drives[n - 1], stagingPath: seed.staging, driveId: `WD-SPAN000${n}` });
    const result = resultOf(r);
    assert.is(result.ok, true);
    assert.is(result.manifestHashMatches, true);
    assert.is(result.keyless, true);
    assert.is(result.files, results[n - 1]!.files);
  }
});

test('the keys live only in owner-only key files (and where includeBitLockerKeyPath asks); no secret on a drive or in any output', async () => {
  const exported = join(work, 'export', 'drive-1-with-key.xml');
  const r = await run('drive.prepare', { ...params(1), includeBitLockerKeyPath: exported });
  resultOf(r);
  const withKey = readXml(readFileSync(exported, 'utf8'));
  assert.is(withKey.kids[1]!.text, keys[0]);
  assert.is(statSync(exported).mode & 0o777, 0o600);
  for (let n = 1; n <= 3; n++) {
    const keyFile = String(results[n - 1]!.bitLockerKeyFile);
    assert.is(readFileSync(keyFile, 'utf8').trim(), keys[n - 1]);
    assert.is(statSync(keyFile).mode & 0o777, 0o600);
  }
  const secrets = [...keys, RESTIC_PASSWORD];
  assert.equal(filesContaining(drives, secrets), [], 'secrets on a drive');
  const besideJournals = filesContaining([join(seed.staging, 'drives')], secrets).map((p) => p.replace(/^.*\//, '')).sort();
  assert.equal(besideJournals, ['WD-SPAN0001_BitLockerKey.txt', 'WD-SPAN0002_BitLockerKey.txt', 'WD-SPAN0003_BitLockerKey.txt']);
  for (const r2 of runs) {
    for (const s of secrets) {
      assert.not.ok(r2.stdout.includes(s), 'a secret in the engine output');
      assert.not.ok(r2.stderr.includes(s), 'a secret on stderr');
    }
  }
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
