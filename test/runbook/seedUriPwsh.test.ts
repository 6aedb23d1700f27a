/**
 * The -SeedUri flow through the cmdlets in a real PowerShell (pwsh), against the built engine and the
 * test world: Publish-OfflineSeed on the server, then with the staging location moved away
 * New-OfflineSeedImportJob -SeedUri -Password, Update-ImportShipping -SeedUri, the datacenter import,
 * Get-ImportJobStatus -SeedUri and Complete-OfflineSeed -SeedUri. Runs only where pwsh is installed
 * (PATH or ~/.dotnet/tools/pwsh); elsewhere every test is reported as skipped. NOTE: written on a
 * machine without PowerShell; test/runbook/seedUri.test.ts runs the same flow through the engine and
 * test/psmodule/static.test.ts checks the cmdlets.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPwsh, psQuote, runModuleScript } from '../helpers/pwsh.ts';
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
  const prelude = `$password = ConvertTo-SecureString ${psQuote(RESTIC_PASSWORD)} -AsPlainText -Force\n`;
  const run = runModuleScript(pwsh!, { work, script, prelude, env: world!.env });
  for (const d of seed?.drives ?? []) assert.not.ok(run.printed.includes(d.key), 'a BitLocker key was printed');
  return run.result;
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
