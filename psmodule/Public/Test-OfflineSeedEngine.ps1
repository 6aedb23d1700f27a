function Test-OfflineSeedEngine {
    <#
    .SYNOPSIS
    Checks the link between this module and the OfflineSeed engine.

    .DESCRIPTION
    Runs the engine's diagnostics.echo command, which touches no data. The engine sends one event
    of every kind, and this cmdlet shows how each one arrives in PowerShell:
    nested progress bars (Write-Progress), a verbose, a debug, an information and a warning
    message, a non-terminating error (OfflineSeed.DiagnosticsNonTerminating), and one
    OfflineSeed.EngineEcho output object. With -HoldMs the engine keeps running and reporting
    progress for that long, so stopping with Ctrl+C can be tried; with -Fail it ends with the
    terminating error OfflineSeed.DiagnosticsFailure instead of an output object.

    -WhatIf sends the request as a dry run (dryRun: true); the engine still answers.

    .PARAMETER Message
    Text the engine puts into every event (at most 1000 characters). Default: echo.

    .PARAMETER HoldMs
    Milliseconds the engine keeps running, reporting progress, before it answers (0 to 600000).
    Stopping the pipeline in that time cancels the engine.

    .PARAMETER Fail
    End with the terminating error OfflineSeed.DiagnosticsFailure instead of an output object.

    .PARAMETER WhatIf
    Sends the request as a dry run. The engine still runs and answers.

    .PARAMETER Confirm
    Asks for confirmation before the engine is started.

    .EXAMPLE
    Test-OfflineSeedEngine -Message 'hello' -Verbose -InformationAction Continue

    Shows the verbose, information and warning messages and the non-terminating error, then the
    OfflineSeed.EngineEcho object with the message hello.

    .EXAMPLE
    Test-OfflineSeedEngine -HoldMs 60000

    Keeps the engine busy for a minute with a progress bar. Press Ctrl+C: the engine is cancelled
    and no offlineseed-engine process is left behind.

    .EXAMPLE
    try { Test-OfflineSeedEngine -Fail -ErrorAction SilentlyContinue } catch { $_.FullyQualifiedErrorId }

    Shows how a terminating engine error arrives: OfflineSeed.DiagnosticsFailure,Test-OfflineSeedEngine.

    .INPUTS
    None. This cmdlet takes no pipeline input.

    .OUTPUTS
    OfflineSeed.EngineEcho

    .LINK
    about_OfflineSeed

    .LINK
    Get-OfflineSeedEngineVersion
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType('OfflineSeed.EngineEcho')]
    param(
        [Parameter(Position = 0)]
        [ValidateLength(0, 1000)]
        [string] $Message,

        [Parameter()]
        [ValidateRange(0, 600000)]
        [int] $HoldMs,

        [Parameter()]
        [switch] $Fail
    )

    process {
        $params = @{}
        if ($PSBoundParameters.ContainsKey('Message')) { $params['message'] = $Message }
        if ($PSBoundParameters.ContainsKey('HoldMs')) { $params['holdMs'] = $HoldMs }
        if ($Fail) { $params['fail'] = $true }

        # -WhatIf: ShouldProcess prints the What if: line and returns $false; the engine still runs,
        # as a dry run. A No at a -Confirm prompt also returns $false: then nothing runs.
        $dryRun = -not $PSCmdlet.ShouldProcess('OfflineSeed engine', 'Run the diagnostics echo')
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'diagnostics.echo' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
