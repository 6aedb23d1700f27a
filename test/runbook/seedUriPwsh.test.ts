/**
 * The -SeedUri flow through the cmdlets in a real PowerShell (pwsh), against the built engine and the
 * test world: Publish-OfflineSeed on the server, then with the staging location moved away
 * New-OfflineSeedImportJob -SeedUri -Password, Update-ImportShipping -SeedUri, the datacenter import,
 * Get-ImportJobStatus -SeedUri and Complete-OfflineSeed -SeedUri. Runs only where pwsh is installed
 * (PATH or ~/.dotnet/tools/pwsh); elsewhere every test is reported as skipped. NOTE: written on a
 * machine without PowerShell; test/runbook/seedUri.test.ts runs the same flow through the engine and
 * test/psmodule/static.test.ts checks the cmdlets.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPwsh, psQuote } from '../helpers/pwsh.ts';
import { builtEngine, repoRoot } from '../helpers/engine.ts';
import { RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';
import { arriving, prepareSeed, RETURN_ADDRESS, type PreparedSeed } from '../job/fixtures.ts';

const pwsh = findPwsh();
const it = pwsh === undefined ? test.skip : test;
const work = mkdtempSync('/var/tmp/offlineseed-seeduri-pwsh-');
let world: World | undefined;
let seed: PreparedSeed | undefined;

/** Runs a script that ends by printing "@@RESULT@@<json>". */
function runPwsh(script: string): Record<string, unknown> {
  const file = join(work, `script-${Math.random().toString(36).slice(2)}.ps1`);
  writeFileSync(file, `$ErrorActionPreference = 'Stop'\nImport-Module ${psQuote(join(repoRoot, 'OfflineSeed.psd1'))} -Force\n$password = ConvertTo-SecureString ${psQuote(RESTIC_PASSWORD)} -AsPlainText -Force\n${script}\n`, 'utf8');
  const run = spawnSync(pwsh!, ['-NoProfile', '-NonInteractive', '-File', file], {
    cwd: work,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, ...world!.env, XDG_CONFIG_HOME: join(work, 'config'), ...(existsSync(builtEngine) ? { OFFLINESEED_ENGINE_PATH: builtEngine } : {}) },
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (line === undefined) throw new Error(`pwsh printed no result (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  for (const d of seed?.drives ?? []) assert.not.ok(`${run.stdout}${run.stderr}`.includes(d.key), 'a BitLocker key was printed');
  return JSON.parse(line.slice('@@RESULT@@'.length)) as Record<string, unknown>;
}

test.before(async () => {
  if (pwsh === undefined) return;
  world = await startWorld();
  seed = await prepareSeed(world, work, 'pwshuri');
});

it('Publish-OfflineSeed, then the job, the shipment, the status and the completion from -SeedUri alone', async () => {
  const published = runPwsh(`$p = Publish-OfflineSeed -StagingPath ${psQuote(seed!.staging)} -Password $password -Confirm:$false
"@@RESULT@@$($p | ConvertTo-Json -Compress -Depth 5)"`);
  assert.is(published.Outcome, 'Published');
  const uri = String(published.SeedUri);
  renameSync(seed!.staging, `${seed!.staging}-away`);
  const address = Object.entries(RETURN_ADDRESS).map(([k, v]) => `${k[0]!.toUpperCase()}${k.slice(1)} = ${psQuote(v)}`).join('; ');
  const created = runPwsh(`$job = New-OfflineSeedImportJob -SeedUri ${psQuote(uri)} -Password $password -Location 'West US' -ControlPlane ImportExport -SubscriptionId ${psQuote(world!.subscriptionId)} -ResourceGroupName ${psQuote(world!.resourceGroupName)} -ReturnAddress @{ ${address} } -ReturnCarrierName FedEx -ReturnCarrierAccountNumber 987654321 -Confirm:$false
$ship = Update-ImportShipping -SeedUri ${psQuote(uri)} -CarrierName FedEx -TrackingNumber TRK-PWSH-URI -Confirm:$false
"@@RESULT@@$(@{ job = $job; ship = $ship } | ConvertTo-Json -Compress -Depth 5)"`);
  assert.is((created.job as Record<string, unknown>).SeedState, 'JobCreated');
  assert.is((created.ship as Record<string, unknown>).SeedState, 'Shipped');
  const ref = world!.jobRef(seed!.jobName);
  await world!.datacenter.receivePackage(ref, arriving(seed!));
  await world!.datacenter.transfer(ref);
  await world!.datacenter.shipBack(ref);
  const done = runPwsh(`$status = Get-ImportJobStatus -SeedUri ${psQuote(uri)}
$completion = Complete-OfflineSeed -SeedUri ${psQuote(uri)} -Password $password -Confirm:$false
"@@RESULT@@$(@{ status = $status; completion = $completion } | ConvertTo-Json -Compress -Depth 5)"`);
  assert.is((done.status as Record<string, unknown>).SeedState, 'Imported');
  assert.is((done.completion as Record<string, unknown>).State, 'Completed');
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
