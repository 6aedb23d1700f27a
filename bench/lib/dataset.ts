/**
 * Benchmark datasets from the shared deterministic generator (gen-dataset.sh), cached per scale:
 *   <root>/<scale>/base/           the pristine dataset (never modified)
 *   <root>/<scale>/complete.json   marker written only after generation finished
 * <root> is bench/.data unless OFFLINESEED_BENCH_DATA names another folder. The scale comes from
 * OFFLINESEED_BENCH_SCALE (or SCALE); 1 is ~2 GiB, 0.1 a tenth of it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { dirSize } from './dirSize.ts';
import { execOk } from './exec.ts';
import { benchDir, repoRoot } from './paths.ts';

export interface Dataset {
  dir: string;
  scale: number;
  /** Logical bytes: the sum of the files' sizes. */
  bytes: number;
  files: number;
}

interface Marker {
  scale: number;
  generatorSha256: string;
  bytes: number;
  files: number;
  createdAt: string;
}

export interface EnsureOptions {
  scale?: number;
  log?: (message: string) => void;
}

export function benchScale(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.OFFLINESEED_BENCH_SCALE ?? env.SCALE ?? '1';
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new Error(`OFFLINESEED_BENCH_SCALE must be a positive number, not "${text}"`);
  }
  return scale;
}

export function dataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.OFFLINESEED_BENCH_DATA;
  return override === undefined || override === '' ? join(benchDir, '.data') : resolve(override);
}

export function scaleDir(scale: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(dataRoot(env), String(scale));
}

/** The shared generator: beside the repository (../shared), else the workplace's /work/shared. */
export function generatorPath(): string {
  const candidates = [join(repoRoot, '..', 'shared', 'bench', 'gen-dataset.sh'), '/work/shared/bench/gen-dataset.sh'];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) throw new Error(`gen-dataset.sh not found; looked at ${candidates.join(', ')}`);
  return found;
}

export async function ensureDataset(options: EnsureOptions = {}): Promise<Dataset> {
  const scale = options.scale ?? benchScale();
  const log = options.log ?? (() => {});
  const dir = scaleDir(scale);
  const base = join(dir, 'base');
  const markerPath = join(dir, 'complete.json');
  const generator = generatorPath();
  const generatorSha256 = sha256File(generator);

  const marker = readMarker(markerPath);
  if (marker !== undefined && marker.scale === scale && marker.generatorSha256 === generatorSha256 && existsSync(base)) {
    return { dir: base, scale, bytes: marker.bytes, files: marker.files };
  }
  if (marker !== undefined) log(`dataset at ${base} was made by another generator or scale; regenerating`);

  rmSync(markerPath, { force: true });
  rmSync(base, { recursive: true, force: true });
  // Generate beside the final name so an interrupted run never looks like a dataset.
  const partial = join(dir, 'base.partial');
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`generating dataset (scale ${scale}) into ${base} with ${generator}`);
  const started = Date.now();
  await execOk(['bash', generator, partial], { env: { ...process.env, SCALE: String(scale) } });
  renameSync(partial, base);
  const size = dirSize(base);
  const written: Marker = { scale, generatorSha256, bytes: size.bytes, files: size.files, createdAt: new Date().toISOString() };
  writeFileSync(markerPath, `${JSON.stringify(written, null, 2)}\n`);
  log(`dataset ready: ${size.files} files, ${(size.bytes / 2 ** 20).toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { dir: base, scale, bytes: size.bytes, files: size.files };
}

/** Copies a tree with metadata (cp -a), sharing extents where the filesystem can. `to` is replaced. */
export async function copyTree(from: string, to: string): Promise<void> {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(dirname(to), { recursive: true });
  await execOk(['cp', '-a', '--reflink=auto', from, to]);
}

/** Applies the generator's deterministic ~1% change in place; give it a copy, never the base. */
export async function applyModify(dir: string, scale: number): Promise<void> {
  await execOk(['bash', generatorPath(), 'modify', dir], { env: { ...process.env, SCALE: String(scale) } });
}

/** A modified copy of a dataset at `dest`; the base stays pristine. */
export async function modifiedCopy(base: Dataset, dest: string): Promise<Dataset> {
  await copyTree(base.dir, dest);
  await applyModify(dest, base.scale);
  return datasetAt(dest, base.scale);
}

export function datasetAt(dir: string, scale: number): Dataset {
  const size = dirSize(dir);
  return { dir, scale, bytes: size.bytes, files: size.files };
}

function readMarker(path: string): Marker | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Marker>;
    if (typeof parsed.scale !== 'number' || typeof parsed.generatorSha256 !== 'string') return undefined;
    if (typeof parsed.bytes !== 'number' || typeof parsed.files !== 'number') return undefined;
    return parsed as Marker;
  } catch {
    return undefined;
  }
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
