/**
 * Who the engine is to Azure Resource Manager, for the job commands: DefaultAzureCredential fed by the
 * service principal's environment variables; a service principal with a secret or a certificate given
 * in the request; an access token handed over (Get-AzAccessToken); a legacy publish settings file for
 * the subscription id. A bad secret, a storage token or an expired token fail with clear errors.
 * Neither the secret nor any token appears in what the engine prints.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeClientCertificate } from '../world/certs.ts';
import { mintToken } from '../world/jwt.ts';
import { startWorld, type World } from '../world/world.ts';
import { createParams, fabricateDrives, jobRunner, lastError, OutputLog, prepareSeed, type PreparedSeed } from './fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-job-auth-');
const out = new OutputLog();
const secrets: string[] = [];
let world: World;
let run: ReturnType<typeof jobRunner>;
let seed: PreparedSeed;
/** The environment without the service principal: only what the request says counts. */
let bare: Record<string, string | undefined>;

test.before(async () => {
  world = await startWorld();
  run = jobRunner(world, work, out);
  seed = await prepareSeed(world, work, 'auth', { stageOnly: true });
  secrets.push(...(await fabricateDrives(seed, ['AUTH1'])).map((d) => d.key!));
  bare = { AZURE_CLIENT_ID: undefined, AZURE_CLIENT_SECRET: undefined, AZURE_TENANT_ID: undefined };
});

function byJob(): { jobName: string; resourceGroup: string; subscriptionId: string } {
  return { jobName: seed.jobName, resourceGroup: world.resourceGroupName, subscriptionId: world.subscriptionId };
}

test('DefaultAzureCredential with the service principal\'s environment variables', async () => {
  const before = world.emulator.authLog.length;
  const r = await run('job.create', createParams(world, seed));
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const calls = world.emulator.authLog.slice(before);
  assert.ok(calls.length >= 2);
  for (const c of calls) {
    assert.is(c.kind, 'jwt');
    assert.is(c.claims?.appid, world.principal.clientId, 'tokens of the world\'s service principal');
  }
  assert.ok(world.emulator.tokenService.issued.some((t) => t.clientId === world.principal.clientId && t.scope === 'https://management.azure.com/.default'));
});

test('a service principal with a secret given in the request (no environment variables)', async () => {
  const r = await run('job.status', { ...byJob(), tenantId: world.tenantId, clientId: world.principal.clientId, clientSecret: world.principal.clientSecret }, { env: bare });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  assert.is(r.results[0]!.serviceState, 'Creating');
});

test('a service principal with a certificate', async () => {
  const cert = makeClientCertificate(work, 'offlineseed-job-sp');
  world.emulator.tokenService.principals.push({ tenantId: world.tenantId, clientId: 'job-cert-client', certificatePem: cert.certPem });
  const path = join(work, 'sp.pem');
  writeFileSync(path, cert.combinedPem, { mode: 0o600 });
  const r = await run('job.status', { ...byJob(), tenantId: world.tenantId, clientId: 'job-cert-client', clientCertificatePath: path }, { env: bare });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  assert.ok(world.emulator.tokenService.issued.some((t) => t.clientId === 'job-cert-client'));
  assert.not.ok(r.stdout.includes('PRIVATE KEY'));
});

test('an access token handed over (Get-AzAccessToken) is used as it is', async () => {
  const token = world.emulator.mintArmToken(world.tenantId);
  secrets.push(token);
  const before = world.emulator.authLog.length;
  const r = await run('job.keys', { ...byJob(), accessToken: token }, { env: bare });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  assert.is(r.results.length, 1);
  const calls = world.emulator.authLog.slice(before);
  assert.ok(calls.length >= 1);
  for (const c of calls) assert.is(c.token, token, 'every call carried the handed-over token');
});

test('a bad client secret is a clear authentication error, without the secret', async () => {
  const wrong = `${world.principal.clientSecret.slice(0, 10)}-not-the-secret-${Date.now()}`;
  secrets.push(wrong);
  const r = await run('job.status', { ...byJob(), tenantId: world.tenantId, clientId: world.principal.clientId, clientSecret: wrong }, { env: bare });
  assert.is(r.exitCode, 1);
  const e = lastError(r);
  assert.is(e.errorId, 'OfflineSeed.AzureAuthenticationFailed');
  assert.is(e.category, 'AuthenticationError');
  assert.match(e.message, /no access token for Azure Resource Manager: .*AADSTS7000215: Invalid client secret or client assertion provided/);
  assert.match(String(e.recommendedAction), /client secret or certificate/);
  assert.not.ok(r.stdout.includes(wrong) || r.stderr.includes(wrong));
});

test('a storage token or an expired token handed over for ARM: the service\'s 401 codes come back', async () => {
  const storageToken = world.mintStorageToken();
  const expired = mintToken({ audience: 'https://management.azure.com/', tenantId: world.tenantId, lifetimeSeconds: -600 });
  secrets.push(storageToken, expired);
  const wrongAudience = await run('job.status', { ...byJob(), accessToken: storageToken }, { env: bare });
  assert.is(wrongAudience.exitCode, 1);
  assert.is(lastError(wrongAudience).errorId, 'OfflineSeed.ImportExportInvalidAuthenticationTokenAudience');
  assert.is(lastError(wrongAudience).category, 'AuthenticationError');
  assert.match(String(lastError(wrongAudience).recommendedAction), /not a storage token/);
  const old = await run('job.status', { ...byJob(), accessToken: expired }, { env: bare });
  assert.is(lastError(old).errorId, 'OfflineSeed.ImportExportExpiredAuthenticationToken');
});

test('a publish settings file gives the subscription id (and only that)', async () => {
  const file = join(work, 'legacy.publishsettings');
  writeFileSync(file, `<?xml version="1.0" encoding="utf-8"?>\n<PublishData><PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI"><Subscription ServiceManagementUrl="https://management.core.windows.net" Id="${world.subscriptionId}" Name="Backup" ManagementCertificate="TUlJS0RBSUJBekNDQ2NZR0NTcUdTSWIzRFFFSEFhQ0NDYmNFZ2dtek1JSUpyekNDQlhZR0NTcUdTSWIzRFFFSEFhQ0NCV2NFZ2dWak1JSUZYekNDQlZzR0N5cUdTSWIz" /></PublishProfile></PublishData>\n`);
  const r = await run('job.status', { jobName: seed.jobName, resourceGroup: world.resourceGroupName, publishSettingsFile: file });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  assert.is(r.results[0]!.subscriptionId, world.subscriptionId);
  assert.not.ok(r.stdout.includes('TUlJS0RBSUJB'), 'the management certificate is never echoed');
  const contradiction = await run('job.status', { jobName: seed.jobName, resourceGroup: world.resourceGroupName, publishSettingsFile: file, subscriptionId: '00000000-0000-0000-0000-000000000001' });
  assert.is(contradiction.exitCode, 2);
  assert.is(lastError(contradiction).errorId, 'OfflineSeed.SubscriptionMismatch');
  const none = await run('job.status', { jobName: seed.jobName, resourceGroup: world.resourceGroupName });
  assert.is(none.exitCode, 2);
  assert.is(lastError(none).errorId, 'OfflineSeed.SubscriptionRequired');
});

test('no secret or token in anything the engine printed', () => {
  out.assertNoSecrets([...secrets, world.principal.clientSecret, world.storageAccount.key, ...world.emulator.tokenService.issued.map((t) => t.token)]);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
