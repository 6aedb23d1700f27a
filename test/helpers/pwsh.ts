/**
 * Real PowerShell for the tests that need it: where pwsh is (PATH, or the .NET global tool), or
 * undefined, in which case those tests skip. pwsh cannot be installed on every machine the suite runs on.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { builtEngine, repoRoot } from './engine.ts';

export function findPwsh(): string | undefined {
  const name = process.platform === 'win32' ? 'pwsh.exe' : 'pwsh';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  const tool = join(homedir(), '.dotnet', 'tools', name);
  return existsSync(tool) ? tool : undefined;
}

/** A PowerShell single-quoted string literal. */
export function psQuote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A module script's run: its "@@RESULT@@<json>" line parsed, and everything it printed. */
export interface ModuleScriptRun {
  result: Record<string, unknown>;
  /** stdout and stderr together. */
  printed: string;
  /** The same without the result line (where secrets that belong in a result may not appear). */
  printedOutsideResult: string;
}

/**
 * Runs a script in pwsh with the repository's module imported and $ErrorActionPreference Stop, with the
 * built engine when there is one; the script ends by printing "@@RESULT@@<json>".
 */
export function runModuleScript(pwsh: string, options: { work: string; script: string; env: NodeJS.ProcessEnv; prelude?: string }): ModuleScriptRun {
  const file = join(options.work, `script-${Math.random().toString(36).slice(2)}.ps1`);
  writeFileSync(file, `$ErrorActionPreference = 'Stop'\nImport-Module ${psQuote(join(repoRoot, 'OfflineSeed.psd1'))} -Force\n${options.prelude ?? ''}${options.script}\n`, 'utf8');
  const run = spawnSync(pwsh, ['-NoProfile', '-NonInteractive', '-File', file], {
    cwd: options.work,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, ...options.env, XDG_CONFIG_HOME: join(options.work, 'config'), ...(existsSync(builtEngine) ? { OFFLINESEED_ENGINE_PATH: builtEngine } : {}) },
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (line === undefined) throw new Error(`pwsh printed no result (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  const printed = `${run.stdout}${run.stderr}`;
  return { result: JSON.parse(line.slice('@@RESULT@@'.length)) as Record<string, unknown>, printed, printedOutsideResult: printed.replace(line, '') };
}
