/**
 * New-OfflineSeedCredential end to end against the emulator's token check: a certificate made by the
 * engine, registered on the Entra application through (emulated) Microsoft Graph, saved as a credential
 * profile, then used with credentialProfile and no other credential: the token service checks the
 * client assertion signed with the new key. Without the right to change the application, the exact
 * administrator commands come back and the profile records that registration is pending. No key, secret
 * or token reaches the output or the profile. A scheduled backup registered with the profile runs its
 * unit's ExecStart as is and signs in as the application.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { engineCommand, runEngine, type EngineRun } from '../helpers/engine.ts';
import { uploadRepository } from '../helpers/cloudSeed.ts';
import { RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';
import { RETURN_ADDRESS, RETURN_SHIPPING } from '../job/fixtures.ts';

type Row = { check: string; status: string; reason: string; fix?: string; target: string };
const work = mkdtempSync('/var/tmp/offlineseed-credential-');
let world: World;
/** No credential in the environment: only the profile may be used. */
const bare = { AZURE_CLIENT_ID: undefined, AZURE_CLIENT_SECRET: undefined, AZURE_TENANT_ID: undefined, XDG_CONFIG_HOME: join(work, 'xdg'), OFFLINESEED_MACHINE_PROFILE: join(work, 'machine', 'profile.json') };

test.before(async () => {
  world = await startWorld();
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});

function env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...world.env, XDG_CONFIG_HOME: join(work, 'xdg'), OFFLINESEED_MACHINE_PROFILE: join(work, 'machine', 'profile.json'), ...extra };
}

function noSecrets(run: EngineRun): void {
  assert.not.ok(run.stdout.includes('PRIVATE KEY'), 'no key in the output');
  assert.not.ok(run.stdout.includes(world.principal.clientSecret), 'no secret in the output');
}

async function preflightWith(profile: string, extra: Record<string, unknown> = {}): Promise<Row[]> {
  const run = await runEngine('preflight.run', {
    credentialProfile: profile, resourceGroup: world.resourceGroupName, storageAccount: world.storageAccount.name,
    returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING, ...extra,
  }, { env: { ...world.env, ...bare } });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  noSecrets(run);
  return run.results as unknown as Row[];
}

test('a certificate registered on the application, saved as a profile, used with no other credential', async () => {
  const app = world.graph.addApplication('offlineseed-unattended');
  const run = await runEngine('credential.new', { name: 'unattended', tenantId: world.tenantId, applicationId: app.appId, subscriptionId: world.subscriptionId }, { env: env() });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  noSecrets(run);
  const r = run.results[0] as Record<string, unknown>;
  assert.is(r.registered, true);
  assert.is(r.clientId, app.appId);
  assert.is(r.profilePath, join(work, 'xdg', 'offlineseed', 'profile.json'));

  // The PEM: key + certificate, readable by its owner only; the .cer: the public certificate alone.
  const pemPath = String(r.certificatePath);
  assert.is(statSync(pemPath).mode & 0o777, 0o600);
  const pem = readFileSync(pemPath, 'utf8');
  assert.match(pem, /BEGIN PRIVATE KEY/);
  const cer = new X509Certificate(readFileSync(String(r.publicCertificatePath)));
  assert.is(createHash('sha1').update(cer.raw).digest('hex').toUpperCase(), r.certificateThumbprint);
  assert.ok(cer.checkPrivateKey((await import('node:crypto')).createPrivateKey(pem)), 'the PEM key belongs to the certificate');

  // Graph holds it; the profile names it and holds no secret.
  assert.equal(world.graph.applications.get(app.appId)!.keyCredentials.map((k) => k.customKeyIdentifier), [r.certificateThumbprint]);
  const profileText = readFileSync(String(r.profilePath), 'utf8');
  assert.not.match(profileText, /PRIVATE|BEGIN CERT/);
  const saved = (JSON.parse(profileText) as { credentials: Record<string, Record<string, unknown>> }).credentials['unattended']!;
  assert.equal({ tenantId: saved.tenantId, clientId: saved.clientId, subscriptionId: saved.subscriptionId, certificatePath: saved.certificatePath },
    { tenantId: world.tenantId, clientId: app.appId, subscriptionId: world.subscriptionId, certificatePath: pemPath });

  // Used: every Azure check passes as the application, which signed in with its certificate.
  const before = world.emulator.tokenService.issued.length;
  const rows = await preflightWith('unattended');
  assert.equal(rows.filter((row) => row.status !== 'Pass').map((row) => `${row.check}: ${row.reason}`), []);
  assert.match(rows.find((row) => row.check === 'Credential')!.target, new RegExp(app.appId));
  assert.ok(rows.some((row) => row.check === 'Subscription' && row.target === world.subscriptionId), 'the subscription came from the profile');
  assert.ok(world.emulator.tokenService.issued.slice(before).some((t) => t.clientId === app.appId), 'a token was issued to the new application');

  // And by a job command: the same profile through the SDK client.
  const status = await runEngine('job.status', { jobName: 'no-such-job', resourceGroup: world.resourceGroupName, subscriptionId: world.subscriptionId, credentialProfile: 'unattended' }, { env: { ...world.env, ...bare } });
  assert.is(status.errors[0]?.errorId, 'OfflineSeed.ImportExportResourceNotFound', 'authenticated: the job is simply not there');
});

test('without the right to change the application: the administrator\'s exact commands, and the sign-in fails until they run', async () => {
  const app = world.graph.addApplication('offlineseed-pending');
  world.graph.writers.delete(world.principal.clientId);
  let r: Record<string, unknown>;
  try {
    const run = await runEngine('credential.new', { name: 'pending', tenantId: world.tenantId, applicationId: app.appId }, { env: env() });
    assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
    noSecrets(run);
    r = run.results[0] as Record<string, unknown>;
    assert.is(r.registered, false);
    assert.match(String(r.notRegisteredReason), /403 Authorization_RequestDenied/);
    const commands = r.registrationCommands as string[];
    assert.is(commands[0], `az ad app credential reset --id ${app.appId} --cert "@${String(r.publicCertificatePath)}" --append`);
    assert.match(commands[1]!, new RegExp(`^New-AzADAppCredential -ApplicationId ${app.appId} -CertValue`));
    const warning = run.events.find((e) => e.type === 'log' && (e as { level?: string }).level === 'warning') as unknown as { message: string };
    assert.ok(warning.message.includes(commands[0]!), 'the warning prints the command');
  } finally {
    world.graph.writers.add(world.principal.clientId);
  }
  const rows = await preflightWith('pending', { subscriptionId: world.subscriptionId });
  assert.is(rows.find((row) => row.check === 'CredentialRegistered')!.status, 'Warn');
  const credential = rows.find((row) => row.check === 'Credential')!;
  assert.is(credential.status, 'Fail');
  assert.match(credential.reason, /AADSTS7000215|invalid_client/);

  // What the administrator's command does (here: the Graph call it makes), then the same check passes.
  const cer = readFileSync(String(r.publicCertificatePath)).toString('base64');
  const token = (await world.credential().getToken('https://graph.microsoft.com/.default'))!.token;
  const patched = await fetch(`${world.emulator.endpoint}/v1.0/applications/${app.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cer }] }) });
  assert.is(patched.status, 204);
  const after = await preflightWith('pending', { subscriptionId: world.subscriptionId });
  assert.is(after.find((row) => row.check === 'Credential')!.status, 'Pass');
});

test('a profile name in use is refused without -Force; an unknown profile is named with its fix', async () => {
  const app = world.graph.addApplication('offlineseed-again');
  const again = await runEngine('credential.new', { name: 'unattended', tenantId: world.tenantId, applicationId: app.appId }, { env: env() });
  assert.is(again.exitCode, 1);
  assert.is(again.errors[0]?.errorId, 'OfflineSeed.CredentialProfileExists');
  const rows = await preflightWith('nobody', { subscriptionId: world.subscriptionId });
  const row = rows.find((x) => x.check === 'CredentialProfile')!;
  assert.is(row.status, 'Fail');
  assert.match(row.fix!, /New-OfflineSeedCredential/);
  assert.not.ok(rows.some((x) => x.check === 'ControlPlane'), 'no Azure check without a usable identity');
  const job = await runEngine('job.status', { jobName: 'x1', resourceGroup: world.resourceGroupName, subscriptionId: world.subscriptionId, credentialProfile: 'nobody' }, { env: { ...world.env, ...bare } });
  assert.is(job.errors[0]?.errorId, 'OfflineSeed.CredentialProfileNotFound');
});

test('a machine-wide profile serves every user: credential and return details saved once, found without a path', async () => {
  const app = world.graph.addApplication('offlineseed-machine');
  const run = await runEngine('credential.new', { name: 'machine', tenantId: world.tenantId, applicationId: app.appId, subscriptionId: world.subscriptionId, scope: 'Machine' }, { env: env() });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  assert.is((run.results[0] as Record<string, unknown>).profilePath, join(work, 'machine', 'profile.json'));
  const rows = await preflightWith('machine', { returnAddress: undefined, returnShipping: undefined });
  assert.is(rows.find((x) => x.check === 'Credential')!.status, 'Pass');
  assert.is(rows.find((x) => x.check === 'CredentialProfile')!.target, 'machine');
});

/** The words of a unit's ExecStart= (each double-quoted, with C escapes, %% and $$). */
function execStartWords(unit: string): string[] {
  const line = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1').replace(/%%/g, '%').replace(/\$\$/g, '$'));
}

test('a scheduled backup registered with the profile signs in as the application on every run', async () => {
  const source = join(work, 'scheduled-source');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'a.txt'), 'scheduled\n'.repeat(1000));
  const staging = join(work, 'scheduled-staging');
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'scheduled', storageAccount: world.storageAccount.name, container: 'scheduled', prefix: 'fs01', password: RESTIC_PASSWORD });
  assert.is(stage.exitCode, 0, JSON.stringify(stage.errors));
  await uploadRepository(world, join(staging, 'repository'), 'scheduled', 'fs01');
  writeFileSync(join(source, 'b.txt'), 'changed since the seed\n');
  const repository = `azure://${world.storageAccount.name}/scheduled/fs01`;
  const { file, args } = engineCommand();
  const scheduled = await runEngine('backup.schedule', {
    taskName: 'unattended-nightly', platform: 'systemd', repository, credentialProfile: 'unattended', password: RESTIC_PASSWORD,
    install: true, unitDirectory: join(work, 'units'), keyFile: join(work, 'keys', 'nightly.key'), enginePath: file,
  }, { env: { ...world.env, ...bare } });
  assert.is(scheduled.exitCode, 0, JSON.stringify(scheduled.errors));
  assert.equal(scheduled.events.filter((e) => e.type === 'log' && e.level === 'warning'), [], 'the profile is found here');
  const words = execStartWords(String(scheduled.results[0]!.serviceUnit));
  assert.equal(words.slice(-2), ['--credential-profile', 'unattended']);

  // The unit's command as systemd would run it (plus the sources: no staging location was given), with
  // no credential in the environment: only the profile can sign in.
  const app = JSON.parse(readFileSync(join(work, 'xdg', 'offlineseed', 'profile.json'), 'utf8')).credentials.unattended.clientId as string;
  const before = world.emulator.tokenService.issued.length;
  // Asynchronously: the token service answers from this process's event loop.
  const run = await promisify(execFile)(file, [...args, ...words.slice(1), '--source', source], { env: { ...process.env, ...world.env, ...bare } as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' })
    .then(() => ({ code: 0, output: '' }), (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, output: `${error.stdout?.slice(-600)} ${error.stderr?.slice(-600)}` }));
  assert.is(run.code, 0, run.output);
  assert.ok(world.emulator.tokenService.issued.slice(before).some((t) => t.clientId === app), 'a token was issued to the application');

  const unknown = await runEngine('backup.schedule', {
    taskName: 'nobody-nightly', platform: 'systemd', repository, credentialProfile: 'nobody', password: RESTIC_PASSWORD,
    unitDirectory: join(work, 'units'), keyFile: join(work, 'keys', 'nobody.key'), enginePath: file,
  }, { env: { ...world.env, ...bare } });
  assert.is(unknown.exitCode, 0, JSON.stringify(unknown.errors));
  assert.ok(unknown.events.some((e) => e.type === 'log' && e.level === 'warning' && /nobody/.test(String(e.message)) && /Scope Machine/.test(String(e.message))), 'an unknown profile is a warning with its fix');
});

test.run();
