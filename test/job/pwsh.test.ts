/**
 * The import job flow through the cmdlets in a real PowerShell (pwsh), against the built engine and the
 * test world: New-OfflineSeedImportJob, Update-ImportShipping (-WhatIf, then -Confirm:$false),
 * Get-OfflineSeedBitLockerKey, the datacenter import, Get-ImportJobStatus and
 * Remove-OfflineSeedImportJob. Runs only where pwsh is installed (PATH or ~/.dotnet/tools/pwsh);
 * elsewhere every test is reported as skipped. NOTE: written on a machine without PowerShell; the
 * static checks (test/psmodule/static.test.ts) cover the same cmdlets there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPwsh, psQuote, runModuleScript } from '../helpers/pwsh.ts';
import { startWorld, type World } from '../world/world.ts';
import { arriving, descriptor, prepareSeed, RETURN_ADDRESS, type PreparedSeed } from './fixtures.ts';

const pwsh = findPwsh();
const it = pwsh === undefined ? test.skip : test;
const work = mkdtempSync('/var/tmp/offlineseed-job-pwsh-');
let world: World | undefined;
let seed: PreparedSeed | undefined;

/** Runs a script that ends by printing "@@RESULT@@<json>". */
function runPwsh(script: string): Record<string, unknown> {
  const run = runModuleScript(pwsh!, { work, script, env: world!.env });
  for (const d of seed?.drives ?? []) assert.not.ok(run.printedOutsideResult.includes(d.key), 'a BitLocker key outside the result');
  return run.result;
}

test.before(async () => {
  if (pwsh === undefined) return;
  world = await startWorld();
  seed = await prepareSeed(world, work, 'pwsh');
});

it('New-OfflineSeedImportJob, Update-ImportShipping and Get-OfflineSeedBitLockerKey', () => {
  const address = Object.entries(RETURN_ADDRESS).map(([k, v]) => `${k[0]!.toUpperCase()}${k.slice(1)} = ${psQuote(v)}`).join('; ');
  const result = runPwsh(`
$address = @{ ${address} }
$job = New-OfflineSeedImportJob -StagingPath ${psQuote(seed!.staging)} -ControlPlane ImportExport -Location 'West US' -SubscriptionId ${psQuote(world!.subscriptionId)} -ResourceGroupName ${psQuote(world!.resourceGroupName)} -ReturnAddress $address -ReturnCarrierName FedEx -ReturnCarrierAccountNumber 987654321 -InformationVariable created
$null = Update-ImportShipping -StagingPath ${psQuote(seed!.staging)} -CarrierName FedEx -TrackingNumber 'TRK-PWSH-1' -WhatIf -InformationVariable review
$stateAfterWhatIf = (Get-ImportJobStatus -StagingPath ${psQuote(seed!.staging)}).State
$shipping = $job | Update-ImportShipping -CarrierName FedEx -TrackingNumber 'TRK-PWSH-1' -ShipDate ([datetime]::UtcNow) -Confirm:$false
$keys = @(Get-OfflineSeedBitLockerKey -StagingPath ${psQuote(seed!.staging)})
'@@RESULT@@' + ([ordered]@{
    jobType = $job.PSObject.TypeNames[0]; outcome = $job.Outcome; city = $job.ShipTo.City; created = @($created | ForEach-Object { [string]$_.MessageData })
    review = @($review | ForEach-Object { [string]$_.MessageData }); stateAfterWhatIf = $stateAfterWhatIf
    shippingType = $shipping.PSObject.TypeNames[0]; shippingState = $shipping.State; window = $shipping.Window
    keyType = $keys[0].PSObject.TypeNames[0]; keyMatches = @($keys | ForEach-Object { $_.MatchesKeyFile }); keys = @($keys | ForEach-Object { $_.BitLockerKey })
} | ConvertTo-Json -Depth 5 -Compress)`);
  assert.is(result.jobType, 'OfflineSeed.ImportJob');
  assert.is(result.outcome, 'Created');
  assert.is(result.city, 'Santa Clara');
  assert.ok((result.created as string[]).some((m) => m.startsWith('Ship the 1 drive(s) to West US')), JSON.stringify(result.created));
  assert.ok((result.review as string[]).some((m) => m.includes('What if: Shipment of import job pwsh-job')), JSON.stringify(result.review));
  assert.is(result.stateAfterWhatIf, 'Created', '-WhatIf changed nothing');
  assert.is(result.shippingType, 'OfflineSeed.ShippingRecord');
  assert.is(result.shippingState, 'Shipping');
  assert.is(result.window, 'Ok');
  assert.is(result.keyType, 'OfflineSeed.BitLockerKey');
  assert.equal(result.keyMatches, [true]);
  assert.equal(result.keys, seed!.drives.map((d) => d.key));
});

it('Get-ImportJobStatus follows the import to Completed; Remove-OfflineSeedImportJob deletes the job', async () => {
  const report = await world!.datacenter.process(world!.jobRef(seed!.jobName), arriving(seed!));
  assert.is(report.finalState, 'Completed');
  const result = runPwsh(`
$status = Get-ImportJobStatus -StagingPath ${psQuote(seed!.staging)}
$removed = $status | Remove-OfflineSeedImportJob -Confirm:$false
$missing = Get-ImportJobStatus -JobName ${psQuote(seed!.jobName)} -ResourceGroupName ${psQuote(world!.resourceGroupName)} -SubscriptionId ${psQuote(world!.subscriptionId)} -ErrorAction SilentlyContinue -ErrorVariable failed
'@@RESULT@@' + ([ordered]@{
    type = $status.PSObject.TypeNames[0]; state = $status.State; imported = $status.Imported; drives = @($status.Drives | ForEach-Object { $_.State })
    removed = $removed.Outcome; missing = $null -eq $missing; errorId = [string]$failed[0].FullyQualifiedErrorId; category = [string]$failed[0].CategoryInfo.Category
} | ConvertTo-Json -Depth 5 -Compress)`);
  assert.is(result.type, 'OfflineSeed.ImportJobStatus');
  assert.is(result.state, 'Completed');
  assert.is(result.imported, true);
  assert.equal(result.drives, ['Completed']);
  assert.is(result.removed, 'Removed');
  assert.is(result.missing, true);
  assert.is(result.errorId, 'OfflineSeed.ImportExportResourceNotFound,Get-ImportJobStatus');
  assert.is(result.category, 'ObjectNotFound');
  assert.is(descriptor(seed!).state, 'Imported');
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
