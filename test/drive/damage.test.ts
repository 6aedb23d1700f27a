/**
 * Damage after preparation, as transport or a careless hand would cause it: one flipped byte in a pack
 * on the drive (found by the block MD5s and by the keyless SHA-256 name check, then repaired by a
 * rerun), a tampered manifest (caught by its hash, rewritten from the journal), a missing file, and a
 * manifest that names another drive.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { bitLockerKey, lastErrorId, resultOf, stageSeed, treeHashes, type StagedSeed } from './fixtures.ts';
import { checkManifestFile } from './manifestRules.ts';

const work = mkdtempSync('/var/tmp/offlineseed-drive-damage-');
const drive = join(work, 'drive');
mkdirSync(drive);
let seed: StagedSeed;
let prepared: Record<string, unknown>;

function params(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { stagingPath: seed.staging, driveRoot: drive, driveId: 'DMG-1', bitLockerKey: bitLockerKey(9), capacityBytes: 1024 ** 3, ...extra };
}

function firstPack(): string {
  const data = join(drive, seed.jobName, 'data');
  const sub = readdirSync(data).sort()[0]!;
  return join(data, sub, readdirSync(join(data, sub)).sort()[0]!);
}

test.before(async () => {
  seed = await stageSeed(work, 'damage', [5_000_000, 3_000_000]);
  prepared = resultOf(await runEngine('drive.prepare', params()));
  assert.is(prepared.state, 'Complete');
});

test('one flipped byte in a pack: drive.verify reports the block MD5 and the keyless name check', async () => {
  const pack = firstPack();
  const bytes = readFileSync(pack);
  const at = Math.floor(bytes.length / 2) + 4_194_304 > bytes.length ? Math.floor(bytes.length / 2) : 4_194_304 + 17;
  bytes[at]! ^= 0x01;
  writeFileSync(pack, bytes);
  const run = await runEngine('drive.verify', { driveRoot: drive, stagingPath: seed.staging, driveId: 'DMG-1' });
  assert.is(run.exitCode, 1);
  assert.is(lastErrorId(run), 'OfflineSeed.DriveVerifyFailed');
  const result = run.results[0]!;
  assert.is(result.ok, false);
  assert.is(result.manifestHashMatches, true);
  const problems = result.problems as { kind: string; file: string; message: string }[];
  const relative = `\\${seed.jobName}\\${pack.slice(join(drive, seed.jobName).length + 1).split('/').join('\\')}`;
  assert.ok(problems.some((p) => p.kind === 'BlockCorrupted' && p.file === relative && p.message.includes(`block ${Math.floor(at / 4_194_304)}`)), JSON.stringify(problems));
  // The keyless check alone (another engine command, no manifest involved) finds it too.
  const keyless = await runEngine('repo.check', { repository: join(drive, seed.jobName), keyless: true });
  assert.is(keyless.exitCode, 1);
  assert.ok((keyless.results[0]!.problems as { kind: string }[]).some((p) => p.kind === 'PackNameMismatch'));
});

test('drive.prepare run again on the damaged drive copies the damaged pack again from staging and verifies it', async () => {
  // The closed drive is verified on every rerun; damaged files are copied again from the staging location.
  const run = await runEngine('drive.prepare', params());
  const result = resultOf(run);
  assert.is(result.alreadyComplete, true);
  assert.ok((result.bytesCopied as number) > 0, 'the damaged pack was copied again');
  assert.is(result.manifestHash, prepared.manifestHash);
  assert.ok(run.events.some((e) => e.type === 'log' && e.level === 'warning' && /failed verification; copying them again/.test(String(e.message))));
  assert.equal([...treeHashes(join(drive, seed.jobName)).entries()].sort(), [...treeHashes(seed.repository).entries()].sort());
  assert.is(resultOf(await runEngine('drive.verify', { driveRoot: drive, stagingPath: seed.staging, driveId: 'DMG-1' })).ok, true);
});

test('a tampered manifest is caught by its hash (drive.verify), and a rerun writes it again from the journal', async () => {
  const manifestPath = join(drive, 'DriveManifest.xml');
  const original = readFileSync(manifestPath, 'utf8');
  writeFileSync(manifestPath, original.replace(/<Length>(\d+)<\/Length>/, (_, n: string) => `<Length>${Number(n) + 1}</Length>`));
  const run = await runEngine('drive.verify', { driveRoot: drive, stagingPath: seed.staging, driveId: 'DMG-1' });
  assert.is(run.exitCode, 1);
  const result = run.results[0]!;
  assert.is(result.manifestHashMatches, false);
  assert.is(result.expectedManifestHash, prepared.manifestHash);
  assert.ok((result.problems as { kind: string }[]).some((p) => p.kind === 'ManifestCorrupted'));
  // Without an expected hash the change is still visible: the file no longer matches its Length.
  const unanchored = await runEngine('drive.verify', { driveRoot: drive });
  assert.is(unanchored.exitCode, 1);
  assert.ok((unanchored.results[0]!.problems as { kind: string }[]).some((p) => p.kind === 'FileLengthMismatch' || p.kind === 'ManifestFormatInvalid'));
  // The job would carry the same manifestHash: a rerun restores exactly the recorded manifest.
  const repaired = resultOf(await runEngine('drive.prepare', params()));
  assert.is(repaired.manifestHash, prepared.manifestHash);
  assert.is(readFileSync(manifestPath, 'utf8'), original);
  assert.equal(checkManifestFile({ driveRoot: drive, driveId: 'DMG-1', containers: ['seed-1'], manifestHash: String(prepared.manifestHash) }).problems, []);
});

test('a manifest given the wrong DriveId is reported as ManifestDriveIdMismatch', async () => {
  const manifestPath = join(drive, 'DriveManifest.xml');
  const original = readFileSync(manifestPath, 'utf8');
  writeFileSync(manifestPath, original.replace('<DriveId>DMG-1</DriveId>', '<DriveId>DMG-2</DriveId>'));
  const run = await runEngine('drive.verify', { driveRoot: drive, driveId: 'DMG-1' });
  assert.is(run.exitCode, 1);
  assert.ok((run.results[0]!.problems as { kind: string }[]).some((p) => p.kind === 'ManifestDriveIdMismatch'));
  writeFileSync(manifestPath, original);
});

test('a file missing from the drive is FileNotFound; a rerun copies it again', async () => {
  const pack = firstPack();
  const size = statSync(pack).size;
  unlinkSync(pack);
  const run = await runEngine('drive.verify', { driveRoot: drive, stagingPath: seed.staging, driveId: 'DMG-1' });
  assert.is(run.exitCode, 1);
  assert.ok((run.results[0]!.problems as { kind: string }[]).some((p) => p.kind === 'FileNotFound'));
  const repaired = resultOf(await runEngine('drive.prepare', params()));
  assert.is(repaired.bytesCopied, size);
  assert.is(resultOf(await runEngine('drive.verify', { driveRoot: drive, stagingPath: seed.staging, driveId: 'DMG-1' })).ok, true);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
