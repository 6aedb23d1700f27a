/**
 * snapshots/<id>: {"time","parent"?,"tree","paths","hostname"?,"username"?,"uid"?,"gid"?,"excludes"?,
 * "tags"?,"original"?,"program_version"?} in Go field order (json.Marshal, no trailing newline).
 */
import { OfflineSeedError } from '../../protocol/errors.ts';

export interface Snapshot {
  time: string;
  parent?: string;
  tree: string;
  paths: string[];
  hostname?: string;
  username?: string;
  uid?: number;
  gid?: number;
  excludes?: string[];
  tags?: string[];
  original?: string;
  programVersion?: string;
}

export function encodeSnapshot(s: Snapshot): Buffer {
  const json: Record<string, unknown> = { time: s.time };
  if (s.parent !== undefined) json.parent = s.parent;
  json.tree = s.tree;
  json.paths = s.paths;
  if (s.hostname) json.hostname = s.hostname;
  if (s.username) json.username = s.username;
  if (s.uid) json.uid = s.uid;
  if (s.gid) json.gid = s.gid;
  if (s.excludes !== undefined && s.excludes.length > 0) json.excludes = s.excludes;
  if (s.tags !== undefined && s.tags.length > 0) json.tags = s.tags;
  if (s.original !== undefined) json.original = s.original;
  if (s.programVersion) json.program_version = s.programVersion;
  return Buffer.from(JSON.stringify(json), 'utf8');
}

export function decodeSnapshot(json: Buffer, name: string): Snapshot {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new OfflineSeedError('OfflineSeed.SnapshotCorrupt', 'InvalidData', `snapshot ${name} is not valid JSON`, { targetObject: `snapshots/${name}` });
  }
  if (typeof v.time !== 'string' || typeof v.tree !== 'string' || !/^[0-9a-f]{64}$/.test(v.tree)) {
    throw new OfflineSeedError('OfflineSeed.SnapshotCorrupt', 'InvalidData', `snapshot ${name} has no valid time or tree`, { targetObject: `snapshots/${name}` });
  }
  const strings = (x: unknown): string[] | undefined => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : undefined);
  const out: Snapshot = { time: v.time, tree: v.tree, paths: strings(v.paths) ?? [] };
  if (typeof v.parent === 'string') out.parent = v.parent;
  if (typeof v.hostname === 'string') out.hostname = v.hostname;
  if (typeof v.username === 'string') out.username = v.username;
  if (typeof v.uid === 'number') out.uid = v.uid;
  if (typeof v.gid === 'number') out.gid = v.gid;
  const excludes = strings(v.excludes);
  if (excludes !== undefined) out.excludes = excludes;
  const tags = strings(v.tags);
  if (tags !== undefined) out.tags = tags;
  if (typeof v.original === 'string') out.original = v.original;
  if (typeof v.program_version === 'string') out.programVersion = v.program_version;
  return out;
}
