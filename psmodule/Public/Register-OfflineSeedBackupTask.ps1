function Register-OfflineSeedBackupTask {
    <#
    .SYNOPSIS
    Schedules incremental backups (Backup-OfflineSeed) as a Windows scheduled task or a systemd timer.

    .DESCRIPTION
    Runs the engine's backup.schedule command, which renders the schedule, and puts it in place.

    On Windows: a scheduled task \OfflineSeed\<TaskName> that runs Windows PowerShell (or pwsh, when
    registered from PowerShell 7) with -NonInteractive and the module's
    Invoke-OfflineSeedScheduledBackup.ps1, which runs Backup-OfflineSeed -Confirm:$false. The
    repository password is kept in a key file (default %ProgramData%\OfflineSeed\Keys\<TaskName>.key)
    encrypted with DPAPI (for the task's account when that is you, else for this computer) and
    readable only by the task's account, SYSTEM and Administrators. The task definition holds paths
    only. With -Credential, the account's own Windows password goes to Task Scheduler, which keeps it
    in its credential store (never in the task XML); without it the task runs as SYSTEM, as a gMSA, or
    as -User with S4U logon (no stored password: fine for local files and Azure, not for
    Windows-authenticated shares).

    On Linux: offlineseed-backup-<TaskName>.service (oneshot, offlineseed-engine backup run
    --password-file <key file>) and .timer in ~/.config/systemd/user (or -UnitDirectory), and the
    password in ~/.config/offlineseed/keys/<TaskName>.key with mode 0600; then systemctl --user
    daemon-reload and enable --now the timer (if systemctl fails, a warning says what to run).

    Azure access at run time: with -CredentialProfile, the application identity New-OfflineSeedCredential
    saved (the task's account must find it: save it with -Scope Machine for SYSTEM or a gMSA); without
    it, DefaultAzureCredential of the task's account (managed identity of an Azure VM or Arc server,
    environment variables), as for Backup-OfflineSeed.

    .PARAMETER TaskName
    Name of the task: letters, digits, '.', '_' and '-'.

    .PARAMETER Repository
    The repository to back up into: azure://<account>/<container>/<prefix> (the imported seed) or a path.

    .PARAMETER StagingPath
    Staging location of the seed: sources, excludes, host name and tags come from it.

    .PARAMETER Password
    The repository password, kept in the key file (never in the task definition).

    .PARAMETER Frequency
    Hourly, Daily (the default) or Weekly.

    .PARAMETER At
    Time of day, HH:mm in local time (default 02:00). Hourly: the first run of the day and the minute of every run.

    .PARAMETER DaysOfWeek
    Weekly: the days (default Sunday).

    .PARAMETER EveryHours
    Hourly: hours between runs (default 1).

    .PARAMETER User
    Windows: the account the task runs as without a stored password (default NT AUTHORITY\SYSTEM;
    a gMSA is written DOMAIN\name$). Linux: User= of a system unit (with -UnitDirectory /etc/systemd/system).

    .PARAMETER Credential
    Windows: the account the task runs as, with its password, for a task that must reach
    Windows-authenticated shares. The password is handed to Task Scheduler only.

    .PARAMETER CredentialProfile
    Name of a credential profile saved by New-OfflineSeedCredential: every run signs in to Azure as its
    application with its certificate. Only the name goes into the task definition.

    .PARAMETER KeyFile
    Where the key file goes (defaults above).

    .PARAMETER UnitDirectory
    Linux: folder of the unit files (default ~/.config/systemd/user).

    .PARAMETER Force
    Windows: replace a task of the same name.

    .PARAMETER WhatIf
    Shows the task that would be registered; writes nothing.

    .PARAMETER Confirm
    Asks before registering. Nothing asks by default (ConfirmImpact Medium).

    .EXAMPLE
    $password = Read-Host -AsSecureString -Prompt 'Repository password'
    Register-OfflineSeedBackupTask -TaskName fs01-nightly -Repository azure://stbackup01/fs01/seed `
        -StagingPath D:\Staging\fs01 -Password $password -At 01:30

    Backs up every night at 01:30 as SYSTEM, with the seed's sources.

    .EXAMPLE
    Register-OfflineSeedBackupTask -TaskName fs01-hourly -Repository azure://stbackup01/fs01/seed `
        -Password $password -Frequency Hourly -EveryHours 4 -User 'CONTOSO\gmsa-backup$' -Confirm:$false

    Every four hours as a group managed service account, without a prompt (for scripts).

    .INPUTS
    Objects with Repository and StagingPath properties (Get-OfflineSeed).

    .OUTPUTS
    OfflineSeed.BackupTask

    .LINK
    about_OfflineSeed

    .LINK
    Unregister-OfflineSeedBackupTask
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'User')]
    [OutputType('OfflineSeed.BackupTask')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $TaskName,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Repository,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory)]
        [System.Security.SecureString] $Password,

        [Parameter()]
        [ValidateSet('Hourly', 'Daily', 'Weekly')]
        [string] $Frequency = 'Daily',

        [Parameter()]
        [ValidatePattern('^([01][0-9]|2[0-3]):[0-5][0-9]$')]
        [string] $At = '02:00',

        [Parameter()]
        [ValidateSet('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday')]
        [string[]] $DaysOfWeek,

        [Parameter()]
        [ValidateRange(1, 23)]
        [int] $EveryHours,

        [Parameter(ParameterSetName = 'User')]
        [ValidateNotNullOrEmpty()]
        [string] $User,

        [Parameter(Mandatory, ParameterSetName = 'Credential')]
        [System.Management.Automation.PSCredential] $Credential,

        [Parameter()]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $CredentialProfile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $KeyFile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $UnitDirectory,

        [Parameter()]
        [switch] $Force
    )

    process {
        $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
        $params = @{
            taskName   = $TaskName
            repository = (Resolve-OfflineSeedPath -Path $Repository -AllowUri)
            frequency  = $Frequency
            at         = $At
        }
        if ($PSBoundParameters.ContainsKey('StagingPath')) { $params['stagingPath'] = Resolve-OfflineSeedPath -Path $StagingPath }
        if ($PSBoundParameters.ContainsKey('DaysOfWeek')) { $params['daysOfWeek'] = [string[]]$DaysOfWeek }
        if ($PSBoundParameters.ContainsKey('EveryHours')) { $params['everyHours'] = $EveryHours }
        if ($PSBoundParameters.ContainsKey('CredentialProfile')) { $params['credentialProfile'] = $CredentialProfile }
        if ($PSBoundParameters.ContainsKey('KeyFile')) { $params['keyFile'] = Resolve-OfflineSeedPath -Path $KeyFile }

        $account = $null
        if ($PSCmdlet.ParameterSetName -eq 'Credential') { $account = $Credential.UserName }
        elseif ($PSBoundParameters.ContainsKey('User')) { $account = $User }
        if ($onWindows) {
            if ($null -eq $account) { $account = 'NT AUTHORITY\SYSTEM' }
            if (-not $PSBoundParameters.ContainsKey('KeyFile')) {
                $params['keyFile'] = [System.IO.Path]::Combine([System.Environment]::GetFolderPath('CommonApplicationData'), 'OfflineSeed', 'Keys', "$TaskName.key")
            }
            $params['platform'] = 'windows'
            $params['account'] = $account
            if ($PSCmdlet.ParameterSetName -eq 'Credential') { $params['logonType'] = 'Password' }
            $shell = 'powershell.exe'
            if ($PSVersionTable.PSEdition -eq 'Core') { $shell = 'pwsh.exe' }
            $params['powershellPath'] = [System.IO.Path]::Combine($PSHOME, $shell)
            $params['scriptPath'] = [System.IO.Path]::Combine($script:OfflineSeedModuleRoot, 'psmodule', 'Scripts', 'Invoke-OfflineSeedScheduledBackup.ps1')
        } else {
            $params['platform'] = 'systemd'
            $params['password'] = $Password
            $params['install'] = $true
            $params['enable'] = $true
            if ($null -ne $account) { $params['account'] = $account }
            if ($PSBoundParameters.ContainsKey('UnitDirectory')) { $params['unitDirectory'] = Resolve-OfflineSeedPath -Path $UnitDirectory }
        }

        $dryRun = -not $PSCmdlet.ShouldProcess("backup task $TaskName", 'Register a scheduled incremental backup')
        if ($dryRun -and -not $WhatIfPreference) { return }
        $rendered = [System.Collections.Generic.List[object]]::new()
        Invoke-OfflineSeedEngine -Command 'backup.schedule' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet -ResultList $rendered
        foreach ($task in $rendered) {
            if ($onWindows) {
                Protect-OfflineSeedKeyFile -Path $task.KeyFile -Password $Password -Account $account
                $registration = @{ TaskName = $TaskName; Xml = $task.TaskXml; Force = $Force.IsPresent }
                if ($PSCmdlet.ParameterSetName -eq 'Credential') { $registration['Credential'] = $Credential }
                Register-OfflineSeedScheduledTaskXml @registration
                $task.KeyFileWritten = $true
                $task.Installed = $true
            }
            $PSCmdlet.WriteObject($task)
        }
    }
}
