# OfflineSeed script module. The cmdlets are thin: each one maps its parameters to one engine request,
# and the private bridge (Private/Invoke-OfflineSeedEngine.ps1) runs the engine and maps its NDJSON
# events to PowerShell's streams. One function per file; the file is named after the function.
#
# Runs on Windows PowerShell 5.1 and PowerShell 7.4+. Keep every file ASCII: 5.1 reads files without
# a byte order mark in the ANSI code page.

Set-StrictMode -Version 3.0

# The folder holding OfflineSeed.psd1: the repository root in development, the module base once packaged.
$script:OfflineSeedModuleRoot = Split-Path -Path $PSScriptRoot -Parent

# Engine hashes recorded in the manifest (read on first use) and files already hashed this session.
$script:OfflineSeedEngineSha256 = $null
$script:OfflineSeedFileHashes = $null

# Params that are secrets in any engine command: never shown in -Debug or -Verbose output.
$script:OfflineSeedSecretParameterNames = @('password', 'bitLockerKey', 'clientSecret', 'accessToken', 'storageAccessToken', 'storageAccountKey', 'sasToken', 'storageKey')

foreach ($folder in @('Private', 'Public')) {
    $folderPath = Join-Path -Path $PSScriptRoot -ChildPath $folder
    foreach ($file in @(Get-ChildItem -LiteralPath $folderPath -Filter '*.ps1' -File -ErrorAction Stop | Sort-Object -Property Name)) {
        . $file.FullName
    }
}

$publicFunctions = @(Get-ChildItem -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath 'Public') -Filter '*.ps1' -File |
    ForEach-Object -Process { $_.BaseName })
Export-ModuleMember -Function $publicFunctions
