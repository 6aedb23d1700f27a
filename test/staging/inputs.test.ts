/** Inputs of Start-OfflineSeed beyond the basics: a legacy publish settings file and a password file. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { restic, RESTIC_PASSWORD } from '../helpers/fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-inputs-');
const source = join(work, 'source');
mkdirSync(source);
writeFileSync(join(source, 'a.txt'), 'a');
const base = { sources: [source], jobName: 'inputs-job', storageAccount: 'acct01', container: 'seed-1' };
const SUB = '11111111-2222-3333-4444-555555555555';
const settings = join(work, 'legacy.publishsettings');
writeFileSync(settings, `<?xml version="1.0" encoding="utf-8"?>
<PublishData><PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI">
  <Subscription ServiceManagementUrl="https://management.core.windows.net" Id="${SUB}" Name="Backup" ManagementCertificate="MIIKEAAAAsecretcertificatedata" />
</PublishProfile></PublishData>`);

test('a publish settings file gives only the subscription id (its certificate is never copied)', async () => {
  const staging = join(work, 'staging-ps');
  const run = await runEngine('seed.start', { ...base, stagingPath: staging, publishSettingsFile: settings, password: RESTIC_PASSWORD });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  const text = readFileSync(join(staging, 'offlineseed.json'), 'utf8');
  assert.is((JSON.parse(text) as { subscriptionId: string }).subscriptionId, SUB);
  assert.not.match(text, /MIIKEAAAA/);
});

test('a subscription id that contradicts the publish settings file is refused', async () => {
  const run = await runEngine('seed.start', { ...base, stagingPath: join(work, 'staging-mismatch'), publishSettingsFile: settings, subscriptionId: '99999999-2222-3333-4444-555555555555', password: RESTIC_PASSWORD });
  assert.is(run.errors.at(-1)!.errorId, 'OfflineSeed.SubscriptionMismatch');
  assert.is(run.exitCode, 2);
});

test('a password file written by Windows PowerShell 5.1 (UTF-8 with BOM, CRLF) opens the repository for restic too', async () => {
  const staging = join(work, 'staging-pwfile');
  const file = join(work, 'password.txt');
  writeFileSync(file, `\uFEFF${RESTIC_PASSWORD}\r\n`);
  const run = await runEngine('seed.start', { ...base, stagingPath: staging, passwordFile: file });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors));
  assert.match(restic(join(staging, 'repository'), 'check'), /no errors were found/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
