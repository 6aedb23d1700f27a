/**
 * A restic tree node (restic 0.14 `internal/restic/node.go`, field order of the JSON kept).
 *
 * Names and symlink targets are raw bytes: on Linux they need not be UTF-8, and restic keeps the
 * exact bytes of a name (Go strconv.Quote) although 0.14 loses invalid bytes of a link target (\ufffd).
 * All uint64 fields are bigint: inode numbers, device ids and sizes can exceed 2^53.
 * uid, gid and mode are uint32 and stay numbers.
 */
import type { GoTime } from './goTime.ts';
import { GO_ZERO_TIME } from './goTime.ts';

/** restic's node types; newer restic also writes "irregular", and unknown types are kept as read. */
export type NodeType = 'file' | 'dir' | 'symlink' | 'dev' | 'chardev' | 'fifo' | 'socket' | 'irregular' | (string & {});

export interface ExtendedAttribute {
  name: string;
  value: Buffer;
}

/** A JSON member restic 0.14 does not know, kept as its exact JSON text. */
export interface ExtraField {
  key: string;
  json: string;
}

export interface TreeNode {
  name: Buffer;
  type: NodeType;
  /** Go os.FileMode bits (see fileMode.ts), not st_mode. */
  mode: number;
  mtime: GoTime;
  atime: GoTime;
  ctime: GoTime;
  uid: number;
  gid: number;
  user: string;
  group: string;
  inode: bigint;
  /** st_dev of the node; restic 0.14 records it for every node. */
  deviceId: bigint;
  size: bigint;
  links: bigint;
  linkTarget: Buffer;
  extendedAttributes: ExtendedAttribute[];
  /** Windows attributes (restic 0.17+): key → pre-encoded JSON value. */
  genericAttributes: Record<string, string>;
  /** st_rdev of a block or character device. */
  device: bigint;
  /** Data blob ids (64 lowercase hex); `[]` for an empty file, null for anything but a file. */
  content: string[] | null;
  /** Tree id of a directory's contents. */
  subtree: string | null;
  error: string;
  /** Members unknown to restic 0.14, in the order read; written after the known ones. */
  extraFields: ExtraField[];
  /**
   * The exact JSON this node was decoded from. encodeTree writes it back unchanged as long as it
   * still decodes to the same node, so trees from other restic versions keep their ids.
   */
  sourceJson?: Buffer;
  /**
   * Set by whoever has checked that this node, as decoded, still describes the entry (sameNode): the
   * tree then takes sourceJson as it is, without encoding the node again to compare.
   */
  sourceIsCurrent?: boolean;
}

/**
 * Whether two nodes hold the same values in every field a tree records (the source text and its mark
 * aside). For a node taken unchanged from the parent snapshot: when its fresh stat says the same, the
 * parent's node text can be written again as it is.
 */
export function sameNode(a: TreeNode, b: TreeNode): boolean {
  return a.type === b.type && a.mode === b.mode
    && sameTime(a.mtime, b.mtime) && sameTime(a.atime, b.atime) && sameTime(a.ctime, b.ctime)
    && a.uid === b.uid && a.gid === b.gid && a.user === b.user && a.group === b.group
    && a.inode === b.inode && a.deviceId === b.deviceId && a.size === b.size && a.links === b.links && a.device === b.device
    && a.subtree === b.subtree && a.error === b.error
    && a.name.equals(b.name) && a.linkTarget.equals(b.linkTarget)
    && sameList(a.content, b.content, (x, y) => x === y)
    && sameList(a.extendedAttributes, b.extendedAttributes, (x, y) => x.name === y.name && x.value.equals(y.value))
    && sameList(Object.entries(a.genericAttributes), Object.entries(b.genericAttributes), (x, y) => x[0] === y[0] && x[1] === y[1])
    && sameList(a.extraFields, b.extraFields, (x, y) => x.key === y.key && x.json === y.json);
}

function sameTime(a: GoTime, b: GoTime): boolean {
  return a.unixSeconds === b.unixSeconds && a.nanos === b.nanos && a.offsetSeconds === b.offsetSeconds;
}

function sameList<T>(a: readonly T[] | null, b: readonly T[] | null, same: (x: T, y: T) => boolean): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => same(x, b[i]!));
}

/** sha256 of `{"nodes":[]}\n`. */
export const EMPTY_TREE_ID = 'ac08ce34ba4f8123618661bef2425f7028ffb9ac740578a3ee88684d2523fee8';

/** A node with every field at Go's zero value, for building nodes field by field. */
export function emptyNode(name: Buffer | string, type: NodeType): TreeNode {
  return {
    name: nameBytes(name),
    type,
    mode: 0,
    mtime: GO_ZERO_TIME,
    atime: GO_ZERO_TIME,
    ctime: GO_ZERO_TIME,
    uid: 0,
    gid: 0,
    user: '',
    group: '',
    inode: 0n,
    deviceId: 0n,
    size: 0n,
    links: 0n,
    linkTarget: Buffer.alloc(0),
    extendedAttributes: [],
    genericAttributes: {},
    device: 0n,
    content: type === 'file' ? [] : null,
    subtree: null,
    error: '',
    extraFields: [],
  };
}

/** A name as raw bytes; a string is taken as UTF-8. */
export function nameBytes(name: Buffer | string): Buffer {
  return typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
}

/** A name for display: UTF-8 with invalid bytes replaced by U+FFFD. */
export function nameText(node: Pick<TreeNode, 'name'>): string {
  return node.name.toString('utf8');
}

/** Go's string order: bytewise. */
export function compareNames(a: Pick<TreeNode, 'name'>, b: Pick<TreeNode, 'name'>): number {
  return Buffer.compare(a.name, b.name);
}
