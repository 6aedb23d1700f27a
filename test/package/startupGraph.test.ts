/**
 * What an engine start loads. Every cmdlet call starts the engine, so a static import in the wrong place
 * (the Azure SDK, yargs, or ajv's schema compiler reached from the protocol or from a local command)
 * would quietly make every call slower. These tests bundle the engine as the build does, validators
 * included, and walk its static imports (dynamic imports are what is loaded on demand).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as esbuild from 'esbuild';
import { generateValidatorsModule, precompiledValidators } from '../../build/validatorsModule.ts';
import { repoRoot } from '../helpers/engine.ts';

/**
 * Commands that work on local files, or load the Azure SDK only once they are given an azure:// location
 * or a published seed: nothing of Azure, the CLI or the schema compiler may load with them.
 */
const LOCAL_COMMANDS = [
  'version', 'describe', 'diagnosticsEcho', 'seedStart', 'seedGet', 'repoCheck', 'restoreRun', 'snapshotList',
  'backupRun', 'drivePrepare', 'driveVerify', 'backupSchedule', 'backupUnschedule', 'profileGet', 'profileSet',
];
/** Commands that always talk to Azure, and so load its SDK. */
const AZURE_COMMANDS = [
  'seedComplete', 'seedPublish', 'jobCreate', 'jobShip', 'jobStatus', 'jobCancel', 'jobRemove', 'jobKeys',
  'preflightRun', 'credentialNew',
];
const HEAVY = /node_modules\/(@azure\/|@typespec\/|yargs|ajv\/dist\/(?!runtime\/))/;

const built = await esbuild.build({
  absWorkingDir: repoRoot,
  entryPoints: ['engine/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  write: false,
  metafile: true,
  logLevel: 'silent',
  define: { 'import.meta.url': '"file:///engine.cjs"', __OFFLINESEED_WORKERS__: '{}' },
  plugins: [precompiledValidators(await generateValidatorsModule(), join(repoRoot, 'engine', 'protocol'))],
});
const inputs = built.metafile!.inputs;

/** Every module a file loads before any of its code runs: its static imports, transitively. */
function staticClosure(start: string): string[] {
  assert.ok(inputs[start] !== undefined, `${start} is in the bundle`);
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of inputs[file]?.imports ?? []) {
      if (imported.kind !== 'dynamic-import' && imported.external !== true) stack.push(imported.path);
    }
  }
  return [...seen];
}

function heavyIn(start: string): string[] {
  return staticClosure(start).filter((file) => HEAVY.test(file));
}

test('the built bundle every engine start parses is ASCII only: one other character makes V8 hold all 4 MB of it as a two-byte string', () => {
  const bundle = readFileSync(join(repoRoot, 'dist', 'engine.cjs'), 'latin1');
  const at = bundle.search(/[^\x00-\x7f]/);
  assert.is(at, -1, `a non-ASCII byte at ${at}: ...${bundle.slice(Math.max(0, at - 40), at + 10)}...`);
});

test('the built main bundle leaves the Azure SDK to vendor.cjs, which the first Azure command loads', () => {
  const main = readFileSync(join(repoRoot, 'dist', 'engine.cjs'), 'latin1');
  const vendor = readFileSync(join(repoRoot, 'dist', 'vendor.cjs'), 'latin1');
  // Each SDK package names itself in its User-Agent: azsdk-js-<package>.
  for (const sdk of ['azsdk-js-azure-storage-blob', 'azsdk-js-arm-storageimportexport', 'azsdk-js-arm-databox', 'azsdk-js-identity']) {
    assert.not.ok(main.includes(sdk), `${sdk} is not in engine.cjs`);
    assert.ok(vendor.includes(sdk), `${sdk} is in vendor.cjs`);
  }
  assert.ok(main.length < vendor.length, `engine.cjs (${main.length} bytes) is the smaller part`);
  assert.is(vendor.search(/[^\x00-\x7f]/), -1, 'vendor.cjs is ASCII only too');
});

test('the entry point loads nothing before it knows which way in (--json, CLI, DSC) was asked for', () => {
  assert.equal(staticClosure('engine/main.ts'), ['engine/main.ts']);
});

test('the --json session loads neither the Azure SDK nor yargs nor ajv\'s compiler (validators are compiled at build time)', () => {
  assert.equal(heavyIn('engine/protocol/stdioSession.ts'), []);
  assert.ok(staticClosure('engine/protocol/stdioSession.ts').some((file) => file.includes('ajv/dist/runtime/')), 'the standalone validators use ajv\'s runtime helpers');
});

test('local commands load nothing of Azure, the CLI or the schema compiler', () => {
  for (const command of LOCAL_COMMANDS) {
    assert.equal(heavyIn(`engine/commands/${command}.ts`), [], command);
  }
});

test('every command in the table is classified here, and the Azure ones do load the SDK', () => {
  const loaded = (inputs['engine/commands/registry.ts']?.imports ?? [])
    .filter((imported) => imported.kind === 'dynamic-import')
    .map((imported) => /engine\/commands\/(\w+)\.ts$/.exec(imported.path)?.[1] ?? imported.path)
    .sort();
  assert.equal(loaded, [...LOCAL_COMMANDS, ...AZURE_COMMANDS].sort(), 'a new command must be added to LOCAL_COMMANDS or AZURE_COMMANDS');
  for (const command of AZURE_COMMANDS) {
    assert.ok(heavyIn(`engine/commands/${command}.ts`).some((file) => file.includes('@azure/')), `${command} loads the Azure SDK (else it belongs in LOCAL_COMMANDS)`);
  }
});

test.run();
