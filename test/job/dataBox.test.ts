/**
 * Import jobs on the Data Box control plane through the built engine (the default for new jobs): a
 * seed's job created as a DataBoxCustomerDisk job (-WhatIf first, then for real, then a re-run that
 * changes nothing), its keys, the shipment (markDevicesShipped), the simulated datacenter copying the
 * drives and writing the copy logs, job.status following it to Completed and the seed to Imported,
 * and job.remove. Also: -ControlPlane that contradicts the seed's record, cancel before and after
 * shipping, a job found by name alone, and a corrupted block named from the CopyLog and repaired by
 * seed.complete. Nothing the engine prints may carry a key, token or carrier account number.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';
import { arriving, descriptor, jobRunner, lastError, logs, OutputLog, prepareSeed, RETURN_ADDRESS, RETURN_SHIPPING, somePackOnDrive, type PreparedSeed } from './fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-job-databox-');
const out = new OutputLog();
let world: World;
let run: ReturnType<typeof jobRunner>;
let seed: PreparedSeed;
let other: PreparedSeed;
let broken: PreparedSeed;

function params(s: PreparedSeed, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { stagingPath: s.staging, subscriptionId: world.subscriptionId, resourceGroup: world.resourceGroupName, location: 'West US', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING, ...extra };
}

test.before(async () => {
  world = await startWorld();
  run = jobRunner(world, work, out);
  seed = await prepareSeed(world, work, 'dbx', { drives: 2 });
  other = await prepareSeed(world, work, 'dbxother');
  broken = await prepareSeed(world, work, 'dbxbroken');
});

test('job.create -WhatIf plans a DataBoxCustomerDisk job without keys or carrier account, and creates nothing', async () => {
  const r = await run('job.create', params(seed), { dryRun: true });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const info = logs(r, 'information').join('\n');
  assert.match(info, /What if: create Data Box import job dbx-job \(SKU DataBoxCustomerDisk\)/);
  assert.match(info, /What if: PUT \/subscriptions\/.*\/providers\/Microsoft\.DataBox\/jobs\/dbx-job .*"importDiskDetailsCollection"/);
  for (const d of seed.drives) assert.not.ok(r.stdout.includes(d.key), 'no key in the plan');
  assert.not.ok(r.stdout.includes(RETURN_SHIPPING.carrierAccountNumber), 'no carrier account in the plan');
  assert.is(world.dataBox.listJobs().length, 0);
  assert.is(world.emulator.listJobs().length, 0, 'nothing on Import/Export either');
});

test('job.create makes a Data Box job by default: disks keyed by drive id with manifest, hash and key; the seed records the plane', async () => {
  const r = await run('job.create', params(seed));
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const job = r.results[0]!;
  assert.is(job.controlPlane, 'DataBox');
  assert.is(job.outcome, 'Created');
  assert.is(job.state, 'Created');
  assert.is(job.serviceState, 'AwaitingShipmentDetails');
  assert.match(String(job.jobId), /\/providers\/Microsoft\.DataBox\/jobs\/dbx-job$/);
  assert.is(job.driveCount, seed.drives.length);
  assert.is((job.shipTo as Record<string, unknown>).city, 'Quincy', 'the datacenter address from the job');
  assert.is(job.diagnosticsPath, 'databoxcopylog');
  const stored = world.dataBox.requireJob(world.jobRef(seed.jobName));
  assert.is(stored.storageAccountId, world.storageAccountId());
  assert.is(stored.logCollectionLevel, 'Verbose');
  assert.is(stored.returnCarrierAccountNumber, RETURN_SHIPPING.carrierAccountNumber);
  assert.equal(stored.contactDetails.emailList, [RETURN_ADDRESS.email]);
  assert.is(stored.shippingAddress?.['country'], RETURN_ADDRESS.countryOrRegion);
  for (const d of seed.drives) {
    const disk = stored.disks.find((x) => x.serialNumber === d.driveId)!;
    assert.is(disk.manifestHash, d.manifestHash.toUpperCase());
    assert.is(disk.manifestFile, d.manifestFile);
    assert.is(disk.bitLockerKey, d.key);
  }
  assert.ok(world.dataBox.requests.some((r) => r.method === 'GET' && r.path.includes('/operationResults/')), 'the engine polled the create operation');
  const versions = new Set(world.dataBox.requests.map((r) => r.query['api-version']));
  assert.equal([...versions], ['2025-07-01'], 'the engine pins api-version 2025-07-01, poll URLs included');
  const recorded = descriptor(seed).job as Record<string, unknown>;
  assert.is(recorded.controlPlane, 'DataBox');
  assert.is(descriptor(seed).state, 'JobCreated');
  const again = await run('job.create', params(seed));
  assert.is(again.results[0]!.outcome, 'AlreadyExists');
  const mismatch = await run('job.create', params(seed, { controlPlane: 'ImportExport' }));
  assert.is(mismatch.exitCode, 2);
  assert.is(lastError(mismatch).errorId, 'OfflineSeed.ControlPlaneMismatch');
});

test('job.keys lists the keys from listCredentials and compares them with the key files; status says Created', async () => {
  const keys = await run('job.keys', { stagingPath: seed.staging });
  assert.is(keys.exitCode, 0, JSON.stringify(keys.errors));
  assert.is(keys.results.length, seed.drives.length);
  for (const k of keys.results) {
    assert.is(k.controlPlane, 'DataBox');
    assert.is(k.matchesKeyFile, true);
  }
  const s = (await run('job.status', { stagingPath: seed.staging })).results[0]!;
  assert.is(s.state, 'Created');
  assert.is(s.serviceState, 'AwaitingShipmentDetails');
  assert.match(String(s.nextStep), /Update-ImportShipping/);
});

test('job.ship marks the devices shipped; the same tracking number for another job is refused; cancel after shipping is refused by the service', async () => {
  const r = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'DBX-TRK-1' });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const ship = r.results[0]!;
  assert.is(ship.controlPlane, 'DataBox');
  assert.is(ship.outcome, 'Shipped');
  assert.is(ship.state, 'Shipping');
  assert.is(ship.serviceState, 'ShippedToAzureDC');
  assert.equal(world.dataBox.requireJob(world.jobRef(seed.jobName)).deliverToDc, { carrierName: 'FedEx', trackingId: 'DBX-TRK-1' });
  assert.is(descriptor(seed).state, 'Shipped');
  assert.is((await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'DBX-TRK-1' })).results[0]!.outcome, 'AlreadyShipped');
  const changed = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'DBX-TRK-2' });
  assert.is(changed.exitCode, 1, 'a Data Box job takes its tracking number once');
  assert.is(lastError(changed).errorId, 'OfflineSeed.DataBoxInvalidJobState');
  assert.match(String(lastError(changed).recommendedAction), /cannot be changed on a Data Box job/);

  assert.is((await run('job.create', params(other))).exitCode, 0);
  const reuse = await run('job.ship', { stagingPath: other.staging, carrierName: 'FedEx', trackingNumber: 'dbx-trk-1' });
  assert.is(reuse.exitCode, 1);
  assert.is(lastError(reuse).errorId, 'OfflineSeed.TrackingNumberInUse');
  assert.match(lastError(reuse).message, /already used by Data Box job dbx-job/);

  const late = await run('job.cancel', { stagingPath: seed.staging });
  assert.is(late.exitCode, 1);
  assert.is(lastError(late).errorId, 'OfflineSeed.DataBoxInvalidJobState');
  assert.match(String(lastError(late).recommendedAction), /only before the drives are shipped/);
});

test('cancel before shipping ends the job Cancelled; remove deletes it (a long-running DELETE) and the seed can get a new job', async () => {
  const c = await run('job.cancel', { stagingPath: other.staging });
  assert.is(c.exitCode, 0, JSON.stringify(c.errors) + c.stderr);
  assert.is(c.results[0]!.state, 'Cancelled');
  assert.is(c.results[0]!.serviceState, 'Cancelled');
  assert.is(c.results[0]!.stateBefore, 'Created');
  const byName = await run('job.status', { jobName: other.jobName, resourceGroup: world.resourceGroupName, subscriptionId: world.subscriptionId });
  assert.is(byName.exitCode, 0, JSON.stringify(byName.errors));
  assert.is(byName.results[0]!.controlPlane, 'DataBox', 'found on Data Box without a seed');
  const rm = await run('job.remove', { stagingPath: other.staging });
  assert.is(rm.exitCode, 0, JSON.stringify(rm.errors));
  assert.is(rm.results[0]!.outcome, 'Removed');
  assert.is(world.dataBox.getJob(world.jobRef(other.jobName)), undefined);
  assert.is(descriptor(other).state, 'DrivesPrepared');
  assert.ok(world.dataBox.requests.some((r) => r.path.endsWith('-deleteorder') && r.status === 204));
});

test('the datacenter imports the drives; job.status follows the job to Completed and the seed to Imported; remove keeps Imported', async () => {
  const report = await world.dataBoxDatacenter.process(world.jobRef(seed.jobName), arriving(seed));
  assert.is(report.finalStatus, 'Completed', JSON.stringify(report.disks.map((d) => [d.serialNumber, d.copyStatus])));
  const r = await run('job.status', { stagingPath: seed.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const s = r.results[0]!;
  assert.is(s.state, 'Completed');
  assert.is(s.serviceState, 'Completed');
  assert.is(s.imported, true);
  assert.is(s.deliveryPackage && (s.deliveryPackage as Record<string, unknown>).trackingNumber, 'DBX-TRK-1');
  for (const x of s.drives as Record<string, unknown>[]) {
    assert.is(x.copyStatus, 'Completed');
    assert.match(String(x.errorLogUri), /\/databoxcopylog\/dbx-job_[A-Z0-9]+_CopyLog_[0-9a-f]{32}\.xml$/);
    assert.match(String(x.verboseLogUri), /_VerboseLog_/);
  }
  assert.is(descriptor(seed).state, 'Imported');
  const complete = await run('seed.complete', { stagingPath: seed.staging, password: RESTIC_PASSWORD, verifyPercent: 100 });
  assert.is(complete.exitCode, 0, JSON.stringify(complete.errors) + complete.stderr);
  assert.is(complete.results[0]!.blobsMissing, 0);
  assert.ok((complete.results[0]!.logsRead as number) >= seed.drives.length, 'the CopyLogs were read');
  const rm = await run('job.remove', { stagingPath: seed.staging });
  assert.is(rm.exitCode, 0, JSON.stringify(rm.errors));
  assert.is(rm.results[0]!.stateBefore, 'Completed');
  assert.is(descriptor(seed).state !== 'DrivesPrepared', true, 'removing the finished job keeps the seed');
});

test('a corrupted block: CompletedWithErrors, job.status names the file from the CopyLog, seed.complete -Force repairs it', async () => {
  assert.is((await run('job.create', params(broken, { logLevel: 'Error' }))).exitCode, 0);
  assert.is((await run('job.ship', { stagingPath: broken.staging, carrierName: 'UPS', trackingNumber: 'DBX-TRK-BROKEN' })).exitCode, 0);
  const drive = broken.drives[0]!;
  const pack = somePackOnDrive(drive);
  const blob = `${broken.container}/${broken.prefix}/${pack.filePath.split('\\').slice(2).join('/')}`;
  const report = await world.dataBoxDatacenter.process(world.jobRef(broken.jobName), arriving(broken, { [drive.driveId]: { corruptBytes: [{ filePath: pack.filePath, offset: Math.floor(pack.size / 2) }] } }));
  assert.is(report.finalStatus, 'CompletedWithErrors');
  const r = await run('job.status', { stagingPath: broken.staging });
  const s = r.results[0]!;
  assert.is(s.state, 'CompletedWithErrors');
  assert.is(s.imported, false);
  assert.is(s.failedBlobCount, 1);
  const failed = (s.failedBlobs as Record<string, unknown>[])[0]!;
  assert.is(failed.blobPath, blob);
  assert.is(failed.status, 'UploadErrorDataValidationError');
  assert.match(String(failed.log), /^databoxcopylog\/dbxbroken-job_[A-Z0-9]+_CopyLog_[0-9a-f]{32}\.xml$/);
  assert.is((s.drives as Record<string, unknown>[])[0]!.driveStatus, 'Failed', 'the CopyLog summary status');
  assert.is(descriptor(broken).state, 'Shipped');
  const complete = await run('seed.complete', { stagingPath: broken.staging, password: RESTIC_PASSWORD, force: true, verifyPercent: 100 });
  assert.is(complete.exitCode, 0, JSON.stringify(complete.errors) + complete.stderr);
  const c = complete.results[0]!;
  assert.ok((c.failuresReported as number) >= 1, 'the CopyLog reported the file');
  assert.ok((c.blobsRepaired as number) >= 1, `repaired ${c.blobsRepaired}`);
});

test('no secret, key or carrier account in anything the engine printed', () => {
  const secrets = [...[seed, other, broken].flatMap((s) => s.drives.map((d) => d.key)), world.principal.clientSecret, world.storageAccount.key, RETURN_SHIPPING.carrierAccountNumber];
  out.assertNoSecrets(secrets);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
