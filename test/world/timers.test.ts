/**
 * The service timers on the virtual clock (reference §1.7, §6.16): the 14-day Creating expiry and its
 * reset by PATCH, the 14-day shipping window (drives NeverReceived, Closed 30 days later), and the
 * 90-day retention of finished jobs. Seen through the real SDK.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isRestError } from '@azure/storage-blob';
import { createVirtualClock, DAY_MS } from './clock.ts';
import { createDatacenter } from './datacenter.ts';
import { importJob, startEmulatorHarness, type EmulatorHarness } from './harness.ts';

const START = Date.parse('2026-03-02T08:00:00.000Z');
let h: EmulatorHarness;
test.before(async () => {
  h = await startEmulatorHarness({ clock: createVirtualClock(START) });
});
test.after(async () => {
  await h.stop();
});

async function exists(name: string): Promise<boolean> {
  try {
    await h.client().jobs.get(name, h.resourceGroupName);
    return true;
  } catch (error) {
    if (isRestError(error) && error.statusCode === 404) return false;
    throw error;
  }
}

async function create(name: string): Promise<void> {
  await h.client().jobs.create(name, h.resourceGroupName, importJob(h.storageAccountId()));
}

async function ship(name: string): Promise<void> {
  await h.client().jobs.update(name, h.resourceGroupName, { state: 'Shipping', deliveryPackage: { carrierName: 'FedEx', trackingNumber: `T-${name}` } });
}

test('systemData carries virtual time', async () => {
  await create('clocked');
  const job = await h.client().jobs.get('clocked', h.resourceGroupName);
  assert.equal(job.systemData?.createdAt, new Date(h.emulator.clock.now()));
});

test('a Creating job is deleted 14 days after the last update; any PATCH resets the timer', async () => {
  await create('idle');
  await create('kept-alive');
  h.emulator.advance(13 * DAY_MS);
  assert.ok(await exists('idle'));
  await h.client().jobs.update('kept-alive', h.resourceGroupName, { tags: { touched: 'yes' } });
  h.emulator.advance(DAY_MS);
  assert.not.ok(await exists('idle'), 'deleted at 14 days');
  assert.ok(await exists('kept-alive'), 'PATCH reset the timer');
  h.emulator.advance(13 * DAY_MS - 1);
  assert.ok(await exists('kept-alive'));
  h.emulator.advance(1);
  assert.not.ok(await exists('kept-alive'));
  const expired = h.emulator.events.filter((e) => e.kind === 'expired').map((e) => e.job);
  assert.ok(expired.includes('idle') && expired.includes('kept-alive'));
  // An empty PATCH (what a keep-alive sends) resets the timer too.
  await create('empty-patch');
  h.emulator.advance(10 * DAY_MS);
  await h.client().jobs.update('empty-patch', h.resourceGroupName, {});
  h.emulator.advance(10 * DAY_MS);
  assert.ok(await exists('empty-patch'));
});

test('shipping window: drives NeverReceived after 14 days in Shipping, the job Closed 30 days later, deleted 90 days after', async () => {
  await create('lost');
  await ship('lost');
  h.emulator.advance(14 * DAY_MS - 1);
  let job = await h.client().jobs.get('lost', h.resourceGroupName);
  assert.is(job.properties?.driveList?.[0]?.state, 'Specified');
  h.emulator.advance(1);
  job = await h.client().jobs.get('lost', h.resourceGroupName);
  assert.is(job.properties?.state, 'Shipping', 'the job waits for operations');
  assert.is(job.properties?.driveList?.[0]?.state, 'NeverReceived');
  h.emulator.advance(30 * DAY_MS);
  job = await h.client().jobs.get('lost', h.resourceGroupName);
  assert.is(job.properties?.state, 'Closed');
  h.emulator.advance(90 * DAY_MS - 1);
  assert.ok(await exists('lost'));
  h.emulator.advance(1);
  assert.not.ok(await exists('lost'));
});

test('one long jump fires each timer at its own instant', async () => {
  await create('cascade');
  await ship('cascade');
  const shippedAt = h.emulator.clock.now();
  h.emulator.advance(200 * DAY_MS);
  assert.not.ok(await exists('cascade'));
  const events = h.emulator.events.filter((e) => e.job === 'cascade');
  const at = (kind: string, detail?: RegExp): number | undefined => events.find((e) => e.kind === kind && (!detail || detail.test(e.detail)))?.at;
  assert.is(at('never-received'), shippedAt + 14 * DAY_MS);
  assert.is(at('state', /-> Closed/), shippedAt + 44 * DAY_MS);
  assert.is(at('retention-deleted'), shippedAt + 134 * DAY_MS);
});

test('a drive that turns up after the window is Received; the job then no longer closes on the timer', async () => {
  const datacenter = createDatacenter({ emulator: h.emulator, storage: () => { throw new Error('not used'); } });
  await create('late');
  await ship('late');
  h.emulator.advance(20 * DAY_MS);
  const driveId = h.emulator.requireJob(h.ref('late')).properties.driveList[0]!.driveId;
  assert.is(h.emulator.requireJob(h.ref('late')).properties.driveList[0]!.state, 'NeverReceived');
  await datacenter.receivePackage(h.ref('late'), [{ driveId, root: '/nonexistent' }]);
  h.emulator.advance(60 * DAY_MS);
  const job = await h.client().jobs.get('late', h.resourceGroupName);
  assert.is(job.properties?.state, 'Received');
  assert.is(job.properties?.driveList?.[0]?.state, 'Received');
});

test('90-day retention after Completed or Closed, and for a job canceled while Creating', async () => {
  await create('done');
  await create('closed');
  await create('canceled');
  h.emulator.setJobState(h.ref('done'), 'Completed');
  h.emulator.setJobState(h.ref('closed'), 'Closed');
  const canceled = await h.client().jobs.update('canceled', h.resourceGroupName, { cancelRequested: true });
  assert.is(canceled.properties?.state, 'Completed');
  h.emulator.advance(89 * DAY_MS);
  for (const name of ['done', 'closed', 'canceled']) assert.ok(await exists(name), name);
  h.emulator.advance(DAY_MS);
  for (const name of ['done', 'closed', 'canceled']) assert.not.ok(await exists(name), name);
});

test('timers are configurable', async () => {
  const quick = await startEmulatorHarness({ timers: { creatingExpiryMs: DAY_MS } });
  try {
    await quick.client().jobs.create('short', quick.resourceGroupName, importJob(quick.storageAccountId()));
    quick.emulator.advance(DAY_MS);
    assert.is(quick.emulator.getJob(quick.ref('short')), undefined);
    assert.is(quick.emulator.config.timers.retentionMs, 90 * DAY_MS);
  } finally {
    await quick.stop();
  }
});

test.run();
