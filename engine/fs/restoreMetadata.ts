/**
 * Put a node's metadata back on a restored path, in restic's order: owner, mode, times.
 * Call it on a directory only after its entries are written, since writing them changes its mtime.
 *
 * Node's utimes takes times as double seconds (about 0.24 µs resolution today), so on Linux the
 * times are set again with GNU touch when the native call could not hit the exact nanosecond
 * (paths go to touch through `xargs -0`, so any name bytes work); without those tools the times stay
 * approximate and the result says so. Extended attributes cannot be written from Node and are
 * reported as not restored.
 */
import { execFile } from 'node:child_process';
import { chmodSync, fchmodSync, fchownSync, futimesSync, lchownSync, utimesSync } from 'node:fs';
import { chmod, lchown, lstat, lutimes, utimes } from 'node:fs/promises';
import { posixPermissionsFromGoMode } from '../repo/tree/fileMode.ts';
import { goTimeToUnixNanos } from '../repo/tree/goTime.ts';
import type { GoTime } from '../repo/tree/goTime.ts';
import { nameBytes } from '../repo/tree/treeNode.ts';
import type { TreeNode } from '../repo/tree/treeNode.ts';

export interface RestoreMetadataOptions {
  /** lchown to the node's uid/gid. Default: when running as root (as restic, which ignores EPERM otherwise). */
  ownership?: boolean;
  /** Reach nanosecond times with GNU touch where Node cannot. Default: true on Linux. */
  exactTimes?: boolean;
  /** The platform whose rules apply; by default the running one. */
  platform?: NodeJS.Platform;
}

export interface RestoreMetadataResult {
  /** Metadata that exists in the node but could not be applied here. */
  notRestored: string[];
}

/** A time as Unix seconds with nanoseconds, the form `touch -d @S.N` reads. */
export function touchTimestamp(t: GoTime): string {
  const ns = goTimeToUnixNanos(t);
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  return `@${sign}${abs / 1_000_000_000n}.${String(abs % 1_000_000_000n).padStart(9, '0')}`;
}

/** The closest double of Unix seconds; exact only for some instants. */
function nativeSeconds(t: GoTime): number {
  return Number(t.unixSeconds) + t.nanos / 1e9;
}

function runTouch(path: Buffer, flags: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('xargs', ['-0', '-r', 'touch', '-c', '-h', ...flags, '--'], (error, _stdout, stderr) => {
      if (error) reject(new Error(`touch ${flags.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
    child.stdin!.end(Buffer.concat([path, Buffer.from([0])]));
  });
}

/** Sets both times; returns a note when only Node's approximate precision was reached. */
async function restoreTimes(path: Buffer | string, node: TreeNode, exact: boolean): Promise<string | undefined> {
  const setTimes = node.type === 'symlink' ? lutimes : utimes;
  await setTimes(path, nativeSeconds(node.atime), nativeSeconds(node.mtime));
  if (!exact) return undefined;
  const now = await lstat(path, { bigint: true });
  const atime = goTimeToUnixNanos(node.atime);
  const mtime = goTimeToUnixNanos(node.mtime);
  if (now.atimeNs === atime && now.mtimeNs === mtime) return undefined;
  const bytes = nameBytes(path);
  try {
    if (atime === mtime) {
      await runTouch(bytes, ['-d', touchTimestamp(node.mtime)]);
    } else {
      await runTouch(bytes, ['-a', '-d', touchTimestamp(node.atime)]);
      await runTouch(bytes, ['-m', '-d', touchTimestamp(node.mtime)]);
    }
    return undefined;
  } catch (error) {
    return `nanosecond times (${(error as Error).message})`;
  }
}

/**
 * Apply owner (when allowed), permission bits (not for symlinks) and access/modification times.
 * Every step is attempted; failures are thrown together afterwards as an AggregateError.
 */
export async function restoreMetadata(path: Buffer | string, node: TreeNode, options: RestoreMetadataOptions = {}): Promise<RestoreMetadataResult> {
  const platform = options.platform ?? process.platform;
  const windows = platform === 'win32';
  const errors: Error[] = [];
  const attempt = async (what: string, step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      errors.push(new Error(`${what}: ${(error as Error).message}`, { cause: error }));
    }
  };

  const ownership = options.ownership ?? (!windows && process.geteuid?.() === 0);
  if (ownership && !windows) await attempt('lchown', () => lchown(path, node.uid, node.gid));
  if (node.type !== 'symlink') {
    // Windows only has a read-only flag, which Node maps from the owner write bit.
    const bits = windows ? (posixPermissionsFromGoMode(node.mode) & 0o200 ? 0o666 : 0o444) : posixPermissionsFromGoMode(node.mode);
    await attempt('chmod', () => chmod(path, bits));
  }
  const notRestored: string[] = [];
  if (!(windows && node.type === 'symlink')) {
    await attempt('set times', async () => {
      // Exact nanoseconds need a `touch` process per path: opt-in only (utimes is sub-microsecond accurate).
      const approximate = await restoreTimes(path, node, options.exactTimes ?? false);
      if (approximate !== undefined) notRestored.push(approximate);
    });
  }
  if (errors.length > 0) throw new AggregateError(errors, `restoring metadata of ${nameBytes(path).toString('utf8')}: ${errors.map((e) => e.message).join('; ')}`);

  if (node.extendedAttributes.length > 0) notRestored.push('extended_attributes');
  if (Object.keys(node.genericAttributes).length > 0) notRestored.push('generic_attributes');
  return { notRestored };
}

/**
 * A regular file's metadata in a form a worker thread can take (structured-clonable, no BigInt): owner,
 * permission bits and times as Node sets them (approximate times only; exact ones need restoreMetadata).
 */
export interface FileMetadata {
  path: Uint8Array;
  uid: number;
  gid: number;
  bits: number;
  atime: number;
  mtime: number;
}

/** What restoreMetadataSync applies to a regular file or a folder (POSIX; ownership as restoreMetadata decides it). */
export function fileMetadataOf(path: Buffer, node: TreeNode): FileMetadata {
  return { path, uid: node.uid, gid: node.gid, bits: posixPermissionsFromGoMode(node.mode), atime: nativeSeconds(node.atime), mtime: nativeSeconds(node.mtime) };
}

/**
 * restoreMetadata for a regular file on POSIX without exact times, synchronously: for the restore
 * workers, where ten thousand small files cost three syscalls each instead of three thread-pool round
 * trips each. Same order and error handling: every step is attempted, failures thrown together.
 */
export function restoreMetadataSync(file: FileMetadata, ownership = process.geteuid?.() === 0): void {
  const path = Buffer.from(file.path.buffer, file.path.byteOffset, file.path.byteLength);
  applySteps(path, [
    ...(ownership ? [['lchown', () => lchownSync(path, file.uid, file.gid)] as const] : []),
    ['chmod', () => chmodSync(path, file.bits)],
    ['set times', () => utimesSync(path, file.atime, file.mtime)],
  ]);
}

/**
 * restoreMetadataSync on a regular file the caller has open (for writing), through its descriptor: no
 * path lookups. Call it after the file's last write; closing the descriptor afterwards changes nothing.
 */
export function restoreOpenFileMetadataSync(fd: number, path: Uint8Array, file: Omit<FileMetadata, 'path'>, ownership = process.geteuid?.() === 0): void {
  applySteps(Buffer.from(path.buffer, path.byteOffset, path.byteLength), [
    ...(ownership ? [['lchown', () => fchownSync(fd, file.uid, file.gid)] as const] : []),
    ['chmod', () => fchmodSync(fd, file.bits)],
    ['set times', () => futimesSync(fd, file.atime, file.mtime)],
  ]);
}

/** Every step is attempted, in order; failures are thrown together, with the first one's errno code. */
function applySteps(path: Buffer, steps: readonly (readonly [string, () => void])[]): void {
  const errors: Error[] = [];
  for (const [what, step] of steps) {
    try {
      step();
    } catch (error) {
      errors.push(new Error(`${what}: ${(error as Error).message}`, { cause: error }));
    }
  }
  if (errors.length === 0) return;
  const failure = new AggregateError(errors, `restoring metadata of ${path.toString('utf8')}: ${errors.map((e) => e.message).join('; ')}`) as AggregateError & { code?: string };
  const code = (errors[0]!.cause as NodeJS.ErrnoException).code;
  if (code !== undefined) failure.code = code;
  throw failure;
}
