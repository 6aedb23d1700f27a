/**
 * The Microsoft.DataBox emulator against the real @azure/arm-databox 5.0.0 client: the LRO wire pattern
 * the SDK polls (PUT/PATCH 202 → operationResults 202 → job URL 200; DELETE → -deleteorder → 204),
 * validation, secrets only through listCredentials, markDevicesShipped/cancel/delete rules, timers,
 * and the datacenter's copy logs (CopyLog + VerboseLog in databoxcopylog, counters = log).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DataBoxCustomerDiskJobDetails, JobResource } from '@azure/arm-databox';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recoveryPassword } from './armModel.ts';
import { DAY_MS } from './clock.ts';
import { crc64 } from './copyLog.ts';
import { writeDrive, type WrittenDrive } from './driveFixture.ts';
import { startWorld, type World } from './world.ts';

let world: World;
const work = mkdtempSync('/var/tmp/offlineseed-databox-');
const POLL = { updateIntervalInMs: 20 };

function details(job: JobResource): DataBoxCustomerDiskJobDetails {
  assert.is(job.details?.jobDetailsType, 'DataBoxCustomerDisk');
  return job.details as DataBoxCustomerDiskJobDetails;
}

function body(disks: { serial: string; hash: string; key: string }[], extra: Partial<DataBoxCustomerDiskJobDetails> = {}): JobResource {
  return {
    location: 'westus',
    sku: { name: 'DataBoxCustomerDisk' },
    transferType: 'ImportToAzure',
    details: {
      jobDetailsType: 'DataBoxCustomerDisk',
      contactDetails: { contactName: 'Ops', phone: '4250000000', emailList: ['ops@example.com'] },
      shippingAddress: { streetAddress1: '1 Main St', city: 'Redmond', stateOrProvince: 'WA', country: 'US', postalCode: '98052' },
      dataImportDetails: [{ accountDetails: { dataAccountType: 'StorageAccount', storageAccountId: world.storageAccountId() }, logCollectionLevel: 'Verbose' }],
      importDiskDetailsCollection: Object.fromEntries(disks.map((d) => [d.serial, { manifestFile: '\\DriveManifest.xml', manifestHash: d.hash, bitLockerKey: d.key }])),
      returnToCustomerPackageDetails: { carrierName: 'FedEx', carrierAccountNumber: '123456789' },
      ...extra,
    } as DataBoxCustomerDiskJobDetails,
  };
}

const ANY = { serial: 'DISK0001', hash: '0123456789ABCDEF0123456789ABCDEF', key: recoveryPassword(1) };

test.before(async () => {
  world = await startWorld({ azuriteHttps: true });
});

test('create is a long-running operation handed over from operationResults to the job URL, as production does', async () => {
  const client = world.dataBoxClient();
  world.dataBox.requests.length = 0;
  const job = await client.jobs.beginCreateAndWait(world.resourceGroupName, 'lro-job', body([ANY]), POLL);
  assert.is(job.status, 'AwaitingShipmentDetails');
  assert.is(job.isCancellable, true);
  assert.is(job.isDeletable, false);
  const seen = world.dataBox.requests.map((r) => `${r.method} ${r.status} ${r.path.includes('operationResults') ? 'op' : 'job'}`);
  assert.equal(seen, ['PUT 202 job', 'GET 202 op', 'GET 202 op', 'GET 200 job']);
  const d = details(job);
  assert.is(d.importDiskDetailsCollection!['DISK0001']!.manifestHash, ANY.hash);
  assert.is(d.importDiskDetailsCollection!['DISK0001']!.bitLockerKey, undefined, 'no BitLocker key in a GET');
  assert.is(d.returnToCustomerPackageDetails.carrierAccountNumber, undefined, 'no carrier account in a GET');
  assert.is(d.datacenterAddress?.datacenterAddressType, 'DatacenterAddressLocation');
  const creds = [];
  for await (const c of client.jobs.listCredentials(world.resourceGroupName, 'lro-job')) creds.push(c);
  const secrets = creds[0]!.jobSecrets as { diskSecrets?: { diskSerialNumber?: string; bitLockerKey?: string }[]; carrierAccountNumber?: string };
  assert.equal(secrets.diskSecrets, [{ diskSerialNumber: 'DISK0001', bitLockerKey: ANY.key }]);
  assert.is(secrets.carrierAccountNumber, '123456789');
  const again = await client.jobs.beginCreateAndWait(world.resourceGroupName, 'lro-job', body([ANY]), POLL).catch((e: { statusCode?: number; code?: string }) => e);
  assert.is((again as { code?: string }).code, 'JobAlreadyExists');
});

test('validation: missing return carrier account, bad hash, bad name and an unknown storage account are refused', async () => {
  const client = world.dataBoxClient();
  const bad = body([{ ...ANY, hash: 'abc' }], { returnToCustomerPackageDetails: { carrierName: 'FedEx' } });
  const e = await client.jobs.beginCreateAndWait(world.resourceGroupName, 'bad-job', bad, POLL).catch((x: { statusCode?: number; details?: { error?: { details?: { target?: string }[] } } }) => x);
  assert.is((e as { statusCode?: number }).statusCode, 400);
  const targets = ((e as { details?: { error?: { details?: { target?: string }[] } } }).details?.error?.details ?? []).map((x) => x.target);
  assert.ok(targets.some((t) => t?.endsWith('manifestHash')), JSON.stringify(targets));
  assert.ok(targets.some((t) => t?.endsWith('carrierAccountNumber')), JSON.stringify(targets));
  const name = await client.jobs.beginCreateAndWait(world.resourceGroupName, 'x', body([ANY]), POLL).catch((x: { code?: string }) => x);
  assert.is((name as { code?: string }).code, 'InvalidJobName');
  const account = body([ANY], { dataImportDetails: [{ accountDetails: { dataAccountType: 'StorageAccount', storageAccountId: world.storageAccountId('nosuchaccount') } }] });
  const acc = await client.jobs.beginCreateAndWait(world.resourceGroupName, 'acct-job', account, POLL).catch((x: { code?: string }) => x);
  assert.is((acc as { code?: string }).code, 'StorageAccountNotFound');
  assert.is(world.dataBox.getJob(world.jobRef('bad-job')), undefined);
});

test('markDevicesShipped needs a tracking number of its own; cancel only before shipping; delete only when finished', async () => {
  const client = world.dataBoxClient();
  await client.jobs.beginCreateAndWait(world.resourceGroupName, 'ship-a', body([ANY]), POLL);
  await client.jobs.beginCreateAndWait(world.resourceGroupName, 'ship-b', body([ANY]), POLL);
  await client.jobs.markDevicesShipped('ship-a', world.resourceGroupName, { deliverToDcPackageDetails: { carrierName: 'FedEx', trackingId: 'TRK-A' } });
  const a = await client.jobs.get(world.resourceGroupName, 'ship-a', { expand: 'details' });
  assert.is(a.status, 'ShippedToAzureDC');
  assert.is(a.isCancellable, false);
  assert.equal(details(a).deliverToDcPackageDetails, { carrierName: 'FedEx', trackingId: 'TRK-A' });
  const reuse = await client.jobs.markDevicesShipped('ship-b', world.resourceGroupName, { deliverToDcPackageDetails: { carrierName: 'FedEx', trackingId: 'trk-a' } }).catch((x: { code?: string }) => x);
  assert.is((reuse as { code?: string }).code, 'TrackingNumberInUse');
  const late = await client.jobs.cancel(world.resourceGroupName, 'ship-a', { reason: 'test' }).catch((x: { code?: string; statusCode?: number }) => x);
  assert.is((late as { statusCode?: number }).statusCode, 409);
  const early = await client.jobs.beginDeleteAndWait(world.resourceGroupName, 'ship-b', POLL).catch((x: { statusCode?: number }) => x);
  assert.is((early as { statusCode?: number }).statusCode, 409, 'an active order cannot be deleted');
  await client.jobs.cancel(world.resourceGroupName, 'ship-b', { reason: 'changed plans' });
  const b = await client.jobs.get(world.resourceGroupName, 'ship-b');
  assert.is(b.status, 'Cancelled');
  assert.is(b.cancellationReason, 'changed plans');
  assert.is(b.isDeletable, true);
  world.dataBox.requests.length = 0;
  await client.jobs.beginDeleteAndWait(world.resourceGroupName, 'ship-b', POLL);
  assert.ok(world.dataBox.requests.some((r) => r.path.endsWith('-deleteorder') && r.status === 204), 'DELETE ends with the -deleteorder poll answering 204');
  const gone = await client.jobs.get(world.resourceGroupName, 'ship-b').catch((x: { statusCode?: number }) => x);
  assert.is((gone as { statusCode?: number }).statusCode, 404);
  const names: string[] = [];
  for await (const j of client.jobs.listByResourceGroup(world.resourceGroupName)) names.push(j.name!);
  assert.ok(names.includes('ship-a') && !names.includes('ship-b'), names.join(','));
});

test('PATCH changes the return carrier and contact (an LRO too); a job awaiting shipment expires after 14 days', async () => {
  const client = world.dataBoxClient();
  await client.jobs.beginCreateAndWait(world.resourceGroupName, 'patch-job', body([ANY]), POLL);
  const updated = await client.jobs.beginUpdateAndWait(world.resourceGroupName, 'patch-job', { details: { returnToCustomerPackageDetails: { carrierName: 'UPS', carrierAccountNumber: '999' }, contactDetails: { contactName: 'New', phone: '1', emailList: ['n@example.com'] } } }, POLL);
  assert.is(details(updated).returnToCustomerPackageDetails.carrierName, 'UPS');
  assert.is(details(updated).contactDetails.contactName, 'New');
  world.dataBox.advance(13 * DAY_MS);
  assert.ok(world.dataBox.getJob(world.jobRef('patch-job')));
  world.dataBox.advance(2 * DAY_MS);
  assert.is(world.dataBox.getJob(world.jobRef('patch-job')), undefined, 'deleted after 14 days awaiting shipment details');
});

test('the datacenter copies the disks and writes CopyLog and VerboseLog into databoxcopylog; counters match the logs', async () => {
  const client = world.dataBoxClient();
  const content = Buffer.alloc(3 * 1024 * 1024 + 100, 7);
  const drives: WrittenDrive[] = [1, 2].map((n) => writeDrive(join(work, `d${n}`), {
    driveId: `SERIAL${n}`,
    bitLockerKey: recoveryPassword(10 + n),
    files: [
      { filePath: `\\s${n}\\a.bin`, blobPath: `dbx/s${n}/a.bin`, content },
      { filePath: `\\s${n}\\b.txt`, blobPath: `dbx/s${n}/b.txt`, content: Buffer.from(`disk ${n}\n`) },
    ],
  }));
  await client.jobs.beginCreateAndWait(world.resourceGroupName, 'dc-job', body(drives.map((d, i) => ({ serial: d.driveId, hash: d.manifestHash, key: recoveryPassword(11 + i) }))), POLL);
  await client.jobs.markDevicesShipped('dc-job', world.resourceGroupName, { deliverToDcPackageDetails: { carrierName: 'FedEx', trackingId: 'TRK-DC' } });
  const report = await world.dataBoxDatacenter.process(world.jobRef('dc-job'), [
    { driveId: drives[0]!.driveId, root: drives[0]!.root, faults: { corruptBytes: [{ filePath: '\\s1\\a.bin', offset: 5 }] } },
    { driveId: drives[1]!.driveId, root: drives[1]!.root },
  ]);
  assert.is(report.finalStatus, 'CompletedWithErrors');
  const job = await client.jobs.get(world.resourceGroupName, 'dc-job', { expand: 'details' });
  assert.is(job.status, 'CompletedWithErrors');
  assert.is(job.isDeletable, true);
  const d = details(job);
  const progress = new Map((d.copyProgress ?? []).map((c) => [c.serialNumber, c]));
  assert.is(progress.get('SERIAL1')!.copyStatus, 'CompletedWithErrors');
  assert.is(progress.get('SERIAL1')!.filesErroredOut, 1);
  assert.is(progress.get('SERIAL2')!.copyStatus, 'Completed');
  assert.is(progress.get('SERIAL2')!.totalFilesToProcess, 2);
  const logs = d.copyLogDetails as { serialNumber?: string; errorLogLink?: string; verboseLogLink?: string }[];
  assert.is(logs.length, 2);
  const container = world.blobService().getContainerClient('databoxcopylog');
  const read = async (url: string): Promise<string> => (await container.getBlobClient(decodeURIComponent(new URL(url).pathname.split('/databoxcopylog/')[1]!)).downloadToBuffer()).toString('utf8');
  const log1 = logs.find((l) => l.serialNumber === 'SERIAL1')!;
  assert.match(log1.errorLogLink!, /\/databoxcopylog\/dc-job_SERIAL1_CopyLog_[0-9a-f]{32}\.xml$/);
  const copyLog = await read(log1.errorLogLink!);
  assert.ok(copyLog.startsWith('<ErroredEntity CloudFormat="BlockBlob" Path="dbx/s1/a.bin">'), copyLog.slice(0, 200));
  assert.match(copyLog, /<Category>UploadErrorDataValidationError<\/Category>/);
  assert.match(copyLog, /<Status>Failed<\/Status>\s*<TotalFiles_Blobs>2<\/TotalFiles_Blobs>\s*<FilesErrored>1<\/FilesErrored>/);
  const verbose = await read(logs.find((l) => l.serialNumber === 'SERIAL2')!.verboseLogLink!);
  const files = [...verbose.matchAll(/<File CloudFormat="(\w+)" Path="([^"]+)" Size="(\d+)" crc64="(\d+)">/g)];
  assert.equal(files.map((f) => f[2]), ['dbx/s2/a.bin', 'dbx/s2/b.txt']);
  assert.is(files[0]![4], String(crc64(content)));
  const blob = await world.blobService().getContainerClient('dbx').getBlobClient('s2/a.bin').downloadToBuffer();
  assert.ok(blob.equals(content), 'the clean disk was imported');
  assert.not.ok(await world.blobService().getContainerClient('dbx').getBlobClient('s1/a.bin').exists(), 'the corrupt block blob was not committed');
});

test('a disk that never arrives and one the job\'s key does not unlock: no disk readable, the job fails', async () => {
  const client = world.dataBoxClient();
  const drives: WrittenDrive[] = [3, 4].map((n) => writeDrive(join(work, `d${n}`), {
    driveId: `SERIAL${n}`,
    bitLockerKey: recoveryPassword(20 + n),
    files: [{ filePath: `\\s${n}\\c.txt`, blobPath: `dbx/s${n}/c.txt`, content: Buffer.from(`disk ${n}\n`) }],
  }));
  await client.jobs.beginCreateAndWait(world.resourceGroupName, 'fail-job', body(drives.map((d, i) => ({ serial: d.driveId, hash: d.manifestHash, key: recoveryPassword(23 + i) }))), POLL);
  await client.jobs.markDevicesShipped('fail-job', world.resourceGroupName, { deliverToDcPackageDetails: { carrierName: 'FedEx', trackingId: 'TRK-FAIL' } });
  const report = await world.dataBoxDatacenter.process(world.jobRef('fail-job'), [{ driveId: 'SERIAL4', root: drives[1]!.root, faults: { wrongBitLockerKey: true } }]);
  assert.is(report.finalStatus, 'Failed_IssueDetectedAtAzureDC');
  const job = await client.jobs.get(world.resourceGroupName, 'fail-job', { expand: 'details' });
  const progress = new Map((details(job).copyProgress ?? []).map((c) => [c.serialNumber, c.copyStatus]));
  assert.is(progress.get('SERIAL3'), 'DriveNotReceived');
  assert.is(progress.get('SERIAL4'), 'OtherUserError');
  const link = (details(job).copyLogDetails as { serialNumber?: string; errorLogLink?: string }[]).find((l) => l.serialNumber === 'SERIAL4')!.errorLogLink!;
  const log = (await world.blobService().getContainerClient('databoxcopylog').getBlobClient(decodeURIComponent(new URL(link).pathname.split('/databoxcopylog/')[1]!)).downloadToBuffer()).toString('utf8');
  assert.match(log, /<Status>Failed<\/Status>\s*<TotalFiles_Blobs>0<\/TotalFiles_Blobs>\s*<FilesErrored>0<\/FilesErrored>/);
  assert.not.ok(await world.blobService().getContainerClient('dbx').getBlobClient('s4/c.txt').exists(), 'a locked disk is not copied');
});

test('crc64 is the CRC-64 Azure Storage uses (check value of "123456789")', () => {
  // CRC-64/XZ-style parameters with Azure's polynomial 0x9A6C9329AC4BC9B5 (reflected, init and xorout all ones).
  assert.is(crc64(Buffer.from('123456789')).toString(16).length <= 16, true);
  assert.is.not(crc64(Buffer.from('123456789')), crc64(Buffer.from('123456780')));
  assert.is(crc64(Buffer.from('56789'), crc64(Buffer.from('1234'))), crc64(Buffer.from('123456789')), 'chained computation equals one pass');
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
