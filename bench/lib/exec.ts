/** Unmeasured helper commands (generation, copies, checks): output kept in memory, failures thrown. */
import { spawn } from 'node:child_process';

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('exec: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like exec, but a non-zero exit is an error carrying the end of stderr. */
export async function execOk(argv: readonly string[], options: ExecOptions = {}): Promise<string> {
  const result = await exec(argv, options);
  if (result.code !== 0) {
    throw new Error(`${argv.join(' ')} exited ${result.code}: ${tail(result.stderr || result.stdout)}`);
  }
  return result.stdout;
}

export function tail(text: string, lines = 5): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** True when `name` is an executable on PATH (or an existing path). */
export async function hasCommand(name: string): Promise<boolean> {
  const result = await exec(['sh', '-c', 'command -v "$1"', 'sh', name]).catch(() => undefined);
  return result?.code === 0;
}
