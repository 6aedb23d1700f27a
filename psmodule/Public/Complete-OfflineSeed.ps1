function Complete-OfflineSeed {
    <#
    .SYNOPSIS
    Verifies the imported seed in Azure, repairs it over the network, and marks it complete.

    .DESCRIPTION
    Runs the engine's seed.complete command once the import job is Completed or Closed. Every blob the
    drive journals list is checked in the container for presence and size; the blobs the service's
    logs (DriveLog error and verbose logs, Data Box CopyLog) report as failed, the small repository
    files and a sample of packs are downloaded and compared piece by piece with the MD5s recorded when
    the drives were written (every blob with -ReadData). Missing or corrupt blobs are uploaded again
    from the staging location. Then the repository is opened in the cloud and the seed is marked
    Completed. Running it again is safe: it finds nothing to repair.

    .PARAMETER StagingPath
    Staging location of the seed (offlineseed.json, the repository and the drive journals).

    .PARAMETER SeedUri
    The published seed (Publish-OfflineSeed's SeedUri, azure://<account>/<container>/<prefix>), instead
    of -StagingPath: for a runbook with no local state. The container is verified against the drive
    manifests Publish-OfflineSeed stored; a blob that is missing or damaged cannot be repaired without
    the staged files, so it is reported (error OfflineSeed.RepairNeedsStaging: run Complete-OfflineSeed
    -StagingPath on the server) and the seed stays Imported.

    .PARAMETER Password
    Repository password, as a SecureString.

    .PARAMETER PasswordFile
    File whose first line is the repository password; for scheduled tasks and runbooks.

    .PARAMETER VerifyPercent
    Percentage of packs downloaded and compared (default 2).

    .PARAMETER ReadData
    Download and compare every blob (reads the whole container over the network).

    .PARAMETER Force
    Verify and repair even if the seed is not marked Imported.

    .PARAMETER DiagnosticsContainer
    Container holding the import job's logs (default: the job's diagnostics path, else waimportexport).

    .PARAMETER Environment
    Azure cloud: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.

    .PARAMETER CredentialProfile
    Name of a credential profile saved by New-OfflineSeedCredential: sign in as its application with its
    certificate (tenant, client id and certificate come from the profile).

    .PARAMETER TenantId
    Entra tenant of the service principal.

    .PARAMETER ClientId
    Application (client) id of the service principal.

    .PARAMETER ClientSecret
    Client secret of the service principal, as a SecureString.

    .PARAMETER CertificatePath
    PEM certificate (with its key) of the service principal.

    .PARAMETER StorageAccessToken
    Storage access token, as a SecureString (Get-AzAccessToken -ResourceTypeName Storage).

    .PARAMETER StorageAccountKey
    Storage account key, as a SecureString.

    .PARAMETER SasToken
    Container SAS token, as a SecureString.

    .EXAMPLE
    Complete-OfflineSeed -SeedUri azure://contosobackup/backups/fs01 -Password (Get-AutomationPSCredential -Name 'OfflineSeedRepository').Password -Confirm:$false

    In an Azure Automation runbook: verifies the imported container against the published manifests and
    marks the seed Completed, with the managed identity and no staging location.

    .EXAMPLE
    Complete-OfflineSeed -StagingPath F:\Staging -PasswordFile C:\Secure\repo.txt

    Verifies the imported seed with the signed-in identity and repairs what the import missed.

    .EXAMPLE
    Get-OfflineSeed -StagingPath F:\Staging | Complete-OfflineSeed -PasswordFile C:\Secure\repo.txt -ReadData

    Compares every blob of the container before the staging location is deleted.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a StagingPath property, such as OfflineSeed.Seed.

    .OUTPUTS
    OfflineSeed.CompletionResult

    .LINK
    about_OfflineSeed

    .LINK
    Backup-OfflineSeed
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Password')]
    [OutputType('OfflineSeed.CompletionResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'Password')]
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'PasswordFile')]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'SeedUri')]
        [ValidatePattern('^azure://')]
        [string] $SeedUri,

        [Parameter(Mandatory, ParameterSetName = 'Password')]
        [Parameter(Mandatory, ParameterSetName = 'SeedUri')]
        [System.Security.SecureString] $Password,

        [Parameter(Mandatory, ParameterSetName = 'PasswordFile')]
        [ValidateNotNullOrEmpty()]
        [string] $PasswordFile,

        [Parameter()]
        [ValidateRange(0, 100)]
        [double] $VerifyPercent,

        [Parameter()]
        [switch] $ReadData,

        [Parameter()]
        [switch] $Force,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $DiagnosticsContainer,

        [Parameter()]
        [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud')]
        [string] $Environment,

        [Parameter()]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $CredentialProfile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $TenantId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ClientId,

        [Parameter()]
        [System.Security.SecureString] $ClientSecret,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $CertificatePath,

        [Parameter()]
        [System.Security.SecureString] $StorageAccessToken,

        [Parameter()]
        [System.Security.SecureString] $StorageAccountKey,

        [Parameter()]
        [System.Security.SecureString] $SasToken
    )

    process {
        if ($PSCmdlet.ParameterSetName -eq 'SeedUri') {
            $staging = $SeedUri
            $params = @{ seedUri = $SeedUri }
        } else {
            $staging = Resolve-OfflineSeedPath -Path $StagingPath
            $params = @{ stagingPath = $staging }
        }
        if ($PSCmdlet.ParameterSetName -eq 'PasswordFile') {
            $params['passwordFile'] = Resolve-OfflineSeedPath -Path $PasswordFile
        } else {
            $params['password'] = $Password
        }
        if ($PSBoundParameters.ContainsKey('VerifyPercent')) { $params['verifyPercent'] = $VerifyPercent }
        if ($ReadData) { $params['readData'] = $true }
        if ($Force) { $params['force'] = $true }
        if ($PSBoundParameters.ContainsKey('DiagnosticsContainer')) { $params['diagnosticsContainer'] = $DiagnosticsContainer }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters

        $action = if ($PSCmdlet.ParameterSetName -eq 'SeedUri') { 'Verify the imported container against the published drive manifests' } else { 'Verify the imported container and repair it from staging' }
        $dryRun = -not $PSCmdlet.ShouldProcess($staging, $action)
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'seed.complete' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
