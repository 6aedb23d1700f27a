/**
 * The two-week windows on the world's virtual clock. The engine takes "now" from the service (job
 * creation, and the moment the service recorded the shipment), so advancing the emulator's clock is
 * all it takes: shipping 12 days after creation is close to the creation window, a ship date after it
 * is past, a ship date too late for the drives to arrive is past the arrival window, drives that never
 * arrive become NeverReceived, and a job left in Creating for 14 days is deleted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startWorld, type World } from '../world/world.ts';
import { arriving, createParams, DAY_MS, descriptor, fabricateDrives, jobRunner, lastError, logs, OutputLog, prepareSeed, readJson, type PreparedSeed } from './fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-job-window-');
const out = new OutputLog();
const keys: string[] = [];
let world: World;
let run: ReturnType<typeof jobRunner>;

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

test.before(async () => {
  world = await startWorld();
  run = jobRunner(world, work, out);
});

async function seedWithJob(name: string): Promise<{ seed: PreparedSeed; createdAt: number }> {
  const seed = await prepareSeed(world, work, name, { stageOnly: true });
  keys.push(...(await fabricateDrives(seed, [`${name.toUpperCase()}1`, `${name.toUpperCase()}2`])).map((d) => d.key!));
  const r = await run('job.create', createParams(world, seed));
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  return { seed, createdAt: Date.parse(String(r.results[0]!.createdAt)) };
}

test('shipped 12 days after the job was created: close to the creation window, as a warning and in the result', async () => {
  const { seed, createdAt } = await seedWithJob('close');
  assert.ok(Math.abs(createdAt - world.clock.now()) < 60_000, 'the job was created at the virtual now');
  world.emulator.advance(12 * DAY_MS);
  const r = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-CLOSE', shipDate: day(world.clock.now()) });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const s = r.results[0]!;
  assert.ok(Math.abs(Date.parse(String(s.recordedAt)) - world.clock.now()) < 60_000, 'recordedAt is the service\'s (virtual) time');
  assert.is(s.window, 'Close');
  const warnings = s.windowWarnings as { rule: string; verdict: string; message: string }[];
  assert.equal(warnings.map((w) => `${w.rule} ${w.verdict}`), ['CreationWindow Close']);
  assert.match(warnings[0]!.message, /only \d+(\.\d)? days? were left of the 14 days after job creation .*reference §4\.4 and §6\.16: carrier and tracking number within 14 days of job creation/);
  assert.ok(logs(r, 'warning').includes(warnings[0]!.message), 'the same words as a warning');
  assert.is(s.shippingInfoDeadline, new Date(createdAt + 14 * DAY_MS).toISOString());
  assert.is(s.arrivalDeadline, new Date(Date.parse(String(s.recordedAt)) + 14 * DAY_MS).toISOString());
  const record = readJson(join(seed.staging, 'shipping.json'));
  assert.is(record.window, 'Close');
  assert.equal(record.warnings, warnings);
});

test('a ship date after the creation deadline is past; drives that never arrive become NeverReceived, then the job is Closed', async () => {
  const { seed } = await seedWithJob('past');
  world.emulator.advance(13 * DAY_MS);
  const r = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-PAST', shipDate: day(world.clock.now() + 3 * DAY_MS) });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const s = r.results[0]!;
  assert.is(s.window, 'Past');
  const warnings = s.windowWarnings as { rule: string; verdict: string; message: string }[];
  assert.equal(warnings.map((w) => `${w.rule} ${w.verdict}`), ['CreationWindow Past']);
  assert.match(warnings[0]!.message, /^Past the creation window: the drives leave on \d{4}-\d{2}-\d{2}, \d+(\.\d)? days? after .*14 days after the job was created \(reference §4\.4/);

  world.emulator.advance(15 * DAY_MS);
  const status = await run('job.status', { stagingPath: seed.staging });
  assert.is(status.exitCode, 0, JSON.stringify(status.errors));
  const st = status.results[0]!;
  assert.is(st.state, 'Shipping');
  assert.is(st.waitingForImport, true);
  for (const d of st.drives as Record<string, unknown>[]) assert.is(d.state, 'NeverReceived');
  assert.match(logs(status, 'warning').join('\n'), /is NeverReceived: the package did not reach the datacenter within 14 days of the shipping information \(reference §4\.4, §6\.16\)/);

  world.emulator.advance(31 * DAY_MS);
  const closed = (await run('job.status', { stagingPath: seed.staging })).results[0]!;
  assert.is(closed.serviceState, 'Closed');
  assert.is(closed.state, 'Failed', 'no drive was ever copied');
  assert.is(closed.imported, false);
  assert.is(descriptor(seed).state, 'Shipped');
});

test('a ship date too late for the drives to arrive in time: close, then past the arrival window', async () => {
  const { seed } = await seedWithJob('arrival');
  const close = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-ARRIVAL-1', shipDate: day(world.clock.now() + 13 * DAY_MS) });
  assert.is(close.exitCode, 0, JSON.stringify(close.errors));
  const closeWarnings = close.results[0]!.windowWarnings as { rule: string; verdict: string; message: string }[];
  const arrival = closeWarnings.find((w) => w.rule === 'ArrivalWindow');
  assert.ok(arrival, JSON.stringify(closeWarnings));
  assert.is(arrival.verdict, 'Close');
  assert.match(arrival.message, /must arrive by .*reference §4\.4 and §6\.16: the drives must reach the datacenter within 14 days after the shipping information is recorded/);

  const past = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-ARRIVAL-2', shipDate: day(world.clock.now() + 15 * DAY_MS) });
  assert.is(past.exitCode, 0, JSON.stringify(past.errors));
  assert.is(past.results[0]!.outcome, 'Updated');
  assert.is(past.results[0]!.window, 'Past');
  assert.ok((past.results[0]!.windowWarnings as { rule: string; verdict: string }[]).some((w) => w.rule === 'ArrivalWindow' && w.verdict === 'Past'));
  assert.match(logs(past, 'warning').join('\n'), /Past the arrival window: the drives leave on/);
});

test('a job left in Creating for 14 days is deleted: job.status and job.ship say so; job.create makes it again', async () => {
  const { seed } = await seedWithJob('expire');
  world.emulator.advance(15 * DAY_MS);
  const status = await run('job.status', { stagingPath: seed.staging });
  assert.is(status.exitCode, 1);
  const e = lastError(status);
  assert.is(e.errorId, 'OfflineSeed.ImportExportResourceNotFound');
  assert.match(String(e.recommendedAction), /deletes a job left in Creating 14 days after its last update/);
  const ship = await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-EXPIRE' });
  assert.is(ship.exitCode, 1);
  assert.is(lastError(ship).errorId, 'OfflineSeed.ImportExportResourceNotFound');
  const again = await run('job.create', createParams(world, seed));
  assert.is(again.exitCode, 0, JSON.stringify(again.errors));
  assert.is(again.results[0]!.outcome, 'Created');
  assert.match(logs(again, 'warning').join('\n'), /no longer exists \(a job left in Creating is deleted 14 days after its last update\); it is created again/);
});

test('a finished job is deleted 90 days after it ended: the seed stays Imported, job.status says why', async () => {
  const seed = await prepareSeed(world, work, 'retained');
  keys.push(...seed.drives.map((d) => d.key));
  assert.is((await run('job.create', createParams(world, seed))).exitCode, 0);
  assert.is((await run('job.ship', { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'TRK-RETAINED', shipDate: day(world.clock.now()) })).exitCode, 0);
  assert.is((await world.datacenter.process(world.jobRef(seed.jobName), arriving(seed))).finalState, 'Completed');
  assert.is((await run('job.status', { stagingPath: seed.staging })).results[0]!.imported, true);
  world.emulator.advance(89 * DAY_MS);
  assert.is((await run('job.status', { stagingPath: seed.staging })).exitCode, 0, 'still there after 89 days');
  world.emulator.advance(2 * DAY_MS);
  const gone = await run('job.status', { stagingPath: seed.staging });
  assert.is(gone.exitCode, 1);
  assert.is(lastError(gone).errorId, 'OfflineSeed.ImportExportResourceNotFound');
  assert.match(String(lastError(gone).recommendedAction), /a finished job 90 days after it ended/);
  assert.is(descriptor(seed).state, 'Imported');
});

test('no key, secret or token in anything the engine printed', () => {
  out.assertNoSecrets([...keys, world.principal.clientSecret, world.storageAccount.key, ...world.emulator.tokenService.issued.map((t) => t.token)]);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
