/**
 * Test runner: every test/**\/*.test.ts runs in its own Node process (isolation, and 2 at a time on
 * 2 cores), its uvu totals are summed, and the last line is "N passed, N failed".
 * `node test/run.ts protocol` runs only files whose path contains "protocol".
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);
const jobs = Number(process.env.OFFLINESEED_TEST_JOBS ?? Math.min(2, availableParallelism()));
const timeoutMs = Number(process.env.OFFLINESEED_TEST_TIMEOUT_MS ?? 420_000);

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out.sort();
}

interface FileOutcome {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  output: string;
  seconds: number;
}

function runFile(file: string): Promise<FileOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', './test/helpers/reportHookErrors.ts', file], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[runner] timed out after ${timeoutMs / 1000} s; killed\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const clean = output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
      const total = Number(/Total:\s+(\d+)/.exec(clean)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(clean)?.[1] ?? NaN);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(clean)?.[1] ?? 0);
      const seconds = (Date.now() - started) / 1000;
      if (Number.isNaN(total) || Number.isNaN(passed)) {
        resolve({ file, passed: 0, failed: 1, skipped: 0, output: clean + `\n[runner] no uvu summary (exit ${code})\n`, seconds });
        return;
      }
      // uvu counts skipped tests apart from Total, so every test in Total that did not pass failed.
      let failed = total - passed;
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ file, passed, failed, skipped, output: clean, seconds });
    });
  });
}

const files = findTests(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const queue = [...files];
const outcomes: FileOutcome[] = [];
async function worker(): Promise<void> {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const outcome = await runFile(file);
    outcomes.push(outcome);
    const name = relative(root, outcome.file);
    const mark = outcome.failed === 0 ? 'ok  ' : 'FAIL';
    process.stdout.write(`${mark} ${name}  (${outcome.passed} passed, ${outcome.failed} failed, ${outcome.seconds.toFixed(1)} s)\n`);
    if (outcome.failed > 0 || process.env.OFFLINESEED_TEST_VERBOSE === '1') {
      process.stdout.write(outcome.output.split('\n').map((l) => `    ${l}`).join('\n') + '\n');
    }
  }
}
const startedAll = Date.now();
await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
const skipped = outcomes.reduce((n, o) => n + o.skipped, 0);
process.stdout.write(`\n${files.length} test files in ${((Date.now() - startedAll) / 1000).toFixed(1)} s\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed === 0 && files.length > 0 ? 0 : 1);
