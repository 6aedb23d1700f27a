<#
.SYNOPSIS
Azure Automation runbook: watches an OfflineSeed import job and fails loudly when it needs a person.

.DESCRIPTION
Runs in the Azure sandbox (PowerShell 7.4 runtime environment, the OfflineSeed module imported from
OfflineSeed.zip) on a schedule, e.g. every 6 hours, while the drives travel and are copied.

Identity: the Automation account's managed identity, with the Reader role on the job's resource
group (Contributor to cancel) and Storage Blob Data Reader on the storage account (to read the drive
error logs). No Connect-AzAccount and no secret: the engine's DefaultAzureCredential finds the
sandbox's managed identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER). For a user-assigned
identity, give its client id as -IdentityClientId.

No local state: the job is named by -JobName, -ResourceGroupName and -SubscriptionId; the seed's
staging location (offlineseed.json) stays on the server that staged it. Recording the shipment
(Update-ImportShipping) and completing the seed (Complete-OfflineSeed) need that staging location,
so they run on the server or a Hybrid Runbook Worker, not here.

Output: one status object per run (job state, percent, bytes, next step). The runbook fails (so an
alert on failed jobs fires) when the job is Faulted, finished without importing everything, or has
blobs that did not import.

.PARAMETER JobName
The import job (New-OfflineSeedImportJob's -JobName).

.PARAMETER ResourceGroupName
Resource group of the job.

.PARAMETER SubscriptionId
Subscription of the job.

.PARAMETER IdentityClientId
Client id of a user-assigned managed identity (default: the system-assigned one).
#>
param(
    [Parameter(Mandatory)]
    [ValidatePattern('^[a-z][a-z0-9-]*$')]
    [string] $JobName,

    [Parameter(Mandatory)]
    [string] $ResourceGroupName,

    [Parameter(Mandatory)]
    [string] $SubscriptionId,

    [Parameter()]
    [string] $IdentityClientId
)

$ErrorActionPreference = 'Stop'
Import-Module -Name OfflineSeed

# DefaultAzureCredential picks a user-assigned identity from AZURE_CLIENT_ID.
if (-not [string]::IsNullOrEmpty($IdentityClientId)) { $env:AZURE_CLIENT_ID = $IdentityClientId }

# Verbose and information messages reach the job streams only with LogVerbose / InformationAction.
$status = Get-ImportJobStatus -JobName $JobName -ResourceGroupName $ResourceGroupName -SubscriptionId $SubscriptionId `
    -InformationAction Continue -ErrorAction Stop

$summary = @('JobName', 'State', 'PercentComplete', 'BytesSucceeded', 'DriveCount', 'FailedBlobCount', 'Imported', 'Message', 'NextStep')
Write-Output ($status | Select-Object -Property $summary)

if ($status.Imported -and $status.FailedBlobCount -eq 0) {
    Write-Output "Import job $JobName is imported. Next, on the server: Complete-OfflineSeed, then Register-OfflineSeedBackupTask."
} elseif ($status.State -eq 'Faulted' -or $status.FailedBlobCount -gt 0 -or ($status.State -in @('Completed', 'Closed') -and -not $status.Imported)) {
    throw "Import job $JobName needs attention: $($status.Message)"
}
