/**
 * Names on a shipping drive and in its manifest: drive ids, copy session ids, destinations
 * (container/prefix/ or container/blob), blob names, the drive-relative FilePath, and the service's
 * `rename` disposition rule. Each *Problem function returns undefined when the value is valid, or why
 * it is not, so every name is checked before a byte is written.
 */
import { containerNameProblem } from '../seed/azureNames.ts';

export const MAX_DRIVES_PER_JOB = 10;
export const MANIFEST_FILE_NAME = 'DriveManifest.xml';
/** The manifest path relative to the drive root, as the job's driveList.manifestFile wants it. */
export const MANIFEST_FILE = `\\${MANIFEST_FILE_NAME}`;

/** Drive ids end up in file names (journal, DriveInfo) and in the job: keep them plain. */
export function driveIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (/\s/.test(id)) return 'must not contain spaces or other white space';
  if (id.length > 64) return 'must be at most 64 characters long';
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) return 'may contain only letters, digits, "_", "." and "-"';
  if (/^\.+$/.test(id)) return 'must not be "." or ".."';
  return undefined;
}

/** WAImportExport's rule for copy session ids: letters, digits, "_", "-", "#"; 3 to 30 characters. */
export function sessionIdProblem(id: string): string | undefined {
  if (id.length < 3 || id.length > 30) return 'must be 3 to 30 characters long';
  if (!/^[A-Za-z0-9_#-]+$/.test(id)) return 'may contain only letters, digits, "_", "-" and "#"';
  return undefined;
}

/** The default session id of a seed: its job name, cut to 30 characters (job names are 2 to 64). */
export function sessionIdFromJobName(jobName: string): string {
  let id = jobName.slice(0, 30).replace(/[^A-Za-z0-9_#-]/g, '-').replace(/-+$/, '');
  if (id.length < 3) id = `${id}-s1`.replace(/^-/, '');
  return id;
}

export type BlobType = 'BlockBlob' | 'PageBlob';
export type Disposition = 'rename' | 'no-overwrite' | 'overwrite';

/** Block blob limits of the manifest format: blocks of at most 4 MiB, at most 50,000 of them. */
export const BLOCK_SIZE = 4 * 1024 * 1024;
export const MAX_BLOCKS_PER_BLOB = 50_000;
export const MAX_BLOCK_BLOB_BYTES = BLOCK_SIZE * MAX_BLOCKS_PER_BLOB;
export const PAGE_SIZE = 512;
export const MAX_PAGE_BLOB_BYTES = 8 * 1024 ** 4;
export const MAX_BLOB_NAME_LENGTH = 1024;

export interface Destination {
  container: string;
  /** Without a trailing "/"; empty for the container root. Unused when blob is set. */
  prefix: string;
  /** Set when the destination names one blob (container/blob), for a single source file. */
  blob?: string;
}

/**
 * container/, container/prefix/ or container/blob. "$root" is the root container, whose blob names
 * cannot contain "/".
 */
export function parseDestination(text: string): Destination | string {
  const slash = text.indexOf('/');
  if (slash <= 0) return 'must start with a container name followed by "/" (container/, container/prefix/ or container/blob)';
  const container = text.slice(0, slash);
  if (container !== '$root') {
    const problem = containerNameProblem(container);
    if (problem !== undefined) return `container "${container}" ${problem}`;
  }
  const rest = text.slice(slash + 1);
  if (rest === '') return { container, prefix: '' };
  if (text.endsWith('/')) {
    const prefix = rest.replace(/\/+$/, '');
    const problem = blobNameProblem(prefix);
    if (problem !== undefined) return `prefix "${prefix}" ${problem}`;
    if (container === '$root') return 'the root container ($root) has no virtual folders: use $root/ or $root/<blob>';
    return { container, prefix };
  }
  const problem = blobNameProblem(rest);
  if (problem !== undefined) return `blob name "${rest}" ${problem}`;
  if (container === '$root' && rest.includes('/')) return 'blob names in the root container ($root) cannot contain "/"';
  return { container, prefix: '', blob: rest };
}

/** A blob name (or prefix) as the manifest may carry it. */
export function blobNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_BLOB_NAME_LENGTH) return `must be at most ${MAX_BLOB_NAME_LENGTH} characters long`;
  if (name.includes('\\')) return 'must use "/" between folders, not "\\"';
  if (name.startsWith('/')) return 'must not start with "/"';
  const segments = name.split('/');
  if (segments.length > 254) return 'must have at most 254 path segments';
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'must not contain empty, "." or ".." segments';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters';
  return undefined;
}

/**
 * A file name that can be written to an NTFS drive and named in a manifest FilePath: no characters
 * Windows forbids, no trailing dot or space, no reserved device names.
 */
export function ntfsNameProblem(segment: string): string | undefined {
  if (segment.length === 0) return 'is empty';
  if (/[\u0000-\u001f"*:<>?\\|]/.test(segment)) return 'contains a character NTFS does not allow (\\ / : * ? " < > | or a control character)';
  if (/[. ]$/.test(segment)) return 'ends with a dot or a space, which Windows drops';
  if (/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i.test(segment)) return 'is a reserved Windows device name';
  if (Buffer.byteLength(segment, 'utf16le') / 2 > 255) return 'is longer than 255 characters';
  if (segment.includes('\ufffd')) return 'is not valid Unicode (it was not written in UTF-8)';
  return undefined;
}

/** The blob a file lands in: container/prefix/relative (no prefix: container/relative). */
export function blobPathFor(destination: Destination, relative: string): string {
  if (destination.blob !== undefined) return `${destination.container}/${destination.blob}`;
  return destination.prefix === '' ? `${destination.container}/${relative}` : `${destination.container}/${destination.prefix}/${relative}`;
}

/** The manifest FilePath: \<sessionId>\<relative with backslashes>, relative to the drive root. */
export function manifestFilePath(sessionId: string, relative: string): string {
  return `\\${sessionId}\\${relative.split('/').join('\\')}`;
}

/**
 * The service's `rename` disposition: the n-th name (n >= 2) for a blob that exists already, with
 * " (n)" inserted before the last dot of the last path segment, or appended when it has no dot:
 * Seattle.jpg -> Seattle (2).jpg, BlobNameWithoutDot -> BlobNameWithoutDot (2).
 */
export function renamedBlobName(blobName: string, n: number): string {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`rename number must be an integer >= 2, not ${n}`);
  const slash = blobName.lastIndexOf('/');
  const folder = blobName.slice(0, slash + 1);
  const leaf = blobName.slice(slash + 1);
  const dot = leaf.lastIndexOf('.');
  return dot < 0 ? `${folder}${leaf} (${n})` : `${folder}${leaf.slice(0, dot)} (${n})${leaf.slice(dot)}`;
}

/** The first free name under the rename rule, given the names that exist already. */
export function nextFreeBlobName(blobName: string, exists: (name: string) => boolean): string {
  if (!exists(blobName)) return blobName;
  for (let n = 2; ; n++) {
    const candidate = renamedBlobName(blobName, n);
    if (!exists(candidate)) return candidate;
  }
}
