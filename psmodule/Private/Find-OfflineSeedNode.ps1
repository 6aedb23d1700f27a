function Find-OfflineSeedNode {
    <#
    .SYNOPSIS
    Finds a Node.js 24 to run the engine's script form in a development clone.

    .DESCRIPTION
    Returns the path of node_modules/.bin/node(.exe) under Root (the runtime the npm lockfile pins),
    else of a node on PATH whose major version is 24, else $null.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Root
    )

    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
    $names = @('node')
    if ($onWindows) { $names = @('node.exe') }
    foreach ($name in $names) {
        $pinned = [System.IO.Path]::Combine($Root, 'node_modules', '.bin', $name)
        if ([System.IO.File]::Exists($pinned)) { return $pinned }
    }

    $onPath = @(Get-Command -Name 'node' -CommandType Application -ErrorAction SilentlyContinue)
    foreach ($candidate in $onPath) {
        $version = ''
        try {
            $version = [string](& $candidate.Path --version 2>$null | Select-Object -First 1)
        } catch {
            Write-Debug -Message "could not run $($candidate.Path) --version: $($_.Exception.Message)"
        }
        if ($version -match '^v(\d+)\.' -and [int]$Matches[1] -eq 24) { return $candidate.Path }
        Write-Debug -Message "skipping $($candidate.Path): version '$version' is not 24.x"
    }
    return $null
}
