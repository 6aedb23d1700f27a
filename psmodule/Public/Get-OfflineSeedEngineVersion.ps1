function Get-OfflineSeedEngineVersion {
    <#
    .SYNOPSIS
    Gets the versions of the OfflineSeed engine that this module runs.

    .DESCRIPTION
    Starts the OfflineSeed engine (offlineseed-engine) with the version command and returns the
    engine version, the version of the protocol between the module and the engine, the Node.js and
    zstd versions built into it, its platform and architecture, the restic repository format it
    writes, and whether it runs as a single executable. Use it to check that the module finds a
    working engine: any problem starting the engine is reported here first.

    The engine is looked for in OFFLINESEED_ENGINE_PATH, then in the module's bin folder, then in
    dist (a development build). See about_OfflineSeed.

    .EXAMPLE
    Get-OfflineSeedEngineVersion

    Shows the engine version, protocol version, Node.js version and repository format.

    .EXAMPLE
    $env:OFFLINESEED_ENGINE_PATH = 'C:\Tools\offlineseed-engine.exe'
    (Get-OfflineSeedEngineVersion).Engine

    Runs a specific engine executable and returns only its version string.

    .INPUTS
    None. This cmdlet takes no pipeline input.

    .OUTPUTS
    OfflineSeed.EngineVersion

    .LINK
    about_OfflineSeed

    .LINK
    Test-OfflineSeedEngine
    #>
    [CmdletBinding()]
    [OutputType('OfflineSeed.EngineVersion')]
    param()

    process {
        Invoke-OfflineSeedEngine -Command 'version' -Parameters @{} -Cmdlet $PSCmdlet
    }
}
