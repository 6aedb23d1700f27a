/**
 * Go os.FileMode bits, which restic stores as a node's "mode", and their POSIX st_mode counterparts.
 * Go keeps the file type in the top bits (ModeDir is bit 31), so compose with addition and test
 * with division: JS bitwise operators would make bit 31 negative.
 */

export const GoMode = {
  Dir: 2 ** 31,
  Append: 2 ** 30,
  Exclusive: 2 ** 29,
  Temporary: 2 ** 28,
  Symlink: 2 ** 27,
  Device: 2 ** 26,
  NamedPipe: 2 ** 25,
  Socket: 2 ** 24,
  Setuid: 2 ** 23,
  Setgid: 2 ** 22,
  CharDevice: 2 ** 21,
  Sticky: 2 ** 20,
  Irregular: 2 ** 19,
  Perm: 0o777,
} as const;

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

/** Whether the one-bit flag `bit` (a power of two) is set in a uint32 Go mode. */
export function hasGoModeBit(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}

const typeBitsByFormat: ReadonlyMap<number, number> = new Map([
  [S_IFBLK, GoMode.Device],
  [S_IFCHR, GoMode.Device + GoMode.CharDevice],
  [S_IFDIR, GoMode.Dir],
  [S_IFIFO, GoMode.NamedPipe],
  [S_IFLNK, GoMode.Symlink],
  [S_IFREG, 0],
  [S_IFSOCK, GoMode.Socket],
]);

/**
 * os.FileMode of a Unix st_mode (Go's fillFileStatFromSys), already inside the mask restic applies
 * (ModePerm | ModeType | ModeSetuid | ModeSetgid | ModeSticky). An unknown file format gets no type
 * bits, as in Go 1.19, so restic records it as a "file".
 */
export function goModeFromPosix(stMode: number): number {
  let mode = stMode & GoMode.Perm;
  mode += typeBitsByFormat.get(stMode & S_IFMT) ?? 0;
  if (stMode & S_ISGID) mode += GoMode.Setgid;
  if (stMode & S_ISUID) mode += GoMode.Setuid;
  if (stMode & S_ISVTX) mode += GoMode.Sticky;
  return mode;
}

/** The permission and special bits for chmod (Go's syscallMode): perm, setuid, setgid, sticky. */
export function posixPermissionsFromGoMode(mode: number): number {
  let bits = mode % 0o1000;
  if (hasGoModeBit(mode, GoMode.Setuid)) bits |= S_ISUID;
  if (hasGoModeBit(mode, GoMode.Setgid)) bits |= S_ISGID;
  if (hasGoModeBit(mode, GoMode.Sticky)) bits |= S_ISVTX;
  return bits;
}

/** A full st_mode (file format and permissions) for a Go mode, e.g. for mknod. */
export function posixModeFromGoMode(mode: number): number {
  let format = S_IFREG;
  if (hasGoModeBit(mode, GoMode.Dir)) format = S_IFDIR;
  else if (hasGoModeBit(mode, GoMode.Symlink)) format = S_IFLNK;
  else if (hasGoModeBit(mode, GoMode.NamedPipe)) format = S_IFIFO;
  else if (hasGoModeBit(mode, GoMode.Socket)) format = S_IFSOCK;
  else if (hasGoModeBit(mode, GoMode.Device)) format = hasGoModeBit(mode, GoMode.CharDevice) ? S_IFCHR : S_IFBLK;
  return format | posixPermissionsFromGoMode(mode);
}

export type GoNodeType = 'file' | 'dir' | 'symlink' | 'dev' | 'chardev' | 'fifo' | 'socket';

/** restic's nodeTypeFromFileInfo; undefined for a mode restic 0.14 rejects ("invalid node type"). */
export function nodeTypeFromGoMode(mode: number): GoNodeType | undefined {
  const has = (bit: number): boolean => hasGoModeBit(mode, bit);
  const typeBits = [GoMode.Dir, GoMode.Symlink, GoMode.NamedPipe, GoMode.Socket, GoMode.Device, GoMode.CharDevice, GoMode.Irregular].filter(has);
  if (typeBits.length === 0) return 'file';
  if (typeBits.length === 2 && has(GoMode.Device) && has(GoMode.CharDevice)) return 'chardev';
  if (typeBits.length !== 1) return undefined;
  if (has(GoMode.Dir)) return 'dir';
  if (has(GoMode.Symlink)) return 'symlink';
  if (has(GoMode.Device)) return 'dev';
  if (has(GoMode.NamedPipe)) return 'fifo';
  if (has(GoMode.Socket)) return 'socket';
  return undefined;
}
