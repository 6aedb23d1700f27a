/**
 * Benchmark results: one fixed-width table of measurements, one table of ratios against targets,
 * and the same data as JSON in bench/results/<name>-<timestamp>.json (or OFFLINESEED_BENCH_RESULT_FILE,
 * which bench/run.ts sets to collect every benchmark's ratios). MB is 10^6 bytes; MiB is 2^20.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileTimestamp, resultsDir } from './paths.ts';

export type Status = 'ok' | 'failed' | 'not available' | 'skipped';
export type Verdict = 'ok' | 'MISS' | 'n/a' | 'info';

export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface Row {
  benchCase: string;
  tool: string;
  status: Status;
  seconds?: number;
  /** Bytes the tool read or wrote for this case: the basis of MB/s. */
  bytesProcessed?: number;
  storedBytes?: number;
  peakRssBytes?: number;
  /** Seconds of each step when a case runs several commands (e.g. restic init and backup). */
  phases?: Record<string, number>;
  /** Filled on rows of ours: MB/s ours/reference for the same case. */
  ratio?: { value?: number; target?: Target };
  isReference?: boolean;
  note?: string;
  logs?: { stdout: string; stderr: string };
}

export interface Ratio {
  metric: string;
  /** relative: value = ours / reference; absolute: value = ours. */
  kind: 'relative' | 'absolute';
  unit: string;
  ours?: number;
  reference?: number;
  value?: number;
  target?: Target;
  verdict: Verdict;
  note?: string;
}

export interface BenchResult {
  name: string;
  startedAt: string;
  finishedAt: string;
  environment: Record<string, string | number | boolean>;
  rows: Row[];
  ratios: Ratio[];
  notes: string[];
  exitCode: number;
}

const MB = 1e6;
const MiB = 2 ** 20;

export function mbPerSecond(row: Row): number | undefined {
  if (row.status !== 'ok' || row.seconds === undefined || row.bytesProcessed === undefined || row.seconds <= 0) return undefined;
  return row.bytesProcessed / MB / row.seconds;
}

export function verdictFor(value: number | undefined, target: Target | undefined): Verdict {
  if (target === undefined) return 'info';
  if (value === undefined) return 'n/a';
  const met = target.op === '>=' ? value >= target.value : value <= target.value;
  return met ? 'ok' : 'MISS';
}

export function relativeRatio(metric: string, unit: string, ours: number | undefined, reference: number | undefined, target?: Target, note?: string): Ratio {
  const value = ours !== undefined && reference !== undefined && reference > 0 ? ours / reference : undefined;
  return withOptional({ metric, kind: 'relative', unit, ours, reference, value, target, verdict: verdictFor(value, target) }, note);
}

export function absoluteRatio(metric: string, unit: string, ours: number | undefined, target?: Target, note?: string): Ratio {
  return withOptional({ metric, kind: 'absolute', unit, ours, value: ours, target, verdict: verdictFor(ours, target) }, note);
}

function withOptional(ratio: Ratio, note: string | undefined): Ratio {
  return note === undefined ? ratio : { ...ratio, note };
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['case', 'tool', 'seconds', 'MB/s', 'stored MiB', 'peak RSS MiB', 'ratio (ours/ref, target)', 'note'];
  const body = rows.map((row) => [
    row.benchCase,
    row.tool,
    // A failed run still shows how long it ran and how much memory it took before it failed.
    fixed(row.seconds, 2),
    fixed(mbPerSecond(row), 1),
    row.status === 'ok' ? fixed(scaled(row.storedBytes, MiB), 1) : '-',
    fixed(scaled(row.peakRssBytes, MiB), 1),
    rowRatioText(row),
    row.status === 'ok' ? (row.note ?? '') : `${row.status}${row.note === undefined ? '' : `: ${row.note}`}`,
  ]);
  return columns(header, body, [false, false, true, true, true, true, false, false]);
}

/** The ratio table; with `benchNames` (one per ratio) it gains a leading bench column. */
export function formatRatios(ratios: readonly Ratio[], benchNames?: readonly string[]): string {
  const lead = benchNames === undefined ? [] : ['bench'];
  const header = [...lead, 'metric', 'ours', 'reference', 'ratio', 'target', 'verdict'];
  const body = ratios.map((ratio, i) => [
    ...(benchNames === undefined ? [] : [benchNames[i] ?? '']),
    ratio.metric,
    withUnit(ratio.ours, ratio.unit),
    withUnit(ratio.reference, ratio.unit),
    ratio.kind === 'relative' ? times(ratio.value) : withUnit(ratio.value, ratio.unit),
    targetText(ratio.target, ratio.kind === 'relative' ? 'x' : ` ${ratio.unit}`),
    ratio.note === undefined ? ratio.verdict : `${ratio.verdict} (${ratio.note})`,
  ]);
  return columns(header, body, [...lead.map(() => false), false, true, true, true, false, false]);
}

/** Writes the JSON result and returns its path. */
export function writeResults(result: BenchResult): string {
  const override = process.env.OFFLINESEED_BENCH_RESULT_FILE;
  const path = override === undefined || override === '' ? join(resultsDir, `${result.name}-${fileTimestamp(new Date(result.startedAt))}.json`) : override;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

function rowRatioText(row: Row): string {
  if (row.isReference === true) return 'ref';
  if (row.ratio === undefined) return '';
  if (row.ratio.value === undefined) return 'n/a';
  const target = row.ratio.target;
  if (target === undefined) return times(row.ratio.value);
  return `${times(row.ratio.value)} (${targetText(target, 'x')} ${verdictFor(row.ratio.value, target)})`;
}

function targetText(target: Target | undefined, suffix: string): string {
  if (target === undefined) return '-';
  const value = Number.isInteger(target.value) && suffix === 'x' ? target.value.toFixed(1) : String(target.value);
  return `${target.op} ${value}${suffix}`;
}

function times(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${value.toFixed(2)}x`;
}

function withUnit(value: number | undefined, unit: string): string {
  return value === undefined ? '-' : `${value.toFixed(1)} ${unit}`;
}

function scaled(value: number | undefined, unit: number): number | undefined {
  return value === undefined ? undefined : value / unit;
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined ? '-' : value.toFixed(digits);
}

function columns(header: readonly string[], body: readonly string[][], rightAligned: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (rightAligned[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}
