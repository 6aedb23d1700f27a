import { isAbsolute, relative } from 'node:path';

/** Whether `child` is `parent` or lies below it (paths as given, not resolved through links). */
export function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
