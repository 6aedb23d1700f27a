/**
 * Whether a file can be created at a path, checked before a long operation writes anything: the path
 * must not be a folder, and the nearest part of it that exists must be a folder (a file there would
 * only fail at the end, with ENOTDIR or EEXIST, after hours of copying).
 */
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

export async function newFileLocationProblem(path: string): Promise<string | undefined> {
  let current = path;
  for (;;) {
    try {
      const st = await fs.stat(current);
      if (current === path) return st.isDirectory() ? `${path} is a folder, not a file` : undefined;
      return st.isDirectory() ? undefined : `${current} is a file, so no file can be created under it`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENAMETOOLONG') return `${path.slice(0, 200)}: a name in the path is too long`;
      if (code === 'ENOTDIR') return `a part of ${path} is a file, not a folder`;
      if (code !== 'ENOENT') return undefined;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
