function Start-OfflineSeed {
    <#
    .SYNOPSIS
    Stages a full backup of files and folders into a staging location, ready to be shipped on drives.

    .DESCRIPTION
    The first step of offline seeding. The engine writes a compressed, deduplicated and encrypted
    full backup of the sources into the staging location as a restic repository (format 2), plus an
    offlineseed.json descriptor that records the import job the seed is meant for: the job name,
    subscription, resource group, storage account, container and blob prefix the drives will be
    imported into. Staging is resumable: run the same command again after an interruption (or pipe
    Get-OfflineSeed into this cmdlet) and packs already written are reused.

    Paths that cannot be read are reported as non-terminating errors and counted in SkippedPaths;
    use -ErrorAction Stop only if one unreadable file should stop the whole run.

    -WhatIf runs the engine as a dry run: nothing is written, and the engine's plan (what would be
    read and where it would go) is shown as information messages.

    The repository password is sent to the engine on its standard input, never on a command line,
    and is not shown in -Verbose or -Debug output.

    .PARAMETER Path
    Files and folders to back up. Relative paths are resolved against the current location;
    wildcards are not expanded.

    .PARAMETER Exclude
    Patterns of paths to leave out, in restic's --exclude syntax (*, ** and ?).

    .PARAMETER StagingPath
    Folder (local or UNC) that receives the repository and offlineseed.json. It needs room for the
    compressed, deduplicated size of the sources.

    .PARAMETER JobName
    Name of the import job the seed is for: lowercase letters, digits and hyphens, starting with a
    letter (Azure Import/Export naming).

    .PARAMETER SubscriptionId
    Azure subscription (GUID) of the storage account and the import job.

    .PARAMETER ResourceGroupName
    Resource group of the storage account and the import job.

    .PARAMETER StorageAccountName
    Storage account that receives the seed: 3 to 24 lowercase letters and digits.

    .PARAMETER ContainerName
    Blob container that becomes the repository once the drives are imported.

    .PARAMETER BlobPrefix
    Virtual folder (blob name prefix) of the repository inside the container.

    .PARAMETER PublishSettingsFile
    Legacy Azure publish settings file, read only for the subscription id (instead of -SubscriptionId).

    .PARAMETER Password
    Repository password, as a SecureString (for example from Read-Host -AsSecureString or a
    secret store). Prompted for when neither -Password nor -PasswordFile is given in an
    interactive session.

    .PARAMETER PasswordFile
    File whose first line is the repository password; for scheduled tasks and runbooks.

    .PARAMETER HostName
    Host name recorded in the snapshot. Default: this computer's name.

    .PARAMETER Tag
    Tags recorded in the snapshot (no commas).

    .PARAMETER Compression
    Compression of file data: auto (default), off or max. Directory data is always compressed.

    .PARAMETER PackSizeMiB
    Target size of the repository's pack files in MiB, 4 to 128 (default 16).

    .PARAMETER ThrottleLimit
    Worker threads for chunking, hashing, compression and encryption, 1 to 64 (default: one per
    processor core).

    .PARAMETER WhatIf
    Runs the engine as a dry run: shows what would be staged and writes nothing.

    .PARAMETER Confirm
    Asks for confirmation before staging starts.

    .EXAMPLE
    $password = Read-Host -AsSecureString -Prompt 'Repository password'
    Start-OfflineSeed -Path D:\Data, E:\Shares -StagingPath \\nas01\staging\fs01 -JobName fs01-seed `
        -SubscriptionId 00000000-0000-0000-0000-000000000000 -ResourceGroupName rg-backup `
        -StorageAccountName stbackup01 -ContainerName fs01 -Password $password

    Stages D:\Data and E:\Shares into \\nas01\staging\fs01 for the import job fs01-seed and returns
    an OfflineSeed.StageResult with the snapshot id, sizes and ratios.

    .EXAMPLE
    Start-OfflineSeed -Path D:\Data -Exclude '*.tmp', '**\Cache' -StagingPath F:\Staging -JobName fs01-seed `
        -StorageAccountName stbackup01 -ContainerName fs01 -PasswordFile C:\Secure\repo.txt -WhatIf

    Shows what would be staged, leaving out temporary files and cache folders, without writing anything.

    .EXAMPLE
    Get-OfflineSeed -StagingPath F:\Staging | Start-OfflineSeed -PasswordFile C:\Secure\repo.txt

    Resumes an interrupted staging run with the sources, job and storage settings recorded in the
    staging location.

    .INPUTS
    System.Management.Automation.PSObject. Objects with Sources (or Path), StagingPath, JobName,
    StorageAccount, Container, Prefix, SubscriptionId and ResourceGroup properties, such as
    OfflineSeed.Seed objects from Get-OfflineSeed, bind by property name.

    .OUTPUTS
    OfflineSeed.StageResult

    .NOTES
    Staging reads every byte of the sources. Drives are prepared from the staging location in the
    next step of the workflow (see about_OfflineSeed).

    .LINK
    about_OfflineSeed

    .LINK
    Get-OfflineSeed

    .LINK
    Test-OfflineSeed
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Password')]
    [OutputType('OfflineSeed.StageResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('Source', 'Sources')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Path,

        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('Excludes')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Exclude,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [ValidateLength(1, 64)]
        [ValidatePattern('^[a-z][a-z0-9-]*$', Options = 'None')]
        [string] $JobName,

        [Parameter(ValueFromPipelineByPropertyName)]
        [AllowEmptyString()]
        [string] $SubscriptionId,

        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('ResourceGroup')]
        [AllowEmptyString()]
        [string] $ResourceGroupName,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('StorageAccount')]
        [ValidatePattern('^[a-z0-9]{3,24}$', Options = 'None')]
        [string] $StorageAccountName,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('Container')]
        [ValidatePattern('^(\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$', Options = 'None')]
        [string] $ContainerName,

        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('Prefix')]
        [AllowEmptyString()]
        [string] $BlobPrefix,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PublishSettingsFile,

        [Parameter(Mandatory, ParameterSetName = 'Password')]
        [System.Security.SecureString] $Password,

        [Parameter(Mandatory, ParameterSetName = 'PasswordFile')]
        [ValidateNotNullOrEmpty()]
        [string] $PasswordFile,

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
        [ValidateRange(4, 128)]
        [int] $PackSizeMiB,

        [Parameter()]
        [ValidateRange(1, 64)]
        [int] $ThrottleLimit
    )

    process {
        $sources = [string[]]@(foreach ($item in $Path) { Resolve-OfflineSeedPath -Path $item })
        $staging = Resolve-OfflineSeedPath -Path $StagingPath

        $params = @{
            sources        = $sources
            stagingPath    = $staging
            jobName        = $JobName
            storageAccount = $StorageAccountName
            container      = $ContainerName
        }
        if ($PSBoundParameters.ContainsKey('Exclude')) { $params['excludes'] = [string[]]$Exclude }
        if (-not [string]::IsNullOrEmpty($SubscriptionId)) { $params['subscriptionId'] = $SubscriptionId }
        if (-not [string]::IsNullOrEmpty($ResourceGroupName)) { $params['resourceGroup'] = $ResourceGroupName }
        if ($PSBoundParameters.ContainsKey('BlobPrefix')) { $params['prefix'] = $BlobPrefix }
        if ($PSBoundParameters.ContainsKey('PublishSettingsFile')) { $params['publishSettingsFile'] = Resolve-OfflineSeedPath -Path $PublishSettingsFile }
        if ($PSCmdlet.ParameterSetName -eq 'PasswordFile') {
            $params['passwordFile'] = Resolve-OfflineSeedPath -Path $PasswordFile
        } else {
            $params['password'] = $Password
        }
        if ($PSBoundParameters.ContainsKey('HostName')) { $params['hostname'] = $HostName }
        if ($PSBoundParameters.ContainsKey('Tag')) { $params['tags'] = [string[]]$Tag }
        if ($PSBoundParameters.ContainsKey('Compression')) { $params['compression'] = $Compression }
        if ($PSBoundParameters.ContainsKey('PackSizeMiB')) { $params['packSizeMiB'] = $PackSizeMiB }
        if ($PSBoundParameters.ContainsKey('ThrottleLimit')) { $params['threads'] = $ThrottleLimit }

        $target = '{0} -> {1}' -f ($sources -join ', '), $staging
        $dryRun = -not $PSCmdlet.ShouldProcess($target, "Stage a full backup for import job '$JobName'")
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'seed.start' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
