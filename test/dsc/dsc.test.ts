/**
 * The DSC v3 command-resource contract of `offlineseed-engine dsc`, fed exactly as DSC feeds it (the
 * instance as one compressed JSON line on stdin, the manifest's args) and read exactly as DSC reads
 * it: stdout only state lines (get: one; test and set: the state, then a JSON array of property
 * names; export: one per instance), every one valid against the manifest's embedded schema; stderr
 * only one-key JSON trace objects; exit codes from the manifest's exitCodes.
 *   OfflineSeed/Backup     on a local repository, checked with restic
 *   OfflineSeed/ImportJob  against the test world's Import/Export emulator: a created job, shipped by set
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runDsc } from '../../engine/dsc/dscCli.ts';
import { dscResourceManifests } from '../../engine/dsc/manifests.ts';
import { engineCommand, runEngine } from '../helpers/engine.ts';
import { restic, RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { createParams, jobRunner, OutputLog, prepareSeed, type PreparedSeed } from '../job/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';

const work = mkdtempSync(join(tmpdir(), 'offlineseed-dsc-'));
const manifests = dscResourceManifests();
const ajv = new Ajv2020({ strict: false });
const TRACE_KEYS = new Set(['error', 'warn', 'info', 'debug', 'trace']);

interface DscRun {
  exitCode: number | null;
  lines: unknown[];
  stdout: string;
  traces: Record<string, string>[];
}

function manifestOf(type: string): Record<string, { args: string[] } & Record<string, unknown>> {
  const found = Object.values(manifests).find((m) => m.type === type);
  assert.ok(found, `no manifest for ${type}`);
  return found as Record<string, { args: string[] } & Record<string, unknown>>;
}

/** Runs one operation with the manifest's args and the instance on stdin, as DSC does. */
function dsc(type: string, operation: string, instance: unknown, env: NodeJS.ProcessEnv = {}, rawInput?: string): Promise<DscRun> {
  const { file, args } = engineCommand();
  const manifest = manifestOf(type);
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args, ...manifest[operation]!.args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const traces = stderr.split('\n').filter((l) => l !== '').map((l) => {
        const parsed = JSON.parse(l) as Record<string, string>;
        const keys = Object.keys(parsed);
        assert.is(keys.length, 1, `a stderr line must be one trace object: ${l}`);
        assert.ok(TRACE_KEYS.has(keys[0]!), `unknown trace level in ${l}`);
        return parsed;
      });
      assert.ok(stdout === '' || stdout.endsWith('\n'), 'stdout ends with a newline');
      const lines = stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
      resolve({ exitCode: code, lines, stdout, traces });
    });
    child.stdin.end(rawInput ?? `${JSON.stringify(instance)}\n`);
  });
}

function assertState(type: string, value: unknown): Record<string, unknown> {
  const schema = (manifestOf(type).schema as unknown as { embedded: object }).embedded;
  const validate = ajv.compile(schema);
  assert.ok(validate(value), `state must match the embedded schema: ${JSON.stringify(validate.errors)} in ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

function errorText(run: DscRun): string {
  return run.traces.filter((t) => t.error !== undefined).map((t) => t.error).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// OfflineSeed/Backup

const repo = join(work, 'repo');
const source = join(work, 'source');
const passwordFile = join(work, 'password');
let backup: Record<string, unknown>;

test.before(() => {
  mkdirSync(source);
  writeFileSync(join(source, 'a.txt'), 'first file\n');
  writeFileSync(passwordFile, `${RESTIC_PASSWORD}\n`, { mode: 0o600 });
  restic(repo, 'init');
  backup = { repository: repo, passwordFile, sources: [source], hostname: 'dsc-host', maxAgeHours: 24 };
});

test('Backup get on an empty repository: one state line, _exist false, no snapshot', async () => {
  const r = await dsc('OfflineSeed/Backup', 'get', backup);
  assert.is(r.exitCode, 0, errorText(r));
  assert.is(r.lines.length, 1);
  const state = assertState('OfflineSeed/Backup', r.lines[0]);
  assert.is(state._exist, false);
  assert.is(state.snapshotCount, 0);
  assert.is(state.latestSnapshotId, undefined);
});

test('Backup test: the state with _inDesiredState false, then ["ageHours"]', async () => {
  const r = await dsc('OfflineSeed/Backup', 'test', backup);
  assert.is(r.exitCode, 0, errorText(r));
  assert.is(r.lines.length, 2);
  assert.is(assertState('OfflineSeed/Backup', r.lines[0])._inDesiredState, false);
  assert.equal(r.lines[1], ['ageHours']);
});

test('Backup set runs an incremental backup (restic sees it), returns the after state and the changed properties; a second set changes nothing', async () => {
  const r = await dsc('OfflineSeed/Backup', 'set', backup);
  assert.is(r.exitCode, 0, errorText(r));
  assert.is(r.lines.length, 2);
  const after = assertState('OfflineSeed/Backup', r.lines[0]);
  const snapshots = JSON.parse(restic(repo, 'snapshots', '--json')) as { id: string; hostname: string; paths: string[] }[];
  assert.is(snapshots.length, 1);
  assert.is(after.latestSnapshotId, snapshots[0]!.id);
  assert.is(snapshots[0]!.hostname, 'dsc-host');
  assert.ok((r.lines[1] as string[]).includes('latestSnapshotId'));
  assert.ok(r.traces.some((t) => t.info?.includes('it has no snapshot yet')), 'set says why it backs up');

  const again = await dsc('OfflineSeed/Backup', 'set', backup);
  assert.is(again.exitCode, 0, errorText(again));
  assert.equal(again.lines[1], []);
  assert.is((JSON.parse(restic(repo, 'snapshots', '--json')) as unknown[]).length, 1, 'no second backup while in the desired state');

  const t = await dsc('OfflineSeed/Backup', 'test', backup);
  assert.is(assertState('OfflineSeed/Backup', t.lines[0])._inDesiredState, true);
  assert.equal(t.lines[1], []);
  const tight = await dsc('OfflineSeed/Backup', 'test', { ...backup, maxAgeHours: 1e-9 });
  assert.is((tight.lines[0] as Record<string, unknown>)._inDesiredState, false, 'the age is compared exactly, not rounded');
});

test('Backup export prints one instance; another host\'s filter sees no snapshot', async () => {
  const r = await dsc('OfflineSeed/Backup', 'export', backup);
  assert.is(r.exitCode, 0, errorText(r));
  assert.is(r.lines.length, 1);
  assert.is(assertState('OfflineSeed/Backup', r.lines[0]).snapshotCount, 1);
  const other = await dsc('OfflineSeed/Backup', 'get', { ...backup, hostname: 'other-host' });
  assert.is((other.lines[0] as Record<string, unknown>).snapshotCount, 0);
});

/** The same entry point in-process, for the cases that need no engine process of their own. */
async function dscInProcess(argv: string[], input: string): Promise<{ exitCode: number; stdout: string; traces: Record<string, string>[] }> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runDsc(argv, { readInput: async () => input, stdout: (l) => void (stdout += l), stderr: (l) => void (stderr += l), now: () => new Date() });
  return { exitCode, stdout, traces: stderr.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, string>) };
}

test('bad input: exit 2, nothing on stdout, one error trace with the error id (unknown property, missing passwordFile, not JSON, maxAgeHours 0, unknown resource or operation)', async () => {
  const spawned = await dsc('OfflineSeed/Backup', 'get', { ...backup, password: 'inline-secret-value' });
  assert.is(spawned.exitCode, 2, 'unknown property: exit code');
  assert.is(spawned.stdout, '');
  assert.match(errorText(spawned), /^\[OfflineSeed\.InvalidRequest\] .*additional properties \(password\)/);
  assert.not.match(JSON.stringify(spawned.traces), /inline-secret-value/, 'the input is not echoed');
  const cases: [string, string[], string, RegExp][] = [
    ['missing passwordFile', ['get', '--resource', 'OfflineSeed/Backup'], JSON.stringify({ repository: repo, maxAgeHours: 1 }), /passwordFile/],
    ['not JSON', ['get', '--resource', 'OfflineSeed/Backup'], '{"repository":', /not valid JSON/],
    ['maxAgeHours 0', ['test', '--resource', 'OfflineSeed/Backup'], JSON.stringify({ ...backup, maxAgeHours: 0 }), /maxAgeHours/],
    ['unknown resource', ['get', '--resource', 'OfflineSeed/Nothing'], '{}', /unknown resource type/],
    ['unknown operation', ['delete', '--resource', 'OfflineSeed/Backup'], '{}', /unknown dsc operation/],
  ];
  for (const [what, argv, input, pattern] of cases) {
    const r = await dscInProcess(argv, input);
    assert.is(r.exitCode, 2, `${what}: exit code`);
    assert.is(r.stdout, '', `${what}: stdout stays empty`);
    assert.is(r.traces.length, 1, what);
    assert.match(r.traces[0]!.error ?? '', /^\[OfflineSeed\.InvalidRequest\]/, what);
    assert.match(r.traces[0]!.error ?? '', pattern, what);
  }
});

test('a failure: exit 1, nothing on stdout, the engine\'s error id (wrong password)', async () => {
  const wrong = join(work, 'wrong-password');
  writeFileSync(wrong, 'not-the-password\n');
  const r = await dsc('OfflineSeed/Backup', 'get', { ...backup, passwordFile: wrong });
  assert.is(r.exitCode, 1);
  assert.is(r.stdout, '');
  assert.match(errorText(r), /^\[OfflineSeed\.\w+\] /);
  assert.ok('1' in (manifestOf('OfflineSeed/Backup').exitCodes as object));
});

// ---------------------------------------------------------------------------------------------------
// OfflineSeed/ImportJob

let world: World | undefined;
let seed: PreparedSeed;

async function ensureJob(): Promise<World> {
  if (world !== undefined) return world;
  world = await startWorld();
  seed = await prepareSeed(world, work, 'dscjob');
  const created = await jobRunner(world, work, new OutputLog())('job.create', createParams(world, seed));
  assert.is(created.exitCode, 0, JSON.stringify(created.errors));
  return world;
}

test('ImportJob: get before shipping (exists, not shipped), test false with the diff, set ships, test true; the service has the tracking number', async () => {
  const w = await ensureJob();
  const env = { ...w.env, XDG_CONFIG_HOME: join(work, 'config') };
  const desired = { stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: '7700112233', shipDate: new Date().toISOString().slice(0, 10) };

  const g = await dsc('OfflineSeed/ImportJob', 'get', { stagingPath: seed.staging }, env);
  assert.is(g.exitCode, 0, errorText(g));
  const before = assertState('OfflineSeed/ImportJob', g.lines[0]);
  assert.is(before._exist, true);
  assert.is(before.state, 'Created');
  assert.is(before.serviceState, 'Creating');
  assert.is(before.controlPlane, 'ImportExport');
  assert.is(before.shipped, false);
  assert.is(before.jobName, seed.jobName);

  const t = await dsc('OfflineSeed/ImportJob', 'test', desired, env);
  assert.is(t.exitCode, 0, errorText(t));
  assert.is(assertState('OfflineSeed/ImportJob', t.lines[0])._inDesiredState, false);
  assert.equal(t.lines[1], ['carrierName', 'trackingNumber']);

  const s = await dsc('OfflineSeed/ImportJob', 'set', desired, env);
  assert.is(s.exitCode, 0, errorText(s));
  const after = assertState('OfflineSeed/ImportJob', s.lines[0]);
  assert.is(after.state, 'Shipping');
  assert.is(after.trackingNumber, '7700112233');
  assert.ok((s.lines[1] as string[]).includes('trackingNumber') && (s.lines[1] as string[]).includes('state'));
  const stored = w.emulator.requireJob(w.jobRef(seed.jobName));
  assert.is(stored.properties.deliveryPackage?.trackingNumber, '7700112233');

  const t2 = await dsc('OfflineSeed/ImportJob', 'test', desired, env);
  assert.is((t2.lines[0] as Record<string, unknown>)._inDesiredState, true);
  assert.equal(t2.lines[1], []);
  const e = await dsc('OfflineSeed/ImportJob', 'export', { stagingPath: seed.staging }, env);
  assert.is(e.lines.length, 1);
  assert.is((e.lines[0] as Record<string, unknown>).trackingNumber, '7700112233');
});

test('ImportJob: a job that does not exist is _exist false for get and test; set refuses to create it (exit 1, a clear error)', async () => {
  const w = await ensureJob();
  const env = { ...w.env, XDG_CONFIG_HOME: join(work, 'config') };
  const missing = { jobName: 'no-such-job', resourceGroup: w.resourceGroupName, subscriptionId: w.subscriptionId, carrierName: 'DHL', trackingNumber: '1' };
  const g = await dsc('OfflineSeed/ImportJob', 'get', missing, env);
  assert.is(g.exitCode, 0, errorText(g));
  assert.is(assertState('OfflineSeed/ImportJob', g.lines[0])._exist, false);
  const t = await dsc('OfflineSeed/ImportJob', 'test', missing, env);
  assert.equal(t.lines[1], ['_exist']);
  const s = await dsc('OfflineSeed/ImportJob', 'set', missing, env);
  assert.is(s.exitCode, 1);
  assert.is(s.stdout, '');
  assert.match(errorText(s), /^\[OfflineSeed\.DscImportJobMissing\] .*New-OfflineSeedImportJob/);
  const e = await dsc('OfflineSeed/ImportJob', 'export', missing, env);
  assert.is(e.exitCode, 0);
  assert.is(e.stdout, '');
});

/**
 * Azure Automation's sandbox gives a runbook's managed identity through IDENTITY_ENDPOINT and
 * IDENTITY_HEADER (GET ?api-version=2019-08-01&resource=..., header X-IDENTITY-HEADER). A stand-in
 * endpoint hands out the emulator's ARM tokens; the service principal is taken out of the
 * environment, so DefaultAzureCredential can only succeed through the managed identity.
 */
async function identityEndpoint(w: World): Promise<{ server: Server; url: string; header: string; requests: { apiVersion: string | null; resource: string | null; header: string | undefined }[] }> {
  const header = 'automation-identity-header-value';
  const requests: { apiVersion: string | null; resource: string | null; header: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const seen = req.headers['x-identity-header'];
    requests.push({ apiVersion: url.searchParams.get('api-version'), resource: url.searchParams.get('resource'), header: typeof seen === 'string' ? seen : undefined });
    if (seen !== header) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad identity header"}');
      return;
    }
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      access_token: w.emulator.mintArmToken(), expires_on: String(expiresOn), resource: url.searchParams.get('resource'), token_type: 'Bearer', client_id: 'automation-account-identity',
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}/msi/token`, header, requests };
}

test('runbook shape: job.status and the ImportJob resource with only job coordinates and Azure Automation\'s managed identity (no staging location, no secret)', async () => {
  const w = await ensureJob();
  const identity = await identityEndpoint(w);
  try {
    const { AZURE_CLIENT_SECRET: _secret, AZURE_CLIENT_ID: _client, ...withoutPrincipal } = w.env;
    void _secret;
    void _client;
    const env = { ...withoutPrincipal, IDENTITY_ENDPOINT: identity.url, IDENTITY_HEADER: identity.header, XDG_CONFIG_HOME: join(work, 'config-runbook') };
    const coordinates = { jobName: seed.jobName, resourceGroup: w.resourceGroupName, subscriptionId: w.subscriptionId };
    const status = await runEngine('job.status', { ...coordinates, readLogs: false }, { env });
    assert.is(status.exitCode, 0, JSON.stringify(status.errors) + status.stderr);
    assert.is(status.results[0]!.jobName, seed.jobName);
    assert.ok(identity.requests.length > 0, 'the token came from the managed identity endpoint');
    assert.ok(identity.requests.every((r) => r.apiVersion === '2019-08-01' && r.header === identity.header), JSON.stringify(identity.requests));
    const g = await dsc('OfflineSeed/ImportJob', 'get', coordinates, env);
    assert.is(g.exitCode, 0, errorText(g));
    assert.is(assertState('OfflineSeed/ImportJob', g.lines[0])._exist, true);
  } finally {
    await new Promise<void>((resolve) => identity.server.close(() => resolve()));
  }
});

test('the engine itself still runs --json requests next to the dsc entry point', async () => {
  const r = await runEngine('version', {});
  assert.is(r.exitCode, 0);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
