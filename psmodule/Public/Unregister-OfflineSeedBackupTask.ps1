function Unregister-OfflineSeedBackupTask {
    <#
    .SYNOPSIS
    Removes a scheduled backup: the Windows task or the systemd units, and its key file.

    .DESCRIPTION
    On Windows unregisters the scheduled task \OfflineSeed\<TaskName> (if it is there), then runs the
    engine's backup.unschedule command, which deletes the key file. On Linux backup.unschedule stops
    and disables the timer (systemctl --user disable --now), then deletes
    offlineseed-backup-<TaskName>.service and .timer and the key file. Removing what is already gone
    is not an error. Nothing asks for confirmation by default (ConfirmImpact Medium).

    .PARAMETER TaskName
    Name the task was registered with.

    .PARAMETER KeyFile
    The key file, when it is not in the default place.

    .PARAMETER UnitDirectory
    Linux: folder of the unit files (default ~/.config/systemd/user).

    .PARAMETER WhatIf
    Shows what would be removed; removes nothing.

    .PARAMETER Confirm
    Asks before removing.

    .EXAMPLE
    Unregister-OfflineSeedBackupTask -TaskName fs01-nightly

    .EXAMPLE
    Register-OfflineSeedBackupTask -TaskName probe -Repository C:\Repo -Password $password | Unregister-OfflineSeedBackupTask -Confirm:$false

    .INPUTS
    Objects with a TaskName property (Register-OfflineSeedBackupTask).

    .OUTPUTS
    OfflineSeed.BackupTaskRemoval

    .LINK
    about_OfflineSeed

    .LINK
    Register-OfflineSeedBackupTask
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('OfflineSeed.BackupTaskRemoval')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $TaskName,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $KeyFile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $UnitDirectory
    )

    process {
        $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
        $params = @{ taskName = $TaskName }
        if ($PSBoundParameters.ContainsKey('KeyFile')) { $params['keyFile'] = Resolve-OfflineSeedPath -Path $KeyFile }
        if ($onWindows) {
            $params['platform'] = 'windows'
            if (-not $PSBoundParameters.ContainsKey('KeyFile')) {
                $params['keyFile'] = [System.IO.Path]::Combine([System.Environment]::GetFolderPath('CommonApplicationData'), 'OfflineSeed', 'Keys', "$TaskName.key")
            }
        } else {
            $params['platform'] = 'systemd'
            if ($PSBoundParameters.ContainsKey('UnitDirectory')) { $params['unitDirectory'] = Resolve-OfflineSeedPath -Path $UnitDirectory }
        }

        $dryRun = -not $PSCmdlet.ShouldProcess("backup task $TaskName", 'Unregister the scheduled backup and delete its key file')
        if ($dryRun -and -not $WhatIfPreference) { return }
        if ($onWindows -and -not $dryRun) {
            $existing = @(Get-ScheduledTask -TaskPath '\OfflineSeed\' -TaskName $TaskName -ErrorAction SilentlyContinue)
            if ($existing.Count -gt 0) { Unregister-ScheduledTask -TaskPath '\OfflineSeed\' -TaskName $TaskName -Confirm:$false -ErrorAction Stop }
        }
        Invoke-OfflineSeedEngine -Command 'backup.unschedule' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
