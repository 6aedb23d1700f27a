<#
.SYNOPSIS
Azure Automation runbook: takes a published OfflineSeed seed from prepared drives to Completed, and
fails loudly when it needs a person.

.DESCRIPTION
Runs in the Azure sandbox (PowerShell 7.4 runtime environment, the OfflineSeed module imported from
OfflineSeed.zip) on a schedule, e.g. every 6 hours, from the moment the server has published the
seed (Publish-OfflineSeed) until the seed is Completed. Each run moves the seed one step on, as far
as it can:

  no job yet      New-OfflineSeedImportJob (when -Location and the return details are given)
  job created     Update-ImportShipping (when -CarrierName and -TrackingNumber are given)
  shipped         Get-ImportJobStatus: the seed follows the job (Shipped, Imported)
  imported        Complete-OfflineSeed verifies the container against the published manifests

Identity: the Automation account's managed identity, with Contributor on the job's resource group and
Storage Blob Data Contributor on the seed's container (the seed's records live there, next to the
repository). No Connect-AzAccount: the engine's DefaultAzureCredential finds the sandbox's managed
identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER). For a user-assigned identity, give its client
id as -IdentityClientId.

No local state: everything the runbook needs is in storage, at -SeedUri. The one secret is the
repository password, kept as an Automation credential (-CredentialName): it unseals the drives'
BitLocker keys for the job and opens the repository for the verification. Repairing a blob that did
not import needs the staged files, so that one step stays on the server (Complete-OfflineSeed
-StagingPath); the runbook fails with OfflineSeed.RepairNeedsStaging then.

Output: the job status object of this run (state, percent, bytes, next step). The runbook fails (so an
alert on failed jobs fires) when the job is Faulted, finished without importing everything, or has
blobs that did not import.

.PARAMETER SeedUri
The published seed: azure://<account>/<container>/<prefix> (Publish-OfflineSeed's SeedUri).

.PARAMETER CredentialName
Automation credential whose password is the repository password. Default OfflineSeedRepository.

.PARAMETER SubscriptionId
Subscription of the job (needed to create it; afterwards the seed records it).

.PARAMETER ResourceGroupName
Resource group of the job (needed to create it; afterwards the seed records it).

.PARAMETER Location
Region of the storage account, e.g. 'West US': given, the runbook creates the job when there is none.

.PARAMETER ReturnAddress
Where the drives come back (hashtable: RecipientName, StreetAddress1, City, StateOrProvince,
PostalCode, CountryOrRegion, Phone, Email), for creating the job.

.PARAMETER ReturnCarrierName
Carrier that sends the drives back, for creating the job.

.PARAMETER ReturnCarrierAccountNumber
Account number with the return carrier, for creating the job.

.PARAMETER CarrierName
Carrier that takes the package to the datacenter: given with -TrackingNumber, the runbook records the
shipment once the job exists.

.PARAMETER TrackingNumber
Tracking number of the package.

.PARAMETER IdentityClientId
Client id of a user-assigned managed identity (default: the system-assigned one).
#>
param(
    [Parameter(Mandatory)]
    [ValidatePattern('^azure://')]
    [string] $SeedUri,

    [Parameter()]
    [string] $CredentialName = 'OfflineSeedRepository',

    [Parameter()]
    [string] $SubscriptionId,

    [Parameter()]
    [string] $ResourceGroupName,

    [Parameter()]
    [string] $Location,

    [Parameter()]
    [hashtable] $ReturnAddress,

    [Parameter()]
    [string] $ReturnCarrierName,

    [Parameter()]
    [string] $ReturnCarrierAccountNumber,

    [Parameter()]
    [string] $CarrierName,

    [Parameter()]
    [string] $TrackingNumber,

    [Parameter()]
    [string] $IdentityClientId
)

$ErrorActionPreference = 'Stop'
Import-Module -Name OfflineSeed

# DefaultAzureCredential picks a user-assigned identity from AZURE_CLIENT_ID.
if (-not [string]::IsNullOrEmpty($IdentityClientId)) { $env:AZURE_CLIENT_ID = $IdentityClientId }
$repository = Get-AutomationPSCredential -Name $CredentialName

$coordinates = @{}
if (-not [string]::IsNullOrEmpty($SubscriptionId)) { $coordinates['SubscriptionId'] = $SubscriptionId }
if (-not [string]::IsNullOrEmpty($ResourceGroupName)) { $coordinates['ResourceGroupName'] = $ResourceGroupName }

# Verbose and information messages reach the job streams only with LogVerbose / InformationAction.
$status = Get-ImportJobStatus -SeedUri $SeedUri @coordinates -InformationAction Continue -ErrorAction SilentlyContinue -ErrorVariable statusError
if ($null -eq $status) {
    if ([string]::IsNullOrEmpty($Location)) { throw "No import job for $SeedUri yet, and no -Location to create it: $statusError" }
    $job = New-OfflineSeedImportJob -SeedUri $SeedUri -Password $repository.Password -Location $Location @coordinates `
        -ReturnAddress $ReturnAddress -ReturnCarrierName $ReturnCarrierName -ReturnCarrierAccountNumber $ReturnCarrierAccountNumber `
        -Confirm:$false -InformationAction Continue
    Write-Output ($job | Select-Object -Property @('JobName', 'State', 'ShipToLocation', 'ShippingInfoDeadline', 'NextStep'))
    return
}

if ($status.State -eq 'Created' -and -not [string]::IsNullOrEmpty($TrackingNumber)) {
    $shipment = Update-ImportShipping -SeedUri $SeedUri -CarrierName $CarrierName -TrackingNumber $TrackingNumber -Confirm:$false -InformationAction Continue
    Write-Output ($shipment | Select-Object -Property @('JobName', 'TrackingNumber', 'ArrivalDeadline', 'Window'))
    return
}

$summary = @('JobName', 'State', 'PercentComplete', 'BytesSucceeded', 'DriveCount', 'FailedBlobCount', 'Imported', 'SeedState', 'Message', 'NextStep')
Write-Output ($status | Select-Object -Property $summary)

if ($status.Imported -and $status.FailedBlobCount -eq 0 -and $status.SeedState -ne 'Completed') {
    $completion = Complete-OfflineSeed -SeedUri $SeedUri -Password $repository.Password -Confirm:$false -InformationAction Continue
    Write-Output ($completion | Select-Object -Property @('JobName', 'State', 'BlobsExpected', 'BlobsVerifiedByHash', 'BlobsMissing', 'BlobsCorrupt'))
    Write-Output "Seed $SeedUri is complete. Next, on the server: Register-OfflineSeedBackupTask."
} elseif ($status.State -eq 'Faulted' -or $status.FailedBlobCount -gt 0 -or ($status.State -in @('Completed', 'CompletedWithErrors') -and -not $status.Imported)) {
    throw "Import job $($status.JobName) needs attention: $($status.Message)"
}
