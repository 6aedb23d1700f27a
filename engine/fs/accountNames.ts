/**
 * uid → user name and gid → group name the way restic 0.14 gets them on Linux (Go's os/user):
 * the first matching entry of /etc/passwd or /etc/group, "" when there is none. Both files are read
 * once per process, like restic's lookup caches.
 */
import { readFileSync } from 'node:fs';

type IdNames = ReadonlyMap<number, string>;

/** Entries "name:x:id:…" with at least `minFields` fields; the first entry per id wins. */
export function parseColonFile(text: string, minFields: number): IdNames {
  const names = new Map<number, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    const name = fields[0]!;
    // NIS compat entries ("+", "-name") are not accounts, and Go's reader skips them.
    if (fields.length < minFields || name === '' || name.startsWith('+') || name.startsWith('-')) continue;
    if (!/^\d+$/.test(fields[2]!)) continue;
    const id = Number(fields[2]);
    if (!names.has(id)) names.set(id, name);
  }
  return names;
}

function load(path: string, minFields: number): IdNames {
  try {
    return parseColonFile(readFileSync(path, 'utf8'), minFields);
  } catch {
    return new Map();
  }
}

let users: IdNames | undefined;
let groups: IdNames | undefined;

export function userName(uid: number): string {
  users ??= load('/etc/passwd', 7);
  return users.get(uid) ?? '';
}

export function groupName(gid: number): string {
  groups ??= load('/etc/group', 4);
  return groups.get(gid) ?? '';
}
