/**
 * npm run package, on small stand-in engines (the real ones take 30 s to deflate; `npm run package`
 * reports the real size): the module folder's layout, the packaged manifest (FileList = the files,
 * EngineSha256 = the engines' hashes, everything else as in the source manifest), the DSC resource
 * manifests in bin/, and a zip that unzip reads back byte for byte with the engine still executable.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packagedManifest, packagedPath, packageModule, ZIP_LIMIT_BYTES } from '../../build/package.ts';
import { repoRoot } from '../helpers/engine.ts';
import { evaluateData, loadParser } from '../psmodule/analysis.ts';

const work = mkdtempSync(join(tmpdir(), 'offlineseed-package-'));
const linux = join(work, 'linux-engine');
const windows = join(work, 'windows-engine.exe');
writeFileSync(linux, Buffer.concat([Buffer.from('#!/bin/sh\necho engine\n'), Buffer.alloc(200_000, 7)]));
writeFileSync(windows, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300_000, 9)]));
const out = join(work, 'out');
const result = packageModule({ root: repoRoot, outDir: out, engines: { 'offlineseed-engine': linux, 'offlineseed-engine.exe': windows } });
const parser = await loadParser();

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').toUpperCase();
}

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name));
      else found.push(relative(dir, join(d, entry.name)).split(sep).join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

function manifestData(text: string): Record<string, unknown> {
  const tree = parser.parse(text)!;
  const hash = tree.rootNode.descendantsOfType('hash_literal_expression')[0]!;
  return evaluateData(hash) as Record<string, unknown>;
}

test('about topics move to <ModuleBase>/en-US, where Get-Help looks; other paths stay', () => {
  assert.is(packagedPath('psmodule/en-US/about_OfflineSeed.help.txt'), 'en-US/about_OfflineSeed.help.txt');
  assert.is(packagedPath('psmodule/Public/Get-OfflineSeed.ps1'), 'psmodule/Public/Get-OfflineSeed.ps1');
});

test('the module folder: manifest, root module, format file, functions, about topic at the root, both engines and the DSC manifests in bin/', () => {
  const files = filesUnder(result.folder);
  for (const f of ['OfflineSeed.psd1', 'psmodule/OfflineSeed.psm1', 'psmodule/OfflineSeed.format.ps1xml', 'en-US/about_OfflineSeed.help.txt',
    'bin/offlineseed-engine', 'bin/offlineseed-engine.exe', 'bin/offlineseed.importjob.dsc.resource.json', 'bin/offlineseed.backup.dsc.resource.json']) {
    assert.ok(files.includes(f), `${f} missing from the package`);
  }
  assert.not.ok(files.some((f) => f.startsWith('psmodule/en-US/')), 'the about topic must not stay under psmodule/');
  const sourcePublic = readdirSync(join(repoRoot, 'psmodule', 'Public')).length;
  assert.is(files.filter((f) => f.startsWith('psmodule/Public/')).length, sourcePublic);
  assert.is(statSync(join(result.folder, 'bin', 'offlineseed-engine')).mode & 0o777, 0o755);
  assert.equal(readFileSync(join(result.folder, 'bin', 'offlineseed-engine.exe')), readFileSync(windows));
});

test('the packaged manifest: FileList is exactly the packaged files, EngineSha256 the engines\' SHA-256, the rest as in the source', () => {
  const packaged = manifestData(readFileSync(join(result.folder, 'OfflineSeed.psd1'), 'utf8'));
  const source = manifestData(readFileSync(join(repoRoot, 'OfflineSeed.psd1'), 'utf8'));
  assert.equal([...(packaged.FileList as string[])].sort(), filesUnder(result.folder));
  const privateData = packaged.PrivateData as Record<string, unknown>;
  assert.equal(privateData.EngineSha256, { 'offlineseed-engine': sha256(linux), 'offlineseed-engine.exe': sha256(windows) });
  assert.equal(privateData.PSData, (source.PrivateData as Record<string, unknown>).PSData);
  for (const key of ['RootModule', 'ModuleVersion', 'GUID', 'FunctionsToExport', 'FormatsToProcess', 'CompatiblePSEditions', 'PowerShellVersion']) {
    assert.equal(packaged[key], source[key], key);
  }
  for (const path of packaged.FileList as string[]) assert.not.match(path, /\\/, 'forward slashes only');
});

test('packagedManifest refuses a manifest it cannot edit instead of writing a wrong one', () => {
  assert.throws(() => packagedManifest('@{ RootModule = "x" }', [], {}), /FileList/);
});

test('DSC manifests in bin/: the contract\'s shape, each operation runs offlineseed-engine dsc with stdin input, schema embedded', () => {
  for (const name of ['offlineseed.importjob.dsc.resource.json', 'offlineseed.backup.dsc.resource.json']) {
    const m = JSON.parse(readFileSync(join(result.folder, 'bin', name), 'utf8')) as Record<string, Record<string, unknown>>;
    assert.match(String(m.type), /^\w+(\.\w+){0,2}\/\w+$/);
    assert.match(String(m.version), /^\d+\.\d+\.\d+/);
    for (const op of ['get', 'test', 'set', 'export']) {
      assert.is(m[op]!.executable, 'offlineseed-engine');
      assert.equal(m[op]!.args, ['dsc', op, '--resource', m.type]);
      assert.is(m[op]!.input, 'stdin');
    }
    const embedded = (m.schema as { embedded: Record<string, unknown> }).embedded;
    assert.is(embedded.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.is(embedded.type, 'object');
    assert.not.match(JSON.stringify(embedded), /"x-(secret|cli)"/);
    assert.ok('1' in (m.exitCodes as object) && '2' in (m.exitCodes as object));
  }
});

const unzip = spawnSync('unzip', ['-v'], { encoding: 'utf8' });
const withUnzip = unzip.status === 0 ? test : test.skip;
if (unzip.status !== 0) console.log('skipping the zip read-back: no unzip program on this machine');

withUnzip('the zip holds the module folder at its root, reads back byte for byte, and keeps the engine executable', () => {
  assert.ok(result.zipBytes! < ZIP_LIMIT_BYTES);
  const check = spawnSync('unzip', ['-t', result.zip!], { encoding: 'utf8' });
  assert.is(check.status, 0, check.stdout + check.stderr);
  const listing = spawnSync('unzip', ['-Z', result.zip!], { encoding: 'utf8' }).stdout;
  const names = listing.split('\n').map((l) => l.trim().split(/\s+/)).filter((cols) => cols.length >= 9 && cols[0]!.startsWith('-')).map((cols) => cols.at(-1)!);
  assert.equal(names.sort(), filesUnder(result.folder).map((f) => `OfflineSeed/${f}`));
  assert.match(listing, /-rwxr-xr-x.*OfflineSeed\/bin\/offlineseed-engine\n/);
  const extracted = join(work, 'extracted');
  assert.is(spawnSync('unzip', ['-q', result.zip!, '-d', extracted]).status, 0);
  for (const f of filesUnder(result.folder)) assert.equal(readFileSync(join(extracted, 'OfflineSeed', f)), readFileSync(join(result.folder, f)), f);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
