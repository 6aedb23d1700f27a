/**
 * drive.verify: a prepared drive checked on its own, from its manifest, e.g. just before it is packed.
 * The expected manifestHash and DriveId come from the job-to-be (params) or the drive's journal; the
 * files are checked against the manifest's block MD5s, and a drive holding a repository (a session
 * folder with a config blob) also gets the keyless check of every file's SHA-256 name. Reads only.
 */
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { EventSink } from '../protocol/eventSink.ts';
import { DriveWorkers } from './copier.ts';
import { driveIdProblem, MANIFEST_FILE } from './driveNames.ts';
import { DriveJournal, replay } from './journal.ts';
import { checkManifest, checkReferencedFiles, repositoryFileSha256, verifyFiles, type ExpectedFile, type VerifyProblem } from './verifyDrive.ts';

export interface DriveVerifyParams {
  driveRoot: string;
  driveId?: string;
  manifestHash?: string;
  journalPath?: string;
  stagingPath?: string;
  threads?: number;
}

export interface DriveVerifyResult {
  driveRoot: string;
  driveId: string;
  manifestFile: string;
  manifestHash?: string;
  expectedManifestHash?: string;
  manifestHashMatches: boolean;
  ok: boolean;
  files: number;
  bytes: number;
  keyless: boolean;
  directRead?: boolean;
  problems: VerifyProblem[];
  durationSeconds: number;
}

export async function verifyDriveStandalone(params: DriveVerifyParams, context: { events: EventSink; signal: AbortSignal }): Promise<DriveVerifyResult> {
  const started = Date.now();
  const driveRoot = resolve(params.driveRoot);
  try {
    if (!(await fs.stat(driveRoot)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new OfflineSeedError('OfflineSeed.DriveNotFound', 'ObjectNotFound', `params.driveRoot: ${driveRoot} does not exist or is not a folder`, { targetObject: driveRoot });
  }
  if (params.driveId !== undefined && driveIdProblem(params.driveId) !== undefined) {
    throw new OfflineSeedError('OfflineSeed.InvalidDriveId', 'InvalidArgument', `params.driveId: "${params.driveId}" ${driveIdProblem(params.driveId)}`, { targetObject: params.driveId });
  }

  // What the job will say: given, or from the journal.
  let expectedHash = params.manifestHash?.toUpperCase();
  let driveId = params.driveId;
  const journalPath = params.journalPath !== undefined
    ? resolve(params.journalPath)
    : params.stagingPath !== undefined && driveId !== undefined ? join(resolve(params.stagingPath), 'drives', `${driveId}.jrn`) : undefined;
  if (journalPath !== undefined) {
    const records = await DriveJournal.read(journalPath);
    if (records === undefined) {
      throw new OfflineSeedError('OfflineSeed.JournalMissing', 'ObjectNotFound', `no drive journal at ${journalPath}`, { targetObject: journalPath });
    }
    const state = replay(journalPath, records);
    driveId ??= state.header.driveId;
    if (state.closed === undefined) {
      context.events.log('warning', `The journal ${journalPath} says drive ${state.header.driveId} was never closed: its preparation is unfinished.`);
    } else {
      expectedHash ??= state.closed.manifestHash;
    }
  }

  const manifestCheck = await checkManifest(driveRoot, { ...(driveId === undefined ? {} : { driveId }), ...(expectedHash === undefined ? {} : { manifestHash: expectedHash }) });
  const problems: VerifyProblem[] = [...manifestCheck.problems];
  if (expectedHash === undefined && manifestCheck.hash !== undefined) {
    context.events.log('warning', `No expected manifestHash (give manifestHash, journalPath or stagingPath): the manifest itself cannot be checked, only the files it lists. Its MD5 is ${manifestCheck.hash}.`);
  }
  const manifest = manifestCheck.manifest;
  driveId ??= manifest?.driveId;
  let files: ExpectedFile[] = [];
  let keyless = false;
  let bytes = 0;
  let directRead: boolean | undefined;
  if (manifest !== undefined) {
    for (const list of manifest.blobLists) {
      // A repository (or part of one, on a spanned drive): every file has a repository file's path.
      const relativeOf = (filePath: string): string => filePath.split('\\').slice(2).join('/');
      const isRepository = list.blobs.length > 0 && list.blobs.every((b) => { const r = relativeOf(b.filePath); return r === 'config' || repositoryFileSha256(r) !== undefined; });
      keyless ||= isRepository;
      for (const blob of list.blobs) {
        const sha256 = isRepository ? repositoryFileSha256(relativeOf(blob.filePath)) : undefined;
        files.push({ filePath: blob.filePath, length: blob.length, md5: blob.hashes, ...(sha256 === undefined ? {} : { sha256 }) });
      }
      problems.push(...await checkReferencedFiles(driveRoot, [list.metadata, list.properties].filter((r) => r !== undefined)));
    }
    files = files.filter((f, i) => files.findIndex((g) => g.filePath === f.filePath) === i);
    const workers = new DriveWorkers({ ...(params.threads === undefined ? {} : { threads: params.threads }) });
    try {
      const outcome = await verifyFiles(workers, driveRoot, files, context.events, context.signal, `Verifying drive ${driveId ?? driveRoot}`);
      problems.push(...outcome.problems);
      bytes = outcome.bytes;
      directRead = outcome.directRead;
    } finally {
      workers.release();
    }
  }
  for (const p of problems) context.events.log('warning', p.message);
  return {
    driveRoot,
    driveId: driveId ?? '',
    manifestFile: MANIFEST_FILE,
    ...(manifestCheck.hash === undefined ? {} : { manifestHash: manifestCheck.hash }),
    ...(expectedHash === undefined ? {} : { expectedManifestHash: expectedHash }),
    manifestHashMatches: expectedHash !== undefined && manifestCheck.hash === expectedHash,
    ok: problems.length === 0,
    files: files.length,
    bytes,
    keyless,
    ...(directRead === undefined ? {} : { directRead }),
    problems,
    durationSeconds: Math.round((Date.now() - started) / 10) / 100,
  };
}
