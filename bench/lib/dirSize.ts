/** Bytes a folder holds: the sum of its regular files' sizes (what a repository costs to ship). */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface DirSize {
  bytes: number;
  files: number;
}

export function dirSize(root: string): DirSize {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += lstatSync(join(entry.parentPath, entry.name)).size;
    files += 1;
  }
  return { bytes, files };
}
