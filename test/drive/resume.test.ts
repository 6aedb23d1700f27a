/**
 * kill -9 at seeded random moments of a spanned session (on the first drive and on the second), then
 * the same command again: it resumes from the journal, nothing is left half-written on the drive, and
 * the union of the drives is the staged repository. Also: a cancel request (exit 3, resumable), a torn
 * last journal line (cut off), and a damaged journal line (refused).
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine, startEngine } from '../helpers/engine.ts';
import { bitLockerKey, lastErrorId, listing, resultOf, stageSeed, treeHashes, type StagedSeed } from './fixtures.ts';
import { checkManifestFile } from './manifestRules.ts';

const work = mkdtempSync('/var/tmp/offlineseed-drive-resume-');
let seed: StagedSeed;
let total = 0;

/** Mulberry32: random kill points, the same on every run. */
function prng(seedValue: number): () => number {
  let a = seedValue;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  staging: string;
  drives: string[];
  capacity: number;
}

function newCase(name: string): Case {
  const staging = join(work, name, 'staging');
  cpSync(seed.staging, staging, { recursive: true });
  const drives = [1, 2].map((n) => join(work, name, `drive-${n}`));
  for (const d of drives) mkdirSync(d);
  return { staging, drives, capacity: Math.ceil(total * 0.6) };
}

function params(c: Case, n: number): Record<string, unknown> {
  return { stagingPath: c.staging, driveRoot: c.drives[n - 1], driveId: `KILL-${n}`, capacityBytes: c.capacity, bitLockerKey: bitLockerKey(n), threads: 1 };
}

/** Both drives finished, their union is the repository, manifests valid, nothing temporary left. */
function assertSessionComplete(c: Case, results: Record<string, unknown>[]): void {
  const union = new Map<string, string>();
  for (let n = 1; n <= 2; n++) {
    for (const [p, h] of treeHashes(join(c.drives[n - 1]!, seed.jobName), [])) {
      assert.not.ok(union.has(p), `${p} on two drives`);
      union.set(p, h);
    }
    const { problems } = checkManifestFile({ driveRoot: c.drives[n - 1]!, driveId: `KILL-${n}`, containers: ['seed-1'], manifestHash: String(results[n - 1]!.manifestHash) });
    assert.equal(problems, []);
    assert.equal(listing(c.drives[n - 1]!).filter((p) => p.includes('.tmp') || p.includes('offlineseed-tmp')), [], 'no temporary files left');
  }
  assert.equal([...union.entries()].sort(), [...treeHashes(join(c.staging, 'repository')).entries()].sort());
}

test.before(async () => {
  seed = await stageSeed(work, 'kill', Array.from({ length: 12 }, (_, i) => 6_000_000 + i * 77_777));
  total = [...treeHashes(seed.repository).keys()].reduce((n, p) => n + statSync(join(seed.repository, p)).size, 0);
});

/** Kills the run once its journal holds `files` file records (or the closed record), polling every 2 ms. */
function killWhenJournalHas(journal: string, child: { kill(signal: NodeJS.Signals): boolean }, what: { files?: number; closed?: boolean }): () => void {
  const timer = setInterval(() => {
    let text = '';
    try {
      text = readFileSync(journal, 'utf8');
    } catch {
      return;
    }
    const files = text.split('"type":"file"').length - 1;
    if ((what.files !== undefined && files >= what.files) || (what.closed === true && text.includes('"type":"closed"'))) {
      child.kill('SIGKILL');
      clearInterval(timer);
    }
  }, 2);
  return () => clearInterval(timer);
}

const random = prng(20261122);
const kills: { onDrive: number; label: string; afterMs?: number; files?: number; closed?: boolean }[] = [
  { onDrive: 1, label: 'once 1 file is journalled', files: 1 },
  { onDrive: 1, label: 'once 4 files are journalled', files: 4 },
  { onDrive: 1, label: 'once the drive is closed (during verification)', closed: true },
  { onDrive: 2, label: 'once 2 files are journalled', files: 2 },
];
for (let k = 0; k < 4; k++) {
  const afterMs = 100 + Math.floor(random() * 1500);
  kills.push({ onDrive: k < 2 ? 1 : 2, label: `after ${afterMs} ms`, afterMs });
}
kills.forEach((kill, k) => {
  const onDrive = kill.onDrive;
  test(`kill -9 on drive ${onDrive} ${kill.label}, then the same command: it resumes and the session completes`, async () => {
    const c = newCase(`case-${k}`);
    const results: Record<string, unknown>[] = [];
    if (onDrive === 2) results.push(resultOf(await runEngine('drive.prepare', params(c, 1))));
    const journal = join(c.staging, 'drives', `KILL-${onDrive}.jrn`);
    const started = startEngine('drive.prepare', params(c, onDrive));
    const stop = kill.afterMs !== undefined
      ? ((t) => () => clearTimeout(t))(setTimeout(() => started.child.kill('SIGKILL'), kill.afterMs))
      : killWhenJournalHas(journal, started.child, kill);
    const killed = await started.finished;
    stop();
    const before = existsSync(journal) ? readFileSync(journal, 'utf8') : '';
    const filesBefore = before.split('"type":"file"').length - 1;
    if (kill.files !== undefined) assert.ok(killed.signal !== 'SIGKILL' || filesBefore >= kill.files, 'killed at the planned point');
    const rerun = await runEngine('drive.prepare', params(c, onDrive));
    const result = resultOf(rerun);
    if (killed.signal === 'SIGKILL' && killed.results.length === 0 && before !== '') {
      assert.ok(result.resumed === true || result.alreadyComplete === true, 'the rerun continued the killed run');
      if (!before.includes('"type":"closed"')) {
        // Exactly what the journal did not hold was copied again.
        const copiedAgain = (result.files as number) - filesBefore;
        const bytesOnDrive = result.bytes as number;
        assert.ok((result.bytesCopied as number) < bytesOnDrive || filesBefore === 0, `resumed, not restarted (${filesBefore} files were journalled, ${copiedAgain} copied again)`);
      }
    }
    results.push(result);
    if (onDrive === 1) results.push(resultOf(await runEngine('drive.prepare', params(c, 2))));
    assert.is(results[0]!.state, 'NeedsNextDrive');
    assert.is(results[1]!.state, 'Complete');
    assertSessionComplete(c, results);
  });
});

test('a cancel request stops the copy with exit code 3; the same command then completes', async () => {
  const c = newCase('cancel');
  const started = startEngine('drive.prepare', params(c, 1), {
    onEvent: (event, child) => {
      if (event.type === 'progress' && event.id === 1 && (event.percent as number) > 0) child.stdin.write('{"type":"cancel"}\n');
      if (event.type === 'done') child.stdin.end();
    },
  });
  const cancelled = await started.finished;
  if (cancelled.exitCode === 3) assert.is(lastErrorId(cancelled), 'OfflineSeed.Cancelled');
  else assert.is(cancelled.exitCode, 0, 'finished before the cancel arrived');
  const results = [resultOf(await runEngine('drive.prepare', params(c, 1))), resultOf(await runEngine('drive.prepare', params(c, 2)))];
  assertSessionComplete(c, results);
});

test('a torn last journal line (a run killed while appending) is cut off, and the run resumes', async () => {
  const c = newCase('torn');
  const first = resultOf(await runEngine('drive.prepare', params(c, 1)));
  const journal = join(c.staging, 'drives', 'KILL-2.jrn');
  // Start drive 2, stop it at once, then tear its journal's last line.
  const started = startEngine('drive.prepare', params(c, 2));
  setTimeout(() => started.child.kill('SIGKILL'), 400);
  await started.finished;
  if (existsSync(journal)) appendFileSync(journal, '{"c":"00000000","r":{"type":"file","path":"data/ab/');
  const second = resultOf(await runEngine('drive.prepare', params(c, 2)));
  assertSessionComplete(c, [first, second]);
  assert.ok(readFileSync(journal, 'utf8').endsWith('}\n'));
});

test('a damaged line inside a journal is refused with OfflineSeed.JournalCorrupt', async () => {
  const c = newCase('corrupt');
  resultOf(await runEngine('drive.prepare', params(c, 1)));
  const journal = join(c.staging, 'drives', 'KILL-1.jrn');
  const lines = readFileSync(journal, 'utf8').split('\n');
  lines[2] = lines[2]!.replace(/"length":(\d)/, '"length":9$1');
  writeFileSync(journal, lines.join('\n'));
  const run = await runEngine('drive.prepare', params(c, 1));
  assert.is(run.exitCode, 1);
  assert.is(lastErrorId(run), 'OfflineSeed.JournalCorrupt');
  assert.ok(readdirSync(c.drives[1]!).length === 0);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
