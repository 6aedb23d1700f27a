/**
 * Real PowerShell for the tests that need it: where pwsh is (PATH, or the .NET global tool), or
 * undefined, in which case those tests skip. pwsh cannot be installed on every machine the suite runs on.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

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
