/**
 * What a session copies (the inventory) and what fits on a drive (the plan).
 *
 * Inventory, seed mode: every file of the staged repository (config, keys/, snapshots/, index/,
 * data/<2 hex>/<id>; never .offlineseed-tmp/ or locks/), in that order, each to become the block blob
 * <container>/<prefix>/<path>. Import mode: a source folder (recursively, regular files only, in path
 * order) or one file, to container/prefix/<relative path> or container/blob. Every name is checked
 * against NTFS and blob naming rules before anything is written.
 *
 * Space on a drive is counted as a file system would allocate it: each file rounded up to 4 KiB
 * clusters (NTFS's default) plus a 1 KiB MFT record; the manifest is reserved twice over (the
 * temporary copy and the one it replaces) at its exact size (manifest.ts). A drive is filled first-fit
 * in inventory order; a file is never split across drives.
 */
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { EventSink } from '../protocol/eventSink.ts';
import {
  blobNameProblem, blobPathFor, manifestFilePath, MAX_BLOCK_BLOB_BYTES, MAX_PAGE_BLOB_BYTES, ntfsNameProblem, PAGE_SIZE,
  type BlobType, type Destination, type Disposition,
} from './driveNames.ts';
import { blobXmlSize } from './manifest.ts';

export const CLUSTER = 4096;
export const FILE_RECORD = 1024;

export interface SourceFile {
  /** Absolute path of the file to copy. */
  source: string;
  /** Path inside the session folder on the drive, "/" between folders. */
  path: string;
  blobPath: string;
  /** Manifest form: \<sessionId>\… */
  filePath: string;
  length: number;
  blobType: BlobType;
  disposition: Disposition;
  /** Bytes this file's <Blob> adds to the manifest. */
  manifestBytes: number;
  /** Repository files are named by the SHA-256 of their content (the keyless check). */
  sha256?: string;
}

export function allocation(length: number): number {
  return Math.ceil(length / CLUSTER) * CLUSTER + FILE_RECORD;
}

export function manifestReserve(manifestBytes: number): number {
  return 2 * Math.ceil(manifestBytes / CLUSTER) * CLUSTER;
}

interface Shape {
  sessionId: string;
  destination: Destination;
  blobType: BlobType;
  disposition: Disposition;
}

function sourceFile(shape: Shape, source: string, path: string, length: number, sha256?: string): SourceFile {
  const blobPath = blobPathFor(shape.destination, path);
  const filePath = manifestFilePath(shape.sessionId, path);
  const file: SourceFile = {
    source, path, blobPath, filePath, length, blobType: shape.blobType, disposition: shape.disposition,
    manifestBytes: blobXmlSize({ blobPath, filePath, length, blobType: shape.blobType, disposition: shape.disposition }),
  };
  if (sha256 !== undefined) file.sha256 = sha256;
  return file;
}

const ID = /^[0-9a-f]{64}$/;

/** The staged repository's files, in the order they go to drives. */
export async function seedInventory(repository: string, shape: Shape): Promise<SourceFile[]> {
  const stat = async (path: string, sha256?: string): Promise<SourceFile | undefined> => {
    const source = join(repository, ...path.split('/'));
    const st = await fs.stat(source);
    return st.isFile() ? sourceFile(shape, source, path, st.size, sha256) : undefined;
  };
  const list = async (dir: string): Promise<string[]> => {
    try {
      return (await fs.readdir(join(repository, dir))).filter((n) => ID.test(n)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  /** A folder's files in name order; their stats all in flight at once. */
  const folder = async (dir: string): Promise<(SourceFile | undefined)[]> => Promise.all((await list(dir)).map((name) => stat(`${dir}/${name}`, name)));
  let sub: string[] = [];
  try {
    sub = (await fs.readdir(join(repository, 'data'))).filter((d) => /^[0-9a-f]{2}$/.test(d)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Folders are read several at a time (one after the other, the listing of a cold multi-terabyte
  // repository waits on the disk once per folder and once per file); the order stays the same.
  const folders = ['keys', 'snapshots', 'index', ...sub.map((d) => `data/${d}`)];
  const listed: (SourceFile | undefined)[][] = new Array<(SourceFile | undefined)[]>(folders.length);
  let next = 0;
  const lister = async (): Promise<void> => {
    for (let i = next++; i < folders.length; i = next++) listed[i] = await folder(folders[i]!);
  };
  const [config] = await Promise.all([stat('config'), ...Array.from({ length: INVENTORY_CONCURRENCY }, lister)]);
  return [config, ...listed.flat()].filter((f): f is SourceFile => f !== undefined);
}

/** Folders listed at once by seedInventory: enough to keep a disk's queue busy. */
const INVENTORY_CONCURRENCY = 8;

function badName(path: string, problem: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.InvalidFileName', 'InvalidArgument', `params.source: ${path} cannot go to an import drive: its name ${problem}`, {
    targetObject: path,
    recommendedAction: 'Rename the file (or leave it out by choosing another source folder); the Import/Export service reads NTFS drives and Azure blob names.',
  });
}

/** A folder (recursively) or one file, for the general PrepImport mode. */
export async function importInventory(source: string, shape: Shape, events: EventSink): Promise<SourceFile[]> {
  const st = await fs.stat(source);
  const out: SourceFile[] = [];
  const check = (full: string, relative: string): void => {
    for (const segment of relative.split('/')) {
      const problem = ntfsNameProblem(segment);
      if (problem !== undefined) throw badName(full, `"${segment}" ${problem}`);
    }
    const blob = blobPathFor(shape.destination, relative);
    const problem = blobNameProblem(blob.slice(blob.indexOf('/') + 1));
    if (problem !== undefined) throw badName(full, `gives the blob name "${blob}", which ${problem}`);
    if (shape.destination.container === '$root' && relative.includes('/')) throw badName(full, 'lies in a subfolder, and blobs in the root container ($root) cannot have "/" in their names');
  };
  if (st.isFile()) {
    const name = basename(source);
    check(source, name);
    out.push(sourceFile(shape, source, name, st.size));
  } else if (st.isDirectory()) {
    if (shape.destination.blob !== undefined) {
      throw new OfflineSeedError('OfflineSeed.InvalidDestination', 'InvalidArgument', `params.destination: a folder goes to container/ or container/prefix/ (ending with "/"), not to one blob`, { targetObject: source });
    }
    const walk = async (dir: string, relative: string): Promise<void> => {
      const names = (await fs.readdir(dir)).sort();
      for (const name of names) {
        const full = join(dir, name);
        const rel = relative === '' ? name : `${relative}/${name}`;
        const entry = await fs.lstat(full);
        if (entry.isDirectory()) await walk(full, rel);
        else if (entry.isFile()) {
          check(full, rel);
          out.push(sourceFile(shape, full, rel, entry.size));
        } else events.log('warning', `Skipped ${full}: only regular files go to an import drive (this is a ${entry.isSymbolicLink() ? 'symbolic link' : 'special file'}).`);
      }
    };
    await walk(source, '');
  } else {
    throw new OfflineSeedError('OfflineSeed.InvalidSource', 'InvalidArgument', `params.source: ${source} is neither a file nor a folder`, { targetObject: source });
  }
  return out;
}

/** Blob size and alignment rules, checked for every file before anything is written. */
export function checkBlobLimits(files: readonly SourceFile[]): void {
  for (const f of files) {
    if (f.blobType === 'PageBlob') {
      if (f.length % PAGE_SIZE !== 0) {
        throw new OfflineSeedError('OfflineSeed.PageBlobNotAligned', 'InvalidArgument', `${f.source} is ${f.length} bytes long, not a multiple of 512: a page blob cannot hold it`, {
          targetObject: f.source,
          recommendedAction: 'Import it as a BlockBlob, or pad the file to a multiple of 512 bytes yourself (a VHD already is one).',
        });
      }
      if (f.length > MAX_PAGE_BLOB_BYTES) throw tooLarge(f, MAX_PAGE_BLOB_BYTES, 'page');
    } else if (f.length > MAX_BLOCK_BLOB_BYTES) {
      throw tooLarge(f, MAX_BLOCK_BLOB_BYTES, 'block');
    }
  }
}

function tooLarge(f: SourceFile, limit: number, kind: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.BlobTooLarge', 'LimitsExceeded', `${f.source} is ${f.length} bytes: a ${kind} blob written from a drive manifest holds at most ${limit} bytes`, {
    targetObject: f.source,
    recommendedAction: kind === 'block' ? 'Split the file, or import it as a PageBlob if it is a disk image.' : 'Split the file.',
  });
}

export interface Fill {
  taken: SourceFile[];
  /** Space counted for the taken files (allocation), not including the manifest. */
  usedBytes: number;
  manifestBytes: number;
}

/**
 * First-fit: the candidates, in order, that fit beside what the drive already holds.
 * usedBytes/manifestBytes start from what is on the drive already.
 */
export function fillDrive(candidates: readonly SourceFile[], budgetBytes: number, usedBytes: number, manifestBytes: number): Fill {
  const taken: SourceFile[] = [];
  let used = usedBytes;
  let manifest = manifestBytes;
  for (const f of candidates) {
    const u = used + allocation(f.length);
    const m = manifest + f.manifestBytes;
    if (u + manifestReserve(m) > budgetBytes) continue;
    taken.push(f);
    used = u;
    manifest = m;
  }
  return { taken, usedBytes: used, manifestBytes: manifest };
}

/** The first file that could not fit even on an empty drive of this budget. */
export function firstTooLarge(files: readonly SourceFile[], budgetBytes: number, frameBytes: number): SourceFile | undefined {
  return files.find((f) => allocation(f.length) + manifestReserve(frameBytes + f.manifestBytes) > budgetBytes);
}
