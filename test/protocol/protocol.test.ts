import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { builtEngine, engineCommand, runEngine, startEngine, startEngineRaw, repoRoot } from '../helpers/engine.ts';
import { assertValidRequest } from '../helpers/wire.ts';

test('a schema-validated transcript of every event type', async () => {
  const request = { protocol: 1, command: 'diagnostics.echo', params: { message: 'hello' } };
  assertValidRequest(request);
  const run = await runEngine('diagnostics.echo', request.params);
  assert.is(run.exitCode, 0, run.stderr);
  const types = new Set(run.events.map((e) => e.type));
  for (const type of ['progress', 'log', 'result', 'error', 'done']) assert.ok(types.has(type), `missing ${type} event`);
  const levels = new Set(run.events.filter((e) => e.type === 'log').map((e) => e.level));
  assert.equal([...levels].sort(), ['debug', 'information', 'verbose', 'warning']);
  const nested = run.events.find((e) => e.type === 'progress' && e.parentId === 1);
  assert.ok(nested, 'a nested progress bar carries parentId');
  const completed = run.events.filter((e) => e.type === 'progress' && e.completed === true).map((e) => e.id);
  assert.equal(completed.sort(), [1, 2], 'every progress bar is completed');
  assert.equal(run.errors[0]?.terminating, false);
  assert.equal(run.results, [{ message: 'hello', heldMs: run.results[0]?.heldMs, cancelled: false }]);
  assert.equal(run.done, { type: 'done', exitCode: 0 });
  assert.is(run.stderr, '', 'stderr carries only crash text');
});

test('a terminating error ends with exit code 1 and a done event', async () => {
  const run = await runEngine('diagnostics.echo', { fail: true });
  assert.is(run.exitCode, 1);
  const last = run.errors.at(-1)!;
  assert.is(last.errorId, 'OfflineSeed.DiagnosticsFailure');
  assert.is(last.category, 'InvalidOperation');
  assert.is(last.terminating, true);
  assert.is(last.recommendedAction, 'Nothing to do: the failure was requested.');
  assert.equal(run.done, { type: 'done', exitCode: 1 });
});

const badRequests: [string, string, RegExp][] = [
  ['not JSON', '{"protocol":1,"command":', /request: not valid JSON/],
  ['not an object', '[1,2]', /must be object/],
  ['unknown command', '{"protocol":1,"command":"seed.launch","params":{}}', /command: unknown command "seed.launch"/],
  ['missing params', '{"protocol":1,"command":"version"}', /params: required field is missing/],
  ['missing protocol', '{"command":"version","params":{}}', /protocol: required field is missing/],
  ['wrong protocol version', '{"protocol":2,"command":"version","params":{}}', /protocol: must be equal to constant/],
  ['mistyped param', '{"protocol":1,"command":"diagnostics.echo","params":{"holdMs":"soon"}}', /params\.holdMs: must be integer/],
  ['unknown param', '{"protocol":1,"command":"diagnostics.echo","params":{"colour":"red"}}', /params\.colour: unknown field/],
  ['unknown envelope field', '{"protocol":1,"command":"version","params":{},"extra":true}', /extra: unknown field/],
  ['out of range value', '{"protocol":1,"command":"diagnostics.echo","params":{"holdMs":99999999999}}', /params\.holdMs: must be <= 600000/],
  ['mistyped dryRun', '{"protocol":1,"command":"version","params":{},"dryRun":"yes"}', /dryRun: must be boolean/],
];

for (const [name, text, message] of badRequests) {
  test(`invalid request (${name}) is rejected with OfflineSeed.InvalidRequest and exit 2`, async () => {
    const { child, finished } = startEngineRaw(text, undefined, {
      onEvent: (e, c) => e.type === 'done' && c.stdin.end(),
    });
    void child;
    const run = await finished;
    assert.is(run.exitCode, 2);
    assert.is(run.events.length, 2, 'exactly one error and done');
    const error = run.errors[0]!;
    assert.is(error.errorId, 'OfflineSeed.InvalidRequest');
    assert.is(error.category, 'InvalidArgument');
    assert.match(String(error.message), message);
    assert.equal(run.done, { type: 'done', exitCode: 2 });
    assert.is(run.stderr, '');
  });
}

test('an empty stdin is an invalid request', async () => {
  const { finished } = startEngineRaw('', undefined, { keepStdinOpen: false });
  const run = await finished;
  assert.is(run.exitCode, 2);
  assert.match(String(run.errors[0]?.message), /stdin closed before a request arrived/);
});

test('SIGINT cancels cleanly with exit code 3', async () => {
  const started = startEngine('diagnostics.echo', { holdMs: 60_000 }, {
    onEvent: (e, child) => {
      if (e.type === 'progress' && e.status === 'holding') child.kill('SIGINT');
    },
  });
  const run = await started.finished;
  assert.is(run.exitCode, 3);
  assert.is(run.errors.at(-1)?.errorId, 'OfflineSeed.Cancelled');
  assert.is(run.errors.at(-1)?.category, 'OperationStopped');
  assert.equal(run.done, { type: 'done', exitCode: 3 });
});

test('closing stdin cancels with exit code 3', async () => {
  const started = startEngine('diagnostics.echo', { holdMs: 60_000 }, {
    onEvent: (e, child) => {
      if (e.type === 'progress' && e.status === 'holding') child.stdin.end();
    },
  });
  const run = await started.finished;
  assert.is(run.exitCode, 3);
  assert.equal(run.done, { type: 'done', exitCode: 3 });
});

test('a {"type":"cancel"} line cancels with exit code 3', async () => {
  const started = startEngine('diagnostics.echo', { holdMs: 60_000 }, {
    onEvent: (e, child) => {
      if (e.type === 'progress' && e.status === 'holding') child.stdin.write('{"type":"cancel"}\n');
    },
  });
  const run = await started.finished;
  assert.is(run.exitCode, 3);
});

test('describe lists every command with its params and result schemas', async () => {
  const run = await runEngine('describe', {});
  assert.is(run.exitCode, 0);
  const names = run.results.map((r) => r.command);
  for (const name of ['version', 'describe', 'diagnostics.echo']) assert.ok(names.includes(name), name);
  for (const r of run.results) {
    assert.is((r.params as { $id: string }).$id, `urn:offlineseed:command:${String(r.command)}:params`);
    assert.is((r.result as { $id: string }).$id, `urn:offlineseed:command:${String(r.command)}:result`);
  }
});

test('version reports Node 24, zstd and the single executable', async () => {
  const run = await runEngine('version', {});
  const v = run.results[0]!;
  assert.match(String(v.node), /^v24\./);
  assert.ok(typeof v.zstd === 'string');
  assert.is(v.repositoryFormat, 2);
  if (engineCommand().file === builtEngine) assert.is(v.singleExecutable, true);
});

test('the CLI help lists commands and flags from the schemas', () => {
  const { file, args } = engineCommand();
  const top = spawnSync(file, [...args, '--help'], { encoding: 'utf8', cwd: repoRoot });
  assert.is(top.status, 0);
  assert.match(top.stdout, /diagnostics\s+diagnostics commands/);
  const sub = spawnSync(file, [...args, 'diagnostics', 'echo', '--help'], { encoding: 'utf8', cwd: repoRoot });
  assert.match(sub.stdout, /--hold-ms\s+Keep running this long \(ms\)/);
  const run = spawnSync(file, [...args, 'diagnostics', 'echo', '--message', 'cli', '--json'], { encoding: 'utf8', cwd: repoRoot });
  assert.is(run.status, 0);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; data?: { message: string } });
  assert.is(lines.find((l) => l.type === 'result')?.data?.message, 'cli');
  const bad = spawnSync(file, [...args, 'diagnostics', 'echo', '--hold-ms', 'x'], { encoding: 'utf8', cwd: repoRoot });
  assert.is(bad.status, 2);
  const unknownFlag = spawnSync(file, [...args, 'version', '--frobnicate'], { encoding: 'utf8', cwd: repoRoot });
  assert.is(unknownFlag.status, 2);
  assert.match(unknownFlag.stderr, /Unknown argument: frobnicate/);
  for (const [value, said] of [['notjson', /--return-address: not valid JSON/], ['@/nonexistent/address.json', /--return-address: cannot read \/nonexistent\/address.json \(ENOENT\)/]] as const) {
    const badJson = spawnSync(file, [...args, 'job', 'create', '--staging', '/nonexistent', '--location', 'westus', '--return-address', value], { encoding: 'utf8', cwd: repoRoot });
    assert.is(badJson.status, 2, badJson.stderr);
    assert.match(badJson.stderr, /OfflineSeed\.InvalidRequest/);
    assert.match(badJson.stderr, said);
    assert.not.match(badJson.stderr + badJson.stdout, /\n\s+at /, 'no stack trace');
  }
});

test('a request from a file (--request) runs without stdin', () => {
  const { file, args } = engineCommand();
  const r = spawnSync(file, [...args, '--json', '--request', `${repoRoot}test/protocol/version.request.json`], { encoding: 'utf8', input: '' });
  assert.is(r.status, 0, r.stdout);
  assert.match(r.stdout, /"typeName":"OfflineSeed.EngineVersion"/);
});

test.run();
