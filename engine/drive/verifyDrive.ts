/**
 * Verification of what is on a drive, as the datacenter will check it: the manifest's bytes against
 * the manifestHash the job will carry, the manifest's DriveId, and every file against its blocks' MD5s.
 * Repository files are also checked keyless: their names are the SHA-256 of their content (so a file
 * damaged before it reached the drive, whose MD5s were computed from damaged bytes, is caught too).
 * Reads go through the copy workers, with O_DIRECT where possible so the bytes come off the drive.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { EventSink } from '../protocol/eventSink.ts';
import { batchesOf, type DriveWorkers } from './copier.ts';
import { MANIFEST_FILE_NAME } from './driveNames.ts';
import { ManifestFormatError, parseManifest, type DriveManifest } from './manifest.ts';
import { ByteProgress } from './progress.ts';
import type { VerifyFile } from './workerMessages.ts';

export type VerifyProblemKind =
  | 'ManifestNotFound' | 'ManifestCorrupted' | 'ManifestFormatInvalid' | 'ManifestDriveIdMismatch'
  | 'FileNotFound' | 'FileLengthMismatch' | 'BlockCorrupted' | 'NameHashMismatch' | 'MetadataCorrupted';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  /** Drive-relative path (\…) of the file concerned. */
  file: string;
  message: string;
}

export interface ExpectedFile {
  /** Drive-relative, backslashes: \<sessionId>\… */
  filePath: string;
  length: number;
  md5: readonly string[];
  sha256?: string;
}

export interface FileCheckOutcome {
  problems: VerifyProblem[];
  bytes: number;
  files: number;
  directRead: boolean;
}

export function absoluteOnDrive(driveRoot: string, filePath: string): string {
  return join(driveRoot, ...filePath.split('\\').filter((s) => s !== ''));
}

/** Repository files carry their SHA-256 as their name: keys/, snapshots/, index/, data/<2 hex>/. */
export function repositoryFileSha256(relative: string): string | undefined {
  const m = /^(?:(?:keys|snapshots|index)\/|data\/[0-9a-f]{2}\/)([0-9a-f]{64})$/.exec(relative);
  return m?.[1];
}

export async function verifyFiles(
  workers: DriveWorkers, driveRoot: string, files: readonly ExpectedFile[], events: EventSink, signal: AbortSignal, activity: string,
): Promise<FileCheckOutcome> {
  const total = files.reduce((n, f) => n + f.length, 0);
  const progress = new ByteProgress(events, 2, activity, total, files.length);
  workers.onProgress = (bytes) => progress.addBytes(bytes);
  const problems: VerifyProblem[] = [];
  let direct = true;
  const byPath = new Map<string, ExpectedFile>();
  const requests: VerifyFile[] = files.map((f) => {
    const path = absoluteOnDrive(driveRoot, f.filePath);
    byPath.set(path, f);
    return { path, length: f.length, md5: f.md5, ...(f.sha256 === undefined ? {} : { sha256: f.sha256 }) };
  });
  try {
    await workers.verify(batchesOf(requests, workers.windowBytes), async (batch, results) => {
      batch.forEach((request, i) => {
        const expected = byPath.get(request.path)!;
        const outcome = results[i]!;
        if (!outcome.direct) direct = false;
        for (const message of outcome.problems) problems.push({ kind: kindOf(message), file: expected.filePath, message: `${expected.filePath} ${message}` });
        progress.fileDone(expected.filePath);
      });
    }, signal);
  } finally {
    workers.onProgress = () => undefined;
  }
  progress.finish();
  return { problems, bytes: total, files: files.length, directRead: direct && files.length > 0 };
}

function kindOf(message: string): VerifyProblemKind {
  if (message.startsWith('cannot be read')) return 'FileNotFound';
  if (message.includes('bytes long') || message.startsWith('ends early')) return 'FileLengthMismatch';
  if (message.includes('keyless')) return 'NameHashMismatch';
  return 'BlockCorrupted';
}

export interface ManifestCheck {
  manifest: DriveManifest | undefined;
  hash: string | undefined;
  problems: VerifyProblem[];
}

/** Reads DriveManifest.xml at the drive root, hashes it, parses it, and compares it with what the job will say. */
export async function checkManifest(driveRoot: string, expected: { driveId?: string; manifestHash?: string }): Promise<ManifestCheck> {
  const file = `\\${MANIFEST_FILE_NAME}`;
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(join(driveRoot, MANIFEST_FILE_NAME));
  } catch {
    return { manifest: undefined, hash: undefined, problems: [{ kind: 'ManifestNotFound', file, message: `${file} is missing from the drive` }] };
  }
  const hash = createHash('md5').update(bytes).digest('hex').toUpperCase();
  const problems: VerifyProblem[] = [];
  if (expected.manifestHash !== undefined && hash !== expected.manifestHash.toUpperCase()) {
    problems.push({ kind: 'ManifestCorrupted', file, message: `${file} has MD5 ${hash}, but the job's manifestHash is ${expected.manifestHash.toUpperCase()}: the manifest changed after it was written` });
  }
  let manifest: DriveManifest | undefined;
  try {
    manifest = parseManifest(bytes.toString('utf8'));
  } catch (error) {
    if (!(error instanceof ManifestFormatError)) throw error;
    problems.push({ kind: 'ManifestFormatInvalid', file, message: `${file}: ${error.message}` });
  }
  if (manifest !== undefined && expected.driveId !== undefined && manifest.driveId !== expected.driveId) {
    problems.push({ kind: 'ManifestDriveIdMismatch', file, message: `${file} is for drive ${manifest.driveId}, not ${expected.driveId}` });
  }
  return { manifest, hash, problems };
}

/** Metadata and properties files named by the manifest: their MD5 must match. */
export async function checkReferencedFiles(driveRoot: string, references: readonly { path: string; hash: string }[]): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  for (const ref of references) {
    try {
      const hash = createHash('md5').update(await fs.readFile(absoluteOnDrive(driveRoot, ref.path))).digest('hex').toUpperCase();
      if (hash !== ref.hash.toUpperCase()) problems.push({ kind: 'MetadataCorrupted', file: ref.path, message: `${ref.path} has MD5 ${hash}, the manifest says ${ref.hash}` });
    } catch {
      problems.push({ kind: 'FileNotFound', file: ref.path, message: `${ref.path} is missing from the drive` });
    }
  }
  return problems;
}
