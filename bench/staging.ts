/**
 * Staging benchmark: OfflineSeed's `seed start` against restic 0.14 on the same dataset, in one run.
 *   first snapshot     restic init --repository-version 2 + backup  |  ours seed start  |  tar | zstd -3 -T2
 *   second snapshot    the generator's ~1% change applied in place, then restic backup (parent found by
 *                      host and path) and ours seed start again into the same staging (dedup across runs)
 *   restore latest     restic restore  |  ours restore run, each checked against the source with diff -r
 * Targets: staging throughput ours/restic >= 1.5, stored size ours/restic <= 1.02, peak RSS ours <= 300 MiB,
 * restore throughput ours/restic >= 1.0. While the engine lacks seed.start or restore.run, ours is
 * reported "not available" and the other cases still run.
 *
 * Environment: OFFLINESEED_BENCH_SCALE (default 1 = ~2 GiB), OFFLINESEED_BENCH_DATA, OFFLINESEED_BENCH_DROP_CACHES=1,
 * OFFLINESEED_BENCH_ENGINE (default dist/offlineseed-engine), OFFLINESEED_BENCH_THREADS (our --threads,
 * default one per core like restic), OFFLINESEED_BENCH_KEEP=1 (keep repositories and restores),
 * OFFLINESEED_BENCH_STRICT=1 (exit 1 when a target is missed), OFFLINESEED_BENCH_TIMEOUT_S (per command;
 * default 600 s x scale, at least 60 s).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { applyModify, benchScale, copyTree, datasetAt, ensureDataset, scaleDir, type Dataset } from './lib/dataset.ts';
import { dirSize } from './lib/dirSize.ts';
import { exec, hasCommand } from './lib/exec.ts';
import { fileTimestamp, resultsDir } from './lib/paths.ts';
import {
  commonEnvironment, engineCommands, engineEnv, enginePath, engineFlags, measuredRow, pageCacheMode,
  restoredRoot, runBenchmark, timed, timeoutSeconds, unavailableRow, withoutPrefix, failedRow, readText, firstLineOf, type RunContext,
} from './lib/runs.ts';
import {
  absoluteRatio, formatRatios, formatTable, mbPerSecond, relativeRatio, writeResults,
  type BenchResult, type Ratio, type Row, type Target,
} from './lib/report.ts';

const NAME = 'staging';
const PASSWORD = 'offlineseed-bench-password';
const HOST = 'bench';
const MiB = 2 ** 20;
const TARGETS = {
  stagingThroughput: { op: '>=', value: 1.5 },
  storedSize: { op: '<=', value: 1.02 },
  peakRssMiB: { op: '<=', value: 300 },
  restoreThroughput: { op: '>=', value: 1.0 },
} as const satisfies Record<string, Target>;

const CASE_FIRST = 'first snapshot';
const CASE_SECOND = 'second snapshot (1% change)';
const CASE_RESTORE = 'restore latest';
const TAR_TOOL = 'tar|zstd -3 -T2';

interface Engine {
  path: string;
  seedStart: boolean;
  restoreRun: boolean;
  /** Flags `seed start --help` lists, without the leading dashes. */
  seedStartFlags: ReadonlySet<string>;
  reason: string;
}

interface Context extends RunContext {
  scale: number;
  work: string;
  src: string;
  logDir: string;
  engine: Engine;
  resticRepo: string;
  staging: string;
  zstd: boolean;
  pageCache: string;
  timeoutSeconds: number;
}

function log(message: string): void {
  process.stderr.write(`[${NAME}] ${message}\n`);
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const scale = benchScale();
  const dataset = await ensureDataset({ scale, log });
  const ctx = await prepare(dataset, startedAt);
  log(`dataset ${dataset.dir}: ${dataset.files} files, ${(dataset.bytes / MiB).toFixed(1)} MiB; working copy ${ctx.src}`);
  log(`ours: ${ctx.engine.reason}`);
  const keep = process.env.OFFLINESEED_BENCH_KEEP === '1';
  // Interrupted runs would otherwise leave a dataset-sized copy behind under bench/.data.
  process.once('SIGINT', () => {
    if (!keep) rmSync(ctx.work, { recursive: true, force: true });
    process.exit(130);
  });
  try {
    const rows = await runCases(ctx, dataset);
    const ratios = ratiosFrom(rows);
    return report(ctx, dataset, rows, ratios, startedAt);
  } finally {
    if (keep) log(`kept ${ctx.work}`);
    else rmSync(ctx.work, { recursive: true, force: true });
  }
}

async function prepare(dataset: Dataset, startedAt: Date): Promise<Context> {
  if (!(await hasCommand('restic'))) throw new Error('restic is not installed (build/setup.sh installs the Debian package)');
  // The working copy sits at one path for both snapshots so restic finds its parent by path.
  const work = mkdtempSync(join(scaleDir(dataset.scale), 'work-'));
  const src = join(work, 'src');
  await copyTree(dataset.dir, src);
  return {
    scale: dataset.scale,
    work,
    src,
    logDir: join(resultsDir, 'logs', `${NAME}-${fileTimestamp(startedAt)}`),
    log,
    engine: await probeEngine(),
    resticRepo: join(work, 'restic-repo'),
    staging: join(work, 'staging'),
    zstd: await hasCommand('zstd'),
    pageCache: pageCacheMode(),
    timeoutSeconds: timeoutSeconds(dataset.scale),
  };
}

async function runCases(ctx: Context, base: Dataset): Promise<Row[]> {
  const firstData = { ...base, dir: ctx.src };
  const resticFirstRow = await resticFirst(ctx, firstData);
  const oursFirstRow = await oursStage(ctx, CASE_FIRST, firstData, 'first');
  const tarRow = await tarZstd(ctx, firstData);
  log('applying the 1% change to the working copy');
  await applyModify(ctx.src, ctx.scale);
  const changed = datasetAt(ctx.src, ctx.scale);
  const resticSecondRow = await resticSecond(ctx, changed);
  const oursSecondRow = await oursStage(ctx, CASE_SECOND, changed, 'second', oursFirstRow);
  const resticRestoreRow = await resticRestore(ctx, changed);
  const oursRestoreRow = await oursRestore(ctx, changed, oursSecondRow);
  const rows = [resticFirstRow, oursFirstRow, tarRow, resticSecondRow, oursSecondRow, resticRestoreRow, oursRestoreRow];
  linkRowRatios(rows);
  return rows;
}

// ---- restic -------------------------------------------------------------------------------------

function resticEnv(ctx: Context): NodeJS.ProcessEnv {
  const env = withoutPrefix(process.env, 'RESTIC_');
  return { ...env, RESTIC_PASSWORD: PASSWORD, RESTIC_REPOSITORY: ctx.resticRepo, RESTIC_CACHE_DIR: join(ctx.work, 'restic-cache') };
}

async function resticFirst(ctx: Context, data: Dataset): Promise<Row> {
  const env = resticEnv(ctx);
  const init = await timed(ctx, 'restic-init', ['restic', 'init', '--repository-version', '2'], env);
  if (init.exitCode !== 0) return failedRow(CASE_FIRST, 'restic', init, true);
  const backup = await timed(ctx, 'restic-backup-1', resticBackupArgv(ctx), env);
  const note = `init ${init.seconds.toFixed(2)} s + backup ${backup.seconds.toFixed(2)} s`;
  const row = measuredRow(CASE_FIRST, 'restic', [init, backup], data.bytes, dirSize(ctx.resticRepo).bytes, true, note);
  return row.status === 'ok' ? { ...row, phases: { init: init.seconds, backup: backup.seconds } } : row;
}

async function resticSecond(ctx: Context, data: Dataset): Promise<Row> {
  const backup = await timed(ctx, 'restic-backup-2', resticBackupArgv(ctx), resticEnv(ctx));
  const parent = /using parent snapshot (\w+)/.exec(readText(backup.stdoutPath))?.[1];
  const note = parent === undefined ? 'no parent snapshot found' : `parent ${parent}`;
  return measuredRow(CASE_SECOND, 'restic', [backup], data.bytes, dirSize(ctx.resticRepo).bytes, true, note);
}

function resticBackupArgv(ctx: Context): string[] {
  return ['restic', 'backup', '--compression', 'auto', '--host', HOST, ctx.src];
}

async function resticRestore(ctx: Context, data: Dataset): Promise<Row> {
  const target = join(ctx.work, 'restore-restic');
  const run = await timed(ctx, 'restic-restore', ['restic', 'restore', 'latest', '--target', target], resticEnv(ctx));
  const row = measuredRow(CASE_RESTORE, 'restic', [run], data.bytes, undefined, true);
  return row.status === 'ok' ? verified(ctx, row, target, 'restic') : row;
}

// ---- ours ---------------------------------------------------------------------------------------

async function probeEngine(): Promise<Engine> {
  const path = enginePath();
  const none = { path, seedStart: false, restoreRun: false, seedStartFlags: new Set<string>() };
  if (!existsSync(path)) return { ...none, reason: `not available: ${path} is missing (npm run build)` };
  const commands = await engineCommands(path);
  const seedStart = commands.has('seed.start');
  const restoreRun = commands.has('restore.run');
  const seedStartFlags = seedStart ? await engineFlags(path, ['seed', 'start']) : new Set<string>();
  const missing = [seedStart ? '' : 'seed.start', restoreRun ? '' : 'restore.run'].filter((c) => c !== '');
  const reason = missing.length === 0 ? `available (${path})` : `not available: the engine has no ${missing.join(' or ')} yet`;
  return { path, seedStart, restoreRun, seedStartFlags, reason };
}

function oursEnv(): NodeJS.ProcessEnv {
  return engineEnv(PASSWORD);
}

function seedStartArgv(ctx: Context): string[] {
  const flags = ctx.engine.seedStartFlags;
  const argv = [
    ctx.engine.path, 'seed', 'start', '--source', ctx.src, '--staging', ctx.staging,
    '--job-name', 'bench', '--storage-account', 'benchacct', '--container', 'seed',
  ];
  if (flags.has('compression')) argv.push('--compression', 'auto');
  if (flags.has('hostname')) argv.push('--hostname', HOST);
  if (flags.has('threads')) argv.push('--threads', process.env.OFFLINESEED_BENCH_THREADS ?? String(availableParallelism()));
  return argv;
}

async function oursStage(ctx: Context, benchCase: string, data: Dataset, run: string, previous?: Row): Promise<Row> {
  if (!ctx.engine.seedStart) return unavailableRow(benchCase, ctx.engine.reason);
  if (previous !== undefined && previous.status !== 'ok') return { benchCase, tool: 'ours', status: 'skipped', note: 'the previous seed start did not succeed' };
  const m = await timed(ctx, `ours-seed-start-${run}`, seedStartArgv(ctx), oursEnv());
  const note = benchCase === CASE_SECOND ? 'seed start again, same staging' : undefined;
  return measuredRow(benchCase, 'ours', [m], data.bytes, existsSync(ctx.staging) ? dirSize(ctx.staging).bytes : undefined, false, note);
}

async function oursRestore(ctx: Context, data: Dataset, staged: Row | undefined): Promise<Row> {
  if (!ctx.engine.restoreRun) return unavailableRow(CASE_RESTORE, ctx.engine.reason);
  if (staged?.status !== 'ok') return { benchCase: CASE_RESTORE, tool: 'ours', status: 'skipped', note: 'nothing staged to restore' };
  const target = join(ctx.work, 'restore-ours');
  const argv = [ctx.engine.path, 'restore', 'run', '--repo', ctx.staging, '--target', target];
  const row = measuredRow(CASE_RESTORE, 'ours', [await timed(ctx, 'ours-restore', argv, oursEnv())], data.bytes, undefined, false);
  return row.status === 'ok' ? verified(ctx, row, target, 'ours') : row;
}

// ---- tar | zstd ---------------------------------------------------------------------------------

async function tarZstd(ctx: Context, data: Dataset): Promise<Row> {
  const tool = TAR_TOOL;
  if (!ctx.zstd) return { benchCase: CASE_FIRST, tool, status: 'not available', note: 'zstd CLI missing (Debian package zstd)', isReference: true };
  const script = 'tar -cf - -C "$1" . | zstd -3 -T2 -q > /dev/null';
  const m = await timed(ctx, 'tar-zstd', ['bash', '-o', 'pipefail', '-c', script, 'tar-zstd', ctx.src], process.env);
  return measuredRow(CASE_FIRST, tool, [m], data.bytes, undefined, true, 'throughput reference');
}

/** Compares a restored tree with the source; a restore that differs is a failed restore. */
async function verified(ctx: Context, row: Row, target: string, tool: string): Promise<Row> {
  const restored = restoredRoot(target, ctx.src);
  const diff = await exec(['diff', '-r', '-q', '--no-dereference', ctx.src, restored]);
  if (diff.code === 0) return { ...row, note: 'verified: diff -r equal' };
  const diffLog = join(ctx.logDir, `${tool}-restore.diff`);
  writeFileSync(diffLog, diff.stdout + diff.stderr);
  const count = diff.stdout.split('\n').filter((l) => l !== '').length;
  return { ...row, status: 'failed', note: `restored tree differs from the source (${count} lines, ${diffLog})` };
}

function linkRowRatios(rows: Row[]): void {
  const targets: Record<string, Target> = { [CASE_FIRST]: TARGETS.stagingThroughput, [CASE_RESTORE]: TARGETS.restoreThroughput };
  for (const row of rows.filter((r) => r.tool === 'ours')) {
    const reference = rows.find((r) => r.benchCase === row.benchCase && r.tool === 'restic');
    const ours = mbPerSecond(row);
    const ref = reference === undefined ? undefined : mbPerSecond(reference);
    const value = ours !== undefined && ref !== undefined ? ours / ref : undefined;
    const target = targets[row.benchCase];
    row.ratio = target === undefined ? { value } : { value, target };
  }
}

function ratiosFrom(rows: readonly Row[]): Ratio[] {
  const pick = (benchCase: string, tool: string): Row | undefined => rows.find((r) => r.benchCase === benchCase && r.tool === tool);
  const [resticFirstRow, oursFirstRow, tarRow] = [pick(CASE_FIRST, 'restic'), pick(CASE_FIRST, 'ours'), pick(CASE_FIRST, TAR_TOOL)];
  const [resticSecondRow, oursSecondRow] = [pick(CASE_SECOND, 'restic'), pick(CASE_SECOND, 'ours')];
  const [resticRestoreRow, oursRestoreRow] = [pick(CASE_RESTORE, 'restic'), pick(CASE_RESTORE, 'ours')];
  const note = oursNote(oursFirstRow);
  const secondNote = oursNote(oursSecondRow);
  return [
    relativeRatio('staging throughput ours/restic', 'MB/s', mbps(oursFirstRow), mbps(resticFirstRow), TARGETS.stagingThroughput, note),
    relativeRatio('stored size ours/restic', 'MiB', storedMiB(oursFirstRow), storedMiB(resticFirstRow), TARGETS.storedSize, note),
    absoluteRatio('peak RSS ours (seed start)', 'MiB', peakRssMiB([oursFirstRow, oursSecondRow]), TARGETS.peakRssMiB, note),
    relativeRatio('restore throughput ours/restic', 'MB/s', mbps(oursRestoreRow), mbps(resticRestoreRow), TARGETS.restoreThroughput, oursNote(oursRestoreRow)),
    relativeRatio('staging throughput ours/restic backup alone', 'MB/s', mbps(oursFirstRow), backupAloneMbps(resticFirstRow), undefined, note),
    relativeRatio('second snapshot throughput ours/restic', 'MB/s', mbps(oursSecondRow), mbps(resticSecondRow), undefined, secondNote),
    relativeRatio('second snapshot stored ours/restic', 'MiB', storedMiB(oursSecondRow), storedMiB(resticSecondRow), undefined, secondNote),
    relativeRatio('staging throughput ours/tar|zstd', 'MB/s', mbps(oursFirstRow), mbps(tarRow), undefined, note),
  ];
}

function oursNote(row: Row | undefined): string | undefined {
  return row === undefined || row.status === 'ok' ? undefined : `ours ${row.status}`;
}

function mbps(row: Row | undefined): number | undefined {
  return row === undefined ? undefined : mbPerSecond(row);
}

function storedMiB(row: Row | undefined): number | undefined {
  return row?.status === 'ok' && row.storedBytes !== undefined ? row.storedBytes / MiB : undefined;
}

/** Failed runs count too: the memory they took before failing was real. */
function peakRssMiB(rows: readonly (Row | undefined)[]): number | undefined {
  const peaks = rows.flatMap((r) => (r?.peakRssBytes === undefined ? [] : [r.peakRssBytes / MiB]));
  return peaks.length === 0 ? undefined : Math.max(...peaks);
}

/** restic init (scrypt calibration, ~3 s here) weighs heavily on small datasets: the ratio without it too. */
function backupAloneMbps(row: Row | undefined): number | undefined {
  const seconds = row?.phases?.backup;
  return seconds === undefined || row?.bytesProcessed === undefined ? undefined : row.bytesProcessed / 1e6 / seconds;
}

async function report(ctx: Context, dataset: Dataset, rows: Row[], ratios: Ratio[], startedAt: Date): Promise<number> {
  const failed = rows.some((r) => r.status === 'failed');
  const missed = ratios.some((r) => r.verdict === 'MISS');
  const exitCode = failed || (missed && process.env.OFFLINESEED_BENCH_STRICT === '1') ? 1 : 0;
  const result: BenchResult = {
    name: NAME,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: await environment(ctx, dataset),
    rows,
    ratios,
    notes: [`ours: ${ctx.engine.reason}`, `logs: ${ctx.logDir}`],
    exitCode,
  };
  const path = writeResults(result);
  const env = result.environment;
  console.log(`\nstaging benchmark: scale ${ctx.scale}, ${dataset.files} files, ${(dataset.bytes / MiB).toFixed(1)} MiB; ` +
    `${env.cores} cores, page cache ${env.pageCache}; ${env.restic}; MB = 10^6 bytes\n`);
  console.log(formatTable(rows));
  console.log(`\n${formatRatios(ratios)}\n`);
  console.log(`results: ${path}\nlogs:    ${ctx.logDir}`);
  return exitCode;
}

async function environment(ctx: Context, dataset: Dataset): Promise<Record<string, string | number | boolean>> {
  return {
    ...(await commonEnvironment(ctx.scale, dataset, ctx.engine.reason, ctx.timeoutSeconds, ctx.pageCache)),
    zstd: ctx.zstd ? await firstLineOf(['zstd', '-V']) : 'missing',
    oursThreads: ctx.engine.seedStartFlags.has('threads') ? (process.env.OFFLINESEED_BENCH_THREADS ?? String(availableParallelism())) : 'engine default',
  };
}

runBenchmark(NAME, main);
