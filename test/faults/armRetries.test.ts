/**
 * The Import/Export and Data Box emulators answering 500, 503 or 429 to the job commands: the engine retries with
 * backoff (the floor of each wait doubling; a 429's Retry-After honoured) and succeeds;
 * when the service keeps failing, the run ends after the retries with the service's code as a stable
 * error id (OfflineSeed.ImportExport<code>), category ResourceUnavailable / ResourceBusy, exit code 1
 * and advice to run the command again later. OFFLINESEED_RETRY_DELAY_MS sets the first delay (200 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SeenRequest } from '../world/faultInjection.ts';
import { startWorld, type World } from '../world/world.ts';
import { createParams, jobRunner, lastError, OutputLog, prepareSeed, type PreparedSeed } from '../job/fixtures.ts';

const BASE_DELAY_MS = 200;
const work = mkdtempSync('/var/tmp/offlineseed-fault-arm-');
let world: World;
let run: ReturnType<typeof jobRunner>;
let seed: PreparedSeed;
const env = { OFFLINESEED_RETRY_DELAY_MS: String(BASE_DELAY_MS) };
let jobPath: RegExp;

test.before(async () => {
  world = await startWorld();
  run = jobRunner(world, work, new OutputLog());
  seed = await prepareSeed(world, work, 'retry');
  jobPath = new RegExp(`/jobs/${seed.jobName}$`);
});

/**
 * The SDK waits d·2^n with jitter down to half (n = 0 for the first retry): the n-th wait is at least
 * d·2^n/2, so each floor doubles. Floors, not ratios of measured gaps: a loaded machine only adds time.
 */
function assertBackoff(gaps: readonly number[]): void {
  gaps.forEach((gap, n) => assert.ok(gap >= (BASE_DELAY_MS * 2 ** n) / 2 - 20, `wait ${n + 1} was ${gap} ms (waits ${gaps.join(', ')} ms)`));
  console.log(`  waits ${gaps.join(', ')} ms`);
}

/** The requests to the job resource with `method` since `from`, and the gaps between them. */
function attempts(method: string, from: number): { seen: SeenRequest[]; gaps: number[] } {
  const seen = world.emulator.faults.seen.slice(from).filter((s) => s.method === method && jobPath.test(s.path));
  return { seen, gaps: seen.slice(1).map((s, i) => s.realMs - seen[i]!.realMs) };
}

test('job.create answered 500 twice: retried with doubling waits, then created', async () => {
  const from = world.emulator.faults.seen.length;
  world.emulator.faults.failNext(2, 500, { method: 'PUT', path: jobPath });
  const r = await run('job.create', createParams(world, seed), { env });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const { seen, gaps } = attempts('PUT', from);
  assert.equal(seen.map((s) => s.injected), [500, 500, undefined], 'two failures, then the PUT that created the job');
  assertBackoff(gaps);
  assert.is(world.emulator.requireJob(world.jobRef(seed.jobName)).properties.state, 'Creating');
});

test('job.status answered 503 twice: retried with doubling waits, then the status', async () => {
  const from = world.emulator.faults.seen.length;
  world.emulator.faults.failNext(2, 503, { method: 'GET', path: jobPath });
  const r = await run('job.status', { stagingPath: seed.staging }, { env });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  assert.is(r.results[0]!.state, 'Created');
  assert.is(r.results[0]!.serviceState, 'Creating');
  const { seen, gaps } = attempts('GET', from);
  assert.equal(seen.slice(0, 3).map((s) => s.injected), [503, 503, undefined]);
  assertBackoff(gaps.slice(0, 2));
});

test('job.status answered 429 with Retry-After: 1 twice: each retry waits the second the service asked for', async () => {
  const from = world.emulator.faults.seen.length;
  world.emulator.faults.failNext(2, 429, { method: 'GET', path: jobPath, retryAfterSeconds: 1 });
  const r = await run('job.status', { stagingPath: seed.staging }, { env });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const { seen, gaps } = attempts('GET', from);
  assert.equal(seen.slice(0, 3).map((s) => s.injected), [429, 429, undefined]);
  assert.ok(gaps[0]! >= 980 && gaps[1]! >= 980, `waits ${gaps.join(', ')} ms (Retry-After: 1 s, base delay ${BASE_DELAY_MS} ms)`);
  console.log(`  waits ${gaps.slice(0, 2).join(', ')} ms`);
});

for (const [status, errorId, category] of [[500, 'OfflineSeed.ImportExportInternalServerError', 'ResourceUnavailable'], [503, 'OfflineSeed.ImportExportServiceUnavailable', 'ResourceUnavailable']] as const) {
  test(`a service answering ${status} every time: 3 retries, then ${errorId} (exit 1, advice to retry later)`, async () => {
    const from = world.emulator.faults.seen.length;
    world.emulator.faults.failNext(100, status, { method: 'GET', path: jobPath });
    const r = await run('job.status', { stagingPath: seed.staging }, { env });
    world.emulator.faults.clear();
    assert.is(r.exitCode, 1, JSON.stringify(r.errors));
    const e = lastError(r);
    assert.is(e.errorId, errorId);
    assert.is(e.category, category);
    assert.match(e.message, new RegExp(`answered ${status}`));
    assert.match(String(e.recommendedAction), /again/);
    const { seen, gaps } = attempts('GET', from);
    assert.is(seen.length, 4, 'the first request and 3 retries');
    assertBackoff(gaps);
  });
}

// The same through the Data Box control plane (its own emulator and client).

test('Data Box: job.create answered 503 once and job.status 429 then 500: retried, then created and read', async () => {
  const box = await prepareSeed(world, work, 'retrybox');
  const boxPath = new RegExp(`/jobs/${box.jobName}$`);
  const faults = world.dataBox.faults;
  const from = faults.seen.length;
  faults.failNext(1, 503, { method: 'PUT', path: boxPath });
  const created = await run('job.create', { ...createParams(world, box), controlPlane: 'DataBox' }, { env });
  assert.is(created.exitCode, 0, JSON.stringify(created.errors) + created.stderr);
  const puts = faults.seen.slice(from).filter((r) => r.method === 'PUT' && boxPath.test(r.path));
  assert.equal(puts.map((r) => r.injected), [503, undefined], 'one failure, then the PUT the service took');
  assert.ok(puts[1]!.realMs - puts[0]!.realMs >= BASE_DELAY_MS / 2 - 20, 'the retry waited');

  const fromStatus = faults.seen.length;
  faults.failNext(1, 429, { method: 'GET', path: boxPath, retryAfterSeconds: 1 });
  faults.failNext(1, 500, { method: 'GET', path: boxPath });
  const status = await run('job.status', { stagingPath: box.staging }, { env });
  assert.is(status.exitCode, 0, JSON.stringify(status.errors) + status.stderr);
  assert.is(status.results[0]!.controlPlane, 'DataBox');
  const gets = faults.seen.slice(fromStatus).filter((r) => r.method === 'GET' && boxPath.test(r.path));
  assert.equal(gets.slice(0, 3).map((r) => r.injected), [429, 500, undefined]);
  assert.ok(gets[1]!.realMs - gets[0]!.realMs >= 980, `the 429's Retry-After (1 s) was honoured: waited ${gets[1]!.realMs - gets[0]!.realMs} ms`);

  faults.failNext(100, 503, { method: 'GET', path: boxPath });
  const failing = await run('job.status', { stagingPath: box.staging }, { env });
  faults.clear();
  assert.is(failing.exitCode, 1, JSON.stringify(failing.errors));
  assert.match(lastError(failing).errorId, /^OfflineSeed\.DataBox/);
  assert.match(lastError(failing).message, /503/);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
