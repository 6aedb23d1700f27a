function Initialize-OfflineSeedDrive {
    <#
    .SYNOPSIS
    Prepares a shipping drive: copies the staged seed onto it with its drive manifest, journal and
    DriveInfo export, optionally formatting it NTFS and encrypting it with BitLocker first.

    .DESCRIPTION
    The second step of offline seeding. On Windows, -DriveLetter names the drive that will be shipped:
    the cmdlet finds its disk with the Storage cmdlets (Get-Partition, Get-Disk), refuses the system
    and boot disks and, without -Force or -Format, a volume that is not empty. -Format formats the
    volume NTFS and -Encrypt enables BitLocker with a recovery password protector; both ask for
    confirmation (ConfirmImpact High). The recovery password is read from the volume's key protector
    (or taken from -BitLockerKey for a drive encrypted already), is never shown, and reaches the engine
    only inside its request.

    The engine copies the repository to <drive>\<SessionId>\ and writes \DriveManifest.xml (Import/Export
    manifest version 2014-11-01: every 4 MiB block with its MD5). It keeps its journal off the drive
    (<StagingPath>\drives\<DriveId>.jrn) and exports the job's driveList entry as
    <DriveId>_DriveInfo.xml. The recovery password is kept only in <DriveId>_BitLockerKey.txt in that
    folder, which this cmdlet restricts to you and the Administrators group before anything is written.
    After writing, everything is read back and compared (-NoVerify skips that).

    When the seed does not fit, the drive is filled, closed, and the result's State is NeedsNextDrive
    with BytesRemaining: connect the next drive and run the cmdlet again with it; the session continues
    (at most 10 drives per import job). An interrupted run resumes where it stopped when run again with
    the same drive; a drive already complete is only verified, and damaged files are copied again.

    Elsewhere (or to rehearse), -Path names a folder standing for a drive and -CapacityBytes its size.
    Such a drive is reported as Shippable = False: the service accepts only NTFS volumes encrypted with
    BitLocker.

    -WhatIf shows the plan (how many drives of this size, what goes on each) and changes nothing.

    .PARAMETER StagingPath
    Staging location of the seed, as given to Start-OfflineSeed.

    .PARAMETER DriveLetter
    Letter of the drive to prepare (E or E:). Windows only.

    .PARAMETER Path
    Folder standing for a drive, to rehearse the preparation on any platform.

    .PARAMETER CapacityBytes
    Bytes the folder given with -Path may hold, as a drive of that size would.

    .PARAMETER Format
    Format the volume NTFS first, erasing everything on it. Requires -Encrypt.

    .PARAMETER Encrypt
    Enable BitLocker on the volume with a recovery password protector before copying.

    .PARAMETER BitLockerKey
    Recovery password of a drive that is encrypted already (eight groups of six digits), as a
    SecureString. Without it, and without -Encrypt, the password is read from the volume.

    .PARAMETER DriveId
    Drive id for the manifest and the import job. Default: the disk's serial number.

    .PARAMETER SessionId
    Copy session id (3 to 30 letters, digits, _ - #); the drive gets a folder of this name. Default:
    the job name. Use the same one for every drive of the seed.

    .PARAMETER JournalPath
    Journal file, off the drive. Default: <StagingPath>\drives\<DriveId>.jrn.

    .PARAMETER IncludeBitLockerKeyPath
    Also write a DriveInfo export that includes the recovery password, to this file (for a portal
    upload). It is restricted to you and the Administrators group; delete it once the job exists.

    .PARAMETER NoVerify
    Do not read the drive back after writing.

    .PARAMETER Force
    Write to a volume that is not empty, beside what is on it.

    .PARAMETER ThrottleLimit
    Copy and verify worker threads, 1 to 64.

    .PARAMETER WhatIf
    Shows the plan and changes nothing: no format, no encryption, nothing written.

    .PARAMETER Confirm
    Asks before formatting, before encrypting and before writing.

    .EXAMPLE
    Initialize-OfflineSeedDrive -StagingPath F:\Staging -DriveLetter E -Format -Encrypt

    Formats E: NTFS, encrypts it with BitLocker and copies the seed onto it. If the seed needs more
    drives, State is NeedsNextDrive: connect the next drive as E: and run the same command again.

    .EXAMPLE
    Get-OfflineSeed -StagingPath F:\Staging | Initialize-OfflineSeedDrive -DriveLetter E -WhatIf

    Shows how many drives of E:'s size the seed needs and what goes on each.

    .EXAMPLE
    Initialize-OfflineSeedDrive -StagingPath /srv/staging -Path /mnt/rehearsal/drive1 -CapacityBytes 4TB -DriveId REHEARSAL1

    Rehearses the preparation on Linux in a folder standing for a 4 TB drive (not shippable).

    .INPUTS
    System.Management.Automation.PSObject. Objects with a StagingPath property, such as OfflineSeed.Seed
    objects from Get-OfflineSeed, bind by property name.

    .OUTPUTS
    OfflineSeed.DriveResult

    .NOTES
    Formatting and encrypting need an elevated session on Windows. The journal and key folder must
    be kept until the import job is complete: without a drive's journal, that drive must be prepared
    again.

    .LINK
    about_OfflineSeed

    .LINK
    Start-OfflineSeed

    .LINK
    Get-OfflineSeed
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High', DefaultParameterSetName = 'DriveLetter')]
    [OutputType('OfflineSeed.DriveResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory, ParameterSetName = 'DriveLetter')]
        [ValidatePattern('^[A-Za-z]:?$')]
        [string] $DriveLetter,

        [Parameter(Mandatory, ParameterSetName = 'Path')]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter(ParameterSetName = 'Path')]
        [ValidateRange(1, 1000000000000000)]
        [long] $CapacityBytes,

        [Parameter(ParameterSetName = 'DriveLetter')]
        [switch] $Format,

        [Parameter(ParameterSetName = 'DriveLetter')]
        [switch] $Encrypt,

        [Parameter()]
        [System.Security.SecureString] $BitLockerKey,

        [Parameter()]
        [ValidateLength(1, 64)]
        [ValidatePattern('^[A-Za-z0-9_.-]+$')]
        [string] $DriveId,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidatePattern('^[A-Za-z0-9_#-]{3,30}$')]
        [string] $SessionId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $JournalPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $IncludeBitLockerKeyPath,

        [Parameter()]
        [switch] $NoVerify,

        [Parameter()]
        [switch] $Force,

        [Parameter()]
        [ValidateRange(1, 64)]
        [int] $ThrottleLimit
    )

    process {
        $staging = Resolve-OfflineSeedPath -Path $StagingPath
        $params = @{ stagingPath = $staging }
        $writeBeside = $Force.IsPresent
        $target = ''

        if ($PSCmdlet.ParameterSetName -eq 'Path') {
            $driveRoot = Resolve-OfflineSeedPath -Path $Path
            $target = $driveRoot
            if ($PSBoundParameters.ContainsKey('CapacityBytes')) { $params['capacityBytes'] = $CapacityBytes }
        } else {
            $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
            if (-not $onWindows) {
                $PSCmdlet.ThrowTerminatingError((ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.WindowsOnly' -Category 'NotImplemented' `
                            -Message '-DriveLetter prepares a shipping drive with the Windows Storage and BitLocker cmdlets; it works on Windows only.' `
                            -TargetObject $DriveLetter -RecommendedAction 'Rehearse with -Path <folder> -CapacityBytes <size>, or prepare the drive on Windows.'))
            }
            if ($Format -and -not $Encrypt) {
                $PSCmdlet.ThrowTerminatingError((ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.FormatRequiresEncrypt' -Category 'InvalidArgument' `
                            -Message '-Format erases the drive, and a shipping drive must be encrypted: give -Encrypt with -Format.' -TargetObject $DriveLetter))
            }
            $letter = $DriveLetter.Substring(0, 1).ToUpperInvariant()
            $driveRoot = $letter + ':\'
            $partition = Get-Partition -DriveLetter $letter -ErrorAction Stop
            $disk = Get-Disk -Number $partition.DiskNumber -ErrorAction Stop
            $serial = ([string]$disk.SerialNumber).Trim()
            $target = '{0} (disk {1}, {2}, serial {3})' -f $driveRoot, $disk.Number, $disk.FriendlyName, $serial
            if ($disk.IsSystem -or $disk.IsBoot -or $partition.IsSystem -or $partition.IsBoot) {
                $PSCmdlet.ThrowTerminatingError((ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.SystemDisk' -Category 'InvalidOperation' `
                            -Message "$target is the system or boot disk of this computer; it cannot be a shipping drive." -TargetObject $driveRoot `
                            -RecommendedAction 'Connect the drive to ship (SATA, or a USB adapter while preparing) and give its letter.'))
            }
            if (-not $PSBoundParameters.ContainsKey('DriveId')) {
                $fromSerial = ($serial -replace '[^A-Za-z0-9_.-]+', '_').Trim('_')
                if ($fromSerial.Length -gt 64) { $fromSerial = $fromSerial.Substring(0, 64) }
                if ($fromSerial.Length -eq 0) {
                    $PSCmdlet.ThrowTerminatingError((ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.DriveIdRequired' -Category 'InvalidArgument' `
                                -Message "$target reports no serial number." -TargetObject $driveRoot `
                                -RecommendedAction 'Give -DriveId: the serial number printed on the drive.'))
                }
                $DriveId = $fromSerial
            }
            $content = @(Get-ChildItem -LiteralPath $driveRoot -Force -ErrorAction SilentlyContinue |
                    Where-Object -FilterScript { @('System Volume Information', '$RECYCLE.BIN') -notcontains $_.Name })
            if ($content.Count -gt 0 -and -not $Format -and -not $Force) {
                $PSCmdlet.ThrowTerminatingError((ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.DriveNotEmpty' -Category 'ResourceExists' `
                            -Message ("$target is not empty ({0} items, such as {1})." -f $content.Count, $content[0].Name) -TargetObject $driveRoot `
                            -RecommendedAction 'Use an empty drive, -Format -Encrypt to erase it, or -Force to write beside what is there.'))
            }

            if ($Format) {
                if ($PSCmdlet.ShouldProcess($target, 'Format the volume NTFS, erasing everything on it')) {
                    $null = Format-Volume -DriveLetter $letter -FileSystem NTFS -NewFileSystemLabel 'OfflineSeed' -Force -Confirm:$false -ErrorAction Stop
                } elseif (-not $WhatIfPreference) {
                    return
                } else {
                    $writeBeside = $true # -WhatIf: the plan is for the drive as it would be after formatting
                }
            } elseif ((Get-Volume -DriveLetter $letter -ErrorAction Stop).FileSystemType -ne 'NTFS') {
                $PSCmdlet.ThrowTerminatingError((ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.VolumeNotNtfs' -Category 'InvalidOperation' `
                            -Message "$target is not NTFS; the Import/Export service reads NTFS volumes only." -TargetObject $driveRoot `
                            -RecommendedAction 'Run again with -Format -Encrypt (this erases the drive).'))
            }

            if ($Encrypt) {
                if ($PSCmdlet.ShouldProcess($target, 'Enable BitLocker with a recovery password protector')) {
                    $null = Enable-BitLocker -MountPoint ($letter + ':') -RecoveryPasswordProtector -EncryptionMethod Aes256 -UsedSpaceOnly -SkipHardwareTest -Confirm:$false -ErrorAction Stop
                } elseif (-not $WhatIfPreference) {
                    return
                }
            }
            if (-not $PSBoundParameters.ContainsKey('BitLockerKey') -and -not $WhatIfPreference) {
                # The recovery password the volume has (just made by -Encrypt, or from an earlier encryption).
                $protector = @((Get-BitLockerVolume -MountPoint ($letter + ':') -ErrorAction Stop).KeyProtector |
                        Where-Object -FilterScript { [string]$_.KeyProtectorType -eq 'RecoveryPassword' }) | Select-Object -First 1
                if ($null -eq $protector) {
                    $PSCmdlet.ThrowTerminatingError((ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.DriveNotEncrypted' -Category 'InvalidOperation' `
                                -Message "$target has no BitLocker recovery password protector; the service refuses drives that are not encrypted." -TargetObject $driveRoot `
                                -RecommendedAction 'Run again with -Encrypt, or add a protector (Add-BitLockerKeyProtector -RecoveryPasswordProtector).'))
                }
                $secure = [System.Security.SecureString]::new()
                foreach ($character in ([string]$protector.RecoveryPassword).ToCharArray()) { $secure.AppendChar($character) }
                $secure.MakeReadOnly()
                $protector = $null
                $BitLockerKey = $secure
            }
        }

        $params['driveRoot'] = $driveRoot
        if (-not [string]::IsNullOrEmpty($DriveId)) { $params['driveId'] = $DriveId }
        if ($PSBoundParameters.ContainsKey('SessionId')) { $params['sessionId'] = $SessionId }
        if ($null -ne $BitLockerKey) { $params['bitLockerKey'] = $BitLockerKey }
        if ($PSBoundParameters.ContainsKey('JournalPath')) { $params['journalPath'] = Resolve-OfflineSeedPath -Path $JournalPath }
        $keyExport = $null
        if ($PSBoundParameters.ContainsKey('IncludeBitLockerKeyPath')) {
            $keyExport = Resolve-OfflineSeedPath -Path $IncludeBitLockerKeyPath
            $params['includeBitLockerKeyPath'] = $keyExport
        }
        if ($NoVerify) { $params['verify'] = $false }
        if ($writeBeside) { $params['force'] = $true }
        if ($PSBoundParameters.ContainsKey('ThrottleLimit')) { $params['threads'] = $ThrottleLimit }

        $dryRun = -not $PSCmdlet.ShouldProcess($target, "Copy the seed in $staging onto the drive, with its manifest and journal")
        if ($dryRun -and -not $WhatIfPreference) { return }

        $onWindowsHost = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
        if (-not $dryRun -and $onWindowsHost) {
            # The key file (and the journals) are created in this folder: only you and Administrators may read it.
            $keyFolder = Join-Path -Path $staging -ChildPath 'drives'
            $null = [System.IO.Directory]::CreateDirectory($keyFolder)
            $owner = [System.Security.Principal.WindowsIdentity]::GetCurrent().User
            $administrators = [System.Security.Principal.SecurityIdentifier]::new([System.Security.Principal.WellKnownSidType]::BuiltinAdministratorsSid, $null)
            $folderAcl = [System.Security.AccessControl.DirectorySecurity]::new()
            $folderAcl.SetOwner($owner)
            $folderAcl.SetAccessRuleProtection($true, $false)
            foreach ($sid in @($owner, $administrators)) {
                $folderAcl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($sid, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow'))
            }
            Set-Acl -LiteralPath $keyFolder -AclObject $folderAcl -ErrorAction Stop
        }

        Invoke-OfflineSeedEngine -Command 'drive.prepare' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet

        if (-not $dryRun -and $onWindowsHost -and $null -ne $keyExport -and (Test-Path -LiteralPath $keyExport)) {
            $owner = [System.Security.Principal.WindowsIdentity]::GetCurrent().User
            $administrators = [System.Security.Principal.SecurityIdentifier]::new([System.Security.Principal.WellKnownSidType]::BuiltinAdministratorsSid, $null)
            $fileAcl = [System.Security.AccessControl.FileSecurity]::new()
            $fileAcl.SetOwner($owner)
            $fileAcl.SetAccessRuleProtection($true, $false)
            foreach ($sid in @($owner, $administrators)) {
                $fileAcl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($sid, 'FullControl', 'Allow'))
            }
            Set-Acl -LiteralPath $keyExport -AclObject $fileAcl -ErrorAction Stop
        }
    }
}
