/**
 * The seed's whole journey on the Data Box control plane, the twin of importFlow.test.ts: staged,
 * prepared on two drives (spanning), job.create (a DataBoxCustomerDisk job, the default), job.ship
 * (markDevicesShipped), the simulated datacenter reading the drives exactly as the service would and
 * writing the copy logs into databoxcopylog, job.status following the job to Completed (the real
 * @azure/arm-databox client sees the same job), Complete-OfflineSeed verifying the container against
 * the journals (and reading the CopyLogs and VerboseLogs), two incremental backups on top, and the
 * cloud restore equal to the source.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataBoxCustomerDiskJobDetails } from '@azure/arm-databox';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { diffTrees, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { bitLockerKey } from '../drive/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';

const work = mkdtempSync('/var/tmp/offlineseed-dbxflow-');
const source = join(work, 'server');
const staging = join(work, 'staging');
const MiB = 1024 * 1024;
const jobName = 'dbx-flow-seed';
let world: World;
let env: Record<string, string>;
const drives: { driveId: string; root: string; key: string }[] = [];

function makeServer(): void {
  for (let d = 0; d < 6; d++) {
    mkdirSync(join(source, `share-${d}`), { recursive: true });
    for (let i = 0; i < 40; i++) writeFileSync(join(source, `share-${d}`, `file-${i}.txt`), `share ${d} file ${i}\n`.repeat(400 + i));
  }
  mkdirSync(join(source, 'vm'));
  for (let i = 0; i < 6; i++) writeFileSync(join(source, 'vm', `disk-${i}.vhdx`), seededBytes(170 + i, 3 * MiB));
}

test.before(async () => {
  world = await startWorld();
  env = { ...world.env, XDG_CONFIG_HOME: join(work, 'config') };
  makeServer();
});

test('stage, prepare two drives, create and ship the Data Box job, import through the datacenter: the job completes', async () => {
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName, storageAccount: world.storageAccount.name, container: 'backups', prefix: 'fs01', password: RESTIC_PASSWORD, packSizeMiB: 4 });
  assert.is(stage.exitCode, 0, JSON.stringify(stage.errors));
  for (let n = 1; n <= 3; n++) {
    const root = join(work, `drive-${n}`);
    mkdirSync(root);
    const key = bitLockerKey(60 + n);
    const prep = await runEngine('drive.prepare', { stagingPath: staging, driveRoot: root, driveId: `DBXFLOW${n}`, bitLockerKey: key, capacityBytes: 14 * MiB });
    assert.is(prep.exitCode, 0, JSON.stringify(prep.errors));
    drives.push({ driveId: String(prep.results[0]!.driveId), root, key });
    if (prep.results[0]!.state === 'Complete') break;
  }
  assert.ok(drives.length >= 2, `the seed spans ${drives.length} drives`);
  const create = await runEngine('job.create', {
    stagingPath: staging, subscriptionId: world.subscriptionId, resourceGroup: world.resourceGroupName, location: 'West US',
    returnAddress: { recipientName: 'Ops', streetAddress1: '1 Main St', city: 'Redmond', stateOrProvince: 'WA', postalCode: '98052', countryOrRegion: 'US', phone: '4250000000', email: 'ops@example.com' },
    returnShipping: { carrierName: 'FedEx', carrierAccountNumber: '123456789' },
  }, { env });
  assert.is(create.exitCode, 0, JSON.stringify(create.errors) + create.stderr);
  assert.is(create.results[0]!.controlPlane, 'DataBox');
  assert.is(create.results[0]!.state, 'Created');
  const ship = await runEngine('job.ship', { stagingPath: staging, carrierName: 'FedEx', trackingNumber: 'DBX-FLOW-1' }, { env });
  assert.is(ship.exitCode, 0, JSON.stringify(ship.errors) + ship.stderr);
  assert.is(ship.results[0]!.serviceState, 'ShippedToAzureDC');

  const report = await world.dataBoxDatacenter.process(world.jobRef(jobName), drives.map((d) => ({ driveId: d.driveId, root: d.root, expectedBitLockerKey: d.key })));
  assert.is(report.finalStatus, 'Completed', JSON.stringify(report.disks.map((d) => [d.serialNumber, d.copyStatus, d.driveStatus])));
  const status = await runEngine('job.status', { stagingPath: staging }, { env });
  assert.is(status.exitCode, 0, JSON.stringify(status.errors));
  const s = status.results[0]!;
  assert.is(s.state, 'Completed');
  assert.is(s.serviceState, 'Completed');
  assert.is(s.imported, true);
  assert.is(s.seedState, 'Imported');

  // The real SDK sees the same job: every disk copied, each with its copy log and verbose log.
  const job = await world.dataBoxClient().jobs.get(world.resourceGroupName, jobName, { expand: 'details' });
  assert.is(job.status, 'Completed');
  const details = job.details as DataBoxCustomerDiskJobDetails;
  assert.equal(Object.keys(details.importDiskDetailsCollection ?? {}).sort(), drives.map((d) => d.driveId).sort());
  for (const p of details.copyProgress ?? []) assert.is(p.copyStatus, 'Completed');
  assert.is(details.copyLogDetails?.length, drives.length);
});

test('Complete-OfflineSeed finds the imported container complete and reads the Data Box copy logs', async () => {
  const run = await runEngine('seed.complete', { stagingPath: staging, password: RESTIC_PASSWORD, verifyPercent: 100 }, { env });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  const r = run.results[0]!;
  assert.is(r.blobsMissing, 0);
  assert.is(r.blobsCorrupt, 0);
  assert.is(r.blobsRepaired, 0);
  assert.is(r.blobsVerifiedByHash, r.blobsExpected, 'every blob compared piece by piece with the journals');
  // A CopyLog and (logCollectionLevel Verbose, the default) a VerboseLog per drive.
  assert.ok((r.logsRead as number) >= 2 * drives.length, `the CopyLogs and VerboseLogs were read (${r.logsRead})`);
});

for (const round of [1, 2]) {
  test(`incremental backup ${round} on top of the imported seed`, async () => {
    appendFileSync(join(source, 'share-0', 'file-0.txt'), `round ${round}\n`.repeat(1000));
    writeFileSync(join(source, `new-${round}.bin`), seededBytes(600 + round, 200 * 1024));
    const run = await runEngine('backup.run', { repository: `azure://${world.storageAccount.name}/backups/fs01`, stagingPath: staging, password: RESTIC_PASSWORD }, { env });
    assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
    const r = run.results[0]!;
    assert.ok((r.filesUnmodified as number) >= 240, `unchanged files: ${r.filesUnmodified}`);
    assert.ok((r.bytesUploaded as number) < 2 * MiB, `uploaded ${r.bytesUploaded}`);
  });
}

test('restore from the cloud equals the source, and the cloud check reads every byte', async () => {
  const repository = `azure://${world.storageAccount.name}/backups/fs01`;
  const target = join(work, 'restored');
  const restore = await runEngine('restore.run', { repository, password: RESTIC_PASSWORD, target }, { env });
  assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
  assert.equal(diffTrees(source, join(target, source)), []);
  const check = await runEngine('repo.check', { repository, password: RESTIC_PASSWORD, readData: true }, { env });
  assert.is(check.exitCode, 0, JSON.stringify(check.errors));
  assert.is(check.results[0]!.snapshots, 3);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
