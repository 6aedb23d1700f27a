/**
 * Paths a scheduled task records but does not open now (staging folder, local repository, engine).
 * A path that can never exist (through a file, a name too long) or names the wrong kind of thing is
 * refused at once: otherwise the task would fail on every run, unattended. A path that does not exist
 * yet is only a warning: the task runs later, and the folder may be created or mounted by then.
 */
import { promises as fs } from 'node:fs';
import { OfflineSeedError, fromSystemError } from '../protocol/errors.ts';

export interface RecordedPath {
  field: string;
  path: string;
  kind: 'folder' | 'file';
  /** Created by this command (or by the module that calls it) when missing: no warning then. */
  createdHere?: boolean;
}

/** Returns a warning for a path that does not exist (and will not be created here); throws for one that cannot be what it must be. */
export async function checkRecordedPath(recorded: RecordedPath): Promise<string | undefined> {
  const { field, path, kind } = recorded;
  let isFolder: boolean;
  try {
    isFolder = (await fs.stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return recorded.createdHere === true ? undefined : `params.${field}: ${path} does not exist on this computer yet; the task fails until it does.`;
    }
    throw fromSystemError(error, path) ?? error;
  }
  if (kind === 'file' && isFolder) {
    throw new OfflineSeedError('OfflineSeed.PathIsFolder', 'InvalidArgument', `params.${field}: ${path} is a folder, a file is needed`, { targetObject: `params.${field}` });
  }
  if (kind === 'folder' && !isFolder) {
    throw new OfflineSeedError('OfflineSeed.PathNotFound', 'ObjectNotFound', `params.${field}: ${path} is a file, a folder is needed`, { targetObject: `params.${field}` });
  }
  return undefined;
}
