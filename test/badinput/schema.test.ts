/**
 * For every command the built engine describes: malformed JSON, params of the wrong shape, an unknown
 * field, a missing required field, and for each distinct parameter schema a wrong type (or null), a huge
 * value and (lists) a list nested 10000 deep (test/badinput/generate.ts). Each is refused with exit 2 and one OfflineSeed.InvalidRequest error whose
 * message names the field (values the schema allows but that are absurd get any stable id, exit 1 or
 * 2), with nothing but valid events on stdout, no stack trace, nothing on stderr, and nothing written
 * in the work folder, the temp folder, the profile folder or the repository checkout.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../helpers/engine.ts';
import { describedCommands } from './describe.ts';
import { schemaCases, type BadCase, type DescribedCommand } from './generate.ts';
import { CONCURRENCY, pool, refusalProblems, runRaw, snapshot, snapshotChanges } from './harness.ts';

const work = mkdtempSync('/var/tmp/offlineseed-badinput-schema-');
const home = join(work, 'home');
const tmp = join(work, 'tmp');
mkdirSync(home);
mkdirSync(tmp);
const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), APPDATA: join(home, 'AppData'), TMPDIR: tmp, TMP: tmp, TEMP: tmp };

let commands: DescribedCommand[] = [];
const outcomes = new Map<string, { c: BadCase; problems: string[] }[]>();
let writes: string[] = [];
let repoRootBefore: string[] = [];
let seconds = 0;

test.before(async () => {
  const started = Date.now();
  commands = await describedCommands();
  const state = { seen: new Set<string>(), index: 0 };
  const cases = commands.flatMap((c) => schemaCases(c, join(work, 'absent', c.command), state));
  const before = snapshot([work]);
  repoRootBefore = readdirSync(repoRoot).sort();
  const problems = await pool(cases, CONCURRENCY, async (c) => {
    const run = await runRaw(c.text, { env, command: c.command, timeoutMs: 60_000 });
    const found = c.semantic === true
      ? refusalProblems(run, { exitCode: [1, 2], errorId: /^OfflineSeed\.[A-Za-z]+$/ })
      : refusalProblems(run, { exitCode: 2, errorId: 'OfflineSeed.InvalidRequest', onlyErrorAndDone: true });
    const error = run.events.find((e) => e.type === 'error');
    if (c.message !== undefined && !c.message.test(String(error?.message))) found.push(`message "${String(error?.message).slice(0, 200)}" does not match ${c.message}`);
    if (error !== undefined && error.category !== 'InvalidArgument' && c.semantic !== true) found.push(`category ${String(error.category)}`);
    return { c, problems: found };
  });
  for (const p of problems) outcomes.set(p.c.command, [...(outcomes.get(p.c.command) ?? []), p]);
  writes = snapshotChanges(before, snapshot([work]));
  seconds = (Date.now() - started) / 1000;
  console.log(`${cases.length} bad requests over ${commands.length} commands in ${seconds.toFixed(1)} s`);
});

test('describe lists every command of the registry, and each has cases', () => {
  assert.ok(commands.length >= 18, `${commands.length} commands`);
  for (const c of commands) assert.ok((outcomes.get(c.command)?.length ?? 0) >= 3, `${c.command} has cases`);
});

test('every bad request to every command: a stable errorId, exit 2, no stack trace, valid events only', () => {
  const failed = [...outcomes.values()].flat().filter((o) => o.problems.length > 0);
  assert.equal(failed.map((o) => `${o.c.command}: ${o.c.what}: ${o.problems.join('; ')}`), []);
});

test('nothing was written: not in the work folder, the temp folder, the profile folder, nor the checkout', () => {
  assert.equal(writes, []);
  assert.equal(readdirSync(repoRoot).sort(), repoRootBefore);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
