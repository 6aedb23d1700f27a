function Resolve-OfflineSeedPath {
    <#
    .SYNOPSIS
    Turns a PowerShell path into the file system path the engine needs.

    .DESCRIPTION
    The engine runs in its own process, whose current directory is not PowerShell's current location,
    and it knows nothing of PowerShell drives. A relative path or one on a PowerShell drive is made
    absolute with GetUnresolvedProviderPathFromPSPath (the path need not exist: the engine checks).
    Wildcards are not expanded. With AllowUri, a URI such as azure://account/container/prefix is
    passed on unchanged.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Path,

        [Parameter()]
        [switch] $AllowUri
    )

    if ($AllowUri -and $Path -match '^[A-Za-z][A-Za-z0-9+.-]*://') { return $Path }
    return $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}
