/**
 * Tree nodes from the file system, as restic 0.14's archiver builds them (restic.NodeFromFileInfo
 * plus the archiver's `atime := mtime`).
 *
 * Linux: lstat with nanosecond times; mode in Go FileMode bits; inode and device_id (st_dev) for
 * every node; size for files; links (st_nlink) for files, symlinks and devices only; device
 * (st_rdev) for devices; user and group names from /etc/passwd and /etc/group.
 * Not covered: extended attributes (Node has no xattr API; restic lists them for all but symlinks)
 * and file content (the data blob ids come from chunking; files get `content: []` here).
 *
 * Windows (restic 0.14): Go derives the mode from the file attributes only (0444 when read-only else
 * 0666, directories 0777 | ModeDir, reparse-point symlinks ModeSymlink); uid, gid, inode, device_id
 * and links are 0 and so omitted; user and group are empty; mtime and ctime are both LastWriteTime.
 * restic 0.17+ also writes generic_attributes (creation time, file attributes, security descriptor),
 * which Node cannot read, so they are not produced here.
 */
import { lstat, readlink, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { S_IFDIR, S_IFLNK, S_IFMT, GoMode, goModeFromPosix, nodeTypeFromGoMode } from '../repo/tree/fileMode.ts';
import { goTimeFromUnixNanos } from '../repo/tree/goTime.ts';
import { emptyNode, nameBytes } from '../repo/tree/treeNode.ts';
import type { TreeNode } from '../repo/tree/treeNode.ts';
import { groupName, userName } from './accountNames.ts';

export interface NodeFromStatOptions {
  /** Follow a final symlink (restic stats the parent directories of a backup target with Stat). */
  followSymlinks?: boolean;
  /** Keep the real access time, like `restic backup --with-atime`; by default atime := mtime. */
  withAtime?: boolean;
  /** The node's name; by default the last element of the path. */
  name?: Buffer | string;
  /** The platform whose rules apply; by default the running one. */
  platform?: NodeJS.Platform;
}

export class UnsupportedFileTypeError extends Error {
  override name = 'UnsupportedFileTypeError';
}

/** The last element of a path in raw bytes, ignoring trailing separators (Go's filepath.Base). */
export function baseName(path: Buffer | string, platform: NodeJS.Platform = process.platform): Buffer {
  const bytes = nameBytes(path);
  const isSeparator = (b: number): boolean => b === 0x2f || (platform === 'win32' && b === 0x5c);
  let end = bytes.length;
  while (end > 1 && isSeparator(bytes[end - 1]!)) end--;
  let start = end;
  while (start > 0 && !isSeparator(bytes[start - 1]!)) start--;
  return Buffer.from(bytes.subarray(start, end));
}

function unixNode(name: Buffer, stats: BigIntStats, linkTarget: Buffer | undefined, withAtime: boolean): TreeNode {
  const mode = goModeFromPosix(Number(stats.mode));
  const type = nodeTypeFromGoMode(mode);
  if (type === undefined) throw new UnsupportedFileTypeError(`invalid node type for mode ${mode}`);
  const node = emptyNode(name, type);
  node.mode = mode;
  node.mtime = goTimeFromUnixNanos(stats.mtimeNs);
  node.atime = withAtime ? goTimeFromUnixNanos(stats.atimeNs) : node.mtime;
  node.ctime = goTimeFromUnixNanos(stats.ctimeNs);
  node.uid = Number(stats.uid);
  node.gid = Number(stats.gid);
  node.user = userName(node.uid);
  node.group = groupName(node.gid);
  node.inode = stats.ino;
  node.deviceId = stats.dev;
  if (type === 'file') node.size = stats.size;
  if (type === 'file' || type === 'symlink' || type === 'dev' || type === 'chardev') node.links = stats.nlink;
  if (type === 'symlink') node.linkTarget = linkTarget ?? Buffer.alloc(0);
  if (type === 'dev' || type === 'chardev') node.device = stats.rdev;
  return node;
}

function windowsNode(name: Buffer, stats: BigIntStats, linkTarget: Buffer | undefined, withAtime: boolean): TreeNode {
  const format = Number(stats.mode) & S_IFMT;
  // libuv reports a read-only file (FILE_ATTRIBUTE_READONLY) as having no write bits.
  let mode = (Number(stats.mode) & 0o200) === 0 ? 0o444 : 0o666;
  if (format === S_IFLNK) mode += GoMode.Symlink;
  else if (format === S_IFDIR) mode = (mode | 0o111) + GoMode.Dir;
  const type = nodeTypeFromGoMode(mode)!;
  const node = emptyNode(name, type);
  node.mode = mode;
  node.mtime = goTimeFromUnixNanos(stats.mtimeNs);
  node.atime = withAtime ? goTimeFromUnixNanos(stats.atimeNs) : node.mtime;
  node.ctime = node.mtime;
  if (type === 'file') node.size = stats.size;
  if (type === 'symlink') node.linkTarget = linkTarget ?? Buffer.alloc(0);
  return node;
}

/** A node from stat results already at hand (bigint stats; the link target for a symlink). */
export function nodeFromStats(name: Buffer | string, stats: BigIntStats, linkTarget?: Buffer, options: Omit<NodeFromStatOptions, 'name' | 'followSymlinks'> = {}): TreeNode {
  const build = (options.platform ?? process.platform) === 'win32' ? windowsNode : unixNode;
  return build(nameBytes(name), stats, linkTarget, options.withAtime ?? false);
}

/** lstat (or stat) a path and build its node; pass a Buffer path for names that are not UTF-8. */
export async function nodeFromStat(path: Buffer | string, options: NodeFromStatOptions = {}): Promise<TreeNode> {
  const stats = options.followSymlinks ? await stat(path, { bigint: true }) : await lstat(path, { bigint: true });
  const linkTarget = stats.isSymbolicLink() ? await readlink(path, { encoding: 'buffer' }) : undefined;
  return nodeFromStats(options.name ?? baseName(path, options.platform), stats, linkTarget, options);
}
