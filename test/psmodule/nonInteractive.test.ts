/**
 * The non-interactive contract, in a real `pwsh -NonInteractive` (skipped where pwsh is missing, as
 * the other pwsh tests): every exported cmdlet, called with its mandatory parameters,
 * -Confirm:$false and -Force where it has one, under $ConfirmPreference = 'Low' (so anything that
 * could ask would), either completes or fails with an ErrorRecord - never with PowerShell's
 * "NonInteractive mode" prompt error. And the packaged module refuses an engine whose SHA-256 is not
 * the one in its manifest (OfflineSeed.EngineHashMismatch) while the untouched package runs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packageModule } from '../../build/package.ts';
import { findPwsh, psQuote } from '../helpers/pwsh.ts';
import { builtEngine, repoRoot } from '../helpers/engine.ts';

const pwsh = findPwsh();
const it = pwsh === undefined ? test.skip : test;
if (pwsh === undefined) console.log('pwsh is not installed here: the non-interactive contract tests are skipped (they run where PowerShell is)');
const work = mkdtempSync(join(tmpdir(), 'offlineseed-noninteractive-'));

/** Runs a script with pwsh -NoProfile -NonInteractive; it prints one line @@RESULT@@<json>. */
function runPwsh(script: string, env: NodeJS.ProcessEnv): unknown {
  const file = join(work, `script-${Math.random().toString(36).slice(2)}.ps1`);
  writeFileSync(file, `$ErrorActionPreference = 'Stop'\n${script}\n`, 'utf8');
  const run = spawnSync(pwsh!, ['-NoProfile', '-NonInteractive', '-File', file], { cwd: work, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  const line = run.stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (line === undefined) throw new Error(`pwsh printed no result (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line.slice('@@RESULT@@'.length));
}

// Every mandatory parameter gets a value that passes validation, so each call reaches its engine command.
const CALL_EVERY_CMDLET = `
$manifest = ${psQuote(join(repoRoot, 'OfflineSeed.psd1'))}
$work = ${psQuote(work)}
Import-Module $manifest -Force
$ConfirmPreference = 'Low'
$secure = [System.Security.SecureString]::new()
foreach ($c in 'not-the-password'.ToCharArray()) { $secure.AppendChar($c) }
$byName = @{
    JobName = 'noninteractive-job'; ResourceGroupName = 'rg-noninteractive'; SubscriptionId = '00000000-0000-0000-0000-000000000001'
    TaskName = 'noninteractive'; CarrierName = 'FedEx'; TrackingNumber = '1234567890'; DriveLetter = 'Z'; Message = 'hello'
    StorageAccountName = 'stnoninteractive'; ContainerName = 'seed'; Location = 'West US'
}
$results = foreach ($command in @(Get-Command -Module OfflineSeed -CommandType Function | Sort-Object Name)) {
    $set = $command.ParameterSets | Where-Object { $_.IsDefault } | Select-Object -First 1
    if ($null -eq $set) { $set = $command.ParameterSets[0] }
    $arguments = @{}
    foreach ($p in @($set.Parameters | Where-Object { $_.IsMandatory })) {
        $type = $p.ParameterType
        if ($byName.ContainsKey($p.Name)) { $value = $byName[$p.Name] }
        elseif ($type -eq [System.Security.SecureString]) { $value = $secure }
        elseif ($type -eq [pscredential]) { $value = [pscredential]::new('noninteractive', $secure) }
        elseif ($type -eq [int] -or $type -eq [long] -or $type -eq [double]) { $value = 1 }
        elseif ($type -eq [string[]]) { $value = @([System.IO.Path]::Combine($work, 'missing-' + $p.Name)) }
        elseif ($type -eq [switch]) { $value = $true }
        else { $value = [System.IO.Path]::Combine($work, 'missing-' + $p.Name) }
        $arguments[$p.Name] = $value
    }
    if ($command.Parameters.ContainsKey('Confirm')) { $arguments['Confirm'] = $false }
    if ($command.Parameters.ContainsKey('Force')) { $arguments['Force'] = $true }
    if ($command.Parameters.ContainsKey('UnitDirectory')) { $arguments['UnitDirectory'] = [System.IO.Path]::Combine($work, 'units') }
    $outcome = [ordered]@{ command = $command.Name; completed = $false; id = $null; category = $null; message = $null; isRecord = $false }
    try {
        $null = & $command.Name @arguments -ErrorAction Stop
        $outcome.completed = $true
    } catch {
        $outcome.id = $_.FullyQualifiedErrorId
        $outcome.category = [string]$_.CategoryInfo.Category
        $outcome.message = $_.Exception.Message
        $outcome.isRecord = $_ -is [System.Management.Automation.ErrorRecord]
    }
    [pscustomobject]$outcome
}
'@@RESULT@@' + (ConvertTo-Json -Depth 4 -Compress -InputObject @($results))
`;

it('every cmdlet in pwsh -NonInteractive with -Confirm:$false (and -Force) under $ConfirmPreference Low: completes or fails with an ErrorRecord, never prompts', () => {
  const env = {
    ...(existsSync(builtEngine) ? { OFFLINESEED_ENGINE_PATH: builtEngine } : {}),
    XDG_CONFIG_HOME: join(work, 'config'),
    // Azure calls fail at once instead of waiting for a managed identity endpoint.
    OFFLINESEED_ARM_ENDPOINT: 'https://127.0.0.1:9', AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9',
    AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000002', AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000003', AZURE_CLIENT_SECRET: 'not-a-secret',
  };
  const results = runPwsh(CALL_EVERY_CMDLET, env) as { command: string; completed: boolean; id: string | null; category: string | null; message: string | null; isRecord: boolean }[];
  const exported = readFileSync(join(repoRoot, 'OfflineSeed.psd1'), 'utf8').match(/FunctionsToExport\s*=\s*@\(([\s\S]*?)\)/)![1]!.match(/'[^']+'/g)!.map((s) => s.slice(1, -1));
  assert.equal(results.map((r) => r.command).sort(), [...exported].sort(), 'every exported cmdlet was called');
  for (const r of results) {
    if (r.completed) continue;
    assert.ok(r.isRecord, `${r.command} failed without an ErrorRecord`);
    assert.not.match(r.message ?? '', /NonInteractive|Read and Prompt functionality/i, `${r.command} tried to prompt: ${r.message}`);
    assert.ok((r.id ?? '') !== '', `${r.command}: an error id`);
  }
});

it('a packaged module runs its engine when the SHA-256 matches the manifest, and refuses it (EngineHashMismatch, SecurityError) once a byte changes', () => {
  const out = join(work, 'package');
  mkdirSync(out, { recursive: true });
  const linuxCopy = join(work, 'offlineseed-engine');
  copyFileSync(builtEngine, linuxCopy);
  const result = packageModule({ root: repoRoot, outDir: out, engines: { 'offlineseed-engine': linuxCopy, 'offlineseed-engine.exe': linuxCopy }, zip: false });
  const script = (label: string): string => `
Import-Module ${psQuote(join(result.folder, 'OfflineSeed.psd1'))} -Force
try { $v = Get-OfflineSeedEngineVersion -ErrorAction Stop; '@@RESULT@@' + (ConvertTo-Json -Compress @{ label = '${label}'; ok = $true; version = $v.EngineVersion }) }
catch { '@@RESULT@@' + (ConvertTo-Json -Compress @{ label = '${label}'; ok = $false; id = $_.FullyQualifiedErrorId; category = [string]$_.CategoryInfo.Category; message = $_.Exception.Message }) }`;
  const env = { OFFLINESEED_ENGINE_PATH: '' };
  const engine = join(result.folder, 'bin', 'offlineseed-engine');
  // As Install-PSResource leaves it on Linux: unpacked from a .nupkg without its execute bits.
  chmodSync(engine, 0o644);
  const good = runPwsh(script('good'), env) as { ok: boolean; id?: string };
  assert.ok(good.ok, JSON.stringify(good));
  assert.ok((statSync(engine).mode & 0o100) !== 0, 'the verified engine got its execute bit back');
  const fd = openSync(engine, 'r+');
  writeSync(fd, Buffer.from([0x42]), 0, 1, 4096);
  closeSync(fd);
  const bad = runPwsh(script('bad'), env) as { ok: boolean; id?: string; category?: string; message?: string };
  assert.not.ok(bad.ok);
  assert.is(bad.id, 'OfflineSeed.EngineHashMismatch,Get-OfflineSeedEngineVersion');
  assert.is(bad.category, 'SecurityError');
  assert.match(bad.message ?? '', /SHA-256/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
