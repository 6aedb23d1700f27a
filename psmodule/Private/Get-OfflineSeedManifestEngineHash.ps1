function Get-OfflineSeedManifestEngineHash {
    <#
    .SYNOPSIS
    Returns the engine SHA-256 values recorded in the module manifest (PrivateData.EngineSha256).

    .DESCRIPTION
    npm run package writes, into the packaged OfflineSeed.psd1, PrivateData.EngineSha256: a table of
    engine file name (offlineseed-engine, offlineseed-engine.exe) to its SHA-256 in upper-case hex.
    This function reads it once per session with Import-PowerShellDataFile (no code runs) and returns
    it; a development clone's manifest has no such table, and the result is then empty.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()

    if ($null -eq $script:OfflineSeedEngineSha256) {
        $hashes = @{}
        $manifestPath = [System.IO.Path]::Combine($script:OfflineSeedModuleRoot, 'OfflineSeed.psd1')
        if ([System.IO.File]::Exists($manifestPath)) {
            $data = Import-PowerShellDataFile -LiteralPath $manifestPath
            $privateData = $data['PrivateData']
            if ($privateData -is [System.Collections.IDictionary] -and $privateData.Contains('EngineSha256')) {
                $recorded = $privateData['EngineSha256']
                if ($recorded -is [System.Collections.IDictionary]) {
                    foreach ($name in @($recorded.Keys)) { $hashes[[string]$name] = ([string]$recorded[$name]).ToUpperInvariant() }
                }
            }
        }
        $script:OfflineSeedEngineSha256 = $hashes
    }
    return $script:OfflineSeedEngineSha256
}
