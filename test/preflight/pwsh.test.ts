/**
 * The prerequisite, credential and profile cmdlets in a real PowerShell (pwsh) against the built engine
 * and the test world: Set-OfflineSeedProfile, Get-OfflineSeedProfile, New-OfflineSeedCredential (off
 * Windows: the engine's PEM), Test-OfflineSeedPrerequisite -CredentialProfile, and -CredentialProfile on
 * a job cmdlet. Runs only where pwsh is installed (PATH or ~/.dotnet/tools/pwsh); elsewhere every test is
 * reported as skipped. NOTE: written on a machine without PowerShell; test/psmodule/static.test.ts
 * checks the same cmdlets there, and the engine side is covered by the other tests of this folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPwsh, psQuote } from '../helpers/pwsh.ts';
import { builtEngine, repoRoot } from '../helpers/engine.ts';
import { startWorld, type World } from '../world/world.ts';
import { RETURN_ADDRESS } from '../job/fixtures.ts';

const pwsh = findPwsh();
const it = pwsh === undefined ? test.skip : test;
const work = mkdtempSync('/var/tmp/offlineseed-preflight-pwsh-');
let world: World | undefined;

/** Runs a script that ends by printing "@@RESULT@@<json>". */
function runPwsh(script: string, env: Record<string, string | undefined> = {}): Record<string, unknown> {
  const file = join(work, `script-${Math.random().toString(36).slice(2)}.ps1`);
  writeFileSync(file, `$ErrorActionPreference = 'Stop'\nImport-Module ${psQuote(join(repoRoot, 'OfflineSeed.psd1'))} -Force\n${script}\n`, 'utf8');
  const run = spawnSync(pwsh!, ['-NoProfile', '-NonInteractive', '-File', file], {
    cwd: work,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...world!.env, XDG_CONFIG_HOME: join(work, 'config'), OFFLINESEED_MACHINE_PROFILE: join(work, 'machine.json'), ...(existsSync(builtEngine) ? { OFFLINESEED_ENGINE_PATH: builtEngine } : {}), ...env },
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (line === undefined) throw new Error(`pwsh printed no result (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  assert.not.ok(`${run.stdout}${run.stderr}`.includes('PRIVATE KEY'), 'no key in any stream');
  return JSON.parse(line.slice('@@RESULT@@'.length)) as Record<string, unknown>;
}

test.before(async () => {
  if (pwsh === undefined) return;
  world = await startWorld();
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});

it('Set-OfflineSeedProfile -Scope Machine, then Get-OfflineSeedProfile and the preflight use it', () => {
  const address = Object.entries(RETURN_ADDRESS).map(([k, v]) => `${k[0]!.toUpperCase()}${k.slice(1)} = ${psQuote(v)}`).join('; ');
  const result = runPwsh(`
$null = Set-OfflineSeedProfile -Scope Machine -ReturnAddress @{ ${address} } -ReturnCarrierName FedEx -ReturnCarrierAccountNumber 123456 -Confirm:$false
$view = Get-OfflineSeedProfile
$checks = @(Test-OfflineSeedPrerequisite -Offline)
'@@RESULT@@' + (@{ type = $view.PSObject.TypeNames[0]; source = $view.ReturnAddressSource; address = @($checks | Where-Object Check -eq 'ReturnAddress')[0].Status; checkType = $checks[0].PSObject.TypeNames[0] } | ConvertTo-Json -Compress)`);
  assert.equal(result, { type: 'OfflineSeed.Profile', source: join(work, 'machine.json'), address: 'Pass', checkType: 'OfflineSeed.PrerequisiteCheck' });
});

it('New-OfflineSeedCredential, then -CredentialProfile with no other credential', () => {
  const app = world!.graph.addApplication('offlineseed-pwsh');
  const result = runPwsh(`
$credential = New-OfflineSeedCredential -Name pwsh -TenantId ${psQuote(world!.tenantId)} -ApplicationId ${psQuote(app.appId)} -SubscriptionId ${psQuote(world!.subscriptionId)} -Confirm:$false
Remove-Item Env:AZURE_CLIENT_SECRET, Env:AZURE_CLIENT_ID
$checks = @(Test-OfflineSeedPrerequisite -CredentialProfile pwsh -ResourceGroupName ${psQuote(world!.resourceGroupName)} -StorageAccountName ${psQuote(world!.storageAccount.name)})
'@@RESULT@@' + (@{ registered = $credential.Registered; credential = @($checks | Where-Object Check -eq 'Credential')[0].Status; rights = @($checks | Where-Object Check -eq 'Rights')[0].Status } | ConvertTo-Json -Compress)`);
  assert.equal(result, { registered: true, credential: 'Pass', rights: 'Pass' });
});

test.run();
