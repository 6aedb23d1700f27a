function Get-OfflineSeedBitLockerKey {
    <#
    .SYNOPSIS
    Gets the BitLocker recovery passwords the Azure Import/Export service holds for an import job's drives.

    .DESCRIPTION
    Lists, for each drive of the seed's import job (or of -JobName in -ResourceGroupName), the BitLocker
    recovery password the service will unlock it with. With -StagingPath each one is compared with the
    drive's own key file (MatchesKeyFile), so a job created with a wrong key is found before the drives
    are shipped.

    The passwords are secrets. They are in the output objects (BitLockerKey) because you asked for them,
    and nowhere else: the engine registers them as secrets, so no verbose, warning, debug or error
    message can contain them. Treat the output like a password: do not log it or write it to a file
    others can read.

    .PARAMETER StagingPath
    Staging location of the seed whose import job it is.

    .PARAMETER SeedUri
    The published seed (Publish-OfflineSeed's SeedUri, azure://<account>/<container>/<prefix>): the job
    comes from its published descriptor. For runbooks with no local state.

    .PARAMETER JobName
    Name of the import job, to name a job without its staging location (with -ResourceGroupName).

    .PARAMETER ResourceGroupName
    Resource group of the job.

    .PARAMETER SubscriptionId
    Azure subscription of the job. Default: the one the seed recorded.

    .PARAMETER PublishSettingsFile
    Legacy Azure publish settings file, read only for the subscription id.

    .PARAMETER ControlPlane
    The Azure control plane of the job: DataBox (a customer-disk job of Azure Data Box, SKU
    DataBoxCustomerDisk, listed under Data Box in the portal) or ImportExport (a classic Azure
    Import/Export job). Default: where the seed's job was created; for a job given by -JobName, the cmdlet looks it up (Data Box first, then Import/Export).

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

    .PARAMETER AccessToken
    Azure Resource Manager access token, as a SecureString (Get-AzAccessToken).

    .EXAMPLE
    Get-OfflineSeedBitLockerKey -StagingPath F:\Staging | Format-Table DriveId, MatchesKeyFile

    Checks that the service holds the same recovery passwords as the drives' key files, without showing them.

    .EXAMPLE
    Get-OfflineSeedBitLockerKey -JobName fs01-seed -ResourceGroupName rg-backup

    Shows the recovery passwords of the job's drives, for example to unlock a returned drive.

    .INPUTS
    System.Management.Automation.PSObject. Objects with StagingPath, or JobName and ResourceGroup
    properties, such as OfflineSeed.ImportJob objects, bind by property name.

    .OUTPUTS
    OfflineSeed.BitLockerKey

    .NOTES
    Returned drives stay encrypted with these passwords.

    .LINK
    about_OfflineSeed

    .LINK
    New-OfflineSeedImportJob
    #>
    [CmdletBinding(DefaultParameterSetName = 'Seed')]
    [OutputType('OfflineSeed.BitLockerKey')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'Seed')]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'SeedUri')]
        [ValidatePattern('^azure://')]
        [string] $SeedUri,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Job')]
        [ValidateLength(2, 64)]
        [ValidatePattern('^[a-z][a-z0-9-]*$', Options = 'None')]
        [string] $JobName,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Job')]
        [Alias('ResourceGroup')]
        [ValidateNotNullOrEmpty()]
        [string] $ResourceGroupName,

        [Parameter(ValueFromPipelineByPropertyName)]
        [AllowEmptyString()]
        [string] $SubscriptionId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PublishSettingsFile,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateSet('DataBox', 'ImportExport')]
        [string] $ControlPlane,

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
        [System.Security.SecureString] $AccessToken
    )

    process {
        $params = @{}
        $target = ''
        if ($PSCmdlet.ParameterSetName -eq 'Seed') {
            $params['stagingPath'] = Resolve-OfflineSeedPath -Path $StagingPath
            $target = 'the import job of the seed in {0}' -f $params['stagingPath']
        } elseif ($PSCmdlet.ParameterSetName -eq 'SeedUri') {
            $params['seedUri'] = $SeedUri
            $target = 'the import job of the seed published at {0}' -f $SeedUri
        } else {
            $params['jobName'] = $JobName
            $params['resourceGroup'] = $ResourceGroupName
            $target = 'import job {0} (resource group {1})' -f $JobName, $ResourceGroupName
        }
        if (-not [string]::IsNullOrEmpty($SubscriptionId)) { $params['subscriptionId'] = $SubscriptionId }
        if ($PSBoundParameters.ContainsKey('PublishSettingsFile')) { $params['publishSettingsFile'] = Resolve-OfflineSeedPath -Path $PublishSettingsFile }
        if (-not [string]::IsNullOrEmpty($ControlPlane)) { $params['controlPlane'] = $ControlPlane }
        if ($PSBoundParameters.ContainsKey('AccessToken')) { $params['accessToken'] = $AccessToken }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters
        Write-Verbose -Message ('Listing the BitLocker recovery passwords of {0}.' -f $target)
        Invoke-OfflineSeedEngine -Command 'job.keys' -Parameters $params -Cmdlet $PSCmdlet
    }
}
