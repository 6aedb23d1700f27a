/**
 * A repository in Blob storage (Azurite over HTTPS with OAuth, through the real SDK): the engine checks,
 * lists and restores it by azure://account/container/prefix, authenticated with a service principal
 * (DefaultAzureCredential from the environment) or an account key; and the container, downloaded to a
 * folder, passes restic check --read-data.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AzureBackend } from '../../engine/blob/azureBackend.ts';
import { runEngine } from '../helpers/engine.ts';
import { diffTrees, makeEdgeCaseTree, restic, RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';

const work = mkdtempSync('/var/tmp/offlineseed-cloud-');
const source = join(work, 'source');
const staging = join(work, 'staging');
makeEdgeCaseTree(source);
let world: World;
let url = '';

test.before(async () => {
  world = await startWorld();
  url = `azure://${world.storageAccount.name}/seed-container/servers/host01`;
});

test('a staged repository uploaded to the container is the same repository', async () => {
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'cloud-test', storageAccount: world.storageAccount.name, container: 'seed-container', prefix: 'servers/host01', password: RESTIC_PASSWORD, packSizeMiB: 4 });
  assert.is(stage.exitCode, 0, JSON.stringify(stage.errors));
  const backend = new AzureBackend({
    account: world.storageAccount.name,
    container: 'seed-container',
    prefix: 'servers/host01',
    endpoint: world.storageEndpointTemplate.replace('{account}', world.storageAccount.name),
    credential: { kind: 'key', key: world.storageAccount.key },
  });
  await backend.create();
  const repository = join(staging, 'repository');
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const file of walk(repository).filter((f) => !f.includes('.offlineseed-tmp') && !f.includes('/locks/'))) {
    const rel = relative(repository, file);
    const type = rel === 'config' ? 'config' : (rel.split('/')[0] as 'keys' | 'data' | 'index' | 'snapshots');
    await backend.save({ type, name: rel === 'config' ? 'config' : rel.split('/').at(-1)! }, readFileSync(file));
  }
  // Saving the same content again (a retried upload) succeeds without overwriting.
  const anyPack = (await backend.list('data'))[0]!;
  await backend.save({ type: 'data', name: anyPack.name }, await backend.read({ type: 'data', name: anyPack.name }));
  assert.ok((await backend.list('data')).length > 1);
});

test('repo.check --read-data of azure:// with a service principal from the environment', async () => {
  const run = await runEngine('repo.check', { repository: url, password: RESTIC_PASSWORD, readData: true }, { env: world.env });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  assert.is(run.results[0]!.ok, true);
  assert.is(run.results[0]!.repository, url);
});

test('restore.run from azure:// equals the source', async () => {
  const target = join(work, 'from-cloud');
  const run = await runEngine('restore.run', { repository: url, password: RESTIC_PASSWORD, target }, { env: world.env });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  assert.equal(diffTrees(source, join(target, source)), []);
});

test('snapshot.list with an account key, which never appears in the output', async () => {
  const env = { ...world.env, AZURE_CLIENT_SECRET: 'wrong-so-the-key-must-be-used' };
  const run = await runEngine('snapshot.list', { repository: url, password: RESTIC_PASSWORD, storageAccountKey: world.storageAccount.key }, { env });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  assert.is(run.results.length, 1);
  assert.not.ok(run.stdout.includes(world.storageAccount.key));
});

test('a wrong account key is an access error, not a crash', async () => {
  const run = await runEngine('snapshot.list', { repository: url, password: RESTIC_PASSWORD, storageAccountKey: Buffer.alloc(64, 7).toString('base64') }, { env: world.env });
  assert.is(run.exitCode, 1);
  assert.is(run.errors.at(-1)!.errorId, 'OfflineSeed.StorageAccessDenied');
  assert.is(run.errors.at(-1)!.category, 'PermissionDenied');
});

test('the container downloaded to a folder passes restic check --read-data', async () => {
  const folder = join(work, 'downloaded');
  const container = world.blobService().getContainerClient('seed-container');
  for await (const blob of container.listBlobsFlat({ prefix: 'servers/host01/' })) {
    const path = join(folder, blob.name.slice('servers/host01/'.length));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await container.getBlobClient(blob.name).downloadToBuffer());
  }
  assert.ok(statSync(join(folder, 'config')).size > 0);
  assert.match(restic(folder, 'check', '--read-data'), /no errors were found/);
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
