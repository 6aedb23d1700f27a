/**
 * Issue 9: a runbook with nothing but a managed identity (and the repository password, as an
 * Automation credential would give it) takes the seed from prepared drives to Completed, given only
 * where the seed is in storage (seedUri).
 *
 *   server    stage + prepare a drive, seed.publish (records under <prefix>/offlineseed/, keys sealed)
 *   runbook   the staging location renamed away; Azure Automation's managed identity endpoint is the
 *             only credential: job.create, job.ship (Import/Export), the datacenter imports,
 *             job.status → Completed, seed.complete verifies against the published manifests
 *   server    the staging location back: its commands follow the published copy and say so
 *   storage   restic check on the downloaded container (the records do not disturb the repository);
 *             the stored bytes carry no form of the BitLocker key; a lost ETag race is
 *             OfflineSeed.DescriptorChanged and writes nothing; Data Box through seedUri too
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { engineCommand, runEngine } from '../helpers/engine.ts';
import { restic, RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { arriving, jobRunner, lastError, logs, OutputLog, prepareSeed, RETURN_ADDRESS, RETURN_SHIPPING, secretForms, type PreparedSeed } from '../job/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';

const work = mkdtempSync(join(tmpdir(), 'offlineseed-seeduri-'));
let world: World;
let seed: PreparedSeed;
let seedUri: string;
let identity: Awaited<ReturnType<typeof identityEndpoint>>;
let runbookEnv: Record<string, string>;
const output = new OutputLog();
const extraKeys: string[] = [];
let run: ReturnType<typeof jobRunner>;

/** A runbook's run: the managed identity is the only credential (no service principal in the environment). */
async function runbook(command: string, params: Record<string, unknown>) {
  return output.add(await runEngine(command, params, { env: { ...runbookEnv, XDG_CONFIG_HOME: join(work, 'config-runbook') } }), command);
}

/** Azure Automation's managed identity endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER), handing out ARM or storage tokens. */
async function identityEndpoint(w: World): Promise<{ server: Server; url: string; header: string; resources: string[] }> {
  const header = 'automation-identity-header-value';
  const resources: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const resource = url.searchParams.get('resource') ?? '';
    resources.push(resource);
    if (req.headers['x-identity-header'] !== header) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad identity header"}');
      return;
    }
    const token = resource.includes('storage.azure.com') ? w.mintStorageToken() : w.emulator.mintArmToken();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      access_token: token, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource, token_type: 'Bearer', client_id: 'automation-account-identity',
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/msi/token`, header, resources };
}

async function recordBlobs(): Promise<Map<string, Buffer>> {
  const container = world.blobService().getContainerClient(seed.container);
  const out = new Map<string, Buffer>();
  for await (const b of container.listBlobsFlat({ prefix: `${seed.prefix}/offlineseed/` })) out.set(b.name, await container.getBlobClient(b.name).downloadToBuffer());
  return out;
}

test.before(async () => {
  world = await startWorld();
  run = jobRunner(world, work, output);
  seed = await prepareSeed(world, work, 'rb', { drives: 1 });
  identity = await identityEndpoint(world);
  const { AZURE_CLIENT_SECRET: _s, AZURE_CLIENT_ID: _c, ...withoutPrincipal } = world.env;
  void _s;
  void _c;
  runbookEnv = { ...withoutPrincipal, IDENTITY_ENDPOINT: identity.url, IDENTITY_HEADER: identity.header };
});

test('seed.publish on the server: records next to the repository, keys sealed, idempotent', async () => {
  const r = await run('seed.publish', { stagingPath: seed.staging, password: RESTIC_PASSWORD });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors) + r.stderr);
  const p = r.results[0]!;
  seedUri = String(p.seedUri);
  assert.is(seedUri, `azure://${world.storageAccount.name}/${seed.container}/${seed.prefix}`);
  assert.is(p.outcome, 'Published');
  assert.is(p.state, 'DrivesPrepared');
  assert.equal(p.driveIds, seed.drives.map((d) => d.driveId));
  assert.ok(Number(p.blobCount) > 5, `the manifests list the repository's blobs (${String(p.blobCount)})`);
  const blobs = await recordBlobs();
  assert.equal([...blobs.keys()].sort(), ['bitlocker.sealed.json', 'drives.json', 'offlineseed.json'].map((n) => `${seed.prefix}/offlineseed/${n}`));
  const local = JSON.parse(readFileSync(join(seed.staging, 'offlineseed.json'), 'utf8')) as { published?: { seedUri: string } };
  assert.is(local.published?.seedUri, seedUri, 'the staging location records where the seed was published');

  const again = await run('seed.publish', { stagingPath: seed.staging, password: RESTIC_PASSWORD });
  assert.is(again.exitCode, 0, JSON.stringify(again.errors));
  assert.is(again.results[0]!.outcome, 'Unchanged');
  assert.equal(again.results[0]!.changed, []);
  const after = await recordBlobs();
  for (const [name, data] of blobs) assert.ok(after.get(name)!.equals(data), `${name} unchanged by the second publish`);

  const wrong = await run('seed.publish', { stagingPath: seed.staging, password: 'not the password' });
  assert.is(lastError(wrong).errorId, 'OfflineSeed.WrongPassword', 'a wrong password never seals keys');
});

test('the stored records carry no form of the BitLocker keys', async () => {
  const stored = [...(await recordBlobs()).values()];
  const all = Buffer.concat(stored);
  const text = all.toString('utf8');
  for (const d of seed.drives) {
    const forms = [...secretForms(d.key), Buffer.from(d.key).toString('hex'), Buffer.from(d.key, 'utf16le').toString('base64'), Buffer.from(d.key.replace(/-/g, '')).toString('base64')];
    for (const form of forms) assert.not.ok(text.toLowerCase().includes(form.toLowerCase()), `the key leaked (${form.slice(0, 4)}…)`);
    assert.not.ok(all.includes(Buffer.from(d.key, 'utf16le')), 'the key leaked as UTF-16');
    for (const group of d.key.split('-')) assert.ok(group.length === 6);
  }
  const sealed = JSON.parse(stored.find((b) => b.toString('utf8').includes('offlineseed-sealed-bitlocker-keys'))!.toString('utf8')) as Record<string, unknown>;
  assert.is(sealed.cipher, 'aes-256-gcm');
  assert.is((sealed.kdf as Record<string, unknown>).name, 'scrypt');
});

test('runbook, no staging location, managed identity only: job.create, job.ship via seedUri (Import/Export)', async () => {
  renameSync(seed.staging, `${seed.staging}-away`);
  const wrong = await runbook('job.create', { seedUri, password: 'wrong', subscriptionId: world.subscriptionId, resourceGroup: world.resourceGroupName, controlPlane: 'ImportExport', location: 'West US', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING });
  assert.is(lastError(wrong).errorId, 'OfflineSeed.WrongPassword');
  assert.is(world.emulator.listJobs().length, 0, 'nothing created with a wrong password');

  const c = await runbook('job.create', { seedUri, password: RESTIC_PASSWORD, subscriptionId: world.subscriptionId, resourceGroup: world.resourceGroupName, controlPlane: 'ImportExport', location: 'West US', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING });
  assert.is(c.exitCode, 0, JSON.stringify(c.errors) + c.stderr);
  assert.is(c.results[0]!.outcome, 'Created');
  assert.is(c.results[0]!.seedUri, seedUri);
  assert.is(c.results[0]!.stagingPath, undefined);
  assert.is(c.results[0]!.seedState, 'JobCreated');
  assert.match(String(c.results[0]!.nextStep), new RegExp(`-SeedUri ${seedUri}`));
  const job = world.emulator.requireJob(world.jobRef(seed.jobName));
  assert.equal(job.properties.driveList?.map((x) => [x.driveId, x.bitLockerKey, x.manifestHash]), seed.drives.map((d) => [d.driveId, d.key, d.manifestHash]));
  assert.ok(identity.resources.some((r) => r.includes('management')) && identity.resources.some((r) => r.includes('storage')), `ARM and storage tokens came from the managed identity: ${identity.resources.join(', ')}`);

  // Get-OfflineSeedBitLockerKey -SeedUri: the keys the service holds (a secret result, so not in the recorded output).
  const keys = await runEngine('job.keys', { seedUri }, { env: { ...runbookEnv, XDG_CONFIG_HOME: join(work, 'config-runbook') } });
  assert.is(keys.exitCode, 0, JSON.stringify(keys.errors) + keys.stderr);
  assert.equal(keys.results.map((k) => [k.driveId, k.bitLockerKey, k.jobName]), seed.drives.map((d) => [d.driveId, d.key, seed.jobName]));

  const s = await runbook('job.ship', { seedUri, carrierName: 'FedEx', trackingNumber: 'TRK-RUNBOOK-1' });
  assert.is(s.exitCode, 0, JSON.stringify(s.errors) + s.stderr);
  assert.is(s.results[0]!.outcome, 'Shipped');
  assert.is(s.results[0]!.seedState, 'Shipped');
  assert.is(s.results[0]!.recordPath, `azure://${world.storageAccount.name}/${seed.container}/${seed.prefix}/offlineseed/shipping.json`);
  assert.not.ok(existsSync(seed.staging), 'no staging location was created');
});

test('runbook: the datacenter imports, job.status reaches Completed, seed.complete verifies from seedUri', async () => {
  const ref = world.jobRef(seed.jobName);
  await world.datacenter.receivePackage(ref, arriving(seed));
  await world.datacenter.transfer(ref);
  assert.is(await world.datacenter.shipBack(ref), 'Completed');
  const st = await runbook('job.status', { seedUri });
  assert.is(st.exitCode, 0, JSON.stringify(st.errors) + st.stderr);
  assert.is(st.results[0]!.state, 'Completed');
  assert.is(st.results[0]!.seedState, 'Imported');
  assert.ok(typeof st.results[0]!.arrivalDeadline === 'string', 'the shipping record was read from storage');

  const done = await runbook('seed.complete', { seedUri, password: RESTIC_PASSWORD, readData: true });
  assert.is(done.exitCode, 0, JSON.stringify(done.errors) + done.stderr);
  const o = done.results[0]!;
  assert.is(o.state, 'Completed');
  assert.is(o.seedUri, seedUri);
  assert.is(o.blobsMissing, 0);
  assert.is(o.blobsRepaired, 0);
  assert.is(o.blobsVerifiedByHash, o.blobsExpected);
  const published = JSON.parse((await recordBlobs()).get(`${seed.prefix}/offlineseed/offlineseed.json`)!.toString('utf8')) as Record<string, unknown>;
  assert.is(published.state, 'Completed');
});

test('server side afterwards: the staging location follows the published copy, and says so', async () => {
  renameSync(`${seed.staging}-away`, seed.staging);
  const before = JSON.parse(readFileSync(join(seed.staging, 'offlineseed.json'), 'utf8')) as Record<string, unknown>;
  assert.is(before.state, 'DrivesPrepared', 'the staging location was not touched while away');
  const g = await run('seed.get', { stagingPath: seed.staging });
  assert.is(g.exitCode, 0, JSON.stringify(g.errors) + g.stderr);
  assert.is(g.results[0]!.state, 'Completed');
  assert.is(g.results[0]!.seedUri, seedUri);
  assert.ok(logs(g).some((m) => m.includes('is ahead of') && m.includes('Completed')), logs(g).join('\n'));
  const after = JSON.parse(readFileSync(join(seed.staging, 'offlineseed.json'), 'utf8')) as Record<string, unknown>;
  assert.is(after.state, 'Completed');
  assert.is((after.job as Record<string, unknown>).name, seed.jobName);
  assert.is((JSON.parse(readFileSync(join(seed.staging, 'shipping.json'), 'utf8')) as Record<string, unknown>).trackingNumber, 'TRK-RUNBOOK-1');
  const st = await run('job.status', { stagingPath: seed.staging });
  assert.is(st.exitCode, 0, JSON.stringify(st.errors));
  assert.is(st.results[0]!.seedState, 'Completed');
});

test('seed.publish refuses before it writes: drives that differ from those the job was made with, a location holding another seed', async () => {
  const container = world.blobService().getContainerClient(seed.container);
  const blob = (name: string) => container.getBlockBlobClient(`${seed.prefix}/offlineseed/${name}`);
  const original = await recordBlobs();
  // The published drives are not the staging location's any more (as after drives were prepared again).
  const drives = JSON.parse(original.get(`${seed.prefix}/offlineseed/drives.json`)!.toString('utf8')) as { drives: { manifestHash: string }[] };
  drives.drives[0]!.manifestHash = '0'.repeat(32);
  const tampered = Buffer.from(JSON.stringify(drives));
  await blob('drives.json').upload(tampered, tampered.length);
  const refused = await run('seed.publish', { stagingPath: seed.staging, password: RESTIC_PASSWORD });
  assert.is(lastError(refused).errorId, 'OfflineSeed.PublishedJobExists');
  assert.ok((await blob('drives.json').downloadToBuffer()).equals(tampered), 'the job\'s drives stay published');

  const descriptor = JSON.parse(original.get(`${seed.prefix}/offlineseed/offlineseed.json`)!.toString('utf8')) as Record<string, unknown>;
  const foreign = Buffer.from(JSON.stringify({ ...descriptor, jobName: 'another-seed' }));
  await blob('offlineseed.json').upload(foreign, foreign.length);
  const inUse = await run('seed.publish', { stagingPath: seed.staging, password: RESTIC_PASSWORD });
  assert.is(lastError(inUse).errorId, 'OfflineSeed.SeedUriInUse');
  assert.ok((await blob('drives.json').downloadToBuffer()).equals(tampered), 'nothing of the other seed was overwritten');

  for (const [name, data] of original) await container.getBlockBlobClient(name).upload(data, data.length);
});

test('a missing blob from seedUri: OfflineSeed.RepairNeedsStaging, and the seed stays as it was', async () => {
  const container = world.blobService().getContainerClient(seed.container);
  // Back to Imported in storage (as if job.status had just run), then one pack lost.
  const name = `${seed.prefix}/offlineseed/offlineseed.json`;
  const d = JSON.parse((await container.getBlobClient(name).downloadToBuffer()).toString('utf8')) as Record<string, unknown>;
  const imported = Buffer.from(JSON.stringify({ ...d, state: 'Imported', completion: undefined }));
  await container.getBlockBlobClient(name).upload(imported, imported.length);
  let pack = '';
  for await (const b of container.listBlobsFlat({ prefix: `${seed.prefix}/data/` })) pack = b.name;
  const saved = await container.getBlobClient(pack).downloadToBuffer();
  await container.deleteBlob(pack);
  try {
    const r = await runbook('seed.complete', { seedUri, password: RESTIC_PASSWORD });
    const e = lastError(r);
    assert.is(e.errorId, 'OfflineSeed.RepairNeedsStaging');
    assert.match(String(e.recommendedAction), /Complete-OfflineSeed -StagingPath/);
    const now = JSON.parse((await container.getBlobClient(name).downloadToBuffer()).toString('utf8')) as Record<string, unknown>;
    assert.is(now.state, 'Imported');
  } finally {
    await container.getBlockBlobClient(pack).upload(saved, saved.length);
  }
});

test('the records do not disturb the repository: restic check on the downloaded container', async () => {
  const folder = join(work, 'downloaded');
  const container = world.blobService().getContainerClient(seed.container);
  let records = 0;
  for await (const blob of container.listBlobsFlat({ prefix: `${seed.prefix}/` })) {
    if (blob.name.includes('/offlineseed/')) records++;
    const path = join(folder, blob.name.slice(seed.prefix.length + 1));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await container.getBlobClient(blob.name).downloadToBuffer());
  }
  assert.ok(records >= 4, 'the records are in the downloaded folder');
  assert.match(restic(folder, 'check', '--read-data'), /no errors were found/);
  const check = await run('repo.check', { repository: seedUri, password: RESTIC_PASSWORD });
  assert.is(check.exitCode, 0, JSON.stringify(check.errors));
});

test('two writers: the one that lost the race gets OfflineSeed.DescriptorChanged and writes nothing', async () => {
  for (const name of ['OFFLINESEED_STORAGE_ENDPOINT_TEMPLATE', 'OFFLINESEED_STORAGE_SCOPE']) process.env[name] = world.env[name];
  const { BlobSeedStore } = await import('../../engine/seed/blobSeedStore.ts');
  const access = { storageAccountKey: world.storageAccount.key };
  const a = BlobSeedStore.open(seedUri, access);
  const b = BlobSeedStore.open(seedUri, access);
  const seen = await a.require();
  await b.update((d) => ({ ...d, raceWinner: 'b' }));
  try {
    await a.update((d) => ({ ...d, raceWinner: 'a', state: seen.state }));
    assert.unreachable('the stale writer must be refused');
  } catch (error) {
    assert.is((error as { errorId?: string }).errorId, 'OfflineSeed.DescriptorChanged', String(error));
  }
  const now = await BlobSeedStore.open(seedUri, access).require();
  assert.is(now.raceWinner, 'b');
  // A first write races too: If-None-Match * refuses a record someone else created meanwhile.
  const c = BlobSeedStore.open(seedUri.replace(seed.prefix, `${seed.prefix}-other`), access);
  const d2 = BlobSeedStore.open(seedUri.replace(seed.prefix, `${seed.prefix}-other`), access);
  await c.readJson('shipping.json');
  await d2.writeJson('shipping.json', { format: 'x' });
  try {
    await c.writeJson('shipping.json', { format: 'y' });
    assert.unreachable('the second creator must be refused');
  } catch (error) {
    assert.is((error as { errorId?: string }).errorId, 'OfflineSeed.DescriptorChanged');
  }
});

test('bad seedUri values: stable error ids, before any request', async () => {
  const cases: [unknown, string][] = [
    ['https://seedstore.blob.core.windows.net/seeds/rb', 'OfflineSeed.InvalidSeedUri'],
    [`${'azure://'}seedstore/seeds/rb?sv=2020&sig=abc`, 'OfflineSeed.InvalidSeedUri'],
    ['azure://Bad_Account/seeds/rb', 'OfflineSeed.InvalidStorageAccountName'],
    ['azure://seedstore/x/rb', 'OfflineSeed.InvalidContainerName'],
    ['azure://seedstore/seeds/../other', 'OfflineSeed.InvalidBlobPrefix'],
    [`azure://${'seedstore'}/seeds/nothing-published-here`, 'OfflineSeed.SeedNotFound'],
  ];
  for (const [value, id] of cases) {
    const r = await runbook('job.status', { seedUri: value });
    assert.is(lastError(r).errorId, id, `${String(value)}: ${JSON.stringify(r.errors)}`);
  }
  const both = await run('job.ship', { seedUri, stagingPath: seed.staging, carrierName: 'FedEx', trackingNumber: 'X' });
  assert.is(lastError(both).errorId, 'OfflineSeed.SeedLocationAmbiguous');
});

test('Data Box through seedUri: create (the default control plane), ship with the DSC ImportJob resource, import, status, complete', async () => {
  const other = await prepareSeed(world, work, 'rdb', { drives: 1 });
  extraKeys.push(...other.drives.map((d) => d.key));
  const p = await run('seed.publish', { stagingPath: other.staging, password: RESTIC_PASSWORD });
  assert.is(p.exitCode, 0, JSON.stringify(p.errors));
  const uri = String(p.results[0]!.seedUri);
  rmSync(other.staging, { recursive: true, force: true });
  const c = await runbook('job.create', { seedUri: uri, password: RESTIC_PASSWORD, subscriptionId: world.subscriptionId, resourceGroup: world.resourceGroupName, location: 'West US', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING });
  assert.is(c.exitCode, 0, JSON.stringify(c.errors) + c.stderr);
  assert.is(c.results[0]!.controlPlane, 'DataBox');
  assert.is(c.results[0]!.seedState, 'JobCreated');
  // The DSC resource records the shipment on a node that has only the seed's location.
  const { file, args } = engineCommand();
  // Asynchronously: the managed identity endpoint lives in this process.
  const set = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(file, [...args, 'dsc', 'set', '--resource', 'OfflineSeed/ImportJob'], { env: { ...process.env, ...runbookEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(`${JSON.stringify({ seedUri: uri, carrierName: 'UPS', trackingNumber: 'TRK-RUNBOOK-DB' })}\n`);
  });
  assert.is(set.status, 0, set.stderr);
  const state = JSON.parse(set.stdout.split('\n')[0]!) as Record<string, unknown>;
  assert.is(state.trackingNumber, 'TRK-RUNBOOK-DB');
  assert.is(state.seedUri, uri);
  assert.is(state.seedState, 'Shipped');
  await world.dataBoxDatacenter.process(world.jobRef(other.jobName), arriving(other));
  const st = await runbook('job.status', { seedUri: uri });
  assert.is(st.exitCode, 0, JSON.stringify(st.errors));
  assert.is(st.results[0]!.controlPlane, 'DataBox');
  assert.is(st.results[0]!.seedState, 'Imported');
  const done = await runbook('seed.complete', { seedUri: uri, password: RESTIC_PASSWORD });
  assert.is(done.exitCode, 0, JSON.stringify(done.errors) + done.stderr);
  assert.is(done.results[0]!.blobsMissing, 0);
  // Remove-OfflineSeedImportJob -SeedUri: the finished job goes from the service's list.
  const removed = await runbook('job.remove', { seedUri: uri });
  assert.is(removed.exitCode, 0, JSON.stringify(removed.errors) + removed.stderr);
  assert.is(world.dataBox.getJob(world.jobRef(other.jobName)), undefined, 'the Data Box job is gone');
});

test('damaged or missing records in storage: each gives its stable id, and nothing is changed', async () => {
  const container = world.blobService().getContainerClient(seed.container);
  const blob = (name: string) => container.getBlockBlobClient(`${seed.prefix}/offlineseed/${name}`);
  const original = await recordBlobs();
  const json = (name: string) => JSON.parse(original.get(`${seed.prefix}/offlineseed/${name}`)!.toString('utf8')) as Record<string, unknown>;
  const create = () => runbook('job.create', { seedUri, password: RESTIC_PASSWORD, subscriptionId: world.subscriptionId, resourceGroup: world.resourceGroupName, controlPlane: 'ImportExport', location: 'West US', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING });
  const cases: [string, string | undefined, () => ReturnType<typeof runbook>, string][] = [
    ['offlineseed.json', 'not json', () => runbook('job.status', { seedUri }), 'OfflineSeed.DescriptorCorrupt'],
    ['offlineseed.json', JSON.stringify({ formatVersion: 9 }), () => runbook('job.status', { seedUri }), 'OfflineSeed.DescriptorCorrupt'],
    ['drives.json', undefined, create, 'OfflineSeed.SeedNotPublished'],
    ['drives.json', JSON.stringify({ ...json('drives.json'), format: 'something-else' }), create, 'OfflineSeed.DescriptorCorrupt'],
    ['bitlocker.sealed.json', JSON.stringify({ ...json('bitlocker.sealed.json'), format: 'something-else' }), create, 'OfflineSeed.SealedKeysCorrupt'],
    ['bitlocker.sealed.json', JSON.stringify({ ...json('bitlocker.sealed.json'), kdf: { ...(json('bitlocker.sealed.json').kdf as object), N: 2 ** 30 } }), create, 'OfflineSeed.SealedKeysCorrupt'],
    // The right password with altered ciphertext: damage, not a wrong password (the key check tells).
    ['bitlocker.sealed.json', JSON.stringify({ ...json('bitlocker.sealed.json'), ciphertext: alterBase64(json('bitlocker.sealed.json').ciphertext as string) }), create, 'OfflineSeed.SealedKeysCorrupt'],
  ];
  const jobsBefore = JSON.stringify(world.emulator.listJobs());
  for (const [name, content, command, errorId] of cases) {
    if (content === undefined) await blob(name).delete();
    else await blob(name).upload(Buffer.from(content), Buffer.byteLength(content));
    const r = await command();
    assert.is(lastError(r).errorId, errorId, `${name} ${content?.slice(0, 40) ?? '(missing)'}: ${JSON.stringify(r.errors)}`);
    const data = original.get(`${seed.prefix}/offlineseed/${name}`)!;
    await blob(name).upload(data, data.length);
  }
  assert.is(JSON.stringify(world.emulator.listJobs()), jobsBefore, 'no job was created or changed');
  const after = await recordBlobs();
  for (const [name, data] of original) assert.ok(after.get(name)!.equals(data), `${name} as it was`);
});

/** The same base64 text with its first byte changed. */
function alterBase64(text: string): string {
  const bytes = Buffer.from(text, 'base64');
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString('base64');
}

test('the engine printed no key, password or token', () => {
  output.assertNoSecrets([...seed.drives.map((d) => d.key), ...extraKeys, RESTIC_PASSWORD]);
});

test.after(async () => {
  if (identity !== undefined) await new Promise<void>((resolve) => identity.server.close(() => resolve()));
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
