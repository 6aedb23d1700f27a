function Restore-OfflineSeed {
    <#
    .SYNOPSIS
    Restores files from a snapshot in an OfflineSeed repository.

    .DESCRIPTION
    Runs the engine's restore.run command: restores a snapshot (the latest by default), or only the
    paths given with -Include, from a repository in a staging location, on a drive or in Azure Blob
    storage, into a target folder (created if missing). Returns an OfflineSeed.RestoreResult with
    the numbers of files, folders, links and bytes restored and of files skipped.

    Files that already exist in the target are replaced only when they differ (-Overwrite
    if-changed, the default); -Overwrite always replaces them and never keeps them.

    -WhatIf runs the engine as a dry run, showing what would be restored without writing anything.

    .PARAMETER Repository
    The repository: a staging folder, a repository folder, a drive folder, or
    azure://<account>/<container>/<prefix>. Accepts pipeline input by property name (Repository).

    .PARAMETER Password
    Repository password, as a SecureString. Prompted for when neither -Password nor -PasswordFile
    is given in an interactive session.

    .PARAMETER PasswordFile
    File whose first line is the repository password; for scheduled tasks and runbooks.

    .PARAMETER SnapshotId
    Snapshot to restore: its id, a unique prefix of at least 8 characters, or latest (the default).
    Accepts pipeline input by property name (SnapshotId, or Id as Get-OfflineSeedSnapshot returns it).

    .PARAMETER TargetPath
    Folder to restore into. Created if missing.

    .PARAMETER Include
    Restore only these paths, as they appear in the snapshot; a folder includes its contents.

    .PARAMETER Overwrite
    What to do with files that already exist in the target: if-changed (default) replaces those
    that differ, always replaces all, never keeps all.

    .PARAMETER WhatIf
    Runs the engine as a dry run: shows what would be restored and writes nothing.

    .PARAMETER Confirm
    Asks for confirmation before restoring.

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
    Restore-OfflineSeed -Repository F:\Staging -PasswordFile C:\Secure\repo.txt -TargetPath D:\Restore

    Restores the latest snapshot in the staging location into D:\Restore.

    .EXAMPLE
    Get-OfflineSeedSnapshot -Repository azure://stbackup01/fs01/seed -PasswordFile C:\Secure\repo.txt |
        Select-Object -Last 1 |
        Restore-OfflineSeed -PasswordFile C:\Secure\repo.txt -TargetPath D:\Restore -Include '/D/Data/Finance' -Overwrite never

    Restores one folder of the newest snapshot from Azure, keeping files that already exist.

    .INPUTS
    System.Management.Automation.PSObject. Objects with Repository and SnapshotId (or Id)
    properties, such as OfflineSeed.Snapshot and OfflineSeed.StageResult objects.

    .OUTPUTS
    OfflineSeed.RestoreResult

    .LINK
    about_OfflineSeed

    .LINK
    Get-OfflineSeedSnapshot
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Password')]
    [OutputType('OfflineSeed.RestoreResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Repository,

        [Parameter(Mandatory, ParameterSetName = 'Password')]
        [System.Security.SecureString] $Password,

        [Parameter(Mandatory, ParameterSetName = 'PasswordFile')]
        [ValidateNotNullOrEmpty()]
        [string] $PasswordFile,

        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('Snapshot', 'Id')]
        [ValidatePattern('^(latest|[0-9a-f]{8,64})$', Options = 'None')]
        [string] $SnapshotId = 'latest',

        [Parameter(Mandatory)]
        [Alias('Target')]
        [ValidateNotNullOrEmpty()]
        [string] $TargetPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Include,

        [Parameter()]
        [ValidateSet('always', 'never', 'if-changed')]
        [string] $Overwrite,

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
        $target = Resolve-OfflineSeedPath -Path $TargetPath
        $params = @{
            repository = $repositoryPath
            target     = $target
            snapshot   = $SnapshotId
        }
        if ($PSCmdlet.ParameterSetName -eq 'PasswordFile') {
            $params['passwordFile'] = Resolve-OfflineSeedPath -Path $PasswordFile
        } else {
            $params['password'] = $Password
        }
        if ($PSBoundParameters.ContainsKey('Include')) { $params['include'] = [string[]]$Include }
        if ($PSBoundParameters.ContainsKey('Overwrite')) { $params['overwrite'] = $Overwrite }

        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters
        $dryRun = -not $PSCmdlet.ShouldProcess($target, "Restore snapshot $SnapshotId from $repositoryPath")
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'restore.run' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
