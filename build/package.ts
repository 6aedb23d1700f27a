/**
 * npm run package: the shippable PowerShell module, dist/package/OfflineSeed/ and
 * dist/package/OfflineSeed.zip (the folder at the zip's root, as Azure Automation and
 * Publish-PSResource expect):
 *
 *   OfflineSeed.psd1            the manifest, with FileList = the packaged files and
 *                               PrivateData.EngineSha256 = the SHA-256 of each engine (checked by
 *                               the module before every launch)
 *   psmodule/                   root module, format file, Public/ and Private/ functions
 *   en-US/about_*.help.txt      about topics: Get-Help looks in <ModuleBase>/<culture>/
 *   bin/offlineseed-engine      linux-x64 engine; bin/offlineseed-engine.exe the win-x64 one
 *   bin/*.dsc.resource.json     DSC v3 resource manifests (put bin/ on PATH or DSC_RESOURCE_PATH)
 *
 * The zip must stay under 100 MB (Azure Automation's module limit): both engines deflated at level
 * 9 take about 80 MB. The step fails if the limit is crossed.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dscResourceManifests } from '../engine/dsc/manifests.ts';
import { writeZip, type ZipEntry } from './zip.ts';

export const MODULE_NAME = 'OfflineSeed';
export const ZIP_LIMIT_BYTES = 100_000_000;
export const ENGINE_NAMES = ['offlineseed-engine', 'offlineseed-engine.exe'] as const;

export interface PackageOptions {
  /** Repository root (OfflineSeed.psd1 and psmodule/). */
  root: string;
  /** Where OfflineSeed/ and OfflineSeed.zip go. */
  outDir: string;
  /** Engine file name (bin/<name>) -> the built file. */
  engines: Readonly<Record<string, string>>;
  /** Skip the zip (tests of the folder layout). */
  zip?: boolean;
}

export interface PackageResult {
  folder: string;
  zip: string | undefined;
  zipBytes: number | undefined;
  files: string[];
  engineSha256: Record<string, string>;
}

/** Packaged path of a source file: about topics move from psmodule/<culture>/ to <culture>/. */
export function packagedPath(sourcePath: string): string {
  const help = /^psmodule\/([a-z]{2}(-[A-Z]{2})?)\/(.+)$/.exec(sourcePath);
  return help === null ? sourcePath : `${help[1]}/${help[3]}`;
}

function psString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The manifest as packaged: FileList replaced by the packaged files, and EngineSha256 added to
 * PrivateData. Text edits of the source manifest, so every other key stays as written.
 */
export function packagedManifest(source: string, fileList: readonly string[], engineSha256: Readonly<Record<string, string>>): string {
  const files = fileList.map((f) => `        ${psString(f)}`).join('\n');
  const fileListBlock = /^([ \t]*)FileList([ \t]*)=\s*@\([\s\S]*?\n[ \t]*\)/m;
  if (!fileListBlock.test(source)) throw new Error('OfflineSeed.psd1 has no FileList = @( ... ) block');
  let text = source.replace(fileListBlock, (_match, indent: string, gap: string) => `${indent}FileList${gap}= @(\n${files}\n${indent})`);
  const privateData = /^([ \t]*)PrivateData([ \t]*)=[ \t]*@\{[ \t]*\r?\n/m;
  if (!privateData.test(text)) throw new Error('OfflineSeed.psd1 has no PrivateData = @{ block');
  const hashes = Object.entries(engineSha256).map(([name, hash]) => `            ${psString(name)} = ${psString(hash)}`).join('\n');
  text = text.replace(privateData, (match, indent: string) =>
    `${match}${indent}    # SHA-256 of bin/<name>, checked by the module before it starts an engine (written by npm run package).\n` +
    `${indent}    EngineSha256 = @{\n${hashes}\n${indent}    }\n`);
  return text;
}

function sourceFiles(root: string): string[] {
  const out = ['OfflineSeed.psd1'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(join(root, 'psmodule'));
  return out.sort();
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').toUpperCase();
}

export function packageModule(options: PackageOptions): PackageResult {
  const folder = join(options.outDir, MODULE_NAME);
  const staging = `${folder}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const contents = new Map<string, { data: Buffer; mode: number }>();

  for (const path of sourceFiles(options.root)) {
    if (path === 'OfflineSeed.psd1') continue;
    contents.set(packagedPath(path), { data: readFileSync(join(options.root, path)), mode: 0o644 });
  }
  const engineSha256: Record<string, string> = {};
  for (const [name, file] of Object.entries(options.engines)) {
    const data = readFileSync(file);
    engineSha256[name] = createHash('sha256').update(data).digest('hex').toUpperCase();
    contents.set(`bin/${name}`, { data, mode: name.endsWith('.exe') ? 0o644 : 0o755 });
  }
  for (const [name, text] of Object.entries(dscResourceManifests())) {
    contents.set(`bin/${name}`, { data: Buffer.from(`${JSON.stringify(text, null, 2)}\n`, 'utf8'), mode: 0o644 });
  }
  const fileList = ['OfflineSeed.psd1', ...[...contents.keys()].sort()];
  const manifest = packagedManifest(readFileSync(join(options.root, 'OfflineSeed.psd1'), 'utf8'), fileList, engineSha256);
  contents.set('OfflineSeed.psd1', { data: Buffer.from(manifest, 'utf8'), mode: 0o644 });

  for (const [path, { data, mode }] of contents) {
    const target = join(staging, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    chmodSync(target, mode);
  }
  rmSync(folder, { recursive: true, force: true });
  renameSync(staging, folder);

  let zip: string | undefined;
  let zipBytes: number | undefined;
  if (options.zip !== false) {
    zip = join(options.outDir, `${MODULE_NAME}.zip`);
    const entries: ZipEntry[] = fileList.map((path) => ({ name: `${MODULE_NAME}/${path}`, data: contents.get(path)!.data, mode: contents.get(path)!.mode }));
    writeZip(zip, entries);
    zipBytes = statSync(zip).size;
    if (zipBytes >= ZIP_LIMIT_BYTES) {
      throw new Error(`${zip} is ${zipBytes} bytes, over the ${ZIP_LIMIT_BYTES}-byte limit of an Azure Automation module`);
    }
  }
  return { folder, zip, zipBytes, files: fileList, engineSha256 };
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dist = join(root, 'dist');
  const engines: Record<string, string> = {};
  for (const name of ENGINE_NAMES) {
    const file = join(dist, name);
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build (with the Windows engine) first`);
    engines[name] = file;
  }
  const started = Date.now();
  const result = packageModule({ root, outDir: join(dist, 'package'), engines });
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  const unpacked = result.files.reduce((n, f) => n + statSync(join(result.folder, ...f.split('/'))).size, 0);
  console.log(`packaged ${relative(root, result.folder)} (${result.files.length} files, ${mb(unpacked)} MB) and ${relative(root, result.zip!)} (${mb(result.zipBytes!)} MB, limit ${mb(ZIP_LIMIT_BYTES)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const [name, hash] of Object.entries(result.engineSha256)) console.log(`  bin/${name} SHA-256 ${hash}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
