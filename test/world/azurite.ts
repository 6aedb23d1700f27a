/**
 * Azurite's Blob service for tests: spawned from node_modules on Node 24 (azurite 3.37 needs ≥ 22;
 * `require('azurite')` fails, its main is the VS Code extension), on a free port (--blobPort 0, the
 * port read from the "successfully listens on" line), with a temporary --location (the Loki metadata
 * store: page blobs need it), --skipApiVersionCheck (storage-blob 12.34 sends a newer version than
 * Azurite knows), --loose, --silent, --disableTelemetry.
 *
 * Accounts: by default the well-known devstoreaccount1; with `accounts`, AZURITE_ACCOUNTS serves
 * those instead (so blob URLs name a realistic account, e.g. http://127.0.0.1:<port>/seedstore).
 * With `https` (a TestCertificates), Azurite serves TLS and `--oauth basic`, so bearer tokens from the
 * test token service (issuer https://sts.windows.net/<tenant>/, audience https://storage.azure.com)
 * are accepted alongside Shared Key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestCertificates } from './certs.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export const DEVSTORE_ACCOUNT = 'devstoreaccount1';
export const DEVSTORE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface StorageAccount {
  name: string;
  /** Base64 account key. */
  key: string;
}

export interface AzuriteOptions {
  accounts?: StorageAccount[];
  https?: TestCertificates;
  /** Milliseconds to wait for the listening line (default 20 s). */
  startTimeoutMs?: number;
}

export interface Azurite {
  /** http(s)://127.0.0.1:<port> */
  origin: string;
  port: number;
  accounts: StorageAccount[];
  /** Blob endpoint of an account: <origin>/<account>. */
  blobEndpoint(account?: string): string;
  /** Connection string for an account (the first one by default). */
  connectionString(account?: string): string;
  /** Template for engines: <origin>/{account}. */
  endpointTemplate: string;
  location: string;
  /** The running Azurite process (a new one after resume()). */
  process: ChildProcess;
  /** Output Azurite printed (for failure messages). */
  output(): string;
  /** Fault tests: stops the service (SIGTERM) but keeps its storage; connections are refused until resume(). */
  halt(): Promise<void>;
  /** Starts it again on the same port over the same storage. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** Node 24 from node_modules when present (the repository's pinned runtime), else this process's Node. */
export function nodeExecutable(): string {
  const pinned = join(repoRoot, 'node_modules', '.bin', 'node');
  return existsSync(pinned) ? pinned : process.execPath;
}

interface Spawned {
  child: ChildProcess;
  origin: string;
  exited: Promise<void>;
}

/** One Azurite process on `port` (0: a free one) over the metadata and blobs in `location`. */
async function spawnAzurite(options: AzuriteOptions, accounts: StorageAccount[], location: string, port: number, log: (text: string) => void): Promise<Spawned> {
  const args = [
    join(repoRoot, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'),
    '--blobHost', '127.0.0.1',
    '--blobPort', String(port),
    '--location', location,
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--loose',
    '--silent',
  ];
  if (options.https) args.push('--cert', options.https.certPath, '--key', options.https.keyPath, '--oauth', 'basic');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.AZURITE_DB; // the SQL store has no page blobs
  if (options.accounts && options.accounts.length > 0) env.AZURITE_ACCOUNTS = accounts.map((a) => `${a.name}:${a.key}`).join(';');
  else delete env.AZURITE_ACCOUNTS;
  const child = spawn(nodeExecutable(), args, { cwd: location, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Azurite did not start within ${options.startTimeoutMs ?? 20000} ms:\n${output}`)), options.startTimeoutMs ?? 20000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        log(chunk.toString());
        const m = /successfully listens on (https?:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        log(chunk.toString());
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited (code ${code}) before listening:\n${output}`));
      });
    });
    return { child, origin, exited };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

/** SIGTERM (Azurite saves its metadata), SIGKILL after 5 s. */
async function terminate(spawned: Spawned): Promise<void> {
  const child = spawned.child;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await spawned.exited;
    clearTimeout(timer);
  }
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const accounts = options.accounts && options.accounts.length > 0 ? options.accounts : [{ name: DEVSTORE_ACCOUNT, key: DEVSTORE_KEY }];
  const location = mkdtempSync(join(tmpdir(), 'offlineseed-azurite-'));
  let output = '';
  const log = (text: string): void => {
    output += text;
  };
  let current: Spawned | undefined;
  // If the test process ends without stop() (a crash in a hook), do not leave Azurite running.
  const killOnExit = (): void => {
    current?.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const cleanup = (): void => rmSync(location, { recursive: true, force: true });
  try {
    current = await spawnAzurite(options, accounts, location, 0, log);
  } catch (error) {
    process.removeListener('exit', killOnExit);
    cleanup();
    throw error;
  }
  const origin = current.origin;
  const port = Number(new URL(origin).port);
  const find = (name?: string): StorageAccount => {
    const account = name === undefined ? accounts[0]! : accounts.find((a) => a.name === name);
    if (!account) throw new Error(`Azurite serves no account '${name}' (accounts: ${accounts.map((a) => a.name).join(', ')})`);
    return account;
  };
  let stopped: Promise<void> | undefined;
  const azurite: Azurite = {
    origin,
    port,
    accounts,
    blobEndpoint: (name) => `${origin}/${find(name).name}`,
    connectionString: (name) => {
      const a = find(name);
      return `DefaultEndpointsProtocol=${origin.startsWith('https') ? 'https' : 'http'};AccountName=${a.name};AccountKey=${a.key};BlobEndpoint=${origin}/${a.name};`;
    },
    endpointTemplate: `${origin}/{account}`,
    location,
    process: current.child,
    output: () => output,
    halt: async () => {
      if (current !== undefined) await terminate(current);
    },
    resume: async () => {
      if (current !== undefined && current.child.exitCode === null && current.child.signalCode === null) return;
      // Same port and location: clients keep their endpoint and find every blob committed before the halt.
      current = await spawnAzurite(options, accounts, location, port, log);
      azurite.process = current.child;
    },
    stop: () => {
      stopped ??= (async () => {
        process.removeListener('exit', killOnExit);
        if (current !== undefined) await terminate(current);
        cleanup();
      })();
      return stopped;
    },
  };
  return azurite;
}
