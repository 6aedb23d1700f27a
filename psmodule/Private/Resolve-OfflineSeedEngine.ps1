function Resolve-OfflineSeedEngine {
    <#
    .SYNOPSIS
    Finds the OfflineSeed engine and how to start it.

    .DESCRIPTION
    Looks, in this order, for:
    1. the file named by the OFFLINESEED_ENGINE_PATH environment variable (an executable, or a .cjs,
       .js, .mjs or .ts script that is run on Node.js 24);
    2. <module root>/bin/offlineseed-engine(.exe), the engine shipped with a packaged module;
    3. <module root>/dist/offlineseed-engine(.exe), the engine built by npm run build;
    4. in a development clone, dist/engine.cjs or engine/main.ts run on node_modules/.bin/node(.exe),
       or on a node of major version 24 found on PATH.
    Returns an object with Found, FileName, Arguments (what goes before --json), Searched (every
    place looked at, for the error message when nothing was found), and for an engine in bin/ of a
    packaged module HashRequired and ExpectedSha256 (PrivateData.EngineSha256 of the manifest): the
    bridge checks the file against it before every launch. OFFLINESEED_ENGINE_PATH and dist/ engines
    are not checked (an explicit override, and development builds).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param()

    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
    $exeName = 'offlineseed-engine'
    if ($onWindows) { $exeName = 'offlineseed-engine.exe' }
    $root = $script:OfflineSeedModuleRoot
    $searched = [System.Collections.Generic.List[string]]::new()

    $override = [System.Environment]::GetEnvironmentVariable('OFFLINESEED_ENGINE_PATH')
    if (-not [string]::IsNullOrWhiteSpace($override)) {
        $searched.Add("OFFLINESEED_ENGINE_PATH=$override")
        if (-not [System.IO.File]::Exists($override)) {
            return [pscustomobject]@{ Found = $false; FileName = $null; Arguments = [string[]]@(); Searched = $searched.ToArray(); ExpectedSha256 = $null; HashRequired = $false }
        }
        $extension = [System.IO.Path]::GetExtension($override).ToLowerInvariant()
        if (@('.cjs', '.js', '.mjs', '.ts') -contains $extension) {
            $node = Find-OfflineSeedNode -Root $root
            if ($null -eq $node) {
                $searched.Add('a Node.js 24 to run it (node_modules/.bin/node or node on PATH)')
                return [pscustomobject]@{ Found = $false; FileName = $null; Arguments = [string[]]@(); Searched = $searched.ToArray(); ExpectedSha256 = $null; HashRequired = $false }
            }
            return [pscustomobject]@{ Found = $true; FileName = $node; Arguments = [string[]]@($override); Searched = $searched.ToArray(); ExpectedSha256 = $null; HashRequired = $false }
        }
        return [pscustomobject]@{ Found = $true; FileName = $override; Arguments = [string[]]@(); Searched = $searched.ToArray(); ExpectedSha256 = $null; HashRequired = $false }
    }

    foreach ($folder in @('bin', 'dist')) {
        $candidate = [System.IO.Path]::Combine($root, $folder, $exeName)
        $searched.Add($candidate)
        if ([System.IO.File]::Exists($candidate)) {
            # A packaged module records the SHA-256 of its engines; a development clone records none.
            $hashes = Get-OfflineSeedManifestEngineHash
            $expected = $null
            if ($folder -eq 'bin' -and $hashes.ContainsKey($exeName)) { $expected = $hashes[$exeName] }
            $required = ($folder -eq 'bin') -and ($hashes.Count -gt 0)
            return [pscustomobject]@{ Found = $true; FileName = $candidate; Arguments = [string[]]@(); Searched = $searched.ToArray(); ExpectedSha256 = $expected; HashRequired = $required }
        }
    }

    foreach ($engineScript in @([System.IO.Path]::Combine($root, 'dist', 'engine.cjs'), [System.IO.Path]::Combine($root, 'engine', 'main.ts'))) {
        $searched.Add($engineScript)
        if ([System.IO.File]::Exists($engineScript)) {
            $node = Find-OfflineSeedNode -Root $root
            if ($null -eq $node) {
                $searched.Add('a Node.js 24 to run it (node_modules/.bin/node or node on PATH)')
                break
            }
            return [pscustomobject]@{ Found = $true; FileName = $node; Arguments = [string[]]@($engineScript); Searched = $searched.ToArray(); ExpectedSha256 = $null; HashRequired = $false }
        }
    }
    return [pscustomobject]@{ Found = $false; FileName = $null; Arguments = [string[]]@(); Searched = $searched.ToArray(); ExpectedSha256 = $null; HashRequired = $false }
}
