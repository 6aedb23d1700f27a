/**
 * The seed's whole journey in the test world: staged, prepared on two drives (spanning), imported by the
 * simulated datacenter (which reads our drives and manifests exactly as the service would), then
 * Complete-OfflineSeed verifies the container against the journals, two incremental backups go on top,
 * and the cloud restore equals the source. The job is created and shipped with the real SDK here; the
 * job commands have their own tests.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DriveStatus } from '@azure/arm-storageimportexport';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { diffTrees, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { bitLockerKey } from '../drive/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';

const work = mkdtempSync('/var/tmp/offlineseed-flow-');
const source = join(work, 'server');
const staging = join(work, 'staging');
const MiB = 1024 * 1024;
const jobName = 'flow-seed';
let world: World;
const drives: { driveId: string; root: string; key: string; manifestFile: string; manifestHash: string }[] = [];

function makeServer(): void {
  for (let d = 0; d < 6; d++) {
    mkdirSync(join(source, `share-${d}`), { recursive: true });
    for (let i = 0; i < 40; i++) writeFileSync(join(source, `share-${d}`, `file-${i}.txt`), `share ${d} file ${i}\n`.repeat(400 + i));
  }
  mkdirSync(join(source, 'vm'));
  for (let i = 0; i < 6; i++) writeFileSync(join(source, 'vm', `disk-${i}.vhdx`), seededBytes(70 + i, 3 * MiB));
}

test.before(async () => {
  world = await startWorld();
  makeServer();
});

test('stage, prepare two drives, import them through the datacenter: the job completes', async () => {
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName, storageAccount: world.storageAccount.name, container: 'backups', prefix: 'fs01', password: RESTIC_PASSWORD, packSizeMiB: 4 });
  assert.is(stage.exitCode, 0, JSON.stringify(stage.errors));
  for (let n = 1; n <= 3; n++) {
    const root = join(work, `drive-${n}`);
    mkdirSync(root);
    const key = bitLockerKey(40 + n);
    const prep = await runEngine('drive.prepare', { stagingPath: staging, driveRoot: root, driveId: `FLOWDRIVE${n}`, bitLockerKey: key, capacityBytes: 14 * MiB });
    assert.is(prep.exitCode, 0, JSON.stringify(prep.errors));
    const r = prep.results[0]!;
    drives.push({ driveId: String(r.driveId), root, key, manifestFile: String(r.manifestFile), manifestHash: String(r.manifestHash) });
    if (r.state === 'Complete') break;
  }
  assert.ok(drives.length >= 2, `the seed spans ${drives.length} drives`);
  const client = world.importExportClient();
  await client.jobs.create(jobName, world.resourceGroupName, {
    location: 'West US',
    properties: {
      storageAccountId: world.storageAccountId(),
      jobType: 'Import',
      returnAddress: { recipientName: 'Ops', streetAddress1: '1 Main St', city: 'Redmond', stateOrProvince: 'WA', postalCode: '98052', countryOrRegion: 'USA', phone: '4250000000', email: 'ops@example.com' },
      returnShipping: { carrierName: 'FedEx', carrierAccountNumber: '123456789' },
      diagnosticsPath: 'waimportexport',
      logLevel: 'Verbose',
      backupDriveManifest: false,
      driveList: drives.map((d) => ({ driveId: d.driveId, bitLockerKey: d.key, manifestFile: d.manifestFile, manifestHash: d.manifestHash, driveHeaderHash: '' })) as DriveStatus[],
    },
  });
  await client.jobs.update(jobName, world.resourceGroupName, { state: 'Shipping', deliveryPackage: { carrierName: 'FedEx', trackingNumber: 'TRK-FLOW-1', driveCount: drives.length, shipDate: '2026-11-21' } });
  const report = await world.datacenter.process(world.jobRef(jobName), drives.map((d) => ({ driveId: d.driveId, root: d.root, expectedBitLockerKey: d.key })));
  assert.is(report.finalState, 'Completed', JSON.stringify(report));
  const job = await client.jobs.get(jobName, world.resourceGroupName);
  for (const drive of job.properties!.driveList!) assert.is(drive.state, 'Completed');
});

test('Complete-OfflineSeed finds the imported container complete (nothing to repair)', async () => {
  const run = await runEngine('seed.complete', { stagingPath: staging, password: RESTIC_PASSWORD, force: true, verifyPercent: 100 }, { env: world.env });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  const r = run.results[0]!;
  assert.is(r.blobsMissing, 0);
  assert.is(r.blobsCorrupt, 0);
  assert.is(r.blobsRepaired, 0);
  assert.is(r.blobsVerifiedByHash, r.blobsExpected, 'every blob compared piece by piece with the journals');
  assert.ok((r.logsRead as number) >= drives.length, 'the verbose DriveLogs were read');
});

for (const round of [1, 2]) {
  test(`incremental backup ${round} on top of the imported seed`, async () => {
    appendFileSync(join(source, 'share-0', 'file-0.txt'), `round ${round}\n`.repeat(1000));
    writeFileSync(join(source, `new-${round}.bin`), seededBytes(500 + round, 200 * 1024));
    const run = await runEngine('backup.run', { repository: `azure://${world.storageAccount.name}/backups/fs01`, stagingPath: staging, password: RESTIC_PASSWORD }, { env: world.env });
    assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
    const r = run.results[0]!;
    assert.ok((r.filesUnmodified as number) >= 240, `unchanged files: ${r.filesUnmodified}`);
    assert.ok((r.bytesUploaded as number) < 2 * MiB, `uploaded ${r.bytesUploaded}`);
  });
}

test('restore from the cloud equals the source, and the cloud check reads every byte', async () => {
  const repository = `azure://${world.storageAccount.name}/backups/fs01`;
  const target = join(work, 'restored');
  const restore = await runEngine('restore.run', { repository, password: RESTIC_PASSWORD, target }, { env: world.env });
  assert.is(restore.exitCode, 0, JSON.stringify(restore.errors));
  assert.equal(diffTrees(source, join(target, source)), []);
  const check = await runEngine('repo.check', { repository, password: RESTIC_PASSWORD, readData: true }, { env: world.env });
  assert.is(check.exitCode, 0, JSON.stringify(check.errors));
  assert.is(check.results[0]!.snapshots, 3);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
