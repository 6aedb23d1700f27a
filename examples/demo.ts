/**
 * npm run demo: OfflineSeed's main job on a built-in example, no Azure account needed. Makes a small
 * dataset (text that compresses, random data, a duplicate, many small files, odd names), then runs the
 * engine as a person would: stage the seed, check every byte, let restic (the independent oracle)
 * check it too, restore it and compare with the source. Leaves no process running.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const engine = join(root, 'dist', process.platform === 'win32' ? 'offlineseed-engine.exe' : 'offlineseed-engine');
const work = mkdtempSync(join(tmpdir(), 'offlineseed-demo-'));
const source = join(work, 'server-data');
const staging = join(work, 'staging');
const restored = join(work, 'restored');
const password = randomBytes(18).toString('base64url');
const env = { ...process.env, OFFLINESEED_PASSWORD: password, RESTIC_PASSWORD: password };
const started = Date.now();

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

function run(args: string[], what: string): string {
  const r = spawnSync(engine, args, { env, encoding: 'utf8', stdio: ['inherit', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status})`);
  return r.stdout;
}

function field(output: string, name: string): string {
  return new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(output)?.[1]?.trim() ?? '?';
}

function makeExample(dir: string): void {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'databases'), { recursive: true });
  mkdirSync(join(dir, 'documents', 'small'), { recursive: true });
  for (let i = 0; i < 6; i++) {
    const lines: string[] = [];
    for (let n = 0; n < 60_000; n++) lines.push(`2026-11-${String(1 + (n % 28)).padStart(2, '0')} INFO worker-${(n * 7 + i) % 8} request ${n * (i + 3)} served in ${(n * i) % 97} ms`);
    writeFileSync(join(dir, 'logs', `app-${i}.log`), lines.join('\n'));
  }
  const db = randomBytes(24 * 1024 * 1024);
  writeFileSync(join(dir, 'databases', 'sales.mdf'), db);
  writeFileSync(join(dir, 'databases', 'sales-copy.mdf'), db);
  for (let i = 0; i < 500; i++) writeFileSync(join(dir, 'documents', 'small', `note-${i}.txt`), `note ${i}\n`.repeat(1 + (i % 200)));
  writeFileSync(join(dir, 'documents', 'Quarterly report – Ünïcode.txt'), 'names are kept exactly\n');
  writeFileSync(join(dir, 'documents', 'empty.txt'), '');
}

function digestTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

try {
  if (!existsSync(engine)) throw new Error(`${engine} is missing: run npm run build`);
  step('Example data');
  makeExample(source);
  process.stdout.write(`created ${source}\n`);

  step('1. Stage the seed (Start-OfflineSeed): compressed, deduplicated, encrypted restic repository');
  const staged = run(['seed', 'start', '--source', source, '--staging', staging, '--job-name', 'demo-seed', '--storage-account', 'demostorage', '--container', 'seed', '--prefix', 'server01'], 'staging');

  step('Where the seed stands (Get-OfflineSeed)');
  run(['seed', 'get', '--staging', staging], 'seed get');

  step('2. Check every byte (Test-OfflineSeed -ReadData)');
  run(['repo', 'check', '--repo', staging, '--read-data'], 'check');

  step('3. The independent oracle: restic check --read-data');
  const restic = spawnSync('restic', ['-r', join(staging, 'repository'), '--no-cache', 'check', '--read-data'], { env, encoding: 'utf8' });
  const resticOk = restic.status === 0 && /no errors were found/.test(restic.stdout);
  process.stdout.write(restic.error !== undefined ? 'restic is not installed (bash build/setup.sh installs it)\n' : restic.stdout.split('\n').slice(-3).join('\n') + '\n');

  step('4. Restore and compare with the source (Restore-OfflineSeed)');
  run(['restore', 'run', '--repo', staging, '--target', restored], 'restore');
  const want = digestTree(source);
  const got = digestTree(join(restored, source));
  const same = want.size === got.size && [...want].every(([k, v]) => got.get(k) === v);

  step('Summary');
  process.stdout.write([
    `files staged        : ${field(staged, 'files')}`,
    `bytes read          : ${field(staged, 'bytesRead')}`,
    `bytes stored        : ${field(staged, 'bytesStored')}`,
    `dedup ratio         : ${field(staged, 'dedupRatio')}`,
    `compression ratio   : ${field(staged, 'compressionRatio')}`,
    `restic check        : ${resticOk ? 'no errors' : restic.error !== undefined ? 'skipped (restic missing)' : 'FAILED'}`,
    `restore equals data : ${same ? 'yes, every file' : 'NO'}`,
    `took                : ${((Date.now() - started) / 1000).toFixed(1)} s`,
    '',
  ].join('\n'));
  if (!same || (!resticOk && restic.error === undefined)) process.exitCode = 1;
} catch (error) {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
