function Get-OfflineSeedFileHash {
    <#
    .SYNOPSIS
    Returns the SHA-256 of a file in upper-case hex, remembered per path, size and write time.

    .DESCRIPTION
    Used to check the engine before it is started. Hashing a 130 MB engine takes a fraction of a
    second; the result is kept for the session and computed again whenever the file's size or last
    write time changes, so a replaced engine is always checked again. .NET calls only, so it works
    the same in Windows PowerShell 5.1 and PowerShell 7.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        # The file to hash.
        [Parameter(Mandatory)]
        [string] $Path
    )

    $info = [System.IO.FileInfo]::new($Path)
    $key = '{0}|{1}|{2}' -f $info.FullName, $info.Length, $info.LastWriteTimeUtc.Ticks
    if ($null -eq $script:OfflineSeedFileHashes) { $script:OfflineSeedFileHashes = @{} }
    if ($script:OfflineSeedFileHashes.ContainsKey($key)) { return $script:OfflineSeedFileHashes[$key] }

    $stream = [System.IO.File]::OpenRead($info.FullName)
    try {
        $sha256 = [System.Security.Cryptography.SHA256]::Create()
        try {
            $digest = $sha256.ComputeHash($stream)
        } finally {
            $sha256.Dispose()
        }
    } finally {
        $stream.Dispose()
    }
    $hex = [System.BitConverter]::ToString($digest).Replace('-', '')
    $script:OfflineSeedFileHashes[$key] = $hex
    return $hex
}
