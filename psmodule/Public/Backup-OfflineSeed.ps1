function Backup-OfflineSeed {
    <#
    .SYNOPSIS
    Runs an incremental backup into the imported seed in Azure Blob storage.

    .DESCRIPTION
    Runs the engine's backup.run command: backs up the sources into the repository that the import
    job placed in the container (azure://<account>/<container>/<prefix>), or into any local
    repository. Files whose size, modification time and file id match the parent snapshot are not
    read again; only new data is uploaded. The parent snapshot comes from the repository itself, so a
    lost local cache never forces a full re-read. Packs are uploaded first, then the index, then the
    snapshot; an interrupted backup resumes without uploading its packs again.

    Sources, excludes, host name and tags default to the seed's when -StagingPath is given.

    Credentials: by default DefaultAzureCredential (environment variables, managed identity, Azure
    CLI, Azure PowerShell). Alternatively a service principal (-TenantId -ClientId with -ClientSecret
    or -CertificatePath), a storage token from Get-AzAccessToken (-StorageAccessToken), a storage
    account key (-StorageAccountKey) or a container SAS (-SasToken). Secrets are SecureStrings and are
    never written to any output.

    .PARAMETER Repository
    The repository: azure://<account>/<container>/<prefix> or a local path.

    .PARAMETER StagingPath
    Staging location of the seed; its sources, excludes, host name and tags are the defaults.

    .PARAMETER Path
    Files and folders to back up (default: the seed's sources).

    .PARAMETER Exclude
    Glob patterns of paths to leave out.

    .PARAMETER Password
    Repository password, as a SecureString.

    .PARAMETER PasswordFile
    File whose first line is the repository password; for scheduled tasks and runbooks.

    .PARAMETER ParentSnapshotId
    Snapshot whose unchanged files are not read again (default: the latest of this host and paths).

    .PARAMETER HostName
    Host name recorded in the snapshot.

    .PARAMETER Tag
    Tags recorded in the snapshot.

    .PARAMETER Compression
    Compression of data blobs: auto (default), off or max.

    .PARAMETER DataTier
    Access tier of new data packs: Hot, Cool or Cold. Config, keys, index and snapshots stay Hot.

    .PARAMETER BandwidthLimitMBps
    Upload bandwidth cap in MB/s (10^6 bytes per second).

    .PARAMETER ThrottleLimit
    Worker threads (default: one per core).

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
    Backup-OfflineSeed -Repository azure://stbackup01/fs01/seed -StagingPath F:\Staging -PasswordFile C:\Secure\repo.txt

    Backs up the seed's sources into the imported repository with the machine's managed identity.

    .EXAMPLE
    $token = (Get-AzAccessToken -ResourceTypeName Storage -AsSecureString).Token
    Backup-OfflineSeed -Repository azure://stbackup01/fs01/seed -Path D:\Data -PasswordFile C:\Secure\repo.txt -StorageAccessToken $token -BandwidthLimitMBps 20

    Backs up D:\Data with the signed-in Azure PowerShell identity, using at most 20 MB/s.

    .INPUTS
    System.Management.Automation.PSObject. Objects with Repository or StagingPath properties.

    .OUTPUTS
    OfflineSeed.BackupResult

    .LINK
    about_OfflineSeed

    .LINK
    Restore-OfflineSeed
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Password')]
    [OutputType('OfflineSeed.BackupResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Repository,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter()]
        [Alias('Source', 'Sources')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Path,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Exclude,

        [Parameter(Mandatory, ParameterSetName = 'Password')]
        [System.Security.SecureString] $Password,

        [Parameter(Mandatory, ParameterSetName = 'PasswordFile')]
        [ValidateNotNullOrEmpty()]
        [string] $PasswordFile,

        [Parameter()]
        [ValidatePattern('^(latest|[0-9a-f]{8,64})$')]
        [string] $ParentSnapshotId,

        [Parameter()]
        [ValidateLength(1, 255)]
        [string] $HostName,

        [Parameter()]
        [ValidatePattern('^[^,]+$')]
        [string[]] $Tag,

        [Parameter()]
        [ValidateSet('auto', 'off', 'max')]
        [string] $Compression,

        [Parameter()]
        [ValidateSet('Hot', 'Cool', 'Cold')]
        [string] $DataTier,

        [Parameter()]
        [ValidateRange(0.001, 100000)]
        [double] $BandwidthLimitMBps,

        [Parameter()]
        [ValidateRange(1, 64)]
        [int] $ThrottleLimit,

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
        $params = @{ repository = (Resolve-OfflineSeedPath -Path $Repository -AllowUri) }
        if ($PSBoundParameters.ContainsKey('StagingPath')) { $params['stagingPath'] = Resolve-OfflineSeedPath -Path $StagingPath }
        if ($PSBoundParameters.ContainsKey('Path')) { $params['sources'] = [string[]]@(foreach ($item in $Path) { Resolve-OfflineSeedPath -Path $item }) }
        if ($PSBoundParameters.ContainsKey('Exclude')) { $params['excludes'] = [string[]]$Exclude }
        if ($PSCmdlet.ParameterSetName -eq 'PasswordFile') {
            $params['passwordFile'] = Resolve-OfflineSeedPath -Path $PasswordFile
        } else {
            $params['password'] = $Password
        }
        if ($PSBoundParameters.ContainsKey('ParentSnapshotId')) { $params['parent'] = $ParentSnapshotId }
        if ($PSBoundParameters.ContainsKey('HostName')) { $params['hostname'] = $HostName }
        if ($PSBoundParameters.ContainsKey('Tag')) { $params['tags'] = [string[]]$Tag }
        if ($PSBoundParameters.ContainsKey('Compression')) { $params['compression'] = $Compression }
        if ($PSBoundParameters.ContainsKey('DataTier')) { $params['dataTier'] = $DataTier }
        if ($PSBoundParameters.ContainsKey('BandwidthLimitMBps')) { $params['bandwidthLimitMBps'] = $BandwidthLimitMBps }
        if ($PSBoundParameters.ContainsKey('ThrottleLimit')) { $params['threads'] = $ThrottleLimit }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters

        $dryRun = -not $PSCmdlet.ShouldProcess($Repository, 'Back up new and changed files')
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'backup.run' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
