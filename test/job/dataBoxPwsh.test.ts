/**
 * The Data Box import flow through the cmdlets in a real PowerShell (pwsh), against the built engine
 * and the test world: New-OfflineSeedImportJob (a Data Box job by default), Update-ImportShipping,
 * Get-OfflineSeedBitLockerKey, the datacenter import with its copy logs, Get-ImportJobStatus (State and
 * ServiceState), Complete-OfflineSeed and Remove-OfflineSeedImportJob. Runs only where pwsh is
 * installed (PATH or ~/.dotnet/tools/pwsh); elsewhere every test is reported as skipped. NOTE: written
 * on a machine without PowerShell; test/job/dataBox.test.ts runs the same flow through the engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPwsh, psQuote, runModuleScript } from '../helpers/pwsh.ts';
import { RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { startWorld, type World } from '../world/world.ts';
import { arriving, descriptor, prepareSeed, RETURN_ADDRESS, type PreparedSeed } from './fixtures.ts';

const pwsh = findPwsh();
const it = pwsh === undefined ? test.skip : test;
const work = mkdtempSync('/var/tmp/offlineseed-job-dbxpwsh-');
let world: World | undefined;
let seed: PreparedSeed | undefined;

/** Runs a script that ends by printing "@@RESULT@@<json>". */
function runPwsh(script: string): Record<string, unknown> {
  const run = runModuleScript(pwsh!, { work, script, env: world!.env });
  for (const d of seed?.drives ?? []) assert.not.ok(run.printedOutsideResult.includes(d.key), 'a BitLocker key outside the result');
  assert.not.ok(run.printed.includes('987654321'), 'the carrier account number is never shown');
  return run.result;
}

test.before(async () => {
  if (pwsh === undefined) return;
  world = await startWorld();
  seed = await prepareSeed(world, work, 'dbxpwsh');
});

it('New-OfflineSeedImportJob creates a Data Box job by default; Update-ImportShipping and Get-OfflineSeedBitLockerKey use it', () => {
  const address = Object.entries(RETURN_ADDRESS).map(([k, v]) => `${k[0]!.toUpperCase()}${k.slice(1)} = ${psQuote(v)}`).join('; ');
  const result = runPwsh(`
$address = @{ ${address} }
$job = New-OfflineSeedImportJob -StagingPath ${psQuote(seed!.staging)} -Location 'West US' -SubscriptionId ${psQuote(world!.subscriptionId)} -ResourceGroupName ${psQuote(world!.resourceGroupName)} -ReturnAddress $address -ReturnCarrierName FedEx -ReturnCarrierAccountNumber 987654321
$null = Update-ImportShipping -StagingPath ${psQuote(seed!.staging)} -CarrierName FedEx -TrackingNumber 'DBX-PWSH-1' -WhatIf
$before = Get-ImportJobStatus -StagingPath ${psQuote(seed!.staging)}
$shipping = $job | Update-ImportShipping -CarrierName FedEx -TrackingNumber 'DBX-PWSH-1' -ShipDate ([datetime]::UtcNow) -Confirm:$false
$keys = @(Get-OfflineSeedBitLockerKey -StagingPath ${psQuote(seed!.staging)})
$wrongPlane = New-OfflineSeedImportJob -StagingPath ${psQuote(seed!.staging)} -ControlPlane ImportExport -Location 'West US' -ErrorAction SilentlyContinue -ErrorVariable failed
'@@RESULT@@' + ([ordered]@{
    jobType = $job.PSObject.TypeNames[0]; controlPlane = $job.ControlPlane; state = $job.State; serviceState = $job.ServiceState; city = $job.ShipTo.City
    stateAfterWhatIf = $before.State; serviceStateAfterWhatIf = $before.ServiceState
    shippingState = $shipping.State; shippingServiceState = $shipping.ServiceState
    keyMatches = @($keys | ForEach-Object { $_.MatchesKeyFile }); keys = @($keys | ForEach-Object { $_.BitLockerKey })
    wrongPlane = $null -eq $wrongPlane; errorId = [string]$failed[0].FullyQualifiedErrorId
} | ConvertTo-Json -Depth 5 -Compress)`);
  assert.is(result.jobType, 'OfflineSeed.ImportJob');
  assert.is(result.controlPlane, 'DataBox');
  assert.is(result.state, 'Created');
  assert.is(result.serviceState, 'AwaitingShipmentDetails');
  assert.is(result.city, 'Quincy');
  assert.is(result.stateAfterWhatIf, 'Created', '-WhatIf changed nothing');
  assert.is(result.serviceStateAfterWhatIf, 'AwaitingShipmentDetails');
  assert.is(result.shippingState, 'Shipping');
  assert.is(result.shippingServiceState, 'ShippedToAzureDC');
  assert.equal(result.keyMatches, [true]);
  assert.equal(result.keys, seed!.drives.map((d) => d.key));
  assert.is(result.wrongPlane, true);
  assert.is(result.errorId, 'OfflineSeed.ControlPlaneMismatch,New-OfflineSeedImportJob');
});

it('Get-ImportJobStatus follows the Data Box job to Completed; Complete-OfflineSeed reads the copy logs; Remove-OfflineSeedImportJob deletes the job', async () => {
  const report = await world!.dataBoxDatacenter.process(world!.jobRef(seed!.jobName), arriving(seed!));
  assert.is(report.finalStatus, 'Completed');
  const result = runPwsh(`
$status = Get-ImportJobStatus -StagingPath ${psQuote(seed!.staging)}
$password = ConvertTo-SecureString ${psQuote(RESTIC_PASSWORD)} -AsPlainText -Force
$complete = Complete-OfflineSeed -StagingPath ${psQuote(seed!.staging)} -Password $password -Confirm:$false
$removed = $status | Remove-OfflineSeedImportJob -Confirm:$false
$missing = Get-ImportJobStatus -JobName ${psQuote(seed!.jobName)} -ResourceGroupName ${psQuote(world!.resourceGroupName)} -SubscriptionId ${psQuote(world!.subscriptionId)} -ControlPlane DataBox -ErrorAction SilentlyContinue -ErrorVariable failed
'@@RESULT@@' + ([ordered]@{
    controlPlane = $status.ControlPlane; state = $status.State; serviceState = $status.ServiceState; imported = $status.Imported; drives = @($status.Drives | ForEach-Object { $_.CopyStatus })
    logsRead = $complete.LogsRead; missingBlobs = $complete.BlobsMissing
    removed = $removed.Outcome; missing = $null -eq $missing; errorId = [string]$failed[0].FullyQualifiedErrorId; category = [string]$failed[0].CategoryInfo.Category
} | ConvertTo-Json -Depth 5 -Compress)`);
  assert.is(result.controlPlane, 'DataBox');
  assert.is(result.state, 'Completed');
  assert.is(result.serviceState, 'Completed');
  assert.is(result.imported, true);
  assert.equal(result.drives, ['Completed']);
  assert.ok((result.logsRead as number) >= 1);
  assert.is(result.missingBlobs, 0);
  assert.is(result.removed, 'Removed');
  assert.is(result.missing, true);
  assert.is(result.errorId, 'OfflineSeed.DataBoxResourceNotFound,Get-ImportJobStatus');
  assert.is(result.category, 'ObjectNotFound');
  assert.ok(['Imported', 'Completed'].includes(String(descriptor(seed!).state)));
});

test.after(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
test.run();
