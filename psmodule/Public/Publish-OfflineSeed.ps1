function Publish-OfflineSeed {
    <#
    .SYNOPSIS
    Publishes a seed's records next to its repository in Azure storage, so runbooks can take it on with
    -SeedUri and no local state.

    .DESCRIPTION
    Runs the engine's seed.publish command on the server once the drives are prepared
    (Initialize-OfflineSeedDrive). Under <prefix>/offlineseed/ in the seed's container it stores the
    seed descriptor, the drives (drive ids, manifest files and hashes, and every blob each drive
    manifest lists with its piece MD5s) and the drives' BitLocker recovery passwords, sealed with a key
    derived from the repository password (scrypt, AES-256-GCM): never in clear text. restic and the
    repository check ignore that folder.

    The password must open the staged repository first, so keys are never sealed with a wrong one.
    Running the cmdlet again changes nothing when nothing changed. Afterwards the published copy is the
    truth: New-OfflineSeedImportJob, Update-ImportShipping, Get-ImportJobStatus and Complete-OfflineSeed
    take -SeedUri (for example in an Azure Automation runbook with a managed identity), and the same
    cmdlets on the server with -StagingPath follow what a runbook recorded, and say so.

    .PARAMETER StagingPath
    Staging location of the seed, with its prepared drives.

    .PARAMETER Password
    Repository password, as a SecureString: it must open the staged repository, and it seals the
    BitLocker keys.

    .PARAMETER PasswordFile
    File whose first line is the repository password; for scheduled tasks.

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

    .PARAMETER WhatIf
    Shows what would be published, and changes nothing.

    .PARAMETER Confirm
    Asks for confirmation before the records are published.

    .EXAMPLE
    Publish-OfflineSeed -StagingPath F:\Staging -PasswordFile C:\Secure\repo.txt

    Publishes the seed and returns an OfflineSeed.PublishedSeed whose SeedUri the runbooks take.

    .EXAMPLE
    Get-OfflineSeed -StagingPath F:\Staging | Publish-OfflineSeed -Password (Read-Host -AsSecureString) -WhatIf

    Shows what would be published.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a StagingPath property, such as OfflineSeed.Seed
    objects from Get-OfflineSeed, bind by property name.

    .OUTPUTS
    OfflineSeed.PublishedSeed

    .NOTES
    The identity needs Storage Blob Data Contributor on the container (or give a key or SAS). Keep the
    repository password where the runbook can read it as an Automation credential.

    .LINK
    about_OfflineSeed

    .LINK
    New-OfflineSeedImportJob

    .LINK
    Complete-OfflineSeed
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Password')]
    [OutputType('OfflineSeed.PublishedSeed')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory, ParameterSetName = 'Password')]
        [System.Security.SecureString] $Password,

        [Parameter(Mandatory, ParameterSetName = 'PasswordFile')]
        [ValidateNotNullOrEmpty()]
        [string] $PasswordFile,

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
        $staging = Resolve-OfflineSeedPath -Path $StagingPath
        $params = @{ stagingPath = $staging }
        if ($PSCmdlet.ParameterSetName -eq 'PasswordFile') {
            $params['passwordFile'] = Resolve-OfflineSeedPath -Path $PasswordFile
        } else {
            $params['password'] = $Password
        }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters

        $dryRun = -not $PSCmdlet.ShouldProcess($staging, 'Publish the seed descriptor, drive manifests and sealed BitLocker keys next to the repository in storage')
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'seed.publish' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
