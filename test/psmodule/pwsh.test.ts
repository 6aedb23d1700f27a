/**
 * The module in a real PowerShell, against the built engine: stream mapping, type names, -WhatIf as a
 * dry run, errors, secrets, cancellation, and a small stage -> check -> list -> restore round trip.
 * Runs only where pwsh is installed (on PATH, or ~/.dotnet/tools/pwsh from `dotnet tool install
 * --global PowerShell`); elsewhere every test is reported as skipped. Each test starts
 * `pwsh -NoProfile -NonInteractive -File <script>` and reads one JSON summary line the script prints;
 * streams are captured exactly through [powershell]::Create() and its Streams collections.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPwsh, psQuote } from '../helpers/pwsh.ts';
import { builtEngine, repoRoot } from '../helpers/engine.ts';

const pwsh = findPwsh();
const it = pwsh === undefined ? test.skip : test;
const manifest = join(repoRoot, 'OfflineSeed.psd1');
const work = mkdtempSync(join(tmpdir(), 'offlineseed-pwsh-'));

/** Runs a PowerShell script; it must print one line "@@RESULT@@<json>". */
function runPwsh(script: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Record<string, unknown> {
  const file = join(work, `script-${Math.random().toString(36).slice(2)}.ps1`);
  const preamble = [
    "$ErrorActionPreference = 'Stop'",
    `$manifest = ${psQuote(manifest)}`,
    // Captures everything one command writes, stream by stream, in a fresh runspace.
    'function Invoke-Captured([string] $Command) {',
    '    $ps = [powershell]::Create()',
    "    $null = $ps.AddScript(\"Import-Module '$manifest' -Force; $Command\")",
    '    $output = @()',
    '    $thrown = $null',
    '    $thrownRecord = $null',
    '    try { $output = @($ps.Invoke()) } catch {',
    '        $thrown = $_.Exception',
    // Invoke() wraps what the command threw; the record wanted is the innermost OfflineSeed one.
    '        for ($e = $_.Exception; $null -ne $e; $e = $e.InnerException) {',
    "            if ($null -ne $e.PSObject.Properties['ErrorRecord'] -and $null -ne $e.ErrorRecord -and $e.ErrorRecord.FullyQualifiedErrorId -like 'OfflineSeed.*') { $thrownRecord = $e.ErrorRecord; $thrown = $e }",
    '        }',
    '    }',
    '    [ordered]@{',
    '        output      = @($output | ForEach-Object { [ordered]@{ typeNames = @($_.PSObject.TypeNames); properties = @($_.PSObject.Properties | ForEach-Object { $_.Name }); json = ($_ | ConvertTo-Json -Depth 5 -Compress) } })',
    '        verbose     = @($ps.Streams.Verbose | ForEach-Object { $_.Message })',
    '        warning     = @($ps.Streams.Warning | ForEach-Object { $_.Message })',
    '        information = @($ps.Streams.Information | ForEach-Object { [ordered]@{ message = [string]$_.MessageData; tags = @($_.Tags) } })',
    '        debug       = @($ps.Streams.Debug | ForEach-Object { $_.Message })',
    '        errors      = @($ps.Streams.Error | ForEach-Object { [ordered]@{ id = $_.FullyQualifiedErrorId; category = [string]$_.CategoryInfo.Category; target = [string]$_.TargetObject; recommended = [string]$_.ErrorDetails.RecommendedAction; exception = $_.Exception.GetType().FullName; message = $_.Exception.Message } })',
    '        progress    = @($ps.Streams.Progress | ForEach-Object { [ordered]@{ id = $_.ActivityId; parent = $_.ParentActivityId; type = [string]$_.RecordType; percent = $_.PercentComplete; activity = $_.Activity } })',
    '        thrown      = if ($null -eq $thrownRecord) { $null } else { [ordered]@{ id = $thrownRecord.FullyQualifiedErrorId; category = [string]$thrownRecord.CategoryInfo.Category; recommended = [string]$thrownRecord.ErrorDetails.RecommendedAction; exception = $thrownRecord.Exception.GetType().FullName; message = $thrownRecord.Exception.Message } }',
    '        thrownType  = if ($null -eq $thrown) { $null } else { $thrown.GetType().FullName }',
    '    }',
    '    $ps.Dispose()',
    '}',
  ].join('\n');
  writeFileSync(file, `${preamble}\n${script}\n`, 'utf8');
  const engineEnv = existsSync(builtEngine) ? { OFFLINESEED_ENGINE_PATH: builtEngine } : {};
  const run = spawnSync(pwsh!, ['-NoProfile', '-NonInteractive', '-File', file], {
    cwd: work,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, ...engineEnv, ...env },
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (line === undefined) throw new Error(`pwsh printed no result (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line.slice('@@RESULT@@'.length)) as Record<string, unknown>;
}

interface Captured {
  output: { typeNames: string[]; properties: string[]; json: string }[];
  verbose: string[];
  warning: string[];
  information: { message: string; tags: string[] }[];
  debug: string[];
  errors: { id: string; category: string; target: string; recommended: string; exception: string; message: string }[];
  progress: { id: number; parent: number; type: string; percent: number; activity: string }[];
  thrown: { id: string; category: string; recommended: string; exception: string; message: string } | null;
  thrownType: string | null;
}

function captured(command: string, env: NodeJS.ProcessEnv = {}): Captured {
  return runPwsh(`'@@RESULT@@' + ((Invoke-Captured ${psQuote(command)}) | ConvertTo-Json -Depth 8 -Compress)`, env) as unknown as Captured;
}

it('Test-OfflineSeedEngine maps every event kind to its stream and types its output', () => {
  const run = captured("Test-OfflineSeedEngine -Message 'hello' -Verbose -Debug -InformationAction Continue -ErrorAction Continue");
  assert.is(run.thrown, null, JSON.stringify(run.thrown));
  assert.is(run.output.length, 1);
  assert.is(run.output[0]!.typeNames[0], 'OfflineSeed.EngineEcho');
  assert.equal(run.output[0]!.properties, ['Message', 'HeldMs', 'Cancelled']);
  assert.equal(JSON.parse(run.output[0]!.json).Message, 'hello');
  assert.ok(run.verbose.includes('verbose: hello'), JSON.stringify(run.verbose));
  assert.ok(run.warning.includes('warning: hello'), JSON.stringify(run.warning));
  const info = run.information.find((i) => i.message === 'information: hello');
  assert.ok(info, JSON.stringify(run.information));
  assert.ok(info.tags.includes('OfflineSeed'));
  assert.ok(run.debug.includes('debug: hello'), JSON.stringify(run.debug));
  assert.ok(run.debug.some((d) => d.includes('"command":"diagnostics.echo"') && d.includes('"dryRun":false')), 'the request trace is on the debug stream');
  assert.is(run.errors.length, 1, JSON.stringify(run.errors));
  const error = run.errors[0]!;
  assert.ok(error.id.startsWith('OfflineSeed.DiagnosticsNonTerminating'), error.id);
  assert.ok(error.id.endsWith(',Test-OfflineSeedEngine'), `written as the cmdlet: ${error.id}`);
  assert.is(error.category, 'InvalidData');
  assert.is(error.target, 'hello');
  assert.is(error.recommended, 'Nothing to do: this error is part of the diagnostics.');
  assert.is(error.exception, 'System.IO.InvalidDataException');
  const ids = [...new Set(run.progress.map((p) => p.id))].sort();
  assert.equal(ids, [1, 2]);
  for (const id of ids) assert.is(run.progress.filter((p) => p.id === id).at(-1)!.type, 'Completed', `bar ${id} is completed`);
  assert.ok(run.progress.some((p) => p.id === 2 && p.parent === 1), 'the inner bar is nested');
});

it('-WhatIf sends dryRun: true and still runs the engine', () => {
  const run = captured("Test-OfflineSeedEngine -Message 'plan' -WhatIf -Debug -ErrorAction SilentlyContinue");
  assert.ok(run.debug.some((d) => d.includes('"dryRun":true')), JSON.stringify(run.debug));
  assert.is(run.output.length, 1, 'the engine answered the dry run');
  assert.is(run.output[0]!.typeNames[0], 'OfflineSeed.EngineEcho');
  const plan = run.information.find((i) => i.message === 'information: plan');
  assert.ok(plan, JSON.stringify(run.information));
  assert.ok(plan.tags.includes('WhatIf') && plan.tags.includes('PSHOST'), 'dry-run information is shown like What if: lines');
});

it('a terminating engine error becomes a terminating ErrorRecord with the engine errorId', () => {
  const run = captured('Test-OfflineSeedEngine -Fail -ErrorAction SilentlyContinue');
  assert.ok(run.thrown, `no terminating error (${run.thrownType})`);
  assert.ok(run.thrown.id.startsWith('OfflineSeed.DiagnosticsFailure'), run.thrown.id);
  assert.is(run.thrown.id, 'OfflineSeed.DiagnosticsFailure,Test-OfflineSeedEngine');
  assert.is(run.thrown.category, 'InvalidOperation');
  assert.is(run.thrown.exception, 'System.InvalidOperationException');
  assert.is(run.thrown.recommended, 'Nothing to do: the failure was requested.');
  assert.is(run.output.length, 0);
});

it('-ErrorAction Stop on -Fail throws an OfflineSeed.Diagnostics* error and leaves no engine running', () => {
  // diagnostics.echo writes a non-terminating error before it fails; under -ErrorAction Stop PowerShell
  // stops at the first error of either kind, so that is the one thrown, and the engine is cancelled.
  const result = runPwsh([
    'Import-Module $manifest -Force',
    '$id = $null',
    'try { Test-OfflineSeedEngine -Fail -Debug -ErrorAction Stop 5>$null } catch { $id = $_.FullyQualifiedErrorId }',
    '$engines = @(Get-Process -ErrorAction SilentlyContinue | Where-Object { $_.Parent.Id -eq $PID -and $_.ProcessName -like "*offlineseed*" })',
    "'@@RESULT@@' + ([ordered]@{ id = $id; engines = $engines.Count } | ConvertTo-Json -Compress)",
  ].join('\n'));
  assert.match(String(result.id), /^OfflineSeed\.Diagnostics(Failure|NonTerminating),Test-OfflineSeedEngine$/);
  assert.is(result.engines, 0);
});

it('stopping the pipeline cancels the engine: no offlineseed-engine process is left', () => {
  const result = runPwsh([
    '$ps = [powershell]::Create()',
    "$null = $ps.AddScript(\"Import-Module '$manifest' -Force; Test-OfflineSeedEngine -HoldMs 60000 -Debug\")",
    '$async = $ps.BeginInvoke()',
    '$enginePid = $null',
    '$deadline = [DateTime]::UtcNow.AddSeconds(60)',
    'while ([DateTime]::UtcNow -lt $deadline) {',
    '    for ($i = 0; $i -lt $ps.Streams.Debug.Count; $i++) { if ($ps.Streams.Debug[$i].Message -match "process id (\\d+)") { $enginePid = [int]$Matches[1] } }',
    '    $holding = $false',
    '    for ($i = 0; $i -lt $ps.Streams.Progress.Count; $i++) { if ($ps.Streams.Progress[$i].StatusDescription -eq "holding") { $holding = $true } }',
    '    if ($null -ne $enginePid -and $holding) { break }',
    '    Start-Sleep -Milliseconds 100',
    '}',
    '$aliveBefore = $null -ne $enginePid -and $null -ne (Get-Process -Id $enginePid -ErrorAction SilentlyContinue)',
    '$watch = [System.Diagnostics.Stopwatch]::StartNew()',
    '$ps.Stop()',
    '$stopSeconds = $watch.Elapsed.TotalSeconds',
    'Start-Sleep -Milliseconds 500',
    '$aliveAfter = $null -ne $enginePid -and $null -ne (Get-Process -Id $enginePid -ErrorAction SilentlyContinue)',
    "'@@RESULT@@' + ([ordered]@{ enginePid = $enginePid; aliveBefore = $aliveBefore; aliveAfter = $aliveAfter; stopSeconds = $stopSeconds; state = [string]$ps.InvocationStateInfo.State; completed = $async.IsCompleted } | ConvertTo-Json -Compress)",
  ].join('\n'));
  assert.type(result.enginePid, 'number', JSON.stringify(result));
  assert.is(result.aliveBefore, true, 'the engine was running');
  assert.is(result.aliveAfter, false, 'the engine process is gone');
  assert.is(result.state, 'Stopped');
  assert.ok((result.stopSeconds as number) < 15, `stopping took ${result.stopSeconds} s`);
});

it('Get-OfflineSeedEngineVersion returns an OfflineSeed.EngineVersion', () => {
  const run = captured('Get-OfflineSeedEngineVersion');
  assert.is(run.thrown, null, JSON.stringify(run.thrown));
  assert.is(run.output[0]!.typeNames[0], 'OfflineSeed.EngineVersion');
  const version = JSON.parse(run.output[0]!.json) as { Engine: string; Protocol: number };
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.is(version.Engine, pkg.version);
  assert.is(version.Protocol, 1);
});

it('an engine that cannot be found, and one that crashes, are reported with stable error ids', () => {
  const missing = captured('Get-OfflineSeedEngineVersion', { OFFLINESEED_ENGINE_PATH: join(work, 'no-such-engine') });
  assert.is(missing.thrown?.id, 'OfflineSeed.EngineNotFound,Get-OfflineSeedEngineVersion');
  const crasher = join(work, 'crash.js');
  writeFileSync(crasher, "process.stderr.write('boom: the engine fell over\\n'); process.exit(5);\n");
  const crashed = captured('Get-OfflineSeedEngineVersion', { OFFLINESEED_ENGINE_PATH: crasher });
  assert.is(crashed.thrown?.id, 'OfflineSeed.EngineCrashed,Get-OfflineSeedEngineVersion');
  assert.match(crashed.thrown!.message, /boom: the engine fell over/);
});

it('stage, check, list, restore: SecureString passwords reach the engine intact and never appear in any stream', () => {
  const source = join(work, 'source');
  mkdirSync(join(source, 'sub'), { recursive: true });
  writeFileSync(join(source, 'a.txt'), 'alpha\n'.repeat(1000));
  writeFileSync(join(source, 'sub', 'b.bin'), Buffer.alloc(70_000, 7));
  const staging = join(work, 'staging');
  const target = join(work, 'restored');
  // Quote, backslash, non-ASCII and a control character: every JSON escape path of the secret writer.
  const password = `'pa"ss\\w' + [char]0xF6 + 'rd' + [char]0x2713 + [char]9 + 'x'`;
  const result = runPwsh([
    'Import-Module $manifest -Force',
    `$plain = ${password}`,
    '$secure = ConvertTo-SecureString -String $plain -AsPlainText -Force',
    `$wrong = ConvertTo-SecureString -String 'not the password' -AsPlainText -Force`,
    '$seen = [System.Collections.Generic.List[string]]::new()',
    `$stage = Start-OfflineSeed -Path ${psQuote(source)} -StagingPath ${psQuote(staging)} -JobName pwsh-test -StorageAccountName stpwshtest -ContainerName seed -Password $secure -Verbose -Debug -InformationVariable info 4>&1 5>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord] -or $_ -is [System.Management.Automation.DebugRecord]) { $seen.Add($_.Message) } else { $_ } }`,
    '$info | ForEach-Object { $seen.Add([string]$_.MessageData) }',
    `$seed = Get-OfflineSeed -StagingPath ${psQuote(staging)}`,
    // A path without a seed is a non-terminating error: the other paths of the pipeline are still read.
    `$seeds = @(${psQuote(join(work, 'no-seed-here'))}, ${psQuote(staging)} | Get-OfflineSeed -ErrorVariable seedErrors -ErrorAction SilentlyContinue)`,
    '$check = $seed | Test-OfflineSeed -Password $secure -ReadData',
    '$snapshots = @($seed | Get-OfflineSeedSnapshot -Password $secure)',
    `$restore = $snapshots | Restore-OfflineSeed -Password $secure -TargetPath ${psQuote(target)}`,
    '$wrongId = $null',
    'try { $seed | Get-OfflineSeedSnapshot -Password $wrong -ErrorAction Stop | Out-Null } catch { $wrongId = $_.FullyQualifiedErrorId; $seen.Add($_.Exception.Message) }',
    "'@@RESULT@@' + ([ordered]@{",
    '    stageType = $stage.PSObject.TypeNames[0]; snapshotId = $stage.SnapshotId; files = $stage.Files',
    '    seedType = $seed.PSObject.TypeNames[0]; state = $seed.State; jobName = $seed.JobName',
    '    checkType = $check.PSObject.TypeNames[0]; ok = $check.Ok',
    '    snapshotType = $snapshots[0].PSObject.TypeNames[0]; snapshotCount = $snapshots.Count; snapshotRepository = $snapshots[0].Repository; listedId = $snapshots[0].Id',
    '    restoreType = $restore.PSObject.TypeNames[0]; restoredFiles = $restore.Files',
    '    wrongId = $wrongId',
    '    seedsRead = $seeds.Count; seedErrorIds = @($seedErrors | ForEach-Object { $_.FullyQualifiedErrorId })',
    '    leaked = @($seen | Where-Object { $_.Contains($plain) }).Count',
    '    redacted = @($seen | Where-Object { $_.Contains(\'"password":"***"\') }).Count',
    '} | ConvertTo-Json -Compress)',
  ].join('\n'));
  assert.is(result.stageType, 'OfflineSeed.StageResult');
  assert.is(result.files, 2);
  assert.is(result.seedType, 'OfflineSeed.Seed');
  assert.is(result.jobName, 'pwsh-test');
  assert.is(result.checkType, 'OfflineSeed.CheckResult');
  assert.is(result.ok, true);
  assert.is(result.snapshotType, 'OfflineSeed.Snapshot');
  assert.is(result.snapshotCount, 1);
  assert.is(result.listedId, result.snapshotId);
  assert.type(result.snapshotRepository, 'string');
  assert.is(result.restoreType, 'OfflineSeed.RestoreResult');
  assert.is(result.restoredFiles, 2);
  assert.ok(existsSync(target), 'the target folder was created');
  assert.match(String(result.wrongId), /^OfflineSeed\.WrongPassword,Get-OfflineSeedSnapshot$/);
  assert.is(result.seedsRead, 1);
  assert.equal(result.seedErrorIds, ['OfflineSeed.SeedNotFound,Get-OfflineSeed']);
  assert.is(result.leaked, 0, 'the password appeared in a stream');
  assert.ok((result.redacted as number) >= 1, 'the debug trace shows the password as ***');
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
