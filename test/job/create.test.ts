/**
 * job.create's refusals and choices: drives not (all) prepared, more than ten drives, a drive id twice,
 * a different drive set for an existing job; the return details from parameters or the profile; the
 * ship-to site through alternateLocations; and the service's own validations of §6 (job name, storage
 * account, location, BitLocker key), which the engine surfaces with the service's code and message.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { startWorld, type World } from '../world/world.ts';
import {
  coordinates, createParams, descriptor, editDescriptor, fabricateDrives, jobRunner, lastError, logs, MiB, OutputLog, prepareSeed, readJson, RETURN_ADDRESS,
  RETURN_SHIPPING, type PreparedSeed,
} from './fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-job-create-');
const out = new OutputLog();
let world: World;
let run: ReturnType<typeof jobRunner>;
let seed: PreparedSeed;
const fabricatedKeys: string[] = [];

function puts(): number {
  return world.emulator.requests.filter((r) => r.method === 'PUT').length;
}

test.before(async () => {
  world = await startWorld();
  run = jobRunner(world, work, out);
  seed = await prepareSeed(world, work, 'plain');
});

test('a seed whose drives are not prepared is refused', async () => {
  const staged = await prepareSeed(world, work, 'staged', { stageOnly: true });
  const r = await run('job.create', createParams(world, staged));
  assert.is(r.exitCode, 1);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.DrivesNotPrepared');
  assert.is(e.category, 'InvalidOperation');
  assert.match(String(e.recommendedAction), /Initialize-OfflineSeedDrive/);

  // One drive of a seed that needs two: the session is not complete.
  const root = join(work, 'staged-drive-1');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(root);
  const big = await prepareSeed(world, work, 'half', { stageOnly: true, drives: 2 });
  const halfKey = '000000-000011-000022-000033-000044-000055-000066-000077';
  fabricatedKeys.push(halfKey);
  const prep = await runEngine('drive.prepare', { stagingPath: big.staging, driveRoot: root, driveId: 'HALFD1', bitLockerKey: halfKey, capacityBytes: 6 * MiB });
  assert.is(prep.exitCode, 0, JSON.stringify(prep.errors));
  assert.is(prep.results[0]!.state, 'NeedsNextDrive');
  const half = await run('job.create', createParams(world, big));
  assert.is(half.exitCode, 1);
  const he = lastError(half);
  assert.is(he.errorId, 'OfflineSeed.DrivesNotPrepared');
  assert.match(he.message, /not completely on drives yet: 1 drive\(s\) prepared/);
  assert.match(String(he.recommendedAction), /next drive/);
  assert.is(puts(), 0);
});

test('more than ten drives are refused before anything is sent; ten are accepted', async () => {
  const eleven = await prepareSeed(world, work, 'eleven', { stageOnly: true });
  const ids = Array.from({ length: 11 }, (_, i) => `ELEVEN${String(i + 1).padStart(2, '0')}`);
  fabricatedKeys.push(...(await fabricateDrives(eleven, ids)).map((d) => d.key!));
  const r = await run('job.create', createParams(world, eleven));
  assert.is(r.exitCode, 1);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.TooManyDrives');
  assert.is(e.category, 'LimitsExceeded');
  assert.match(e.message, /11 drives; an import job takes at most 10/);
  assert.is(puts(), 0);

  const ten = await prepareSeed(world, work, 'ten', { stageOnly: true });
  const tenDrives = await fabricateDrives(ten, ids.slice(0, 10).map((x) => x.replace('ELEVEN', 'TEN')));
  fabricatedKeys.push(...tenDrives.map((d) => d.key!));
  const ok = await run('job.create', createParams(world, ten));
  assert.is(ok.exitCode, 0, JSON.stringify(ok.errors));
  assert.is(ok.results[0]!.driveCount, 10);
  const stored = world.emulator.requireJob(world.jobRef(ten.jobName));
  assert.equal(stored.properties.driveList.map((d) => d.bitLockerKey), tenDrives.map((d) => d.key));
});

test('a drive id twice is refused before anything is sent', async () => {
  const dup = await prepareSeed(world, work, 'dup', { stageOnly: true });
  fabricatedKeys.push(...(await fabricateDrives(dup, ['DUPDRIVE1', 'OTHER2', 'dupdrive1'])).map((d) => d.key!));
  const before = puts();
  const r = await run('job.create', createParams(world, dup));
  assert.is(r.exitCode, 1);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.DuplicateDriveId');
  assert.match(e.message, /drive id dupdrive1 appears twice .*\(as DUPDRIVE1 and dupdrive1\)/);
  assert.is(puts(), before);
});

test('an existing job with other drives is a clear error; removing it while Creating lets the seed create it again', async () => {
  const changing = await prepareSeed(world, work, 'changing', { stageOnly: true });
  fabricatedKeys.push(...(await fabricateDrives(changing, ['CHANGE1', 'CHANGE2'])).map((d) => d.key!));
  const first = await run('job.create', createParams(world, changing));
  assert.is(first.exitCode, 0, JSON.stringify(first.errors));
  editDescriptor(changing, (d) => {
    const drives = d.drives as { drives: unknown[] };
    return { ...d, drives: { ...drives, drives: drives.drives.slice(0, 1) } };
  });
  const r = await run('job.create', createParams(world, changing));
  assert.is(r.exitCode, 1);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.JobExistsWithOtherDrives');
  assert.is(e.category, 'ResourceExists');
  assert.match(e.message, /with drives CHANGE1 \(manifest [0-9A-F]{32}\), CHANGE2 \(manifest [0-9A-F]{32}\), not the seed's drives CHANGE1/);
  assert.match(String(e.recommendedAction), /Remove-OfflineSeedImportJob/);

  const removed = await run('job.remove', { stagingPath: changing.staging });
  assert.is(removed.exitCode, 0, JSON.stringify(removed.errors));
  assert.is(removed.results[0]!.serviceStateBefore, 'Creating');
  assert.is(descriptor(changing).state, 'DrivesPrepared', 'without its job the seed can get a new one');
  const again = await run('job.create', createParams(world, changing));
  assert.is(again.exitCode, 0, JSON.stringify(again.errors));
  assert.is(again.results[0]!.outcome, 'Created');
  assert.is(world.emulator.requireJob(world.jobRef(changing.jobName)).properties.driveList.length, 1);
});

test('the return details: required, complete, from parameters or the saved profile', async () => {
  const before = puts();
  const missing = await run('job.create', { ...coordinates(world, seed), controlPlane: 'ImportExport', location: 'West US' });
  assert.is(missing.exitCode, 2);
  const me = lastError(missing);
  assert.is(me.errorId, 'OfflineSeed.ReturnDetailsRequired');
  assert.match(me.message, /needs a return address and a return carrier account, and the profile .*config\/offlineseed\/profile\.json has none/);

  const { email: _email, ...noEmail } = RETURN_ADDRESS;
  void _email;
  const incomplete = await run('job.create', createParams(world, seed, { returnAddress: noEmail }));
  assert.is(incomplete.exitCode, 2);
  assert.is(lastError(incomplete).errorId, 'OfflineSeed.ReturnAddressIncomplete');
  assert.match(lastError(incomplete).message, /requires email/);
  const noAccount = await run('job.create', createParams(world, seed, { returnShipping: { carrierName: 'FedEx' } }));
  assert.is(lastError(noAccount).errorId, 'OfflineSeed.ReturnShippingIncomplete');
  const unknownField = await run('job.create', createParams(world, seed, { returnAddress: { ...RETURN_ADDRESS, floor: '3' } }));
  assert.is(unknownField.exitCode, 2);
  assert.match(lastError(unknownField).message, /params\.returnAddress\.floor: unknown field/);
  assert.is(puts(), before, 'none of these sent anything');

  // Given once with saveProfile, used by the next job from the profile.
  const saved = await run('job.create', createParams(world, seed, { saveProfile: true, returnShipping: { ...RETURN_SHIPPING, carrierName: 'DHL' } }));
  assert.is(saved.exitCode, 0, JSON.stringify(saved.errors));
  const profilePath = join(work, 'config', 'offlineseed', 'profile.json');
  assert.is(saved.results[0]!.profileSaved, true);
  assert.is(saved.results[0]!.profilePath, profilePath);
  assert.is(statSync(profilePath).mode & 0o777, 0o600);
  assert.is((readJson(profilePath).returnAddress as Record<string, unknown>).city, 'Redmond');

  const next = await prepareSeed(world, work, 'profiled');
  const fromProfile = await run('job.create', { ...coordinates(world, next), controlPlane: 'ImportExport', location: 'westus' });
  assert.is(fromProfile.exitCode, 0, JSON.stringify(fromProfile.errors));
  assert.is(fromProfile.results[0]!.returnDetailsFrom, profilePath);
  assert.is(world.emulator.requireJob(world.jobRef(next.jobName)).properties.returnShipping?.carrierName, 'DHL');

  // An explicit profile path, and a damaged profile.
  const other = join(work, 'other-profile.json');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(other, '{"format":"offlineseed-profile","version":1,"returnAddress":{"recipientName":7}}');
  const bad = await run('job.create', { ...coordinates(world, next), controlPlane: 'ImportExport', location: 'West US', profilePath: other });
  assert.is(bad.exitCode, 1);
  assert.is(lastError(bad).errorId, 'OfflineSeed.ProfileInvalid');
  assert.match(lastError(bad).message, /returnAddress\.recipientName: must be string/);
  assert.not.ok(existsSync(join(work, 'config', 'offlineseed', 'profile.json.tmp')));
});

test('the ship-to site follows alternateLocations: East US ships to East US 2', async () => {
  const east = await prepareSeed(world, work, 'east');
  const r = await run('job.create', createParams(world, east, { location: 'East US' }));
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const job = r.results[0]!;
  assert.is(job.location, 'East US');
  assert.is(job.shipToLocation, 'East US 2');
  assert.is(job.alternateSite, true);
  assert.is((job.shipTo as Record<string, string>).city, 'Boydton');
  assert.match(logs(r, 'information').join('\n'), /Ship the 1 drive\(s\) to East US 2 \(the alternate site of East US, whose own site does not take drives\): .*Boydton/);
  assert.is(world.emulator.requireJob(world.jobRef(east.jobName)).properties.shippingInformation?.city, 'Boydton', 'the service agrees');
  assert.is((descriptor(east).job as Record<string, unknown>).shipToLocation, 'East US 2');

  // A datacenter note (UK South asks for an inbound id), and a return carrier the site does not list.
  const uk = await prepareSeed(world, work, 'uk');
  const ukRun = await run('job.create', createParams(world, uk, { location: 'uksouth' }));
  assert.is(ukRun.exitCode, 0, JSON.stringify(ukRun.errors));
  assert.match(logs(ukRun, 'information').join('\n'), /Note from the datacenter: An inbound ID is required/);
  assert.is(logs(ukRun, 'warning').length, 0);
  const au = await prepareSeed(world, work, 'au');
  const auRun = await run('job.create', createParams(world, au, { location: 'Australia East' }));
  assert.match(logs(auRun, 'warning').join('\n'), /The return carrier FedEx is not among the carriers of Australia East \(DHL\)/);
});

test('the service\'s validations come back with its code and message: unknown location', async () => {
  const r = await run('job.create', createParams(world, seed, { location: 'Mars Central' }));
  assert.is(r.exitCode, 1);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.ImportExportResourceNotFound');
  assert.is(e.category, 'ObjectNotFound');
  assert.match(e.message, /look up the Import\/Export location "Mars Central": Azure Import\/Export answered 404 ResourceNotFound: The location 'Mars Central' is not an Import\/Export location/);
  assert.match(String(e.recommendedAction), /storage account's region/);
});

test('the service\'s validations: job name (§6.8)', async () => {
  const named = await prepareSeed(world, work, 'named');
  editDescriptor(named, (d) => ({ ...d, jobName: 'named_job' }));
  const r = await run('job.create', createParams(world, named));
  assert.is(r.exitCode, 2, 'a 400 is an invalid request');
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.ImportExportInvalidJobName');
  assert.is(e.category, 'InvalidArgument');
  assert.match(e.message, /create import job named_job: Azure Import\/Export answered 400 InvalidJobName: The job name 'named_job' is invalid/);
  assert.is(descriptor(named).state, 'DrivesPrepared');
});

test('the service\'s validations: storage account (§6.9)', async () => {
  const elsewhere = await prepareSeed(world, work, 'elsewhere');
  editDescriptor(elsewhere, (d) => ({ ...d, storageAccount: 'nosuchaccount' }));
  const r = await run('job.create', createParams(world, elsewhere));
  assert.is(r.exitCode, 2);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.ImportExportStorageAccountNotFound');
  assert.match(e.message, /400 StorageAccountNotFound: The storage account 'nosuchaccount' was not found/);
  assert.match(String(e.targetObject), /\(properties\.storageAccountId\)$/);
  const mismatch = await run('job.create', createParams(world, elsewhere, { storageAccountId: world.storageAccountId() }));
  assert.is(lastError(mismatch).errorId, 'OfflineSeed.StorageAccountMismatch');
});

test('the service\'s validations: every drive needs its BitLocker key (§6.10)', async () => {
  const keyless = await prepareSeed(world, work, 'keyless', { stageOnly: true });
  fabricatedKeys.push(...(await fabricateDrives(keyless, ['KEYED1', 'KEYLESS2'], { withoutKey: ['KEYLESS2'] })).flatMap((d) => (d.key === undefined ? [] : [d.key])));
  const r = await run('job.create', createParams(world, keyless));
  assert.match(logs(r, 'warning').join('\n'), /No BitLocker recovery password is recorded for drive\(s\) KEYLESS2/);
  assert.is(r.exitCode, 2);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.ImportExportBitLockerKeyRequired');
  assert.match(e.message, /400 BitLockerKeyRequired: The BitLocker key of drive 'KEYLESS2' is required/);
  assert.is(world.emulator.getJob(world.jobRef(keyless.jobName)), undefined);
});

test('no key, secret or token in anything the engine printed', () => {
  out.assertNoSecrets([
    ...seed.drives.map((d) => d.key),
    ...fabricatedKeys,
    world.principal.clientSecret,
    world.storageAccount.key,
    ...world.emulator.tokenService.issued.map((t) => t.token),
  ]);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
