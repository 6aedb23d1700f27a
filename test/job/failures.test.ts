/**
 * When the import goes wrong: a corrupted block on a drive makes the job Closed with the drive
 * CompletedMoreInfo, and job.status names the failed blob from the DriveLog error log in the storage
 * account; a drive locked with another key is not imported at all. A tracking number already used by
 * another job is refused: by the engine when the other job is in the same subscription (found through
 * every page of the job list), by the service (its code kept) when it is elsewhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { StorageImportExport, type DriveStatus } from '@azure/arm-storageimportexport';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { recoveryPassword } from '../world/armModel.ts';
import { startWorld, type World } from '../world/world.ts';
import {
  arriving, createParams, descriptor, jobRunner, lastError, logs, OutputLog, prepareSeed, RETURN_ADDRESS, RETURN_SHIPPING, somePackOnDrive, type PreparedSeed,
} from './fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-job-fail-');
const out = new OutputLog();
let world: World;
let run: ReturnType<typeof jobRunner>;
let corrupt: PreparedSeed;
let locked: PreparedSeed;
let corruptedBlob = '';

test.before(async () => {
  // Page size 1: the engine has to follow nextLink through every page of the job list.
  world = await startWorld({ emulator: { defaultPageSize: 1 } });
  run = jobRunner(world, work, out);
  corrupt = await prepareSeed(world, work, 'corrupt');
  locked = await prepareSeed(world, work, 'locked');
});

async function createAndShip(seed: PreparedSeed, tracking: string): Promise<void> {
  const c = await run('job.create', createParams(world, seed, { logLevel: 'Error' }));
  assert.is(c.exitCode, 0, JSON.stringify(c.errors) + c.stderr);
  const s = await run('job.ship', { stagingPath: seed.staging, carrierName: 'DHL', trackingNumber: tracking });
  assert.is(s.exitCode, 0, JSON.stringify(s.errors) + s.stderr);
}

test('a corrupted block: the job is Closed and job.status names the failed blob from the error log', async () => {
  await createAndShip(corrupt, 'TRK-CORRUPT-1');
  const drive = corrupt.drives[0]!;
  const pack = somePackOnDrive(drive);
  corruptedBlob = `${corrupt.container}/${corrupt.prefix}/${pack.filePath.split('\\').slice(2).join('/')}`;
  const report = await world.datacenter.process(world.jobRef(corrupt.jobName), arriving(corrupt, { [drive.driveId]: { corruptBytes: [{ filePath: pack.filePath, offset: Math.floor(pack.size / 2) }] } }));
  assert.is(report.finalState, 'Closed');

  const r = await run('job.status', { stagingPath: corrupt.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const s = r.results[0]!;
  assert.is(s.serviceState, 'Closed');
  assert.is(s.state, 'CompletedWithErrors');
  assert.is(s.imported, false);
  assert.is(s.waitingForImport, false);
  const d = (s.drives as Record<string, unknown>[])[0]!;
  assert.is(d.state, 'CompletedMoreInfo');
  assert.is(d.copyStatus, 'CompletedWithErrors');
  assert.is(d.driveStatus, 'CompletedWithErrors', 'the drive status the error log ends with');
  assert.ok(typeof d.errorLogUri === 'string');
  assert.is(s.logsRead, 1);
  assert.is(s.failedBlobCount, 1);
  const failed = (s.failedBlobs as Record<string, unknown>[]).find((b) => b.severity === 'Error')!;
  assert.is(failed.blobPath, corruptedBlob);
  assert.is(failed.status, 'CompletedWithErrors');
  assert.match(String(failed.detail), /^Block at offset \d+ \(\d+ bytes\): Corrupted$/);
  assert.is(failed.disposition, 'Cancelled');
  assert.is(failed.driveId, drive.driveId);
  assert.match(String(failed.log), /^waimportexport\/waies\/corrupt-job_CORRUPTD1_\d{8}-\d{6}-\d{3}_error\.xml$/);
  const warnings = logs(r, 'warning').join('\n');
  assert.ok(warnings.includes(`${corruptedBlob} did not import: CompletedWithErrors, Block at offset`), warnings);
  assert.match(warnings, /The job finished with errors/);
  assert.match(String(s.nextStep), /Complete-OfflineSeed -Force/);
  assert.is(descriptor(corrupt).state, 'Shipped', 'a Closed job with a failed drive does not make the seed Imported');
  assert.is((descriptor(corrupt).job as Record<string, unknown>).finalState, 'Closed');
});

test('without read access to the storage account the status still comes, with the log problem as a warning', async () => {
  const r = await run('job.status', { stagingPath: corrupt.staging, sasToken: 'sv=2024-01-01&sig=bm90LWEtc2ln' });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const s = r.results[0]!;
  assert.is(s.serviceState, 'Closed');
  assert.is(s.state, 'CompletedWithErrors');
  assert.is(s.logsRead, 0);
  assert.is((s.logProblems as string[]).length, 1);
  assert.match((s.logProblems as string[])[0]!, /could not be read: 403/);
  assert.match(logs(r, 'warning').join('\n'), /Give a storage credential/);
});

test('a drive locked with another key is not imported: job.status says so from its error log', async () => {
  await createAndShip(locked, 'TRK-LOCKED-1');
  const drive = locked.drives[0]!;
  const report = await world.datacenter.process(world.jobRef(locked.jobName), [{ driveId: drive.driveId, root: drive.root, expectedBitLockerKey: recoveryPassword(4242) }]);
  assert.is(report.finalState, 'Closed');
  const r = await run('job.status', { stagingPath: locked.staging, storageAccountKey: world.storageAccount.key });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const d = (r.results[0]!.drives as Record<string, unknown>[])[0]!;
  assert.is(d.state, 'CompletedMoreInfo');
  assert.is(d.driveStatus, 'BitLockerKeyInvalid');
  assert.is(d.percentComplete, 0);
  assert.match(logs(r, 'warning').join('\n'), new RegExp(`Drive ${drive.driveId} was not imported at all: BitLockerKeyInvalid`));
});

test('a tracking number another job of the subscription uses is refused before anything is sent', async () => {
  const seed = await prepareSeed(world, work, 'second');
  const c = await run('job.create', createParams(world, seed));
  assert.is(c.exitCode, 0, JSON.stringify(c.errors));
  const patches = world.emulator.requests.filter((q) => q.method === 'PATCH').length;
  const isList = (q: { method: string; path: string }): boolean => q.method === 'GET' && /\/providers\/Microsoft\.ImportExport\/jobs$/i.test(q.path);
  const listsBefore = world.emulator.requests.filter(isList).length;
  // locked-job sorts after corrupt-job: with one job per page its tracking number is on page 2 of 3.
  const r = await run('job.ship', { stagingPath: seed.staging, carrierName: 'DHL', trackingNumber: ' trk-locked-1 ' });
  assert.is(r.exitCode, 1);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.TrackingNumberInUse');
  assert.is(e.category, 'ResourceExists');
  assert.match(e.message, /already used by import job locked-job \(resource group offlineseed-rg, state Closed\)/);
  assert.is(world.emulator.requests.filter((q) => q.method === 'PATCH').length, patches, 'no PATCH was sent');
  const listed = world.emulator.requests.filter(isList).slice(listsBefore);
  assert.is(listed.length, 3, `the engine followed nextLink through the three pages (${listed.length} list requests)`);
  assert.ok(listed.slice(1).every((q) => q.query.$skiptoken !== undefined), 'the later pages are the nextLinks');
  assert.is(world.emulator.requireJob(world.jobRef(seed.jobName)).properties.state, 'Creating');
  assert.is(descriptor(seed).state, 'JobCreated');

  // Held by a job of another subscription, which the engine cannot list: the service refuses it.
  const foreignSubscription = randomUUID();
  const foreign = new StorageImportExport(world.credential(), foreignSubscription, { endpoint: world.armEndpoint, credentialScopes: ['https://management.azure.com/.default'] });
  await foreign.jobs.create('foreign-job', 'other-rg', {
    location: 'West US',
    properties: {
      storageAccountId: `/subscriptions/${foreignSubscription}/resourceGroups/other-rg/providers/Microsoft.Storage/storageAccounts/${world.storageAccount.name}`,
      jobType: 'Import', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING,
      deliveryPackage: { carrierName: 'DHL', trackingNumber: 'TRK-FOREIGN-9' },
      driveList: [{ driveId: 'FOREIGN1', bitLockerKey: recoveryPassword(9), manifestFile: '\\DriveManifest.xml', manifestHash: '0123456789ABCDEF0123456789ABCDEF' }] as DriveStatus[],
    },
  });
  const refused = await run('job.ship', { stagingPath: seed.staging, carrierName: 'DHL', trackingNumber: 'TRK-FOREIGN-9' });
  assert.is(refused.exitCode, 1);
  const se = lastError(refused);
  assert.is(se.errorId, 'OfflineSeed.ImportExportTrackingNumberInUse', 'the service\'s own code');
  assert.is(se.category, 'InvalidOperation', '409');
  assert.match(se.message, /409 TrackingNumberInUse: The tracking number 'TRK-FOREIGN-9' is already used by job 'foreign-job'/);
  assert.match(String(se.recommendedAction), /its own package and tracking number/);
  assert.is(descriptor(seed).state, 'JobCreated');

  const ok = await run('job.ship', { stagingPath: seed.staging, carrierName: 'DHL', trackingNumber: 'TRK-SECOND-1' });
  assert.is(ok.exitCode, 0, JSON.stringify(ok.errors));
  // A typo fixed while Shipping: the tracking number is corrected, still unique.
  const fixed = await run('job.ship', { stagingPath: seed.staging, carrierName: 'DHL', trackingNumber: 'TRK-SECOND-2' });
  assert.is(fixed.exitCode, 0, JSON.stringify(fixed.errors));
  assert.is(fixed.results[0]!.outcome, 'Updated');
  assert.is(world.emulator.requireJob(world.jobRef(seed.jobName)).properties.deliveryPackage?.trackingNumber, 'TRK-SECOND-2');
});

test('no key, secret or token in anything the engine printed', () => {
  out.assertNoSecrets([
    ...corrupt.drives.map((d) => d.key),
    ...locked.drives.map((d) => d.key),
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
