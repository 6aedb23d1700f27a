/**
 * Incremental backup benchmark (issue 6): after the generator's ~1% change, OfflineSeed's
 * `backup run` takes no longer than restic 0.14's incremental `restic backup` on the same data, in one run.
 *   setup              two identical working copies of the dataset, A for restic and B for ours, each at a
 *                      path that stays the same for the whole run; restic init --repository-version 2 +
 *                      backup of A, ours seed start of B (both reported, not part of the target)
 *   change             the generator's modify applied to A and to B
 *   incremental        restic backup of A (parent found by host and path)  |  ours backup run into the
 *                      staging's repository (sources, host and parent from the seed descriptor)
 *   verify             ours restore run of the latest snapshot, compared with B by diff -r
 * Target: incremental seconds ours/restic <= 1.0. Info: bytes each incremental added to its repository,
 * files and bytes ours read, peak RSS. While the engine lacks seed.start, backup.run or restore.run,
 * ours is reported "not available" and restic still runs.
 *
 * Environment: OFFLINESEED_BENCH_SCALE (default 1 = ~2 GiB, 20k files), OFFLINESEED_BENCH_DATA,
 * OFFLINESEED_BENCH_DROP_CACHES=1, OFFLINESEED_BENCH_ENGINE (default dist/offlineseed-engine),
 * OFFLINESEED_BENCH_THREADS (our --threads, default one per core like restic), OFFLINESEED_BENCH_KEEP=1
 * (keep copies, repositories and restore), OFFLINESEED_BENCH_STRICT=1 (exit 1 when a target is missed),
 * OFFLINESEED_BENCH_TIMEOUT_S (per command; default 600 s x scale, at least 60 s).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { applyModify, benchScale, copyTree, datasetAt, ensureDataset, scaleDir, type Dataset } from './lib/dataset.ts';
import { dirSize } from './lib/dirSize.ts';
import { exec, hasCommand } from './lib/exec.ts';
import { fileTimestamp, resultsDir } from './lib/paths.ts';
import {
  commonEnvironment, engineCommands, engineEnv, enginePath, engineFlags, measuredRow, ndjsonResults, pageCacheMode,
  restoredRoot, runBenchmark, timed, timeoutSeconds, unavailableRow, withoutPrefix, failedRow, readText, type RunContext,
} from './lib/runs.ts';
import {
  absoluteRatio, formatRatios, formatTable, relativeRatio, writeResults,
  type BenchResult, type Ratio, type Row, type Target,
} from './lib/report.ts';

const NAME = 'backup';
const PASSWORD = 'offlineseed-bench-password';
const HOST = 'bench';
const MiB = 2 ** 20;
const TARGETS = {
  incrementalSeconds: { op: '<=', value: 1.0 },
} as const satisfies Record<string, Target>;

const CASE_FIRST = 'first snapshot (setup)';
const CASE_INCREMENTAL = 'incremental (1% change)';
const CASE_VERIFY = 'restore incremental';
const COMMANDS = ['seed.start', 'backup.run', 'restore.run'];

interface Engine {
  path: string;
  available: boolean;
  /** Flags `seed start --help` and `backup run --help` list, without the leading dashes. */
  seedStartFlags: ReadonlySet<string>;
  backupRunFlags: ReadonlySet<string>;
  reason: string;
}

interface Context extends RunContext {
  scale: number;
  work: string;
  /** Working copy A: restic's source. */
  resticSrc: string;
  /** Working copy B: ours' source. */
  oursSrc: string;
  logDir: string;
  engine: Engine;
  resticRepo: string;
  staging: string;
  /** The repository inside the staging location: what seed start and backup run write. */
  oursRepo: string;
  threads: string;
  pageCache: string;
  timeoutSeconds: number;
}

/** What ours' backup run reported (the result event of --json). */
interface BackupResult {
  snapshotId?: string;
  parent?: string;
  files?: number;
  filesNew?: number;
  filesChanged?: number;
  filesUnmodified?: number;
  bytesRead?: number;
  bytesUploaded?: number;
  durationSeconds?: number;
}

/** What restic's text summary reported. */
interface ResticSummary {
  parent?: string;
  filesNew?: number;
  filesChanged?: number;
  filesUnmodified?: number;
  added?: string;
}

interface Outcome {
  rows: Row[];
  /** Bytes each incremental added to its repository (dirSize after - before). */
  resticAdded?: number;
  oursAdded?: number;
  restic?: ResticSummary;
  ours?: BackupResult;
}

function log(message: string): void {
  process.stderr.write(`[${NAME}] ${message}\n`);
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const scale = benchScale();
  const dataset = await ensureDataset({ scale, log });
  const keep = process.env.OFFLINESEED_BENCH_KEEP === '1';
  const work = mkdtempSync(join(scaleDir(dataset.scale), 'backup-'));
  // Interrupted runs would otherwise leave two dataset-sized copies behind under bench/.data.
  process.once('SIGINT', () => {
    if (!keep) rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
  try {
    const ctx = await prepare(dataset, work, startedAt);
    log(`dataset ${dataset.dir}: ${dataset.files} files, ${(dataset.bytes / MiB).toFixed(1)} MiB; copies ${ctx.resticSrc} (restic), ${ctx.oursSrc} (ours)`);
    log(`ours: ${ctx.engine.reason}`);
    const outcome = await runCases(ctx, dataset);
    return report(ctx, dataset, outcome, ratiosFrom(outcome, dataset), startedAt);
  } finally {
    if (keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

async function prepare(dataset: Dataset, work: string, startedAt: Date): Promise<Context> {
  if (!(await hasCommand('restic'))) throw new Error('restic is not installed (build/setup.sh installs the Debian package)');
  // Each copy keeps its path for both snapshots: restic finds its parent by host and path, ours by
  // the seed's sources. Same-length names keep the trees' sizes alike.
  const resticSrc = join(work, 'src-a');
  const oursSrc = join(work, 'src-b');
  log('copying the dataset twice (A for restic, B for ours)');
  await copyTree(dataset.dir, resticSrc);
  await copyTree(dataset.dir, oursSrc);
  const staging = join(work, 'staging');
  return {
    scale: dataset.scale,
    work,
    resticSrc,
    oursSrc,
    logDir: join(resultsDir, 'logs', `${NAME}-${fileTimestamp(startedAt)}`),
    log,
    engine: await probeEngine(),
    resticRepo: join(work, 'restic-repo'),
    staging,
    oursRepo: join(staging, 'repository'),
    threads: process.env.OFFLINESEED_BENCH_THREADS ?? String(availableParallelism()),
    pageCache: pageCacheMode(),
    timeoutSeconds: timeoutSeconds(dataset.scale),
  };
}

async function runCases(ctx: Context, base: Dataset): Promise<Outcome> {
  const resticFirstRow = await resticFirst(ctx, base);
  const oursFirstRow = await oursFirst(ctx, base);
  log('applying the 1% change to both copies');
  await applyModify(ctx.resticSrc, ctx.scale);
  await applyModify(ctx.oursSrc, ctx.scale);
  const changedA = datasetAt(ctx.resticSrc, ctx.scale);
  const changedB = datasetAt(ctx.oursSrc, ctx.scale);
  if (changedA.bytes !== changedB.bytes || changedA.files !== changedB.files) {
    throw new Error(`the copies differ after the change: A ${changedA.files} files ${changedA.bytes} B, B ${changedB.files} files ${changedB.bytes} B`);
  }
  const restic = await resticIncremental(ctx, changedA, resticFirstRow);
  const ours = await oursIncremental(ctx, changedB, oursFirstRow);
  const verify = await oursRestore(ctx, changedB, ours.row);
  const rows = [resticFirstRow, oursFirstRow, restic.row, ours.row, verify];
  linkRowRatio(ours.row, restic.row);
  return {
    rows,
    ...(restic.added === undefined ? {} : { resticAdded: restic.added }),
    ...(ours.added === undefined ? {} : { oursAdded: ours.added }),
    ...(restic.summary === undefined ? {} : { restic: restic.summary }),
    ...(ours.result === undefined ? {} : { ours: ours.result }),
  };
}

// ---- restic -------------------------------------------------------------------------------------

function resticEnv(ctx: Context): NodeJS.ProcessEnv {
  const env = withoutPrefix(process.env, 'RESTIC_');
  return { ...env, RESTIC_PASSWORD: PASSWORD, RESTIC_REPOSITORY: ctx.resticRepo, RESTIC_CACHE_DIR: join(ctx.work, 'restic-cache') };
}

function resticBackupArgv(ctx: Context): string[] {
  return ['restic', 'backup', '--compression', 'auto', '--host', HOST, ctx.resticSrc];
}

async function resticFirst(ctx: Context, data: Dataset): Promise<Row> {
  const env = resticEnv(ctx);
  const init = await timed(ctx, 'restic-init', ['restic', 'init', '--repository-version', '2'], env);
  if (init.exitCode !== 0) return failedRow(CASE_FIRST, 'restic', init, true);
  const backup = await timed(ctx, 'restic-backup-1', resticBackupArgv(ctx), env);
  const note = `setup: init ${init.seconds.toFixed(2)} s + backup ${backup.seconds.toFixed(2)} s`;
  const row = measuredRow(CASE_FIRST, 'restic', [init, backup], data.bytes, dirSize(ctx.resticRepo).bytes, true, note);
  return row.status === 'ok' ? { ...row, phases: { init: init.seconds, backup: backup.seconds } } : row;
}

async function resticIncremental(ctx: Context, data: Dataset, first: Row): Promise<{ row: Row; added?: number; summary?: ResticSummary }> {
  if (first.status !== 'ok') return { row: { benchCase: CASE_INCREMENTAL, tool: 'restic', status: 'skipped', note: 'the first restic backup did not succeed', isReference: true } };
  const before = dirSize(ctx.resticRepo).bytes;
  const backup = await timed(ctx, 'restic-backup-2', resticBackupArgv(ctx), resticEnv(ctx));
  const added = dirSize(ctx.resticRepo).bytes - before;
  const summary = resticSummary(readText(backup.stdoutPath));
  const parent = summary.parent === undefined ? 'NO parent snapshot found' : `parent ${summary.parent}`;
  const files = summary.filesNew === undefined ? '' : `; files ${summary.filesNew} new, ${summary.filesChanged} changed, ${summary.filesUnmodified} unmodified`;
  const addedText = summary.added === undefined ? '' : `; added ${summary.added}`;
  const row = measuredRow(CASE_INCREMENTAL, 'restic', [backup], data.bytes, added, true, `${parent}${files}${addedText}`);
  return row.status === 'ok' ? { row, added, summary } : { row };
}

/** The lines of restic 0.14's text summary: "using parent snapshot …", "Files: … new, … changed, … unmodified". */
function resticSummary(stdout: string): ResticSummary {
  const summary: ResticSummary = {};
  const parent = /using parent snapshot (\w+)/.exec(stdout)?.[1];
  if (parent !== undefined) summary.parent = parent;
  const files = /^Files:\s+(\d+) new,\s+(\d+) changed,\s+(\d+) unmodified/m.exec(stdout);
  if (files !== null) {
    summary.filesNew = Number(files[1]);
    summary.filesChanged = Number(files[2]);
    summary.filesUnmodified = Number(files[3]);
  }
  const added = /^Added to the repo(?:sitory)?:\s*(.+)$/m.exec(stdout)?.[1];
  if (added !== undefined) summary.added = added.trim();
  return summary;
}

// ---- ours ---------------------------------------------------------------------------------------

async function probeEngine(): Promise<Engine> {
  const path = enginePath();
  const none = { path, available: false, seedStartFlags: new Set<string>(), backupRunFlags: new Set<string>() };
  if (!existsSync(path)) return { ...none, reason: `not available: ${path} is missing (npm run build)` };
  const commands = await engineCommands(path);
  const missing = COMMANDS.filter((c) => !commands.has(c));
  if (missing.length > 0) return { ...none, reason: `not available: the engine has no ${missing.join(' or ')} yet` };
  return { path, available: true, seedStartFlags: await engineFlags(path, ['seed', 'start']), backupRunFlags: await engineFlags(path, ['backup', 'run']), reason: `available (${path})` };
}

function oursEnv(): NodeJS.ProcessEnv {
  return engineEnv(PASSWORD);
}

function seedStartArgv(ctx: Context): string[] {
  const flags = ctx.engine.seedStartFlags;
  const argv = [
    ctx.engine.path, 'seed', 'start', '--source', ctx.oursSrc, '--staging', ctx.staging,
    '--job-name', 'bench', '--storage-account', 'benchacct', '--container', 'seed',
  ];
  if (flags.has('compression')) argv.push('--compression', 'auto');
  if (flags.has('hostname')) argv.push('--hostname', HOST);
  if (flags.has('threads')) argv.push('--threads', ctx.threads);
  return argv;
}

function backupRunArgv(ctx: Context): string[] {
  const flags = ctx.engine.backupRunFlags;
  // Sources, host name and parent come from the seed descriptor in the staging location.
  const argv = [ctx.engine.path, 'backup', 'run', '--json', '--repo', ctx.oursRepo, '--staging', ctx.staging];
  if (flags.has('compression')) argv.push('--compression', 'auto');
  if (flags.has('threads')) argv.push('--threads', ctx.threads);
  return argv;
}

async function oursFirst(ctx: Context, data: Dataset): Promise<Row> {
  if (!ctx.engine.available) return unavailableRow(CASE_FIRST, ctx.engine.reason);
  const m = await timed(ctx, 'ours-seed-start', seedStartArgv(ctx), oursEnv());
  return measuredRow(CASE_FIRST, 'ours', [m], data.bytes, repoBytes(ctx), false, 'setup: seed start');
}

async function oursIncremental(ctx: Context, data: Dataset, first: Row): Promise<{ row: Row; added?: number; result?: BackupResult }> {
  if (!ctx.engine.available) return { row: unavailableRow(CASE_INCREMENTAL, ctx.engine.reason) };
  if (first.status !== 'ok') return { row: { benchCase: CASE_INCREMENTAL, tool: 'ours', status: 'skipped', note: 'seed start did not succeed' } };
  const before = repoBytes(ctx) ?? 0;
  const m = await timed(ctx, 'ours-backup-run', backupRunArgv(ctx), oursEnv());
  const added = (repoBytes(ctx) ?? 0) - before;
  const result = backupResult(readText(m.stdoutPath));
  const row = measuredRow(CASE_INCREMENTAL, 'ours', [m], data.bytes, added, false, oursNote(result));
  if (row.status !== 'ok') return { row };
  if (result === undefined) return { row: { ...row, status: 'failed', note: `no result event in ${m.stdoutPath}` }, added };
  return { row, added, result };
}

function backupResult(stdout: string): BackupResult | undefined {
  const data = ndjsonResults(stdout).find((d) => typeof d.snapshotId === 'string');
  if (data === undefined) return undefined;
  const result: BackupResult = {};
  for (const key of ['snapshotId', 'parent'] as const) if (typeof data[key] === 'string') result[key] = data[key];
  for (const key of ['files', 'filesNew', 'filesChanged', 'filesUnmodified', 'bytesRead', 'bytesUploaded', 'durationSeconds'] as const) {
    if (typeof data[key] === 'number') result[key] = data[key];
  }
  return result;
}

function oursNote(result: BackupResult | undefined): string | undefined {
  if (result === undefined) return undefined;
  const parent = result.parent === undefined ? 'NO parent snapshot used' : `parent ${result.parent.slice(0, 8)}`;
  return `${parent}; files ${result.filesNew} new, ${result.filesChanged} changed, ${result.filesUnmodified} unmodified; ` +
    `read ${mibText(result.bytesRead)} MiB, uploaded ${mibText(result.bytesUploaded)} MiB`;
}

async function oursRestore(ctx: Context, data: Dataset, incremental: Row): Promise<Row> {
  if (!ctx.engine.available) return unavailableRow(CASE_VERIFY, ctx.engine.reason);
  if (incremental.status !== 'ok') return { benchCase: CASE_VERIFY, tool: 'ours', status: 'skipped', note: 'no incremental snapshot to restore' };
  const target = join(ctx.work, 'restore-ours');
  const argv = [ctx.engine.path, 'restore', 'run', '--repo', ctx.staging, '--target', target];
  const row = measuredRow(CASE_VERIFY, 'ours', [await timed(ctx, 'ours-restore', argv, oursEnv())], data.bytes, undefined, false);
  return row.status === 'ok' ? verified(ctx, row, target) : row;
}

/** Compares the restored tree with the modified copy B; a restore that differs fails the benchmark. */
async function verified(ctx: Context, row: Row, target: string): Promise<Row> {
  const restored = restoredRoot(target, ctx.oursSrc);
  const diff = await exec(['diff', '-r', '-q', '--no-dereference', ctx.oursSrc, restored]);
  if (diff.code === 0) return { ...row, note: 'latest snapshot = modified copy B (diff -r equal)' };
  const diffLog = join(ctx.logDir, 'ours-restore.diff');
  writeFileSync(diffLog, diff.stdout + diff.stderr);
  const count = diff.stdout.split('\n').filter((l) => l !== '').length;
  return { ...row, status: 'failed', note: `restored tree differs from the modified copy (${count} lines, ${diffLog})` };
}

function repoBytes(ctx: Context): number | undefined {
  if (existsSync(ctx.oursRepo)) return dirSize(ctx.oursRepo).bytes;
  return existsSync(ctx.staging) ? dirSize(ctx.staging).bytes : undefined;
}

/** The row's ratio is the target's: seconds ours/restic (lower is better). */
function linkRowRatio(ours: Row, restic: Row): void {
  const value = ours.status === 'ok' && restic.status === 'ok' && ours.seconds !== undefined && restic.seconds !== undefined && restic.seconds > 0
    ? ours.seconds / restic.seconds
    : undefined;
  ours.ratio = { value, target: TARGETS.incrementalSeconds };
}

function ratiosFrom(outcome: Outcome, dataset: Dataset): Ratio[] {
  const pick = (benchCase: string, tool: string): Row | undefined => outcome.rows.find((r) => r.benchCase === benchCase && r.tool === tool);
  const [resticRow, oursRow] = [pick(CASE_INCREMENTAL, 'restic'), pick(CASE_INCREMENTAL, 'ours')];
  const note = resticRow?.status !== 'ok' ? `restic ${resticRow?.status ?? 'missing'}` : oursRow?.status === 'ok' ? undefined : `ours ${oursRow?.status ?? 'missing'}`;
  const seconds = (row: Row | undefined): number | undefined => (row?.status === 'ok' ? row.seconds : undefined);
  const rssMiB = (row: Row | undefined): number | undefined => (row?.peakRssBytes === undefined ? undefined : row.peakRssBytes / MiB);
  const ours = outcome.ours;
  const restic = outcome.restic;
  const oursFilesRead = ours?.filesNew !== undefined && ours.filesChanged !== undefined ? ours.filesNew + ours.filesChanged : undefined;
  const resticFilesRead = restic?.filesNew !== undefined && restic.filesChanged !== undefined ? restic.filesNew + restic.filesChanged : undefined;
  return [
    relativeRatio('incremental seconds ours/restic', 's', seconds(oursRow), seconds(resticRow), TARGETS.incrementalSeconds, note),
    relativeRatio('incremental bytes added ours/restic', 'MiB', mib(outcome.oursAdded), mib(outcome.resticAdded), undefined, note),
    relativeRatio('incremental files read ours/restic', 'files', oursFilesRead, resticFilesRead, undefined, note),
    relativeRatio('incremental bytes read ours/dataset', 'MiB', mib(ours?.bytesRead), mib(dataset.bytes), undefined, note),
    absoluteRatio('peak RSS ours (backup run)', 'MiB', rssMiB(oursRow), undefined, note),
    relativeRatio('incremental peak RSS ours/restic', 'MiB', rssMiB(oursRow), rssMiB(resticRow), undefined, note),
  ];
}

function mib(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : bytes / MiB;
}

function mibText(bytes: number | undefined): string {
  return bytes === undefined ? '?' : (bytes / MiB).toFixed(1);
}

async function report(ctx: Context, dataset: Dataset, outcome: Outcome, ratios: Ratio[], startedAt: Date): Promise<number> {
  const { rows } = outcome;
  const failed = rows.some((r) => r.status === 'failed');
  const missed = ratios.some((r) => r.verdict === 'MISS');
  const exitCode = failed || (missed && process.env.OFFLINESEED_BENCH_STRICT === '1') ? 1 : 0;
  const notes = [
    `ours: ${ctx.engine.reason}`,
    'stored bytes: what the step added to its repository (dirSize after - before; the whole repository for the first snapshot)',
    'MB/s: dataset bytes / seconds (the whole tree is scanned; only changed files are read)',
    `logs: ${ctx.logDir}`,
  ];
  if (outcome.ours !== undefined) notes.push(`ours backup run result: ${JSON.stringify(outcome.ours)}`);
  if (outcome.restic !== undefined) notes.push(`restic backup summary: ${JSON.stringify(outcome.restic)}`);
  const result: BenchResult = {
    name: NAME,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: await environment(ctx, dataset),
    rows,
    ratios,
    notes,
    exitCode,
  };
  const path = writeResults(result);
  const env = result.environment;
  console.log(`\nbackup benchmark: scale ${ctx.scale}, ${dataset.files} files, ${(dataset.bytes / MiB).toFixed(1)} MiB; ` +
    `${env.cores} cores, page cache ${env.pageCache}; ${env.restic}; MB = 10^6 bytes; ` +
    'stored MiB = added to the repository by the step; row ratio = seconds ours/restic\n');
  console.log(formatTable(rows));
  console.log(`\n${formatRatios(ratios)}\n`);
  console.log(`results: ${path}\nlogs:    ${ctx.logDir}`);
  return exitCode;
}

async function environment(ctx: Context, dataset: Dataset): Promise<Record<string, string | number | boolean>> {
  return {
    ...(await commonEnvironment(ctx.scale, dataset, ctx.engine.reason, ctx.timeoutSeconds, ctx.pageCache)),
    oursThreads: ctx.engine.backupRunFlags.has('threads') ? ctx.threads : 'engine default',
  };
}

runBenchmark(NAME, main);
