/**
 * Preflight against the emulators: with everything in place every Azure check passes; then each
 * prerequisite is broken in turn (endpoint unreachable, bad credential, unknown subscription, missing
 * resource group, storage account of the wrong kind or region, bad container name, provider not
 * registered, missing rights, no space) and exactly that check fails, named, with its fix.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, type EngineRun } from '../helpers/engine.ts';
import { READER } from '../world/armResourcesEmulator.ts';
import { startWorld, type World } from '../world/world.ts';
import { RETURN_ADDRESS, RETURN_SHIPPING } from '../job/fixtures.ts';

type Row = { check: string; status: string; reason: string; fix?: string; target: string };
const work = mkdtempSync('/var/tmp/offlineseed-preflight-azure-');
let world: World;
let staging: string;

test.before(async () => {
  world = await startWorld();
  staging = join(work, 'staging');
  mkdirSync(staging);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});

function params(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    stagingPath: staging,
    estimatedSeedBytes: 1024 * 1024,
    subscriptionId: world.subscriptionId,
    resourceGroup: world.resourceGroupName,
    storageAccount: world.storageAccount.name,
    container: 'offlineseed',
    returnAddress: RETURN_ADDRESS,
    returnShipping: RETURN_SHIPPING,
    profilePath: join(work, 'profile.json'),
    ...extra,
  };
}

async function preflight(extra: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<{ run: EngineRun; rows: Row[] }> {
  const run = await runEngine('preflight.run', params(extra), { env: { ...world.env, ...env } });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  return { run, rows: run.results as unknown as Row[] };
}

function failed(rows: Row[]): string[] {
  return rows.filter((r) => r.status === 'Fail').map((r) => r.check);
}

function only(rows: Row[], check: string, fix: RegExp): Row {
  assert.equal(failed(rows), [check], `only ${check} fails: ${JSON.stringify(rows.filter((r) => r.status !== 'Pass'), null, 1)}`);
  const row = rows.find((r) => r.check === check)!;
  assert.match(row.fix ?? '', fix);
  return row;
}

test('the default is the control plane new jobs use (Data Box): its provider and rights are the ones checked', async () => {
  const { rows } = await preflight();
  assert.equal(rows.filter((r) => r.status !== 'Pass').map((r) => `${r.check}: ${r.reason}`), []);
  assert.is(rows.find((r) => r.check === 'ResourceProvider')!.target, 'Microsoft.DataBox');
  assert.match(rows.find((r) => r.check === 'StorageAccountRegion')!.reason, /offers Data Box customer disks/);
  assert.match(rows.find((r) => r.check === 'Rights')!.reason, /Data Box jobs/);
});

test('everything in place: every check passes, and the summary says ready', async () => {
  const { run, rows } = await preflight({ service: 'ImportExport' });
  assert.equal(rows.filter((r) => r.status !== 'Pass').map((r) => `${r.check}: ${r.reason}`), []);
  for (const check of ['StagingReachable', 'StagingWritable', 'StagingFreeSpace', 'ReturnAddress', 'ReturnCarrier', 'ContainerName', 'ControlPlane', 'Credential', 'Subscription', 'ResourceProvider', 'ResourceGroup', 'StorageAccount', 'StorageAccountKind', 'StorageAccountRegion', 'Rights', 'BlobDataRights']) {
    assert.ok(rows.some((r) => r.check === check), `${check} was checked`);
  }
  assert.match(rows.find((r) => r.check === 'Credential')!.target, new RegExp(world.principal.clientId));
  const summary = run.events.find((e) => e.type === 'log' && (e as { level?: string }).level === 'information') as unknown as { message: string };
  assert.match(summary.message, /^Preflight: ready: \d+ passed, 0 warning\(s\), 0 failed\.$/);
  assert.not.ok(run.stdout.includes(world.principal.clientSecret));
});

test('the control plane does not answer', async () => {
  const { rows } = await preflight({}, { OFFLINESEED_ARM_ENDPOINT: 'https://127.0.0.1:9' });
  const row = only(rows, 'ControlPlane', /proxy.*firewall/);
  assert.match(row.reason, /ECONNREFUSED/);
  assert.not.ok(rows.some((r) => r.check === 'Subscription'), 'nothing else is asked of an endpoint that does not answer');
});

test('the credential gets no token', async () => {
  const { run, rows } = await preflight({}, { AZURE_CLIENT_SECRET: 'not-the-secret' });
  const row = only(rows, 'Credential', /New-OfflineSeedCredential/);
  assert.match(row.reason, /7000215|invalid_client/);
  assert.not.ok(run.stdout.includes('not-the-secret'));
});

test('an unknown subscription, a missing resource group', async () => {
  only((await preflight({ subscriptionId: '00000000-1111-4222-8333-444444444444' })).rows, 'Subscription', /Get-AzSubscription/);
  only((await preflight({ resourceGroup: 'no-such-rg' })).rows, 'ResourceGroup', /New-AzResourceGroup -Name no-such-rg/);
});

test('a storage account that is missing, of the wrong kind, in a region without a shipping site (Import/Export) or customer disks (Data Box)', async () => {
  only((await preflight({ storageAccount: 'nosuchaccount' })).rows, 'StorageAccount', /New-AzStorageAccount .*-Kind StorageV2/);
  const { subscriptionId, resourceGroupName } = world;
  const name = world.storageAccount.name;
  try {
    world.armResources.setStorageAccount(subscriptionId, resourceGroupName, name, { kind: 'FileStorage', location: 'westus' });
    only((await preflight()).rows, 'StorageAccountKind', /general-purpose v2/);
    world.armResources.setStorageAccount(subscriptionId, resourceGroupName, name, { kind: 'StorageV2', location: 'japaneast' });
    only((await preflight({ service: 'ImportExport' })).rows, 'StorageAccountRegion', /Get-AzImportExportLocation/);
    const dataBox = only((await preflight()).rows, 'StorageAccountRegion', /offers Data Box customer disks/);
    assert.match(dataBox.reason, /japaneast does not offer Data Box customer disks/);
  } finally {
    world.armResources.setStorageAccount(subscriptionId, resourceGroupName, name, { kind: 'StorageV2', location: 'westus' });
  }
});

test('a bad container name', async () => {
  only((await preflight({ container: 'Seed_Data' })).rows, 'ContainerName', /lowercase letters/);
});

test('the resource provider is not registered (Import/Export, then Data Box)', async () => {
  try {
    world.armResources.setProvider(world.subscriptionId, 'Microsoft.ImportExport', 'NotRegistered');
    const row = only((await preflight({ service: 'ImportExport' })).rows, 'ResourceProvider', /Register-AzResourceProvider -ProviderNamespace Microsoft\.ImportExport/);
    assert.match(row.reason, /NotRegistered/);
    assert.equal(failed((await preflight()).rows), [], 'Data Box seeding (the default) does not need Microsoft.ImportExport');
    world.armResources.setProvider(world.subscriptionId, 'Microsoft.DataBox', 'NotRegistered');
    only((await preflight()).rows, 'ResourceProvider', /Microsoft\.DataBox/);
  } finally {
    world.armResources.setProvider(world.subscriptionId, 'Microsoft.ImportExport', 'Registered');
    world.armResources.setProvider(world.subscriptionId, 'Microsoft.DataBox', 'Registered');
  }
});

test('the identity lacks the rights (Reader only)', async () => {
  world.armResources.permissions.set(world.principal.clientId, [READER]);
  try {
    const { rows } = await preflight({ service: 'ImportExport' });
    const row = only(rows, 'Rights', /Contributor/);
    assert.match(row.reason, /Microsoft\.ImportExport\/jobs\/write/);
    assert.match(only((await preflight()).rows, 'Rights', /Contributor/).reason, /Microsoft\.DataBox\/jobs\/write/);
    assert.not.match(row.reason, /jobs\/read/);
    assert.is(rows.find((r) => r.check === 'BlobDataRights')!.status, 'Warn');
  } finally {
    world.armResources.permissions.delete(world.principal.clientId);
  }
});

test('no space for the seed on the staging location', async () => {
  only((await preflight({ estimatedSeedBytes: 2 ** 52 })).rows, 'StagingFreeSpace', /staging/);
});

test.run();
