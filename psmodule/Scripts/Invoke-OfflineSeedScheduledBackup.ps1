<#
.SYNOPSIS
The action of a scheduled backup task (Register-OfflineSeedBackupTask): one non-interactive
Backup-OfflineSeed run, with the repository password from the task's DPAPI key file.

.DESCRIPTION
Task Scheduler starts it as
    powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File <this script>
        -TaskName <name> -Repository <repository> -KeyFile <key file> [-StagingPath <staging>]
        [-CredentialProfile <name>]
It imports the module this script belongs to, decrypts the key file (see Protect-OfflineSeedKeyFile)
straight into a SecureString, and runs Backup-OfflineSeed -Confirm:$false -ErrorAction Stop. What
the run writes goes to %ProgramData%\OfflineSeed\Logs\<name>.log (a transcript, appended).

Exit codes (the task's Last Run Result): 0 ok, 1 failed, 2 invalid request or unreadable key file,
3 cancelled (the next run resumes).

.PARAMETER TaskName
The task's name, for the log file.

.PARAMETER Repository
The repository to back up into.

.PARAMETER KeyFile
The DPAPI key file holding the repository password.

.PARAMETER StagingPath
The seed's staging location (sources and settings), if the task was registered with one.

.PARAMETER CredentialProfile
The credential profile (New-OfflineSeedCredential) to sign in to Azure with, if the task was
registered with one; else DefaultAzureCredential of the task's account.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $TaskName,

    [Parameter(Mandatory)]
    [string] $Repository,

    [Parameter(Mandatory)]
    [string] $KeyFile,

    [Parameter()]
    [string] $StagingPath,

    [Parameter()]
    [string] $CredentialProfile
)

$ErrorActionPreference = 'Stop'
$logFolder = [System.IO.Path]::Combine([System.Environment]::GetFolderPath('CommonApplicationData'), 'OfflineSeed', 'Logs')
$null = [System.IO.Directory]::CreateDirectory($logFolder)
$null = Start-Transcript -LiteralPath ([System.IO.Path]::Combine($logFolder, "$TaskName.log")) -Append
$code = 1
try {
    $manifest = [System.IO.Path]::Combine((Split-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -Parent), 'OfflineSeed.psd1')
    Import-Module -Name $manifest -ErrorAction Stop

    if ($null -eq ('System.Security.Cryptography.ProtectedData' -as [type])) { Add-Type -AssemblyName 'System.Security' }
    $lines = [System.IO.File]::ReadAllLines($KeyFile)
    if ($lines.Count -lt 2 -or $lines[0] -notmatch '^OfflineSeed-DPAPI-1 (CurrentUser|LocalMachine)$') {
        $code = 2
        throw "The key file $KeyFile is not an OfflineSeed DPAPI key file; register the task again."
    }
    $scope = [System.Security.Cryptography.DataProtectionScope]$Matches[1]
    $entropy = [System.Text.Encoding]::UTF8.GetBytes('OfflineSeed key file v1')
    $plain = [System.Security.Cryptography.ProtectedData]::Unprotect([System.Convert]::FromBase64String($lines[1]), $entropy, $scope)
    $password = [System.Security.SecureString]::new()
    try {
        for ($i = 0; $i + 1 -lt $plain.Length; $i += 2) { $password.AppendChar([char][System.BitConverter]::ToUInt16($plain, $i)) }
    } finally {
        [System.Array]::Clear($plain, 0, $plain.Length)
    }
    $password.MakeReadOnly()

    $backup = @{ Repository = $Repository; Password = $password; Confirm = $false; ErrorAction = 'Stop' }
    if (-not [string]::IsNullOrEmpty($StagingPath)) { $backup['StagingPath'] = $StagingPath }
    if (-not [string]::IsNullOrEmpty($CredentialProfile)) { $backup['CredentialProfile'] = $CredentialProfile }
    Backup-OfflineSeed @backup | Format-List | Out-String -Width 200 | Write-Output
    $code = 0
} catch {
    $record = $_
    Write-Output ('FAILED {0}: {1}' -f $record.FullyQualifiedErrorId, $record.Exception.Message)
    if ($code -ne 2) {
        $code = 1
        if ($record.CategoryInfo.Category -eq [System.Management.Automation.ErrorCategory]::InvalidArgument) { $code = 2 }
        if ($record.CategoryInfo.Category -eq [System.Management.Automation.ErrorCategory]::OperationStopped) { $code = 3 }
    }
} finally {
    $null = Stop-Transcript
}
exit $code
