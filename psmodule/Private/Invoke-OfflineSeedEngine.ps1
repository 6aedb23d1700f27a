function Invoke-OfflineSeedEngine {
    <#
    .SYNOPSIS
    Runs one engine command and maps its NDJSON events to the calling cmdlet's streams.

    .DESCRIPTION
    The bridge between the cmdlets and offlineseed-engine. It starts the engine with
    System.Diagnostics.Process (no shell, all three streams redirected, UTF-8 without BOM both ways),
    writes one request line {"protocol":1,"command":...,"params":{...},"dryRun":...} to its stdin and
    keeps stdin open (closing it, or a {"type":"cancel"} line, cancels the run). It drains stderr with
    ReadToEndAsync and reads stdout with ReadLineAsync, polling Wait(200) on the pipeline thread, so
    Ctrl+C stops the loop between two waits and every Write call happens on the pipeline thread (no
    event handlers: WriteObject and friends throw on other threads).

    Events are written through the calling cmdlet ($Cmdlet), so errors carry its name in the
    FullyQualifiedErrorId, and -WarningVariable, -InformationVariable and -ErrorVariable of the cmdlet
    the user called see them:
      progress -> WriteProgress (Id, ParentId, Activity, Status, PercentComplete, SecondsRemaining,
                  CurrentOperation), at most about four per second per bar except completed or 100%;
                  every bar left open is completed in the finally block, also on error and cancel.
      log      -> WriteVerbose / WriteInformation (tags: OfflineSeed plus the event's tags) /
                  WriteWarning / WriteDebug. With DryRun (the cmdlet's -WhatIf), Information messages
                  are the engine's plan and are shown on the host like What if: lines (tag PSHOST).
      result   -> an output object with PascalCase properties and PSTypeName = the event's typeName.
      error    -> an ErrorRecord; non-terminating ones are written at once with WriteError, the
                  terminating one is thrown with ThrowTerminatingError after the done event (or
                  written with WriteError when FailureIsNonTerminating is set).
      done     -> the exit code (0 ok, 1 failed, 2 invalid request, 3 cancelled).
    A run without a done event, or with a nonzero exit code and no terminating error, is reported as
    OfflineSeed.EngineCrashed with the engine's stderr text in the message.

    Secrets: SecureString values in Parameters are sent as JSON strings decoded only while the
    request is written (see Write-OfflineSeedRequest). The request trace written to the debug stream
    shows '***' for them and for every parameter named password, bitLockerKey, clientSecret,
    accessToken or storageKey.

    Stopping the pipeline (Ctrl+C, Stop-Job, PowerShell.Stop(), Select-Object -First) sends a cancel
    line, closes stdin, waits up to 5 seconds for the engine to exit, then kills its process tree. The
    finally block that does so uses .NET method calls only, since cmdlets called there can silently do
    nothing once the pipeline is stopping.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        # Engine command, e.g. seed.start.
        [Parameter(Mandatory)]
        [ValidatePattern('^[a-z]+(\.[a-z]+)*$')]
        [string] $Command,

        # Request params (camelCase names). SecureString values are secrets.
        [Parameter()]
        [System.Collections.IDictionary] $Parameters = @{},

        # Plan only: the cmdlet's -WhatIf.
        [Parameter()]
        [switch] $DryRun,

        # The public cmdlet's $PSCmdlet: every record is written through it.
        [Parameter(Mandatory)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        # Note properties added to each output object that does not have them already.
        [Parameter()]
        [System.Collections.IDictionary] $AddProperty = @{},

        # Write the engine's terminating error with WriteError instead of throwing it, for cmdlets whose
        # pipeline input items are independent (one missing seed must not stop the others).
        [Parameter()]
        [switch] $FailureIsNonTerminating,

        # Collect the result objects here instead of writing them, for a cmdlet that acts on the
        # engine's answer before it outputs it (Register-OfflineSeedBackupTask).
        [Parameter()]
        [System.Collections.IList] $ResultList
    )

    $utf8 = [System.Text.UTF8Encoding]::new($false)

    # The request. Each SecureString becomes a placeholder that Write-OfflineSeedRequest replaces
    # while writing; the trace for -Debug shows *** for every secret.
    $wireParams = [ordered]@{}
    $traceParams = [ordered]@{}
    $secrets = @{}
    foreach ($key in @($Parameters.Keys | Sort-Object)) {
        $name = [string]$key
        $value = $Parameters[$key]
        if ($null -eq $value) { continue }
        if ($value -is [System.Security.SecureString]) {
            $token = 'OFFLINESEED_SECRET_' + [System.Guid]::NewGuid().ToString('N')
            $secrets[$token] = $value
            $wireParams[$name] = $token
            $traceParams[$name] = '***'
        } elseif ($script:OfflineSeedSecretParameterNames -contains $name) {
            $wireParams[$name] = ConvertTo-OfflineSeedJsonValue -InputObject $value
            $traceParams[$name] = '***'
        } else {
            $wireParams[$name] = ConvertTo-OfflineSeedJsonValue -InputObject $value
            $traceParams[$name] = $wireParams[$name]
        }
    }
    $requestJson = ConvertTo-Json -Depth 20 -Compress -InputObject ([ordered]@{
            protocol = 1
            command  = $Command
            params   = $wireParams
            dryRun   = $DryRun.IsPresent
        })
    $traceJson = ConvertTo-Json -Depth 20 -Compress -InputObject ([ordered]@{
            protocol = 1
            command  = $Command
            params   = $traceParams
            dryRun   = $DryRun.IsPresent
        })
    $Cmdlet.WriteDebug("OfflineSeed request: $traceJson")

    $engine = Resolve-OfflineSeedEngine
    if (-not $engine.Found) {
        $notFound = ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.EngineNotFound' -Category 'ObjectNotFound' `
            -Message ('The OfflineSeed engine (offlineseed-engine) was not found. Looked for: ' + ($engine.Searched -join '; ')) `
            -RecommendedAction 'Reinstall the OfflineSeed module (its bin folder holds the engine), set OFFLINESEED_ENGINE_PATH to the engine executable, or run npm run build in a development clone.'
        $Cmdlet.ThrowTerminatingError($notFound)
    }

    if ($engine.HashRequired) {
        # A packaged module starts only the engine it was shipped with.
        $actualHash = Get-OfflineSeedFileHash -Path $engine.FileName
        if ($null -eq $engine.ExpectedSha256 -or $actualHash -ne $engine.ExpectedSha256) {
            $expectedText = $engine.ExpectedSha256
            if ($null -eq $expectedText) { $expectedText = 'none recorded for this file' }
            $tampered = ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.EngineHashMismatch' -Category 'SecurityError' `
                -Message ('The OfflineSeed engine {0} does not match the module manifest: its SHA-256 is {1}, the manifest records {2}. It was not started.' -f $engine.FileName, $actualHash, $expectedText) `
                -TargetObject $engine.FileName `
                -RecommendedAction 'Reinstall the OfflineSeed module from its repository (Install-PSResource OfflineSeed -Reinstall); do not replace files in its bin folder.'
            $Cmdlet.ThrowTerminatingError($tampered)
        }
        $Cmdlet.WriteDebug("OfflineSeed engine SHA-256 verified: $actualHash")
        # Install-PSResource unpacks a .nupkg without Unix file modes: give the verified engine its
        # execute bits back (PowerShell 7.4+ on Linux and macOS; .NET 7 added UnixFileMode).
        if ($null -ne ('System.IO.UnixFileMode' -as [type]) -and [System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) {
            $mode = [System.IO.File]::GetUnixFileMode($engine.FileName)
            if (($mode -band [System.IO.UnixFileMode]::UserExecute) -eq 0) {
                $executable = $mode -bor [System.IO.UnixFileMode]::UserExecute -bor [System.IO.UnixFileMode]::GroupExecute -bor [System.IO.UnixFileMode]::OtherExecute
                try {
                    [System.IO.File]::SetUnixFileMode($engine.FileName, $executable)
                } catch {
                    $Cmdlet.WriteDebug("OfflineSeed engine is not executable and its mode cannot be changed: $($_.Exception.Message)")
                }
            }
        }
    }

    $arguments = [System.Collections.Generic.List[string]]::new()
    foreach ($argument in $engine.Arguments) { $arguments.Add([string]$argument) }
    $arguments.Add('--json')

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new()
    $startInfo.FileName = $engine.FileName
    if ($null -ne $startInfo.PSObject.Properties['ArgumentList']) {
        foreach ($argument in $arguments) { $startInfo.ArgumentList.Add($argument) }
    } else {
        # .NET Framework (Windows PowerShell 5.1) has only the single Arguments string.
        $startInfo.Arguments = Join-OfflineSeedArgument -Argument $arguments.ToArray()
    }
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8
    if ($null -ne $startInfo.PSObject.Properties['StandardInputEncoding']) { $startInfo.StandardInputEncoding = $utf8 }
    $location = $ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath
    if (-not [string]::IsNullOrEmpty($location) -and [System.IO.Directory]::Exists($location)) { $startInfo.WorkingDirectory = $location }

    $process = $null
    $stderrTask = $null
    $stderrText = ''
    $noise = [System.Text.StringBuilder]::new()
    $bars = @{}
    $barOrder = [System.Collections.Generic.List[int]]::new()
    $lastShown = @{}
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $doneExitCode = $null
    $processExitCode = $null
    $terminatingEvent = $null

    try {
        $candidate = [System.Diagnostics.Process]::new()
        $candidate.StartInfo = $startInfo
        try {
            $null = $candidate.Start()
        } catch {
            $candidate.Dispose()
            $notStarted = ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.EngineNotStarted' -Category 'ResourceUnavailable' `
                -Message ('The OfflineSeed engine could not be started from {0}: {1}' -f $engine.FileName, $_.Exception.GetBaseException().Message) `
                -TargetObject $engine.FileName `
                -RecommendedAction 'Check that the engine file exists and may be executed, or set OFFLINESEED_ENGINE_PATH to a working engine.'
            $Cmdlet.ThrowTerminatingError($notStarted)
        }
        $process = $candidate
        $Cmdlet.WriteDebug(('OfflineSeed engine started: process id {0}, {1} {2}' -f $process.Id, $engine.FileName, ($arguments.ToArray() -join ' ')))
        $stderrTask = $process.StandardError.ReadToEndAsync()

        try {
            Write-OfflineSeedRequest -Stream $process.StandardInput.BaseStream -RequestJson $requestJson -Secret $secrets
        } catch {
            $cause = $_.Exception
            while ($null -ne $cause.InnerException -and -not ($cause -is [System.IO.IOException])) { $cause = $cause.InnerException }
            if (-not ($cause -is [System.IO.IOException])) { throw }
            # The engine closed its stdin early; what it printed on stdout says why.
            $Cmdlet.WriteDebug("OfflineSeed engine did not take the whole request: $($cause.Message)")
        }
        $requestJson = $null
        $secrets = $null

        $reader = $process.StandardOutput
        $pending = $null
        while ($true) {
            if ($null -eq $pending) { $pending = $reader.ReadLineAsync() }
            if (-not $pending.Wait(200)) { continue }
            $line = $pending.Result
            $pending = $null
            if ($null -eq $line) { break }
            if ($line.Trim().Length -eq 0) { continue }

            $engineEvent = $null
            try {
                $engineEvent = ConvertFrom-Json -InputObject $line -ErrorAction Stop
            } catch {
                $engineEvent = $null
            }
            $type = [string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'type' -Default '')
            if ($type -eq '') {
                $null = $noise.AppendLine($line)
                $Cmdlet.WriteDebug("OfflineSeed engine wrote a line that is not an event: $line")
                continue
            }

            if ($type -eq 'progress') {
                $id = [int](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'id' -Default 1)
                $key = [string]$id
                $parentId = [int](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'parentId' -Default -1)
                $activity = [string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'activity' -Default '')
                if ($activity.Length -eq 0) { $activity = $Command }
                $status = [string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'status' -Default '')
                if ($status.Length -eq 0) { $status = ' ' }
                $currentOperation = [string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'currentOperation' -Default '')
                $percent = [int](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'percent' -Default -1)
                $percent = [System.Math]::Max(-1, [System.Math]::Min(100, $percent))
                $secondsRemaining = [int](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'secondsRemaining' -Default -1)
                $secondsRemaining = [System.Math]::Max(-1, $secondsRemaining)
                $completed = [bool](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'completed' -Default $false)

                if (-not $bars.ContainsKey($key)) { $barOrder.Add($id) }
                $bars[$key] = [pscustomobject]@{ Id = $id; ParentId = $parentId; Activity = $activity; Status = $status; Completed = $completed }

                $now = $clock.ElapsedMilliseconds
                $due = $completed -or ($percent -ge 100) -or (-not $lastShown.ContainsKey($key)) -or (($now - [long]$lastShown[$key]) -ge 250)
                if ($due) {
                    $lastShown[$key] = $now
                    $progress = [System.Management.Automation.ProgressRecord]::new($id, $activity, $status)
                    if ($parentId -ge 0 -and $parentId -ne $id) { $progress.ParentActivityId = $parentId }
                    $progress.PercentComplete = $percent
                    $progress.SecondsRemaining = $secondsRemaining
                    if ($currentOperation.Length -gt 0) { $progress.CurrentOperation = $currentOperation }
                    if ($completed) { $progress.RecordType = [System.Management.Automation.ProgressRecordType]::Completed }
                    $Cmdlet.WriteProgress($progress)
                }
            } elseif ($type -eq 'log') {
                $level = [string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'level' -Default 'verbose')
                $message = [string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'message' -Default '')
                if ($level -eq 'warning') {
                    $Cmdlet.WriteWarning($message)
                } elseif ($level -eq 'information') {
                    $tags = [System.Collections.Generic.List[string]]::new()
                    $tags.Add('OfflineSeed')
                    foreach ($tag in @(Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'tags' -Default @())) { $tags.Add([string]$tag) }
                    if ($DryRun) {
                        # The engine's plan: shown like the What if: lines, still an Information record.
                        $tags.Add('WhatIf')
                        $tags.Add('PSHOST')
                        $hostMessage = [System.Management.Automation.HostInformationMessage]::new()
                        $hostMessage.Message = $message
                        $Cmdlet.WriteInformation($hostMessage, $tags.ToArray())
                    } else {
                        $Cmdlet.WriteInformation($message, $tags.ToArray())
                    }
                } elseif ($level -eq 'debug') {
                    $Cmdlet.WriteDebug($message)
                } else {
                    $Cmdlet.WriteVerbose($message)
                }
            } elseif ($type -eq 'result') {
                $typeName = [string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'typeName' -Default '')
                $output = ConvertTo-OfflineSeedObject -InputObject (Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'data') -TypeName $typeName
                if ($null -ne $output) {
                    foreach ($extra in @($AddProperty.Keys)) {
                        if ($null -eq $output.PSObject.Properties[[string]$extra]) {
                            $output.PSObject.Properties.Add([System.Management.Automation.PSNoteProperty]::new([string]$extra, $AddProperty[$extra]))
                        }
                    }
                    if ($null -ne $ResultList) { $null = $ResultList.Add($output) } else { $Cmdlet.WriteObject($output) }
                }
            } elseif ($type -eq 'error') {
                $isTerminating = [bool](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'terminating' -Default $false)
                if ($isTerminating -and $null -eq $terminatingEvent) {
                    # Thrown once the engine has finished (after its done event).
                    $terminatingEvent = $engineEvent
                } else {
                    $Cmdlet.WriteError((ConvertTo-OfflineSeedErrorRecord `
                                -ErrorId ([string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'errorId' -Default 'OfflineSeed.EngineError')) `
                                -Category ([string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'category' -Default 'NotSpecified')) `
                                -Message ([string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'message' -Default 'The engine reported an error.')) `
                                -TargetObject (Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'targetObject') `
                                -RecommendedAction ([string](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'recommendedAction' -Default ''))))
                }
            } elseif ($type -eq 'done') {
                $doneExitCode = [int](Get-OfflineSeedEventValue -InputObject $engineEvent -Name 'exitCode' -Default 1)
                # The run is over; closing stdin lets the engine exit even if it still watches it.
                try { $process.StandardInput.Close() } catch { $Cmdlet.WriteDebug("closing the engine's stdin: $($_.Exception.Message)") }
            } else {
                $Cmdlet.WriteDebug("OfflineSeed engine sent an event of unknown type '$type': $line")
            }
        }

        # stdout is closed: the engine is exiting. Keep waiting in short steps so Ctrl+C still works.
        $waited = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not $process.WaitForExit(200)) {
            if ($waited.ElapsedMilliseconds -ge 10000) { break }
        }
        if ($process.HasExited) { $processExitCode = $process.ExitCode }
        if ($null -ne $stderrTask -and $stderrTask.Wait(2000)) { $stderrText = [string]$stderrTask.Result }
        $Cmdlet.WriteDebug(('OfflineSeed engine finished: done exit code {0}, process exit code {1}' -f $doneExitCode, $processExitCode))
    } finally {
        # .NET method calls only from here on: cmdlets can silently do nothing once the pipeline stops.
        if ($null -ne $process) {
            try {
                if (-not $process.HasExited) {
                    try {
                        $cancelLine = $utf8.GetBytes('{"type":"cancel"}' + "`n")
                        $process.StandardInput.BaseStream.Write($cancelLine, 0, $cancelLine.Length)
                        $process.StandardInput.BaseStream.Flush()
                    } catch {
                        $null = $_
                    }
                    try { $process.StandardInput.Close() } catch { $null = $_ }
                    if (-not $process.WaitForExit(5000)) {
                        $killTree = $process.GetType().GetMethod('Kill', [System.Type[]]@([bool]))
                        if ($null -ne $killTree) {
                            $process.Kill($true)
                        } else {
                            $process.Kill()
                        }
                        $null = $process.WaitForExit(5000)
                    }
                }
            } catch {
                $null = $_
            }
            try { $process.Dispose() } catch { $null = $_ }
        }
        for ($index = $barOrder.Count - 1; $index -ge 0; $index--) {
            $bar = $bars[[string]$barOrder[$index]]
            if ($bar.Completed) { continue }
            try {
                $closing = [System.Management.Automation.ProgressRecord]::new($bar.Id, $bar.Activity, $bar.Status)
                if ($bar.ParentId -ge 0 -and $bar.ParentId -ne $bar.Id) { $closing.ParentActivityId = $bar.ParentId }
                $closing.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
                $Cmdlet.WriteProgress($closing)
            } catch {
                $null = $_
            }
        }
    }

    if ($null -ne $terminatingEvent) {
        $errorId = [string](Get-OfflineSeedEventValue -InputObject $terminatingEvent -Name 'errorId' -Default 'OfflineSeed.EngineError')
        $crashText = ''
        if ($errorId -eq 'OfflineSeed.InternalError') { $crashText = $stderrText }
        elseif ($stderrText.Trim().Length -gt 0) { $Cmdlet.WriteDebug("OfflineSeed engine stderr: $stderrText") }
        $failure = ConvertTo-OfflineSeedErrorRecord -ErrorId $errorId `
            -Category ([string](Get-OfflineSeedEventValue -InputObject $terminatingEvent -Name 'category' -Default 'NotSpecified')) `
            -Message ([string](Get-OfflineSeedEventValue -InputObject $terminatingEvent -Name 'message' -Default 'The engine reported an error.')) `
            -TargetObject (Get-OfflineSeedEventValue -InputObject $terminatingEvent -Name 'targetObject') `
            -RecommendedAction ([string](Get-OfflineSeedEventValue -InputObject $terminatingEvent -Name 'recommendedAction' -Default '')) `
            -CrashText $crashText
        if ($FailureIsNonTerminating) {
            $Cmdlet.WriteError($failure)
            return
        }
        $Cmdlet.ThrowTerminatingError($failure)
    }

    if ($null -eq $doneExitCode -or $doneExitCode -ne 0) {
        if ($null -eq $doneExitCode) {
            $what = 'The OfflineSeed engine stopped before it finished its reply (no done event; process exit code {0}).' -f $processExitCode
        } else {
            $what = 'The OfflineSeed engine ended with exit code {0} without reporting an error.' -f $doneExitCode
        }
        $crash = $stderrText
        if ($noise.Length -gt 0) { $crash = $crash + [System.Environment]::NewLine + 'stdout: ' + $noise.ToString() }
        $crashed = ConvertTo-OfflineSeedErrorRecord -ErrorId 'OfflineSeed.EngineCrashed' -Category 'NotSpecified' -Message $what `
            -TargetObject $Command -CrashText $crash `
            -RecommendedAction 'Run the command again with -Debug; if it fails again, report it together with the engine error output above.'
        $Cmdlet.ThrowTerminatingError($crashed)
    }

    if ($stderrText.Trim().Length -gt 0) { $Cmdlet.WriteDebug("OfflineSeed engine stderr: $stderrText") }
}
