/**
 * "Never print or log a key, SAS, password, token or BitLocker key", over the whole life of a seed in
 * the test world: staged with a password, prepared on a drive with a BitLocker key (and its export),
 * the import job created with a client secret given as a parameter, shipped, imported by the simulated
 * datacenter, its status read with a real container SAS and with the account key, the keys listed,
 * the seed completed with a SAS, then a cloud backup with the client secret, a listing with a storage
 * token, a restore with the SAS, and the same commands failing with wrong secrets; plus the CLI's
 * human output with secrets from the environment. Every secret kind, in every form (as is, JSON-escaped,
 * base64, without hyphens), must be absent from every stdout and stderr byte, from every file in the
 * staging location (descriptor, journals, sessions, DriveInfo, shipping record), on the drive, in the
 * profile, temp and restore folders. The only places a BitLocker key may be: the owner-only key file,
 * the export the user asked for, and job.keys' bitLockerKey field. (test/security/secretsScan.test.ts
 * covers the staging commands and the CLI for repository commands; this adds the job commands.)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { engineCommand, runEngine, type EngineRun } from '../helpers/engine.ts';
import { bitLockerKey, MiB } from '../drive/fixtures.ts';
import { seededBytes } from '../helpers/fixtures.ts';
import { RETURN_ADDRESS, RETURN_SHIPPING, secretForms } from '../job/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';

const work = mkdtempSync('/var/tmp/offlineseed-badinput-secrets-');
const source = join(work, 'source');
const staging = join(work, 'staging');
const drive = join(work, 'drive');
const config = join(work, 'config');
const tmp = join(work, 'tmp');
const keyExport = join(work, 'export', 'drive-key.txt');
const password = `Secret «pass» ${Date.now()} with "quotes"`;
const key = bitLockerKey(77);
const jobName = 'scan-job';
const container = 'scanseed';
const texts: string[] = [];
const keyResults: Record<string, unknown>[] = [];
let world: World;
let sas = '';
let env: Record<string, string>;

function collect(command: string, run: EngineRun): EngineRun {
  for (const line of run.stdout.split('\n')) {
    if (command === 'job.keys' && line.includes('"type":"result"')) keyResults.push((JSON.parse(line) as { data: Record<string, unknown> }).data);
    else texts.push(line);
  }
  texts.push(run.stderr);
  return run;
}

async function run(command: string, params: Record<string, unknown>, expectOk: boolean): Promise<EngineRun> {
  const r = collect(command, await runEngine(command, params, { env }));
  if (expectOk) assert.is(r.exitCode, 0, `${command}: ${JSON.stringify(r.errors)} ${r.stderr}`);
  else assert.is.not(r.exitCode, 0, `${command} was expected to fail`);
  return r;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

test.before(async () => {
  world = await startWorld();
  // The service principal only as a parameter: nothing in the environment to fall back on.
  env = { ...world.env, AZURE_CLIENT_SECRET: '', AZURE_CLIENT_ID: '', XDG_CONFIG_HOME: config, HOME: config, TMPDIR: tmp };
  mkdirSync(source);
  mkdirSync(drive);
  mkdirSync(tmp);
  for (let i = 0; i < 3; i++) mkdirSync(join(source, `d${i}`));
  // Some incompressible files, some text: packs and trees of both kinds.
  for (let i = 0; i < 12; i++) writeFileSync(join(source, `d${i % 3}`, `f-${i}.bin`), i % 2 === 0 ? seededBytes(4200 + i, 300_000) : Buffer.from(`line ${i}\n`.repeat(5000)));
  const credential = new StorageSharedKeyCredential(world.storageAccount.name, world.storageAccount.key);
  sas = generateBlobSASQueryParameters({ containerName: container, permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 3600_000) }, credential).toString();
});

const principal = (): Record<string, unknown> => ({ tenantId: world.tenantId, clientId: world.principal.clientId, clientSecret: world.principal.clientSecret });
const coordinates = (): Record<string, unknown> => ({ stagingPath: staging, subscriptionId: world.subscriptionId, resourceGroup: world.resourceGroupName });
const repository = (): string => `azure://${world.storageAccount.name}/${container}/fs01`;

test('a seed goes from staging to completion, and the commands fail with wrong secrets, all with every secret kind', async () => {
  await run('seed.start', { sources: [source], stagingPath: staging, jobName, storageAccount: world.storageAccount.name, container, prefix: 'fs01', password, packSizeMiB: 4 }, true);
  await run('seed.start', { sources: [source], stagingPath: staging, jobName, storageAccount: world.storageAccount.name, container, prefix: 'fs01', password: `${password} wrong` }, false);
  await run('drive.prepare', { stagingPath: staging, driveRoot: drive, driveId: 'SCANDRIVE1', bitLockerKey: key, capacityBytes: 1024 * MiB, includeBitLockerKeyPath: keyExport }, true);
  await run('drive.prepare', { stagingPath: staging, driveRoot: drive, driveId: 'SCANDRIVE1', bitLockerKey: bitLockerKey(78) }, false);
  await run('job.create', { ...coordinates(), ...principal(), clientSecret: `${world.principal.clientSecret}-wrong`, location: 'West US', controlPlane: 'ImportExport', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING }, false);
  await run('job.create', { ...coordinates(), ...principal(), location: 'West US', controlPlane: 'ImportExport', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING, saveProfile: true }, true);
  await run('job.ship', { ...coordinates(), ...principal(), carrierName: 'DHL', trackingNumber: 'TRK-SCAN-1' }, true);
  const report = await world.datacenter.process(world.jobRef(jobName), [{ driveId: 'SCANDRIVE1', root: drive, expectedBitLockerKey: key }]);
  assert.ok(['Completed', 'Closed'].includes(report.finalState), report.finalState);
  await run('job.status', { ...coordinates(), ...principal(), sasToken: sas }, true);
  await run('job.status', { ...coordinates(), ...principal(), storageAccountKey: world.storageAccount.key }, true);
  await run('job.status', { ...coordinates(), ...principal(), storageAccountKey: Buffer.from('a wrong storage account key').toString('base64') }, true);
  const keys = await run('job.keys', { ...coordinates(), ...principal() }, true);
  assert.ok(keys.results.some((r) => r.bitLockerKey === key), 'job.keys returns the key (its one purpose)');
  await run('seed.complete', { stagingPath: staging, password: `${password} wrong`, sasToken: sas }, false);
  await run('seed.complete', { stagingPath: staging, password, sasToken: sas, readData: true }, true);
  await run('backup.run', { repository: repository(), stagingPath: staging, password, ...principal() }, true);
  await run('snapshot.list', { repository: repository(), password, storageAccessToken: world.mintStorageToken() }, true);
  await run('snapshot.list', { repository: repository(), password, sasToken: `${sas.replace(/sig=[^&]+/, 'sig=d3Jvbmc%3D')}` }, false);
  await run('restore.run', { repository: repository(), password, sasToken: sas, target: join(work, 'restored') }, true);
  await run('repo.check', { repository: repository(), password, storageAccountKey: world.storageAccount.key, readData: true }, true);
  // The CLI, for people: secrets from the environment, output as text.
  const { file, args } = engineCommand();
  const cliEnv = { ...process.env, ...env, OFFLINESEED_PASSWORD: password, OFFLINESEED_SAS_TOKEN: sas, OFFLINESEED_CLIENT_SECRET: world.principal.clientSecret };
  for (const argv of [
    ['snapshot', 'list', '--repo', repository()],
    ['repo', 'check', '--repo', repository()],
    ['job', 'status', '--staging', staging, '--tenant-id', world.tenantId, '--client-id', world.principal.clientId],
    ['job', 'status', '--staging', join(work, 'missing'), '--tenant-id', world.tenantId, '--client-id', world.principal.clientId],
  ]) {
    // Asynchronously: the emulator and the token service answer from this process's event loop.
    const r = await promisify(execFile)(file, [...args, ...argv], { env: cliEnv, encoding: 'utf8', timeout: 90_000, killSignal: 'SIGKILL' })
      .catch((error: { stdout?: string; stderr?: string; killed?: boolean }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '', killed: error.killed }));
    texts.push(r.stdout, r.stderr);
    assert.ok(!('killed' in r && r.killed === true), `the CLI ${argv.slice(0, 2).join(' ')} ended by itself: ${r.stdout.slice(-400)} ${r.stderr.slice(-400)}`);
  }
  await run('job.remove', { ...coordinates(), ...principal() }, true);
});

function secrets(): string[] {
  return [
    password, key, bitLockerKey(78), world.storageAccount.key, world.principal.clientSecret, `${world.principal.clientSecret}-wrong`, sas,
    ...(new URLSearchParams(sas).getAll('sig')), ...world.emulator.tokenService.issued.map((t) => t.token),
  ];
}

test('no secret in any output: results, logs, errors, progress, stderr, the CLI', () => {
  const all = texts.join('\n');
  assert.ok(all.length > 2000, 'the commands printed something');
  assert.ok(world.emulator.tokenService.issued.length > 0, 'tokens were issued');
  for (const secret of secrets()) for (const form of secretForms(secret)) assert.not.ok(all.includes(form), `a secret leaked into the output (${form.slice(0, 4)}…)`);
  for (const result of keyResults) {
    const { bitLockerKey: _k, ...rest } = result;
    void _k;
    for (const secret of secrets()) for (const form of secretForms(secret)) assert.not.ok(JSON.stringify(rest).includes(form), 'a job.keys result carries a secret outside bitLockerKey');
  }
});

test('no secret in any file: staging (descriptor, journals, sessions, DriveInfo, shipping record), drive, profile, temp, restore', () => {
  const ownerOnlyKeyFiles = filesUnder(staging).filter((f) => /BitLockerKey/i.test(f) && (statSync(f).mode & 0o077) === 0);
  assert.is(ownerOnlyKeyFiles.length, 1, 'the key is kept in one owner-only file');
  assert.ok(readFileSync(keyExport, 'utf8').includes(key), 'the export the user asked for holds the key');
  const files = filesUnder(work).filter((f) => !ownerOnlyKeyFiles.includes(f) && f !== keyExport && !f.startsWith(source));
  for (const expected of ['offlineseed.json', 'shipping.json', '.jrn', 'DriveInfo', 'DriveManifest.xml', 'profile.json']) {
    assert.ok(files.some((f) => f.includes(expected)), `the scan covers a ${expected} file`);
  }
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const secret of secrets()) for (const form of secretForms(secret)) assert.not.ok(bytes.includes(Buffer.from(form)), `${f} contains a secret (${form.slice(0, 4)}…)`);
  }
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
