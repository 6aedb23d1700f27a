/**
 * The whole life of an import job through the built engine, against the test world: a seed staged and
 * prepared on two drives, job.create (-WhatIf first), a re-run that changes nothing, job.keys, job.ship,
 * the simulated datacenter importing the drives into Azurite, job.status following the job to Completed
 * and the seed to Imported, and job.remove. Nothing the engine prints may carry a key, token or secret.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startWorld, type World } from '../world/world.ts';
import {
  arriving, coordinates, createParams, descriptor, jobRunner, lastError, logs, OutputLog, prepareSeed, readJson, RETURN_ADDRESS, type PreparedSeed,
} from './fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-job-life-');
const out = new OutputLog();
let world: World;
let seed: PreparedSeed;
let run: ReturnType<typeof jobRunner>;

function requests(method: string): number {
  return world.emulator.requests.filter((r) => r.method === method && r.path.includes('/jobs/')).length;
}

test.before(async () => {
  world = await startWorld();
  run = jobRunner(world, work, out);
  seed = await prepareSeed(world, work, 'life', { drives: 2 });
});

test('job.create -WhatIf prints the job it would create, without keys, and creates nothing', async () => {
  const r = await run('job.create', createParams(world, seed), { dryRun: true });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const info = logs(r, 'information').join('\n');
  assert.match(info, /What if: create import job life-job/);
  assert.match(info, /What if: PUT \/subscriptions\/.*"driveList"/);
  for (const d of seed.drives) {
    assert.ok(info.includes(d.driveId) && info.includes(d.manifestHash), `the plan names drive ${d.driveId} and its manifest hash`);
    assert.not.ok(r.stdout.includes(d.key), 'no key in the plan');
  }
  assert.not.ok(info.includes('bitLockerKey'), 'the planned body has no bitLockerKey');
  assert.is(r.results.length, 0);
  assert.is(world.emulator.listJobs().length, 0);
  assert.is(requests('PUT'), 0);
  assert.is(descriptor(seed).state, 'DrivesPrepared');
});

test('job.create creates the job from the drive records, prints where to ship, and moves the seed to JobCreated', async () => {
  const r = await run('job.create', createParams(world, seed));
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const job = r.results[0]!;
  assert.is(job.outcome, 'Created');
  assert.is(job.serviceState, 'Creating');
  assert.is(job.state, 'Created');
  assert.is(job.controlPlane, 'ImportExport');
  assert.is(job.jobName, 'life-job');
  assert.is(job.location, 'West US');
  assert.is(job.shipToLocation, 'West US');
  assert.is(job.alternateSite, false);
  assert.is((job.shipTo as Record<string, string>).city, 'Santa Clara');
  assert.ok((job.supportedCarriers as string[]).includes('FedEx'));
  assert.is(job.driveCount, seed.drives.length);
  assert.is(job.logLevel, 'Verbose');
  assert.is(job.seedState, 'JobCreated');
  const info = logs(r, 'information').join('\n');
  assert.match(info, /Ship the 2 drive\(s\) to West US: Microsoft Azure Import\/Export Service, 2045 Lafayette Street/);
  assert.match(info, /Carriers accepted there: FedEx, DHL, UPS, USPS/);
  assert.match(info, /Update-ImportShipping by \d{4}-\d{2}-\d{2}T/);

  // What the service got: the drives, manifests and keys of the drive records; the return details.
  const stored = world.emulator.requireJob(world.jobRef('life-job'));
  assert.is(stored.properties.driveList.length, seed.drives.length);
  for (const d of seed.drives) {
    const sd = stored.properties.driveList.find((x) => x.driveId === d.driveId)!;
    assert.ok(sd, `drive ${d.driveId} is in the job`);
    assert.is(sd.bitLockerKey, d.key, 'the key from the owner-only key file');
    assert.is(sd.manifestHash, d.manifestHash.toUpperCase());
    assert.is(sd.manifestFile, d.manifestFile);
  }
  assert.is(stored.properties.returnAddress?.email, RETURN_ADDRESS.email);
  assert.is(stored.properties.returnShipping?.carrierAccountNumber, '987654321');
  assert.is(stored.properties.storageAccountId, world.storageAccountId());
  assert.is(stored.properties.diagnosticsPath, 'waimportexport');

  const d = descriptor(seed);
  assert.is(d.state, 'JobCreated');
  const recorded = d.job as Record<string, unknown>;
  assert.is(recorded.name, 'life-job');
  assert.is(recorded.resourceGroup, world.resourceGroupName);
  assert.is(recorded.subscriptionId, world.subscriptionId);
  assert.is(recorded.location, 'West US');
  assert.equal(recorded.driveIds, seed.drives.map((x) => x.driveId));
});

test('running job.create again with the same drives changes nothing', async () => {
  const puts = requests('PUT');
  const r = await run('job.create', createParams(world, seed));
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  assert.is(r.results[0]!.outcome, 'AlreadyExists');
  assert.match(logs(r, 'information').join('\n'), /exists already with the same 2 drive\(s\)/);
  assert.is(requests('PUT'), puts, 'no second PUT');
  assert.is(descriptor(seed).state, 'JobCreated');
});

test('job.keys returns the keys the service holds, matching the key files; they are result data only', async () => {
  const r = await run('job.keys', { stagingPath: seed.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  assert.is(r.results.length, seed.drives.length);
  for (const d of seed.drives) {
    const k = r.results.find((x) => x.driveId === d.driveId)!;
    assert.is(k.bitLockerKey, d.key);
    assert.is(k.matchesKeyFile, true);
  }
  const nonResult = r.stdout.split('\n').filter((l) => !l.includes('"type":"result"')).join('\n');
  for (const d of seed.drives) assert.not.ok(nonResult.includes(d.key), 'a key outside the result objects');
});

test('job.status while Creating: the job waits for the drives to be shipped', async () => {
  const r = await run('job.status', { stagingPath: seed.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const s = r.results[0]!;
  assert.is(s.serviceState, 'Creating');
  assert.is(s.state, 'Created');
  assert.is(s.waitingForImport, false);
  assert.is(s.imported, false);
  assert.match(String(s.message), /Update-ImportShipping/);
  for (const x of s.drives as Record<string, unknown>[]) assert.is(x.state, 'Specified');
  assert.not.ok(JSON.stringify(s).includes('bitLockerKey'), 'no key in a status');
});

test('job.ship records the shipment: Shipping, shipping record saved, seed Shipped', async () => {
  const r = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-LIFE-1' });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const s = r.results[0]!;
  assert.is(s.outcome, 'Shipped');
  assert.is(s.state, 'Shipping');
  assert.is(s.driveCount, seed.drives.length, 'the drive count defaults to the drives of the job');
  assert.is(s.shipDate, new Date().toISOString().slice(0, 10), 'the ship date defaults to today');
  assert.is(s.window, 'Ok');
  assert.equal(s.windowWarnings, []);
  assert.match(logs(r, 'information').join('\n'), /Shipment of import job life-job .*FedEx tracking number TRK-LIFE-1, 2 drive\(s\)/);
  const record = readJson(join(seed.staging, 'shipping.json'));
  assert.is(record.trackingNumber, 'TRK-LIFE-1');
  assert.is(record.carrierName, 'FedEx');
  assert.is(record.arrivalDeadline, s.arrivalDeadline);
  assert.is(s.recordPath, join(seed.staging, 'shipping.json'));
  assert.not.ok(existsSync(`${join(seed.staging, 'shipping.json')}.tmp`));
  const stored = world.emulator.requireJob(world.jobRef('life-job'));
  assert.is(stored.properties.state, 'Shipping');
  assert.is(stored.properties.deliveryPackage?.trackingNumber, 'TRK-LIFE-1');
  assert.is(stored.properties.deliveryPackage?.driveCount, seed.drives.length);
  assert.is(descriptor(seed).state, 'Shipped');
});

test('running job.ship again with the same tracking number changes nothing', async () => {
  const patches = requests('PATCH');
  const r = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-LIFE-1' });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  assert.is(r.results[0]!.outcome, 'AlreadyShipped');
  assert.is(requests('PATCH'), patches);
});

test('job.status while the drives travel says the seed waits for the import', async () => {
  const r = await run('job.status', { stagingPath: seed.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const s = r.results[0]!;
  assert.is(s.state, 'Shipping');
  assert.is(s.waitingForImport, true);
  assert.match(String(s.message), /The seed waits for the import: the drives are on their way/);
  assert.is((s.deliveryPackage as Record<string, unknown>).trackingNumber, 'TRK-LIFE-1');
  assert.is(s.arrivalDeadline, readJson(join(seed.staging, 'shipping.json')).arrivalDeadline);
});

test('the datacenter imports the drives; job.status reports Completed and moves the seed to Imported', async () => {
  const ref = world.jobRef('life-job');
  await world.datacenter.receivePackage(ref, arriving(seed));
  const received = await run('job.status', { stagingPath: seed.staging });
  assert.is(received.results[0]!.state, 'Received');
  assert.is(received.results[0]!.waitingForImport, true);
  await world.datacenter.transfer(ref);
  assert.is(await world.datacenter.shipBack(ref), 'Completed');

  const r = await run('job.status', { stagingPath: seed.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const s = r.results[0]!;
  assert.is(s.state, 'Completed');
  assert.is(s.imported, true);
  assert.is(s.waitingForImport, false);
  assert.is(s.percentComplete, 100);
  assert.is(s.failedBlobCount, 0);
  assert.match(String(s.message), /^Imported/);
  assert.is(s.seedState, 'Imported');
  let bytes = 0;
  for (const x of s.drives as Record<string, unknown>[]) {
    assert.is(x.state, 'Completed');
    assert.is(x.copyStatus, 'Completed');
    assert.is(x.percentComplete, 100);
    assert.ok(typeof x.verboseLogUri === 'string', 'logLevel Verbose: a verbose log per drive');
    bytes += Number(x.bytesSucceeded);
  }
  assert.is(s.bytesSucceeded, bytes);
  assert.ok(bytes > 8 * 1024 * 1024, `bytes imported: ${bytes}`);
  assert.ok(s.returnPackage !== undefined, 'the drives are on their way back');
  assert.is(descriptor(seed).state, 'Imported');

  // The container holds the repository: config, keys, index, snapshots and the packs.
  const names: string[] = [];
  for await (const b of world.blobService().getContainerClient(seed.container).listBlobsFlat({ prefix: `${seed.prefix}/` })) names.push(b.name);
  assert.ok(names.includes(`${seed.prefix}/config`), 'the repository config was imported');
  assert.ok(names.some((n) => n.startsWith(`${seed.prefix}/data/`)), 'the packs were imported');
});

test('job.remove deletes the completed job; job.status then reports the service\'s 404', async () => {
  const r = await run('job.remove', { stagingPath: seed.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  assert.is(r.results[0]!.outcome, 'Removed');
  assert.is(r.results[0]!.stateBefore, 'Completed');
  assert.is(world.emulator.getJob(world.jobRef('life-job')), undefined);
  const d = descriptor(seed);
  assert.is(d.state, 'Imported', 'removing the finished job keeps the seed Imported');
  assert.ok(typeof (d.job as Record<string, unknown>).removedAt === 'string');

  const again = await run('job.remove', { ...coordinates(world, seed) });
  assert.is(again.exitCode, 0);
  assert.is(again.results[0]!.outcome, 'AlreadyRemoved');

  const status = await run('job.status', { jobName: 'life-job', resourceGroup: world.resourceGroupName, subscriptionId: world.subscriptionId });
  assert.is(status.exitCode, 1);
  const e = lastError(status);
  assert.is(e.errorId, 'OfflineSeed.ImportExportResourceNotFound');
  assert.is(e.category, 'ObjectNotFound');
});

test('no BitLocker key, client secret, storage key or token in anything the engine printed', () => {
  assert.ok(out.keyResults.length >= 2);
  out.assertNoSecrets([
    ...seed.drives.map((d) => d.key),
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
