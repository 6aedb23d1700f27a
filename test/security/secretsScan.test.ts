/**
 * "Never print or log a key, SAS, password or BitLocker key": runs the commands that take secrets,
 * successful and failing, and scans every byte they wrote to stdout and stderr, every file of the
 * staging location (except the owner-only BitLocker key file, which exists to hold the key) and every
 * file on the drive. The repository's own files are encrypted, so the scan covers them too.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { engineCommand, runEngine, type EngineRun } from '../helpers/engine.ts';
import { bitLockerKey } from '../drive/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';

const work = mkdtempSync('/var/tmp/offlineseed-secrets-');
const source = join(work, 'source');
const staging = join(work, 'staging');
const drive = join(work, 'drive');
const password = 'Pa55-word: «not to be printed» ' + Date.now();
const key = bitLockerKey(99);
const outputs: string[] = [];
let world: World;
let secrets: string[] = [];

function collect(run: EngineRun): EngineRun {
  outputs.push(run.stdout, run.stderr);
  return run;
}

/** Every way a secret could leak as text: as is, JSON-escaped, base64, without separators. */
function forms(secret: string): string[] {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64'), secret.replace(/-/g, '')])].filter((s) => s.length >= 8);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

test.before(async () => {
  world = await startWorld();
  secrets = [password, key, world.storageAccount.key, world.principal.clientSecret];
  mkdirSync(source);
  for (let i = 0; i < 20; i++) writeFileSync(join(source, `f-${i}.txt`), `file ${i}\n`.repeat(1000));
  mkdirSync(drive);
});

test('the commands that take secrets run (and fail) without printing them', async () => {
  const base = { sources: [source], stagingPath: staging, jobName: 'secrets-job', storageAccount: world.storageAccount.name, container: 'seed', password };
  assert.is(collect(await runEngine('seed.start', base)).exitCode, 0);
  assert.is(collect(await runEngine('seed.start', { ...base, password: `${password}-wrong` })).exitCode, 1);
  assert.is(collect(await runEngine('drive.prepare', { stagingPath: staging, driveRoot: drive, driveId: 'SECRETDRIVE1', bitLockerKey: key, capacityBytes: 1 << 30 })).exitCode, 0);
  collect(await runEngine('drive.prepare', { stagingPath: staging, driveRoot: join(work, 'nope'), driveId: 'SECRETDRIVE2', bitLockerKey: `${key}-1` }));
  collect(await runEngine('repo.check', { repository: staging, password: `wrong ${password}` }));
  collect(await runEngine('snapshot.list', { repository: `azure://${world.storageAccount.name}/seed/x`, password, storageAccountKey: world.storageAccount.key }, { env: world.env }));
  collect(await runEngine('snapshot.list', { repository: `azure://${world.storageAccount.name}/seed/x`, password, tenantId: world.tenantId, clientId: world.principal.clientId, clientSecret: world.principal.clientSecret }, { env: world.env }));
  collect(await runEngine('backup.run', { repository: staging, stagingPath: staging, password }));
  // The CLI: the password from the environment, errors and results printed for people.
  const { file, args } = engineCommand();
  for (const argv of [['repo', 'check', '--repo', staging], ['snapshot', 'list', '--repo', staging, '--json'], ['repo', 'check', '--repo', join(work, 'missing')]]) {
    const r = spawnSync(file, [...args, ...argv], { env: { ...process.env, OFFLINESEED_PASSWORD: password }, encoding: 'utf8' });
    outputs.push(r.stdout, r.stderr);
  }
  assert.ok(outputs.join('').length > 1000, 'the commands did print something');
});

test('no secret appears in any output', () => {
  const all = outputs.join('\n');
  for (const secret of secrets) for (const form of forms(secret)) assert.not.ok(all.includes(form), `a secret leaked into the output (${form.slice(0, 3)}…)`);
});

test('no secret appears in any file in the staging location or on the drive, except the owner-only key file', () => {
  const keyFiles = filesUnder(staging).filter((f) => /bitlocker/i.test(f) && (statSync(f).mode & 0o077) === 0);
  assert.ok(keyFiles.length >= 1, 'the BitLocker key is kept in an owner-only file');
  for (const file of [...filesUnder(staging), ...filesUnder(drive)]) {
    if (keyFiles.includes(file)) continue;
    const bytes = readFileSync(file);
    for (const secret of secrets) {
      for (const form of forms(secret)) assert.not.ok(bytes.includes(Buffer.from(form)), `${file} contains a secret`);
    }
  }
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
