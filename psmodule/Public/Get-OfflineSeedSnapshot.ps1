function Get-OfflineSeedSnapshot {
    <#
    .SYNOPSIS
    Gets the snapshots in an OfflineSeed repository.

    .DESCRIPTION
    Lists the snapshots of a repository (through the engine's snapshot.list command): in a staging
    location, on a prepared drive, or in Azure Blob storage once the seed is imported. Each
    OfflineSeed.Snapshot object has the snapshot's id and short id, time, root tree, paths, host name,
    user name and tags, plus the Repository it was read from, so it can be piped to
    Restore-OfflineSeed.

    .PARAMETER Repository
    The repository: a staging folder, a repository folder, a drive folder, or
    azure://<account>/<container>/<prefix>. Accepts pipeline input by property name (Repository).

    .PARAMETER Password
    Repository password, as a SecureString. Prompted for when neither -Password nor -PasswordFile
    is given in an interactive session.

    .PARAMETER PasswordFile
    File whose first line is the repository password; for scheduled tasks and runbooks.

    .PARAMETER Environment
    Azure cloud of an azure:// repository: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.

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
    Get-OfflineSeedSnapshot -Repository F:\Staging -Password (Read-Host -AsSecureString)

    Lists the snapshots in the staging location F:\Staging.

    .EXAMPLE
    Get-OfflineSeedSnapshot -Repository azure://stbackup01/fs01/seed -PasswordFile C:\Secure\repo.txt |
        Sort-Object Time | Select-Object -Last 1

    Gets the newest snapshot of the imported repository in the fs01 container.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a Repository property, such as
    OfflineSeed.Seed and OfflineSeed.StageResult objects.

    .OUTPUTS
    OfflineSeed.Snapshot

    .LINK
    about_OfflineSeed

    .LINK
    Restore-OfflineSeed
    #>
    [CmdletBinding(DefaultParameterSetName = 'Password')]
    [OutputType('OfflineSeed.Snapshot')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Repository,

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
        $repositoryPath = Resolve-OfflineSeedPath -Path $Repository -AllowUri
        $params = @{ repository = $repositoryPath }
        if ($PSCmdlet.ParameterSetName -eq 'PasswordFile') {
            $params['passwordFile'] = Resolve-OfflineSeedPath -Path $PasswordFile
        } else {
            $params['password'] = $Password
        }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters
        Invoke-OfflineSeedEngine -Command 'snapshot.list' -Parameters $params -Cmdlet $PSCmdlet -AddProperty @{ Repository = $repositoryPath }
    }
}
