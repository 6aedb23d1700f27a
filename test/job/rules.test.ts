/**
 * The service's state rules (reference §1.4, §6.3, §6.13, §6.15, §7) reached through the engine: cancel
 * only in the cancel window, delete only while Creating or Completed, shipping information only while
 * Creating or Shipping and only with a return address. The engine sends the request and reports the
 * service's refusal with its code (409 InvalidJobState, 400 ReturnAddressRequired), message and advice;
 * a canceled job is never taken for an imported seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startWorld, type World } from '../world/world.ts';
import {
  arriving, createParams, descriptor, fabricateDrives, jobRunner, lastError, logs, OutputLog, prepareSeed, type PreparedSeed,
} from './fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-job-rules-');
const out = new OutputLog();
const keys: string[] = [];
let world: World;
let run: ReturnType<typeof jobRunner>;

test.before(async () => {
  world = await startWorld();
  run = jobRunner(world, work, out);
});

/** A seed with a created job on fabricated drives (never imported). */
async function seedWithJob(name: string): Promise<PreparedSeed> {
  const seed = await prepareSeed(world, work, name, { stageOnly: true });
  keys.push(...(await fabricateDrives(seed, [`${name.toUpperCase()}1`])).map((d) => d.key!));
  const r = await run('job.create', createParams(world, seed));
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  return seed;
}

function patches(): number {
  return world.emulator.requests.filter((r) => r.method === 'PATCH').length;
}

test('cancel while Creating: the job ends at once; shipping it afterwards is refused by the service', async () => {
  const seed = await seedWithJob('early');
  const dry = await run('job.cancel', { stagingPath: seed.staging }, { dryRun: true });
  assert.is(dry.exitCode, 0);
  assert.is(patches(), 0, '-WhatIf sends nothing');
  const r = await run('job.cancel', { stagingPath: seed.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const a = r.results[0]!;
  assert.is(a.outcome, 'CancelRequested');
  assert.is(a.serviceStateBefore, 'Creating');
  assert.is(a.serviceState, 'Completed', 'a job canceled before shipping ends at once (the REST reading: Completed)');
  assert.is(a.state, 'Cancelled', 'in the shared words, a canceled job is Cancelled');
  assert.ok(typeof (descriptor(seed).job as Record<string, unknown>).cancelRequestedAt === 'string');
  const again = await run('job.cancel', { stagingPath: seed.staging });
  assert.is(again.results[0]!.outcome, 'AlreadyRequested');

  const status = await run('job.status', { stagingPath: seed.staging });
  const s = status.results[0]!;
  assert.is(s.serviceState, 'Completed');
  assert.is(s.state, 'Cancelled');
  assert.is(s.cancelRequested, true);
  assert.is(s.imported, false, 'a canceled job imported nothing');
  assert.match(String(s.message), /canceled/);
  assert.is(descriptor(seed).state, 'JobCreated', 'a job canceled before shipping: the seed is neither Shipped nor Imported');
  assert.is((descriptor(seed).job as Record<string, unknown>).finalState, 'Completed');

  const ship = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-EARLY' });
  assert.is(ship.exitCode, 1);
  const e = lastError(ship);
  assert.is(e.errorId, 'OfflineSeed.ImportExportInvalidJobState');
  assert.is(e.category, 'InvalidOperation');
  assert.match(e.message, /record the shipment of import job early-job: Azure Import\/Export answered 409 InvalidJobState/);
  assert.match(String(e.recommendedAction), /only while the job is Creating or Shipping \(it is Completed\)/);
});

test('cancel while Shipping is accepted; the datacenter skips the copy and the seed is not Imported', async () => {
  const seed = await prepareSeed(world, work, 'midway');
  keys.push(...seed.drives.map((d) => d.key));
  assert.is((await run('job.create', createParams(world, seed))).exitCode, 0);
  assert.is((await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-MIDWAY' })).exitCode, 0);
  const r = await run('job.cancel', { stagingPath: seed.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  assert.is(r.results[0]!.state, 'Shipping');
  const waiting = await run('job.status', { stagingPath: seed.staging });
  assert.match(logs(waiting, 'warning').join('\n'), /A cancellation was requested for job midway-job/);
  const done = await world.datacenter.process(world.jobRef(seed.jobName), arriving(seed));
  assert.is(done.finalState, 'Completed');
  const s = (await run('job.status', { stagingPath: seed.staging })).results[0]!;
  assert.is(s.serviceState, 'Completed');
  assert.is(s.state, 'Cancelled');
  assert.is(s.imported, false);
  assert.is(s.bytesSucceeded, 0);
  assert.is(descriptor(seed).state, 'Shipped');
});

test('cancel once the drives were received is refused by the service (cancel window Creating or Shipping)', async () => {
  const seed = await seedWithJob('late');
  assert.is((await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-LATE' })).exitCode, 0);
  world.emulator.setJobState(world.jobRef(seed.jobName), 'Received');
  const r = await run('job.cancel', { stagingPath: seed.staging });
  assert.is(r.exitCode, 1);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.ImportExportInvalidJobState');
  assert.is(e.category, 'InvalidOperation');
  assert.match(e.message, /cancel import job late-job: Azure Import\/Export answered 409 InvalidJobState: The job is Received; cancellation is accepted only while Creating or Shipping/);
  assert.match(String(e.recommendedAction), /no longer accepts a cancellation/);
  assert.is(world.emulator.requireJob(world.jobRef(seed.jobName)).properties.cancelRequested, false);

  // Nor can the shipping information change once the drives are there.
  const ship = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-LATE-2' });
  assert.is(ship.exitCode, 1);
  assert.is(lastError(ship).errorId, 'OfflineSeed.ImportExportInvalidJobState');
  assert.match(lastError(ship).message, /'properties\.deliveryPackage' cannot be changed while the job is Received/);
  // The same tracking number again is a no-op, not an error.
  const same = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-LATE' });
  assert.is(same.exitCode, 0, JSON.stringify(same.errors));
  assert.is(same.results[0]!.outcome, 'AlreadyShipped');
});

test('delete while Shipping is refused by the service (only Creating or Completed)', async () => {
  const seed = await seedWithJob('busy');
  assert.is((await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-BUSY' })).exitCode, 0);
  const r = await run('job.remove', { stagingPath: seed.staging });
  assert.is(r.exitCode, 1);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.ImportExportInvalidJobState');
  assert.is(e.category, 'InvalidOperation');
  assert.match(e.message, /delete import job busy-job: Azure Import\/Export answered 409 InvalidJobState: The job is Shipping; it can be deleted only while Creating or Completed/);
  assert.match(String(e.recommendedAction), /only while Creating \(before shipping\) or once Completed/);
  assert.ok(world.emulator.getJob(world.jobRef(seed.jobName)), 'the job is still there');
  assert.is(descriptor(seed).state, 'Shipped');
});

test('shipping needs a return address: the service\'s 400 ReturnAddressRequired comes back', async () => {
  const seed = await seedWithJob('noreturn');
  // A job whose return address was lost (e.g. created in the portal without one).
  world.emulator.updateJob(world.jobRef(seed.jobName), { returnAddress: undefined });
  const r = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-NORETURN' });
  assert.is(r.exitCode, 2);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.ImportExportReturnAddressRequired');
  assert.is(e.category, 'InvalidArgument');
  assert.match(e.message, /400 ReturnAddressRequired: A job can move to Shipping only once its return address is set/);
  assert.is(descriptor(seed).state, 'JobCreated');
});

test('job.ship before the job exists, and with a bad ship date, is refused', async () => {
  const seed = await prepareSeed(world, work, 'nojob', { stageOnly: true });
  keys.push(...(await fabricateDrives(seed, ['NOJOB1'])).map((d) => d.key!));
  const r = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-NOJOB' });
  assert.is(r.exitCode, 1);
  assert.is(lastError(r).errorId, 'OfflineSeed.JobNotCreated');
  const created = await seedWithJob('baddate');
  const bad = await run('job.ship', { stagingPath: created.staging, carrierName: 'FedEx', trackingNumber: 'TRK-BAD', shipDate: '2026-02-30' });
  assert.is(bad.exitCode, 2);
  assert.is(lastError(bad).errorId, 'OfflineSeed.InvalidShipDate');
  const form = await run('job.ship', { stagingPath: created.staging, carrierName: 'FedEx', trackingNumber: 'TRK-BAD', shipDate: '30/01/2026' });
  assert.is(form.exitCode, 2);
  assert.match(lastError(form).message, /params\.shipDate/);
});

test('a Faulted job is reported as a warning, not as waiting or imported', async () => {
  const seed = await seedWithJob('faulted');
  assert.is((await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-FAULTED' })).exitCode, 0);
  world.emulator.setJobState(world.jobRef(seed.jobName), 'Faulted');
  const r = await run('job.status', { stagingPath: seed.staging });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const s = r.results[0]!;
  assert.is(s.serviceState, 'Faulted');
  assert.is(s.state, 'Failed');
  assert.is(s.waitingForImport, false);
  assert.is(s.imported, false);
  assert.match(logs(r, 'warning').join('\n'), /The job is Faulted/);
  assert.is(descriptor(seed).state, 'Shipped');
});

test('no key, secret or token in anything the engine printed', () => {
  out.assertNoSecrets([...keys, world.principal.clientSecret, world.storageAccount.key, ...world.emulator.tokenService.issued.map((t) => t.token)]);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
