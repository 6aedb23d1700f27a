/**
 * npm run bench: every benchmark bench/*.ts (not this file) in its own Node process, the
 * micro-benchmarks chunker.ts and poly1305.ts last when present, then one combined ratio table built
 * from the JSON each wrote through lib/report.ts (it writes where OFFLINESEED_BENCH_RESULT_FILE says).
 *   node bench/run.ts [name-filter ...]     e.g. node bench/run.ts staging
 * Exit code 1 when any benchmark exited non-zero.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchDir, fileTimestamp, resultsDir } from './lib/paths.ts';
import { formatRatios, writeResults, type BenchResult, type Ratio } from './lib/report.ts';

const MICRO = ['chunker.ts', 'poly1305.ts'];

interface Outcome {
  name: string;
  exitCode: number;
  seconds: number;
  resultFile: string;
  result?: BenchResult;
}

function benchmarks(filters: readonly string[]): string[] {
  const files = readdirSync(benchDir).filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts') && n !== 'run.ts');
  const macro = files.filter((n) => !MICRO.includes(n)).sort();
  const micro = MICRO.filter((n) => files.includes(n));
  return [...macro, ...micro].filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)));
}

function runOne(file: string, stamp: string): Promise<Outcome> {
  const name = file.replace(/\.ts$/, '');
  const resultFile = join(resultsDir, `${name}-${stamp}.json`);
  process.stdout.write(`\n=== bench/${file} ===\n`);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(benchDir, file)], {
      stdio: 'inherit',
      env: { ...process.env, OFFLINESEED_BENCH_RESULT_FILE: resultFile },
    });
    const finish = (exitCode: number): void => {
      const seconds = (performance.now() - started) / 1000;
      const result = readResult(resultFile);
      resolve(result === undefined ? { name, exitCode, seconds, resultFile } : { name, exitCode, seconds, resultFile, result });
    };
    child.on('error', () => finish(1));
    child.on('close', (code) => finish(code ?? 1));
  });
}

function readResult(path: string): BenchResult | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BenchResult;
  } catch {
    return undefined;
  }
}

function summary(outcomes: readonly Outcome[]): string {
  const ratios: Ratio[] = [];
  const names: string[] = [];
  for (const outcome of outcomes) {
    for (const ratio of outcome.result?.ratios ?? []) {
      ratios.push(ratio);
      names.push(outcome.name);
    }
  }
  const runs = outcomes.map((o) => {
    const state = o.exitCode === 0 ? 'ok' : `exit ${o.exitCode}`;
    const results = o.result === undefined ? 'no results written' : o.resultFile;
    return `  ${o.name.padEnd(12)} ${state.padEnd(8)} ${o.seconds.toFixed(1).padStart(7)} s  ${results}`;
  });
  return ['', '=== combined ratios ===', formatRatios(ratios, names), '', 'benchmarks:', ...runs].join('\n');
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const stamp = fileTimestamp(startedAt);
  const files = benchmarks(process.argv.slice(2));
  if (files.length === 0) {
    process.stderr.write('bench: no benchmark matches\n');
    return 2;
  }
  const outcomes: Outcome[] = [];
  for (const file of files) outcomes.push(await runOne(file, stamp));
  console.log(summary(outcomes));
  const exitCode = outcomes.some((o) => o.exitCode !== 0) ? 1 : 0;
  // The combined file goes beside the others, not where a parent run.ts might have pointed us.
  delete process.env.OFFLINESEED_BENCH_RESULT_FILE;
  const path = writeResults({
    name: 'run',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: { benchmarks: files.join(' ') },
    rows: outcomes.flatMap((o) => o.result?.rows ?? []),
    ratios: outcomes.flatMap((o) => (o.result?.ratios ?? []).map((r) => ({ ...r, metric: `${o.name}: ${r.metric}` }))),
    notes: outcomes.map((o) => `${o.name}: exit ${o.exitCode}, ${o.result === undefined ? 'no results' : o.resultFile}`),
    exitCode,
  });
  console.log(`combined results: ${path}`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
