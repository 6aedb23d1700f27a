/**
 * drive.prepare: one drive of a copy session, from start (or from wherever a killed run stopped) to a
 * closed, verified drive.
 *
 *   validate   every parameter, the source, the drive root, the session: nothing is written before
 *              all of it passed (bad input leaves no trace)
 *   open       lock the session; a new drive gets its session entry, key file, journal header;
 *              a drive already in the session resumes from its journal (files missing or damaged on
 *              the drive are copied again), a closed drive is only verified (and repaired)
 *   fill       first-fit of the files no earlier drive holds, in inventory order, within the budget
 *   copy       workers read, hash and write; each file is journalled once it is durable on the drive
 *   close      manifest (temporary file, rename), DriveInfo export, journal "closed" record, session
 *              and seed descriptor updated (DrivesPrepared when nothing is left)
 *   verify     read back and compare (manifest hash, block MD5s, keyless names)
 *
 * The result says Complete, or NeedsNextDrive with the bytes left: the next call, with another drive
 * root and drive id and the same session id, continues the session. -WhatIf (dryRun) stops after
 * validation and prints the plan: how many drives of this capacity, what goes on each.
 */
import { newFileLocationProblem } from '../fs/fileLocation.ts';
import { isWithin } from '../fs/pathWithin.ts';
import { promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { engineVersion } from '../engineInfo.ts';
import { isNoSpace, noSpaceIn, OfflineSeedError } from '../protocol/errors.ts';
import type { EventSink } from '../protocol/eventSink.ts';
import { readDescriptor, REPOSITORY_FOLDER, requireDescriptor, writeDescriptor, type SeedDescriptor } from '../seed/seedDescriptor.ts';
import { keyFilePath, readKeyFile, validateBitLockerKey, writeKeyFile } from './bitLocker.ts';
import { batchesOf, DriveWorkers } from './copier.ts';
import { detectDriveSerial, driveIdFromSerial } from './driveIdentity.ts';
import { writeDriveInfo } from './driveInfo.ts';
import { FolderSyncs } from './folderSyncs.ts';
import {
  driveIdProblem, MANIFEST_FILE, MANIFEST_FILE_NAME, MAX_DRIVES_PER_JOB, parseDestination, sessionIdFromJobName, sessionIdProblem,
  type BlobType, type Destination, type Disposition,
} from './driveNames.ts';
import { DriveJournal, replay, type ClosedRecord, type FileRecord, type HeaderRecord, type JournalState } from './journal.ts';
import { manifestDriveId, manifestFrameSize, removeTemporaryManifests, writeManifest, type ManifestBlobList } from './manifest.ts';
import { loadMetaFile, type MetaFile } from './metaFiles.ts';
import { allocation, checkBlobLimits, fillDrive, firstTooLarge, importInventory, manifestReserve, seedInventory, type SourceFile } from './plan.ts';
import { ByteProgress, formatBytes } from './progress.ts';
import {
  lockSession, readSession, sessionFilePath, sessionMismatch, writeSession, type SessionDrive, type SessionFile, type SessionSource,
} from './session.ts';
import { absoluteOnDrive, checkManifest, checkReferencedFiles, verifyFiles, type ExpectedFile, type VerifyProblem } from './verifyDrive.ts';
import type { CopyFile } from './workerMessages.ts';

export interface DrivePrepareParams {
  stagingPath?: string;
  driveRoot: string;
  driveId?: string;
  sessionId?: string;
  capacityBytes?: number;
  bitLockerKey?: string;
  journalPath?: string;
  includeBitLockerKeyPath?: string;
  verify?: boolean;
  force?: boolean;
  source?: string;
  destination?: string;
  blobType?: BlobType;
  disposition?: Disposition;
  metadataFile?: string;
  propertiesFile?: string;
  threads?: number;
}

export interface PrepareContext {
  events: EventSink;
  signal: AbortSignal;
  dryRun: boolean;
}

export interface DriveResult {
  driveId: string;
  driveNumber: number;
  sessionId: string;
  mode: 'seed' | 'import';
  driveRoot: string;
  state: 'Complete' | 'NeedsNextDrive';
  files: number;
  bytes: number;
  filesRemaining: number;
  bytesRemaining: number;
  manifestFile: string;
  manifestHash: string;
  journalPath: string;
  driveInfoPath: string;
  bitLockerKeyFile?: string;
  sessionFile: string;
  shippable: boolean;
  verified: boolean;
  directRead?: boolean;
  resumed: boolean;
  alreadyComplete: boolean;
  bytesCopied: number;
  copySeconds: number;
  verifySeconds: number;
  durationSeconds: number;
}

/** Folders a fresh volume already has; they do not make a drive "not empty". */
const SYSTEM_ENTRIES = new Set(['system volume information', '$recycle.bin', 'lost+found', '.trashes', '.fseventsd', '.spotlight-v100']);
const TEMP_DIR = '.offlineseed-tmp';

function invalid(errorId: string, message: string, targetObject?: string, recommendedAction?: string): OfflineSeedError {
  return new OfflineSeedError(errorId, 'InvalidArgument', message, {
    ...(targetObject === undefined ? {} : { targetObject }),
    ...(recommendedAction === undefined ? {} : { recommendedAction }),
  });
}

interface Setup {
  mode: 'seed' | 'import';
  driveRoot: string;
  driveId: string;
  sessionId: string;
  journalDir: string;
  journalPath: string;
  sessionFile: string;
  source: SessionSource;
  destination: Destination;
  stagingPath?: string;
  descriptor?: SeedDescriptor;
  inventory: SourceFile[];
  metaFiles: MetaFile[];
  bitLockerKey?: string;
  includeBitLockerKeyPath?: string;
  verify: boolean;
  force: boolean;
  /** The run's copy and verify workers (none for -WhatIf). */
  workers?: DriveWorkers;
}

/** A run's settings before its source is listed: what the session and drive checks need. */
type SessionTarget = Omit<Setup, 'inventory' | 'workers'>;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Everything checked before a byte is written. `beside` (the checks against the session and the drive)
 * runs while the source is listed: both mostly wait on disks. The listing's errors still come first.
 */
async function validate<T>(params: DrivePrepareParams, events: EventSink, beside: (target: SessionTarget) => Promise<T>): Promise<{ setup: Setup; besides: T }> {
  const importMode = params.source !== undefined;
  if (importMode && params.stagingPath !== undefined) {
    throw invalid('OfflineSeed.InvalidRequest', 'params: give stagingPath (copy a staged seed) or source (copy any folder or file), not both', 'params.source');
  }
  if (!importMode && params.stagingPath === undefined) {
    throw invalid('OfflineSeed.InvalidRequest', 'params: stagingPath (the staged seed) or source (a folder or file, with destination) is required', 'params.stagingPath');
  }
  if (!importMode) {
    for (const key of ['destination', 'blobType'] as const) {
      if (params[key] !== undefined) throw invalid('OfflineSeed.InvalidRequest', `params.${key} applies only with source: a seed always goes to its container and prefix as block blobs`, `params.${key}`);
    }
  }
  if (params.driveId !== undefined) {
    const problem = driveIdProblem(params.driveId);
    if (problem !== undefined) throw invalid('OfflineSeed.InvalidDriveId', `params.driveId: "${params.driveId}" ${problem}`, params.driveId, 'Give the drive\'s serial number (Get-Disk | Select-Object SerialNumber), or let the cmdlet read it.');
  }
  if (params.sessionId !== undefined) {
    const problem = sessionIdProblem(params.sessionId);
    if (problem !== undefined) throw invalid('OfflineSeed.InvalidSessionId', `params.sessionId: "${params.sessionId}" ${problem}`, params.sessionId);
  }
  if (params.bitLockerKey !== undefined) validateBitLockerKey(params.bitLockerKey);
  if (params.includeBitLockerKeyPath !== undefined && params.bitLockerKey === undefined) {
    // The key may also come from an existing key file; checked once the journal folder is known.
  }

  const driveRoot = resolve(params.driveRoot);
  if (!(await isDirectory(driveRoot))) {
    throw new OfflineSeedError('OfflineSeed.DriveNotFound', 'ObjectNotFound', `params.driveRoot: ${driveRoot} does not exist or is not a folder`, {
      targetObject: driveRoot,
      recommendedAction: 'Give the root of the mounted drive (E:\\), or on Linux a folder standing for it with capacityBytes.',
    });
  }

  let descriptor: SeedDescriptor | undefined;
  let stagingPath: string | undefined;
  let destination: Destination;
  let sourcePath: string;
  let sessionId = params.sessionId;
  const disposition: Disposition = params.disposition ?? (importMode ? 'rename' : 'overwrite');
  const blobType: BlobType = params.blobType ?? 'BlockBlob';
  if (!importMode) {
    stagingPath = resolve(params.stagingPath!);
    if (!(await isDirectory(stagingPath))) {
      throw new OfflineSeedError('OfflineSeed.StagingNotFound', 'ObjectNotFound', `params.stagingPath: ${stagingPath} does not exist or is not a folder`, {
        targetObject: stagingPath, recommendedAction: 'Give the staging location Start-OfflineSeed wrote to.',
      });
    }
    descriptor = await requireDescriptor(stagingPath);
    if (descriptor.state === 'Staging') {
      throw new OfflineSeedError('OfflineSeed.SeedNotStaged', 'InvalidOperation', `the seed for job "${descriptor.jobName}" is still being staged (state Staging): its repository is not complete`, {
        targetObject: stagingPath, recommendedAction: 'Finish staging first: run Start-OfflineSeed again with the same arguments (it resumes).',
      });
    }
    sourcePath = join(stagingPath, descriptor.repository ?? REPOSITORY_FOLDER);
    if (!(await isDirectory(sourcePath))) {
      throw new OfflineSeedError('OfflineSeed.RepositoryNotFound', 'ObjectNotFound', `the seed's repository ${sourcePath} is missing`, { targetObject: sourcePath });
    }
    destination = { container: descriptor.container, prefix: (descriptor.prefix ?? '').replace(/\/+$/, '') };
    sessionId ??= sessionIdFromJobName(descriptor.jobName);
    const existing = descriptor['drives'] as { sessionId?: string } | undefined;
    if (existing?.sessionId !== undefined && existing.sessionId !== sessionId) {
      throw new OfflineSeedError('OfflineSeed.SeedSessionMismatch', 'InvalidOperation', `the drives of seed "${descriptor.jobName}" are prepared in copy session ${existing.sessionId}, not ${sessionId}`, {
        targetObject: sessionId,
        recommendedAction: `Use -SessionId ${existing.sessionId} (or leave it out). To start the drives over, delete ${join(stagingPath, 'drives')} and empty the drives.`,
      });
    }
  } else {
    sourcePath = resolve(params.source!);
    try {
      await fs.stat(sourcePath);
    } catch {
      throw new OfflineSeedError('OfflineSeed.SourceNotFound', 'ObjectNotFound', `params.source: ${sourcePath} does not exist or cannot be read`, { targetObject: sourcePath });
    }
    if (params.destination === undefined) throw invalid('OfflineSeed.InvalidDestination', 'params.destination: required with source (container/, container/prefix/ or container/blob)', 'params.destination');
    const parsed = parseDestination(params.destination);
    if (typeof parsed === 'string') throw invalid('OfflineSeed.InvalidDestination', `params.destination: "${params.destination}" ${parsed}`, params.destination);
    destination = parsed;
    if (sessionId === undefined) throw invalid('OfflineSeed.SessionIdRequired', 'params.sessionId: required with source (3 to 30 letters, digits, "_", "-", "#")', 'params.sessionId');
    if (params.journalPath === undefined) {
      throw invalid('OfflineSeed.JournalPathRequired', 'params.journalPath: required with source: the journal (and the session beside it) must live off the drive', 'params.journalPath',
        'Give a path such as C:\\OfflineSeed\\journals\\drive1.jrn; keep every drive\'s journal of a session in the same folder.');
    }
  }

  if (isWithin(driveRoot, sourcePath) || isWithin(sourcePath, driveRoot) || (stagingPath !== undefined && (isWithin(driveRoot, stagingPath) || isWithin(stagingPath, driveRoot)))) {
    throw invalid('OfflineSeed.DriveOverlapsSource', `params.driveRoot: the drive ${driveRoot} and the source ${stagingPath ?? sourcePath} overlap`, driveRoot, 'The drive must be a separate volume from the staging location or source.');
  }

  let driveId = params.driveId;
  if (driveId === undefined) {
    const serial = await detectDriveSerial(driveRoot);
    if (serial !== undefined) driveId = driveIdFromSerial(serial);
    if (driveId === undefined || driveId === '' || driveIdProblem(driveId) !== undefined) {
      throw invalid('OfflineSeed.DriveIdRequired', `params.driveId: the serial number of the disk holding ${driveRoot} could not be read`, driveRoot,
        'Give -DriveId: the serial number printed on the drive (the Import/Export service identifies drives by it).');
    }
    events.log('verbose', `Drive id ${driveId}: the serial number of the disk holding ${driveRoot}.`);
  }

  const journalDir = importMode ? dirname(resolve(params.journalPath!)) : join(stagingPath!, 'drives');
  const journalPath = params.journalPath !== undefined ? resolve(params.journalPath) : join(journalDir, `${driveId}.jrn`);
  if (isWithin(journalPath, driveRoot)) {
    throw invalid('OfflineSeed.JournalOnDrive', `params.journalPath: ${journalPath} lies on the drive; a journal must be kept off the drive it describes`, journalPath);
  }
  // Before the session records the journal's place: a path no file can take would otherwise be kept.
  const journalProblem = await newFileLocationProblem(journalPath);
  if (journalProblem !== undefined) throw invalid('OfflineSeed.InvalidJournalPath', `params.journalPath: ${journalProblem}`, journalPath);
  if (params.includeBitLockerKeyPath !== undefined && isWithin(resolve(params.includeBitLockerKeyPath), driveRoot)) {
    throw invalid('OfflineSeed.KeyOnDrive', 'params.includeBitLockerKeyPath: the BitLocker key must never be written to the drive it unlocks', params.includeBitLockerKeyPath);
  }
  if (params.includeBitLockerKeyPath !== undefined) {
    const problem = await newFileLocationProblem(resolve(params.includeBitLockerKeyPath));
    if (problem !== undefined) throw invalid('OfflineSeed.InvalidKeyPath', `params.includeBitLockerKeyPath: ${problem}`, params.includeBitLockerKeyPath);
  }

  const metaFiles: MetaFile[] = [];
  if (params.metadataFile !== undefined) metaFiles.push(await loadMetaFile('metadata', resolve(params.metadataFile)));
  if (params.propertiesFile !== undefined) metaFiles.push(await loadMetaFile('properties', resolve(params.propertiesFile)));

  const shape = { sessionId, destination, blobType, disposition };
  const source: SessionSource = {
    mode: importMode ? 'import' : 'seed',
    source: importMode ? sourcePath : stagingPath!,
    destination: destination.blob !== undefined ? `${destination.container}/${destination.blob}` : `${destination.container}/${destination.prefix === '' ? '' : `${destination.prefix}/`}`,
    blobType,
    disposition,
  };
  const metadata = metaFiles.find((m) => m.kind === 'metadata');
  const properties = metaFiles.find((m) => m.kind === 'properties');
  if (metadata !== undefined) source.metadataHash = metadata.hash;
  if (properties !== undefined) source.propertiesHash = properties.hash;

  const target: SessionTarget = {
    mode: source.mode, driveRoot, driveId, sessionId, journalDir, journalPath, sessionFile: sessionFilePath(journalDir, sessionId), source, destination,
    metaFiles, verify: params.verify ?? true, force: params.force ?? false,
  };
  if (stagingPath !== undefined) target.stagingPath = stagingPath;
  if (descriptor !== undefined) target.descriptor = descriptor;
  if (params.bitLockerKey !== undefined) target.bitLockerKey = params.bitLockerKey;
  if (params.includeBitLockerKeyPath !== undefined) target.includeBitLockerKeyPath = resolve(params.includeBitLockerKeyPath);

  const [listed, checked] = await Promise.allSettled([importMode ? importInventory(sourcePath, shape, events) : seedInventory(sourcePath, shape), beside(target)]);
  if (listed.status === 'rejected') throw listed.reason;
  const inventory = listed.value;
  checkBlobLimits(inventory);
  if (metaFiles.some((m) => m.kind === 'properties' && m.bytes.includes('Content-MD5')) && inventory.length > 1) {
    throw invalid('OfflineSeed.InvalidPropertiesFile', 'params.propertiesFile: Content-MD5 applies to every blob of the session; give it only when the source is one file', params.propertiesFile);
  }
  if (checked.status === 'rejected') throw checked.reason;
  return { setup: { ...target, inventory }, besides: checked.value };
}

type Role =
  | { kind: 'new'; driveNumber: number }
  | { kind: 'resume'; entry: SessionDrive }
  | { kind: 'closed'; entry: SessionDrive };

/** Where this drive stands in the session; throws when the session cannot take it. */
async function roleOf(setup: SessionTarget, session: SessionFile | undefined): Promise<Role> {
  if (session !== undefined) {
    const mismatch = sessionMismatch(session, setup.source);
    if (mismatch !== undefined) {
      throw new OfflineSeedError('OfflineSeed.SessionMismatch', 'InvalidArgument', `copy session ${setup.sessionId} copies ${session.source} to ${session.destination}; this request differs in ${mismatch}`, {
        targetObject: setup.sessionId,
        recommendedAction: 'Continue the session with the same source, destination, blob type, disposition and metadata/properties files, or use a new session id for a different copy.',
      });
    }
  }
  const entry = session?.drives.find((d) => d.driveId === setup.driveId);
  if (entry !== undefined) {
    if (resolve(entry.journalPath) !== setup.journalPath) {
      throw invalid('OfflineSeed.JournalPathMismatch', `drive ${setup.driveId} of session ${setup.sessionId} has its journal at ${entry.journalPath}, not ${setup.journalPath}`, setup.journalPath, `Leave journalPath out, or give ${entry.journalPath}.`);
    }
    return entry.state === 'InProgress' ? { kind: 'resume', entry } : { kind: 'closed', entry };
  }
  if (session?.complete === true) {
    throw new OfflineSeedError('OfflineSeed.SessionComplete', 'InvalidOperation', `copy session ${setup.sessionId} is complete: all of ${session.source} is on drives ${session.drives.map((d) => d.driveId).join(', ')}`, {
      targetObject: setup.sessionId,
      recommendedAction: 'Create the import job with these drives (New-OfflineSeedImportJob). To verify a drive again, run this command with its drive id.',
    });
  }
  const open = session?.drives.find((d) => d.state === 'InProgress');
  if (open !== undefined) {
    throw new OfflineSeedError('OfflineSeed.DriveInProgress', 'InvalidOperation', `drive ${open.driveId} of copy session ${setup.sessionId} is not finished; a session fills one drive at a time`, {
      targetObject: open.driveId,
      recommendedAction: `Reconnect drive ${open.driveId} and run the same command with -DriveId ${open.driveId}: it resumes where it stopped.`,
    });
  }
  const count = session?.drives.length ?? 0;
  if (count >= MAX_DRIVES_PER_JOB) {
    throw new OfflineSeedError('OfflineSeed.TooManyDrives', 'LimitsExceeded', `copy session ${setup.sessionId} already has ${count} drives; an import job takes at most ${MAX_DRIVES_PER_JOB}`, {
      targetObject: setup.driveId,
      recommendedAction: 'Use larger drives (prepare the session again from the start), or split the data into two sessions and two import jobs.',
    });
  }
  try {
    await fs.access(setup.journalPath);
    throw invalid('OfflineSeed.JournalExists', `params.journalPath: ${setup.journalPath} exists already and belongs to no drive of session ${setup.sessionId}`, setup.journalPath, 'Give another journal path, or move the old journal away.');
  } catch (error) {
    if (error instanceof OfflineSeedError) throw error;
  }
  const otherDrive = await manifestDriveId(setup.driveRoot);
  if (otherDrive !== undefined && otherDrive !== setup.driveId && session?.drives.some((d) => d.driveId === otherDrive) === true) {
    throw new OfflineSeedError('OfflineSeed.DriveAlreadyUsed', 'InvalidOperation', `${setup.driveRoot} holds drive ${otherDrive} of this session, not a new drive ${setup.driveId}`, {
      targetObject: setup.driveRoot,
      recommendedAction: `Connect the next, empty drive; to look at ${otherDrive} again, run with -DriveId ${otherDrive}.`,
    });
  }
  const foreign = await foreignEntries(setup.driveRoot, undefined);
  if (foreign.length > 0 && !setup.force) {
    throw new OfflineSeedError('OfflineSeed.DriveNotEmpty', 'ResourceExists', `the drive ${setup.driveRoot} is not empty (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''})`, {
      targetObject: setup.driveRoot,
      recommendedAction: 'Use an empty drive (Initialize-OfflineSeedDrive -Format formats it), or -Force to keep what is there and write beside it.',
    });
  }
  return { kind: 'new', driveNumber: count + 1 };
}

/** Entries at the drive root other than system folders and this session's own. */
async function foreignEntries(driveRoot: string, sessionId: string | undefined): Promise<string[]> {
  const ours = sessionId === undefined ? new Set<string>() : new Set([sessionId, `${sessionId}.meta`, MANIFEST_FILE_NAME]);
  return (await fs.readdir(driveRoot)).filter((name) => !SYSTEM_ENTRIES.has(name.toLowerCase()) && !ours.has(name) && !(name.startsWith(`${MANIFEST_FILE_NAME}.`) && name.endsWith('.tmp') && sessionId !== undefined));
}

/** Allocated bytes under a folder (what other content takes from a drive written with force). */
async function allocatedBytes(path: string): Promise<number> {
  let total = 0;
  const st = await fs.lstat(path);
  if (st.isDirectory()) {
    for (const name of await fs.readdir(path)) total += await allocatedBytes(join(path, name));
  } else if (st.isFile()) total += allocation(st.size);
  return total;
}

const STATFS_MARGIN_MAX = 256 * 1024 * 1024;

/** Bytes this drive may hold for the session, counting what the session already has on it. */
async function budgetFor(setup: SessionTarget, declared: number | undefined, oursOnDrive: number, foreign: string[]): Promise<number> {
  const st = await fs.statfs(setup.driveRoot);
  const total = st.blocks * st.bsize;
  const margin = Math.min(Math.floor(total / 100), STATFS_MARGIN_MAX);
  const fromFileSystem = Math.max(0, st.bavail * st.bsize - margin) + oursOnDrive;
  if (declared === undefined) return fromFileSystem;
  let foreignBytes = 0;
  for (const name of foreign) foreignBytes += await allocatedBytes(join(setup.driveRoot, name));
  return Math.max(0, Math.min(declared - foreignBytes, fromFileSystem));
}

function metaFilePath(sessionId: string, name: string): string {
  return `\\${sessionId}.meta\\${name}`;
}

function shippableOn(driveRoot: string, hasKey: boolean): boolean {
  return process.platform === 'win32' && /^[A-Za-z]:\\?$/.test(driveRoot) && hasKey;
}

interface OtherDrives {
  /** Inventory paths on closed drives of the session. */
  placed: Set<string>;
}

async function filesOnOtherDrives(session: SessionFile | undefined, driveId: string): Promise<OtherDrives> {
  const placed = new Set<string>();
  for (const drive of session?.drives ?? []) {
    if (drive.driveId === driveId) continue;
    const records = await DriveJournal.read(drive.journalPath);
    if (records === undefined) {
      throw new OfflineSeedError('OfflineSeed.JournalMissing', 'ObjectNotFound', `the journal of drive ${drive.driveId} (${drive.journalPath}) is missing, so it is unknown which files that drive holds`, {
        targetObject: drive.journalPath,
        recommendedAction: 'Restore the journal from a copy. Without it the session must start over on empty drives.',
      });
    }
    for (const path of replay(drive.journalPath, records).files.keys()) placed.add(path);
  }
  return { placed };
}

export async function prepareDrive(params: DrivePrepareParams, context: PrepareContext): Promise<DriveResult | undefined> {
  try {
    return await prepareDriveUnguarded(params, context);
  } catch (error) {
    throw fullDrive(error, resolve(params.driveRoot)) ?? error;
  }
}

/** A full disk while writing to the drive (or with no path known) is reported as the drive being full. */
function fullDrive(error: unknown, driveRoot: string): OfflineSeedError | undefined {
  const noSpace = isNoSpace(error) || (error instanceof OfflineSeedError && error.errorId === 'OfflineSeed.NoSpace');
  if (!noSpace) return undefined;
  const path = error instanceof OfflineSeedError ? error.targetObject : (error as NodeJS.ErrnoException).path;
  if (path !== undefined && !isWithin(resolve(path), driveRoot)) return undefined;
  return noSpaceIn(driveRoot, 'the drive', error);
}

async function prepareDriveUnguarded(params: DrivePrepareParams, context: PrepareContext): Promise<DriveResult | undefined> {
  const started = Date.now();
  // The workers start first: their start-up (a Node isolate each, WebAssembly compiled) then overlaps
  // validation and the session's bookkeeping instead of delaying the first byte copied, and the same
  // workers copy, verify and repair.
  const workers = context.dryRun ? undefined : new DriveWorkers(params.threads === undefined ? {} : { threads: params.threads });
  try {
    return await prepareWith(params, context, started, workers);
  } finally {
    workers?.release();
  }
}

async function prepareWith(params: DrivePrepareParams, context: PrepareContext, started: number, workers: DriveWorkers | undefined): Promise<DriveResult | undefined> {
  const { events } = context;
  const { setup, besides: { unlockedSession, role, fit } } = await validate(params, events, async (target) => {
    const session = await readSession(target.sessionFile);
    const sessionRole = await roleOf(target, session);
    if (sessionRole.kind !== 'new' || context.dryRun) return { unlockedSession: session, role: sessionRole, fit: undefined };
    const budget = await budgetFor(target, params.capacityBytes, 0, await foreignEntries(target.driveRoot, undefined));
    const others = await filesOnOtherDrives(session, target.driveId);
    const frame = manifestFrameSize({ driveId: target.driveId, clientCreator: clientCreator() }, [blobListHeadFor(target, sessionRole.driveNumber)]);
    return { unlockedSession: session, role: sessionRole, fit: { budget, others, frame } };
  });
  if (workers !== undefined) setup.workers = workers;
  const key = await resolveKey(setup, role, events);
  if (fit !== undefined) {
    // Refused before the session, the journal or the drive are touched.
    const metaBytes = setup.metaFiles.reduce((n, m) => n + allocation(m.bytes.length), 0);
    const tooLarge = firstTooLarge(setup.inventory.filter((f) => !fit.others.placed.has(f.path)), fit.budget - metaBytes, fit.frame);
    if (tooLarge !== undefined) throw fileLargerThanDrive(setup, tooLarge, fit.budget);
  }
  const onLinux = process.platform !== 'win32';
  if (onLinux || !/^[A-Za-z]:\\?$/.test(setup.driveRoot)) {
    events.log('warning', `Rehearsal: ${setup.driveRoot} is a folder, not the root of an NTFS volume encrypted with BitLocker; the Import/Export service would refuse this drive (Shippable: false). On Windows, Initialize-OfflineSeedDrive -DriveLetter prepares a shipping drive.`);
  }

  if (context.dryRun) {
    await printPlan(setup, unlockedSession, role, params.capacityBytes, events);
    return undefined;
  }

  const lock = await lockSession(setup.journalDir, setup.sessionId);
  try {
    const session = await readSession(setup.sessionFile);
    const lockedRole = await roleOf(setup, session);
    if (lockedRole.kind !== role.kind) throw new OfflineSeedError('OfflineSeed.SessionBusy', 'ResourceBusy', `copy session ${setup.sessionId} changed while this run started`, { targetObject: setup.sessionId });
    return await run(setup, session, lockedRole, key, params, context, started);
  } finally {
    await lock.release();
  }
}

/** The BitLocker key: given now, or kept from an earlier run on this drive; never two different ones. */
async function resolveKey(setup: Setup, role: Role, events: EventSink): Promise<string | undefined> {
  const keyFile = keyFilePath(setup.journalDir, setup.driveId);
  let key = await readKeyFile(keyFile);
  if (role.kind === 'new' && key !== undefined) {
    throw invalid('OfflineSeed.KeyFileExists', `a BitLocker key file for drive ${setup.driveId} exists already (${keyFile}) but the drive is new to session ${setup.sessionId}`, keyFile, 'Move the old key file away (keep it if that drive still holds data), then run again.');
  }
  if (key !== undefined && setup.bitLockerKey !== undefined && key !== setup.bitLockerKey) {
    throw invalid('OfflineSeed.BitLockerKeyMismatch', `params.bitLockerKey differs from the recovery password recorded for drive ${setup.driveId}`, 'params.bitLockerKey', 'Give the recovery password of this drive (the one recorded in its key file), or leave -BitLockerKey out.');
  }
  key ??= setup.bitLockerKey;
  if (setup.includeBitLockerKeyPath !== undefined && key === undefined) {
    throw invalid('OfflineSeed.BitLockerKeyRequired', 'params.includeBitLockerKeyPath: there is no BitLocker recovery password for this drive to include', 'params.bitLockerKey');
  }
  if (key === undefined) events.log('warning', `No BitLocker recovery password for drive ${setup.driveId}: its DriveInfo export has an empty BitLockerKey, and an import job needs one.`);
  return key;
}

async function run(setup: Setup, sessionIn: SessionFile | undefined, role: Role, key: string | undefined, params: DrivePrepareParams, context: PrepareContext, started: number): Promise<DriveResult> {
  const { events, signal } = context;
  const now = new Date().toISOString();
  const session: SessionFile = sessionIn ?? { format: 'offlineseed-drive-session', version: 1, sessionId: setup.sessionId, ...setup.source, drives: [], complete: false, createdAt: now, updatedAt: now };
  const keyFile = keyFilePath(setup.journalDir, setup.driveId);
  const driveInfoPath = join(setup.journalDir, `${setup.driveId}_DriveInfo.xml`);

  let journal: DriveJournal;
  let state: JournalState;
  let driveNumber: number;
  let entry: SessionDrive;
  const records = role.kind === 'new' ? undefined : await DriveJournal.read(setup.journalPath);
  if (role.kind !== 'new' && records === undefined && role.entry.state !== 'InProgress') {
    throw new OfflineSeedError('OfflineSeed.JournalMissing', 'ObjectNotFound', `the journal of drive ${setup.driveId} (${setup.journalPath}) is missing`, {
      targetObject: setup.journalPath, recommendedAction: 'Restore the journal from a copy. Without it, empty the drive and prepare the session again.',
    });
  }
  if (records === undefined) {
    // A new drive; or one whose run died before its journal existed (nothing was copied yet), or
    // whose journal was lost: it starts over (files already on it are simply written again).
    if (role.kind === 'new') {
      driveNumber = role.driveNumber;
      entry = { driveId: setup.driveId, driveNumber, journalPath: setup.journalPath, driveInfoPath, state: 'InProgress', files: 0, bytes: 0 };
      session.drives.push(entry);
      await writeSession(setup.sessionFile, session);
    } else {
      entry = role.entry;
      driveNumber = entry.driveNumber;
      events.log('warning', `Drive ${setup.driveId} has no journal at ${setup.journalPath}: its preparation starts over.`);
    }
    if (key !== undefined && setup.bitLockerKey !== undefined) await writeKeyFile(keyFile, key);
    const foreign = await foreignEntries(setup.driveRoot, role.kind === 'new' ? undefined : setup.sessionId);
    const budget = await budgetFor(setup, params.capacityBytes, 0, foreign);
    const header: HeaderRecord = {
      type: 'header', format: 'offlineseed-drive-journal', version: 1, driveId: setup.driveId, driveNumber, sessionId: setup.sessionId, mode: setup.mode,
      driveRoot: setup.driveRoot, capacityBytes: params.capacityBytes ?? budget, budgetBytes: budget, sessionFile: setup.sessionFile,
      bitLockerKeyFile: key === undefined ? null : keyFile, engineVersion: engineVersion(), createdAt: now,
    };
    // The session names the drive first (a journal no session names would make the drive look foreign
    // to a rerun); the journal and the seed descriptor, which only mirrors the session, then together.
    [journal] = await Promise.all([DriveJournal.create(setup.journalPath, header), updateDescriptor(setup, session)]);
    state = replay(setup.journalPath, [header]);
  } else {
    entry = (role as { entry: SessionDrive }).entry;
    driveNumber = entry.driveNumber;
    state = replay(setup.journalPath, records);
    if (state.header.driveId !== setup.driveId || state.header.sessionId !== setup.sessionId) {
      throw new OfflineSeedError('OfflineSeed.JournalMismatch', 'InvalidData', `the journal ${setup.journalPath} is for drive ${state.header.driveId} of session ${state.header.sessionId}`, { targetObject: setup.journalPath });
    }
    if (key !== undefined && setup.bitLockerKey !== undefined && (await readKeyFile(keyFile)) === undefined) await writeKeyFile(keyFile, key);
    journal = await DriveJournal.openForAppend(setup.journalPath);
  }

  const shippable = shippableOn(setup.driveRoot, key !== undefined);
  try {
    if (state.closed !== undefined) {
      return await verifyClosedDrive(setup, session, entry, journal, state, key, driveInfoPath, shippable, context, started);
    }
    await journal.append({ type: 'run', at: new Date().toISOString(), pid: process.pid, resumed: role.kind !== 'new' }, true);
    const sessionRoot = join(setup.driveRoot, setup.sessionId);
    const tempDir = join(sessionRoot, TEMP_DIR);
    await fs.mkdir(tempDir, { recursive: true });
    for (const name of await fs.readdir(tempDir)) await fs.rm(join(tempDir, name), { force: true, recursive: true });
    await removeTemporaryManifests(setup.driveRoot);

    // A resumed drive: what the journal lists must still be on the drive, whole.
    if (role.kind === 'resume') {
      let dropped = 0;
      for (const [path, record] of state.files) {
        let ok = false;
        try {
          ok = (await fs.stat(absoluteOnDrive(setup.driveRoot, record.filePath))).size === record.length;
        } catch {
          ok = false;
        }
        if (!ok) {
          await journal.append({ type: 'drop', path, reason: 'missing or of the wrong size on the drive' });
          state.files.delete(path);
          dropped++;
        }
      }
      if (dropped > 0) events.log('warning', `${dropped} files the journal lists were missing or incomplete on drive ${setup.driveId}; they are copied again.`);
      events.log('information', `Resuming drive ${setup.driveId} of session ${setup.sessionId}: ${state.files.size} files are on it already.`);
    }

    // Metadata and properties files go next to the session folder, checked by their MD5.
    for (const meta of setup.metaFiles) {
      const filePath = metaFilePath(setup.sessionId, meta.driveName);
      const target = absoluteOnDrive(setup.driveRoot, filePath);
      const have = state.meta.find((m) => m.kind === meta.kind && m.hash === meta.hash);
      const present = await fs.stat(target).then((s) => s.size === meta.bytes.length, () => false);
      if (have !== undefined && present) continue;
      await fs.mkdir(dirname(target), { recursive: true });
      const temp = join(tempDir, `${meta.kind}.xml`);
      const fh = await fs.open(temp, 'w', 0o644);
      try {
        await fh.writeFile(meta.bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(temp, target);
      await journal.append({ type: 'meta', kind: meta.kind, driveName: meta.driveName, filePath, hash: meta.hash }, true);
      state.meta = state.meta.filter((m) => m.kind !== meta.kind).concat({ type: 'meta', kind: meta.kind, driveName: meta.driveName, filePath, hash: meta.hash });
    }

    // The plan: what no other drive holds, first-fit within this drive's budget.
    const others = await filesOnOtherDrives(session, setup.driveId);
    const remaining = setup.inventory.filter((f) => !others.placed.has(f.path) && !state.files.has(f.path));
    const frame = manifestFrameSize({ driveId: setup.driveId, clientCreator: clientCreator() }, [blobListHead(setup, driveNumber, state)]);
    const onDrive = [...state.files.values()];
    const inventoryByPath = new Map(setup.inventory.map((f) => [f.path, f]));
    let used = onDrive.reduce((n, r) => n + allocation(r.length), 0) + state.meta.reduce((n, m) => n + allocation(setup.metaFiles.find((x) => x.hash === m.hash)?.bytes.length ?? 0), 0);
    const manifestSoFar = frame + onDrive.reduce((n, r) => n + (inventoryByPath.get(r.path)?.manifestBytes ?? 0), 0);
    const budget = Math.min(state.header.budgetBytes, await budgetFor(setup, undefined, used + manifestReserve(manifestSoFar), []));
    const tooLarge = firstTooLarge(remaining, state.header.budgetBytes, frame);
    if (tooLarge !== undefined) throw fileLargerThanDrive(setup, tooLarge, state.header.budgetBytes);
    const fill = fillDrive(remaining, budget, used, manifestSoFar);
    used = fill.usedBytes;
    const left = remaining.filter((f) => !fill.taken.includes(f));
    const totalToCopy = fill.taken.reduce((n, f) => n + f.length, 0);
    events.log('information', `Drive ${setup.driveId} (${driveNumber} of session ${setup.sessionId}): copying ${fill.taken.length} files (${formatBytes(totalToCopy)}) to ${setup.driveRoot}; ${left.length} files (${formatBytes(left.reduce((n, f) => n + f.length, 0))}) will need another drive.`);
    warnAboutDriveCount(setup, driveNumber, left, state.header.budgetBytes, frame, events);

    // Copy.
    const copyStarted = Date.now();
    let bytesCopied = 0;
    if (fill.taken.length > 0) {
      const workers = workersOf(setup);
      const progress = new ByteProgress(events, 1, `Copying to drive ${setup.driveId}`, totalToCopy, fill.taken.length);
      workers.onProgress = (bytes) => progress.addBytes(bytes);
      const byTarget = new Map<string, SourceFile>();
      let tempCounter = 0;
      const copies: CopyFile[] = fill.taken.map((f) => {
        const target = absoluteOnDrive(setup.driveRoot, f.filePath);
        byTarget.set(target, f);
        const pack = setup.mode === 'seed' && f.path.startsWith('data/') && repositorySha(f.path) !== undefined;
        return { source: f.source, temp: join(tempDir, `${(tempCounter++).toString(36)}-${process.pid}`), target, length: f.length, ...(pack ? { pack } : {}) };
      });
      const folders = new FolderSyncs(copies.map((c) => c.target), sessionRoot);
      try {
        await workers.copy(batchesOf(copies, workers.windowBytes), async (file, md5) => {
          const f = byTarget.get(file.target)!;
          const record: FileRecord = { type: 'file', path: f.path, blobPath: f.blobPath, filePath: f.filePath, length: f.length, blobType: f.blobType, disposition: f.disposition, md5 };
          await journal.append(record);
          state.files.set(f.path, record);
          folders.fileLanded(file.target);
          bytesCopied += f.length;
          progress.fileDone(f.filePath);
        }, signal);
      } finally {
        workers.onProgress = () => undefined;
        await journal.sync();
      }
      await folders.finish();
      progress.finish();
    }
    await fs.rmdir(tempDir).catch(() => undefined); // nothing of ours stays on the drive but files and manifest
    const copySeconds = (Date.now() - copyStarted) / 1000;
    // The workers' threads end while the manifest and records are written (their teardown would
    // otherwise come at exit, after them); a run that verifies still needs them.
    if (!setup.verify) setup.workers?.release();

    // Close (manifest, DriveInfo, journal), verify, then commit to the session and the seed descriptor:
    // a drive that fails verification stays the session's open drive until a rerun repairs it.
    const closed = await closeDrive(setup, journal, state, key, driveInfoPath, driveNumber, left, context.events);
    let verifySeconds = 0;
    let directRead: boolean | undefined;
    if (setup.verify) {
      const verifyStarted = Date.now();
      const outcome = await verifyDriveState(setup, state, closed, context);
      verifySeconds = (Date.now() - verifyStarted) / 1000;
      directRead = outcome.directRead;
      await journal.append({ type: 'verified', ok: outcome.problems.length === 0, problems: outcome.problems.map((p) => p.message).slice(0, 100), at: new Date().toISOString() }, true);
      if (outcome.problems.length > 0) throw verifyFailed(setup, outcome.problems);
    }
    setup.workers?.release();
    await commitDrive(setup, session, entry, closed, context.events);
    return {
      ...resultBase(setup, entry, closed, driveInfoPath, key === undefined ? undefined : keyFile, shippable),
      verified: setup.verify,
      ...(directRead === undefined ? {} : { directRead }),
      resumed: role.kind === 'resume',
      alreadyComplete: false,
      bytesCopied,
      copySeconds: round(copySeconds),
      verifySeconds: round(verifySeconds),
      durationSeconds: round((Date.now() - started) / 1000),
    };
  } finally {
    await journal.close();
  }
}

function fileLargerThanDrive(setup: Setup, file: SourceFile, budget: number): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.FileLargerThanDrive', 'LimitsExceeded', `${file.source} (${formatBytes(file.length)}) does not fit on drive ${setup.driveId} (${formatBytes(budget)} usable), and files are never split across drives`, {
    targetObject: file.source,
    recommendedAction: 'Use a larger drive for it.',
  });
}

/** The BlobList head a new drive will have (for sizes, before its journal exists). */
function blobListHeadFor(setup: SessionTarget, driveNumber: number): Omit<ManifestBlobList, 'blobs'> {
  const metadata = setup.metaFiles.find((m) => m.kind === 'metadata');
  const properties = setup.metaFiles.find((m) => m.kind === 'properties');
  return {
    id: `${setup.sessionId}#${driveNumber}`,
    ...(metadata === undefined ? {} : { metadata: { path: metaFilePath(setup.sessionId, metadata.driveName), hash: metadata.hash } }),
    ...(properties === undefined ? {} : { properties: { path: metaFilePath(setup.sessionId, properties.driveName), hash: properties.hash } }),
  };
}

function clientCreator(): string {
  return `OfflineSeed ${engineVersion()}`;
}

function blobListHead(setup: Setup, driveNumber: number, state: JournalState): Omit<ManifestBlobList, 'blobs'> {
  const head: Omit<ManifestBlobList, 'blobs'> = { id: `${setup.sessionId}#${driveNumber}` };
  const metadata = state.meta.find((m) => m.kind === 'metadata');
  const properties = state.meta.find((m) => m.kind === 'properties');
  return {
    ...head,
    ...(metadata === undefined ? {} : { metadata: { path: metadata.filePath, hash: metadata.hash } }),
    ...(properties === undefined ? {} : { properties: { path: properties.filePath, hash: properties.hash } }),
  };
}

/** The drive's files in inventory order (deterministic, so the same journal gives the same manifest). */
function orderedRecords(setup: Setup, state: JournalState): FileRecord[] {
  const order = new Map(setup.inventory.map((f, i) => [f.path, i]));
  return [...state.files.values()].sort((a, b) => (order.get(a.path) ?? Infinity) - (order.get(b.path) ?? Infinity) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function closeDrive(
  setup: Setup, journal: DriveJournal, state: JournalState, key: string | undefined,
  driveInfoPath: string, driveNumber: number, left: readonly SourceFile[], events: EventSink,
): Promise<ClosedRecord> {
  const records = orderedRecords(setup, state);
  const written = await writeManifest(setup.driveRoot, {
    driveId: setup.driveId,
    clientCreator: clientCreator(),
    blobLists: [{ ...blobListHead(setup, driveNumber, state), blobs: records.map((r) => ({ blobPath: r.blobPath, filePath: r.filePath, length: r.length, blobType: r.blobType, disposition: r.disposition, hashes: r.md5 })) }],
  });
  const keyFile = key === undefined ? undefined : keyFilePath(setup.journalDir, setup.driveId);
  const info = { driveId: setup.driveId, manifestFile: MANIFEST_FILE, manifestHash: written.hash, ...(keyFile === undefined ? {} : { bitLockerKeyFile: keyFile }) };
  const driveInfo = await writeDriveInfo(driveInfoPath, info);
  if (setup.includeBitLockerKeyPath !== undefined && key !== undefined) {
    await writeDriveInfo(setup.includeBitLockerKeyPath, info, key);
    events.log('warning', `The DriveInfo export with the BitLocker recovery password in clear text is at ${setup.includeBitLockerKeyPath} (readable by its owner only): delete it once the import job is created.`);
  }
  const closed: ClosedRecord = {
    type: 'closed', state: left.length === 0 ? 'Complete' : 'NeedsNextDrive', manifestFile: MANIFEST_FILE, manifestHash: written.hash, manifestBytes: written.bytes,
    files: records.length, bytes: records.reduce((n, r) => n + r.length, 0), filesRemaining: left.length, bytesRemaining: left.reduce((n, f) => n + f.length, 0),
    driveInfoPath, driveInfo, at: new Date().toISOString(),
  };
  await journal.append(closed, true);
  state.closed = closed;
  return closed;
}

/** The closed (and verified) drive enters the session file and the seed descriptor. Idempotent. */
async function commitDrive(setup: Setup, session: SessionFile, entry: SessionDrive, closed: ClosedRecord, events: EventSink): Promise<void> {
  const changed = entry.state !== closed.state || entry.manifestHash !== closed.manifestHash;
  entry.state = closed.state;
  entry.files = closed.files;
  entry.bytes = closed.bytes;
  entry.manifestHash = closed.manifestHash;
  session.complete = session.drives.every((d) => d.state !== 'InProgress') && session.drives.some((d) => d.state === 'Complete');
  await writeSession(setup.sessionFile, session);
  await updateDescriptor(setup, session);
  if (!changed) return;
  events.log('information', closed.state === 'Complete'
    ? `Drive ${setup.driveId} is closed: ${closed.files} files, ${formatBytes(closed.bytes)}; session ${setup.sessionId} is complete on ${session.drives.length} drive(s). Manifest hash ${closed.manifestHash}.`
    : `Drive ${setup.driveId} is full and closed: ${closed.files} files, ${formatBytes(closed.bytes)}. Connect the next drive and run again with another -DriveId: ${closed.filesRemaining} files (${formatBytes(closed.bytesRemaining)}) remain.`);
}

/** The seed descriptor's drives member, and DrivesPrepared once the whole repository is on drives. */
async function updateDescriptor(setup: Setup, session: SessionFile): Promise<void> {
  if (setup.stagingPath === undefined) return;
  const current = await readDescriptor(setup.stagingPath);
  if (current === undefined) return;
  const drives = {
    sessionId: session.sessionId,
    sessionFile: setup.sessionFile,
    complete: session.complete,
    drives: session.drives.map((d) => ({
      driveId: d.driveId, driveNumber: d.driveNumber, state: d.state, journalPath: d.journalPath, driveInfoPath: d.driveInfoPath,
      manifestFile: MANIFEST_FILE, ...(d.manifestHash === undefined ? {} : { manifestHash: d.manifestHash }), files: d.files, bytes: d.bytes,
    })),
  };
  const next: SeedDescriptor = { ...current, drives };
  if (session.complete && current.state === 'Staged') next.state = 'DrivesPrepared';
  await writeDescriptor(setup.stagingPath, next);
}

function expectedFiles(setup: Setup, state: JournalState): ExpectedFile[] {
  return orderedRecords(setup, state).map((r) => {
    const sha256 = setup.mode === 'seed' ? repositorySha(r.path) : undefined;
    return { filePath: r.filePath, length: r.length, md5: r.md5, ...(sha256 === undefined ? {} : { sha256 }) };
  });
}

function repositorySha(path: string): string | undefined {
  const m = /^(?:(?:keys|snapshots|index)\/|data\/[0-9a-f]{2}\/)([0-9a-f]{64})$/.exec(path);
  return m?.[1];
}

async function verifyDriveState(setup: Setup, state: JournalState, closed: ClosedRecord, context: PrepareContext, only?: ReadonlySet<string>): Promise<{ problems: VerifyProblem[]; directRead: boolean }> {
  const manifest = await checkManifest(setup.driveRoot, { driveId: setup.driveId, manifestHash: closed.manifestHash });
  const problems = [...manifest.problems];
  problems.push(...await checkReferencedFiles(setup.driveRoot, state.meta.map((m) => ({ path: m.filePath, hash: m.hash }))));
  const files = expectedFiles(setup, state).filter((f) => only === undefined || only.has(f.filePath));
  const outcome = await verifyFiles(workersOf(setup), setup.driveRoot, files, context.events, context.signal, `Verifying drive ${setup.driveId}`);
  problems.push(...outcome.problems);
  return { problems, directRead: outcome.directRead };
}

function workersOf(setup: Setup): DriveWorkers {
  if (setup.workers === undefined) throw new Error('internal: drive workers are started for every run but -WhatIf');
  return setup.workers;
}

function verifyFailed(setup: Setup, problems: readonly VerifyProblem[]): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.DriveVerifyFailed', 'InvalidData', `drive ${setup.driveId} failed verification: ${problems.length} problems: ${problems.slice(0, 3).map((p) => p.message).join('; ')}${problems.length > 3 ? '; …' : ''}`, {
    targetObject: setup.driveId,
    recommendedAction: 'Run the same command again: damaged files are copied again from the source and checked. If it fails again, the drive (or its cable or adapter) is faulty: use another drive.',
  });
}

/** A closed drive: nothing to copy. Verify it; files that fail are copied again from the source. */
async function verifyClosedDrive(
  setup: Setup, session: SessionFile, entry: SessionDrive, journal: DriveJournal, state: JournalState, key: string | undefined,
  driveInfoPath: string, shippable: boolean, context: PrepareContext, started: number,
): Promise<DriveResult> {
  const closed = state.closed!;
  const base = resultBase(setup, entry, closed, driveInfoPath, key === undefined ? undefined : keyFilePath(setup.journalDir, setup.driveId), shippable);
  context.events.log('information', `Drive ${setup.driveId} of session ${setup.sessionId} is already closed (${closed.state}); nothing to copy${setup.verify ? ', verifying it' : ''}.`);
  if (setup.includeBitLockerKeyPath !== undefined && key !== undefined) {
    await writeDriveInfo(setup.includeBitLockerKeyPath, { driveId: setup.driveId, manifestFile: closed.manifestFile, manifestHash: closed.manifestHash, bitLockerKeyFile: keyFilePath(setup.journalDir, setup.driveId) }, key);
  }
  let verifySeconds = 0;
  let bytesCopied = 0;
  let directRead: boolean | undefined;
  if (setup.verify) {
    const verifyStarted = Date.now();
    let outcome = await verifyDriveState(setup, state, closed, context);
    const manifestProblems = outcome.problems.filter((p) => p.kind.startsWith('Manifest'));
    const damaged = new Set(outcome.problems.filter((p) => !p.kind.startsWith('Manifest') && p.kind !== 'MetadataCorrupted').map((p) => p.file));
    if (manifestProblems.length === 0 && damaged.size > 0) {
      context.events.log('warning', `${damaged.size} files on drive ${setup.driveId} failed verification; copying them again from the source.`);
      bytesCopied = await repairFiles(setup, state, damaged, context);
      outcome = await verifyDriveState(setup, state, closed, context, damaged);
    } else if (manifestProblems.length > 0) {
      context.events.log('warning', `The manifest of drive ${setup.driveId} does not match its journal; it is written again from the journal.`);
      const manifest = await writeManifest(setup.driveRoot, {
        driveId: setup.driveId, clientCreator: clientCreator(),
        blobLists: [{ ...blobListHead(setup, entry.driveNumber, state), blobs: orderedRecords(setup, state).map((r) => ({ blobPath: r.blobPath, filePath: r.filePath, length: r.length, blobType: r.blobType, disposition: r.disposition, hashes: r.md5 })) }],
      });
      if (manifest.hash !== closed.manifestHash) {
        throw new OfflineSeedError('OfflineSeed.ManifestChanged', 'InvalidData', `the manifest rewritten from the journal of drive ${setup.driveId} has MD5 ${manifest.hash}, not the recorded ${closed.manifestHash}`, { targetObject: setup.driveId });
      }
      outcome = await verifyDriveState(setup, state, closed, context);
    }
    verifySeconds = (Date.now() - verifyStarted) / 1000;
    directRead = outcome.directRead;
    await journal.append({ type: 'verified', ok: outcome.problems.length === 0, problems: outcome.problems.map((p) => p.message).slice(0, 100), at: new Date().toISOString() }, true);
    if (outcome.problems.length > 0) throw verifyFailed(setup, outcome.problems);
  }
  await commitDrive(setup, session, entry, closed, context.events);
  return {
    ...base, verified: setup.verify, ...(directRead === undefined ? {} : { directRead }), resumed: false, alreadyComplete: true, bytesCopied,
    copySeconds: 0, verifySeconds: round(verifySeconds), durationSeconds: round((Date.now() - started) / 1000),
  };
}

/** Copies files again from the source; their MD5s must equal the journal's (the manifest stays valid). */
async function repairFiles(setup: Setup, state: JournalState, damaged: ReadonlySet<string>, context: PrepareContext): Promise<number> {
  const tempDir = join(setup.driveRoot, setup.sessionId, TEMP_DIR);
  await fs.mkdir(tempDir, { recursive: true });
  const bySource = new Map(setup.inventory.map((f) => [f.path, f]));
  const records = [...state.files.values()].filter((r) => damaged.has(r.filePath));
  const copies: CopyFile[] = records.map((r, i) => {
    const source = bySource.get(r.path);
    if (source === undefined || source.length !== r.length) {
      throw new OfflineSeedError('OfflineSeed.SourceChanged', 'InvalidData', `${r.path} is no longer in the source as it was copied, so drive ${setup.driveId} cannot be repaired from it`, { targetObject: r.path });
    }
    return { source: source.source, temp: join(tempDir, `repair-${i}-${process.pid}`), target: absoluteOnDrive(setup.driveRoot, r.filePath), length: r.length };
  });
  const workers = workersOf(setup);
  let bytes = 0;
  try {
    await workers.copy(batchesOf(copies, workers.windowBytes), async (file, md5) => {
      const record = records[copies.indexOf(file)]!;
      if (md5.join() !== record.md5.join()) {
        throw new OfflineSeedError('OfflineSeed.SourceChanged', 'InvalidData', `${record.path} in the source no longer has the content recorded for drive ${setup.driveId} (its MD5s differ)`, {
          targetObject: file.source,
          recommendedAction: 'The staging copy is damaged or was changed: check it (Test-OfflineSeed), and prepare this drive again from the start.',
        });
      }
      bytes += record.length;
    }, context.signal);
  } finally {
    await fs.rmdir(tempDir).catch(() => undefined);
  }
  return bytes;
}

function resultBase(setup: Setup, entry: SessionDrive, closed: ClosedRecord, driveInfoPath: string, keyFile: string | undefined, shippable: boolean) {
  return {
    driveId: setup.driveId,
    driveNumber: entry.driveNumber,
    sessionId: setup.sessionId,
    mode: setup.mode,
    driveRoot: setup.driveRoot,
    state: closed.state,
    files: closed.files,
    bytes: closed.bytes,
    filesRemaining: closed.filesRemaining,
    bytesRemaining: closed.bytesRemaining,
    manifestFile: closed.manifestFile,
    manifestHash: closed.manifestHash,
    journalPath: setup.journalPath,
    driveInfoPath,
    ...(keyFile === undefined ? {} : { bitLockerKeyFile: keyFile }),
    sessionFile: setup.sessionFile,
    shippable,
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function warnAboutDriveCount(setup: Setup, driveNumber: number, left: readonly SourceFile[], budget: number, frame: number, events: EventSink): void {
  if (left.length === 0) return;
  let more = 0;
  let rest = [...left];
  while (rest.length > 0 && more < 100) {
    const fill = fillDrive(rest, budget, 0, frame);
    if (fill.taken.length === 0) break;
    const taken = new Set(fill.taken);
    rest = rest.filter((f) => !taken.has(f));
    more++;
  }
  if (driveNumber + more > MAX_DRIVES_PER_JOB) {
    events.log('warning', `At ${formatBytes(budget)} per drive, session ${setup.sessionId} needs ${driveNumber + more} drives, more than the ${MAX_DRIVES_PER_JOB} an import job takes: use larger drives for the rest.`);
  }
}

/** -WhatIf: the drives of this capacity the remaining data needs, and what goes on each. */
async function printPlan(setup: Setup, session: SessionFile | undefined, role: Role, capacity: number | undefined, events: EventSink): Promise<void> {
  const others = await filesOnOtherDrives(session, setup.driveId);
  let onThisDrive = new Set<string>();
  let budget: number;
  if (role.kind !== 'new') {
    const records = await DriveJournal.read(setup.journalPath);
    const state = records === undefined ? undefined : replay(setup.journalPath, records);
    onThisDrive = new Set(state?.files.keys() ?? []);
    budget = state?.header.budgetBytes ?? await budgetFor(setup, capacity, 0, []);
    if (role.kind === 'closed') {
      events.log('information', `What if: drive ${setup.driveId} of session ${setup.sessionId} is already closed (${state?.closed?.state ?? 'closed'}, ${onThisDrive.size} files); it would only be verified.`);
      return;
    }
  } else {
    budget = await budgetFor(setup, capacity, 0, await foreignEntries(setup.driveRoot, undefined));
  }
  const frame = manifestFrameSize({ driveId: setup.driveId, clientCreator: clientCreator() }, [{ id: `${setup.sessionId}#10` }]);
  let rest = setup.inventory.filter((f) => !others.placed.has(f.path) && !onThisDrive.has(f.path));
  const totalBytes = rest.reduce((n, f) => n + f.length, 0);
  const firstNumber = role.kind === 'new' ? role.driveNumber : (role.entry.driveNumber);
  events.log('information', `What if: session ${setup.sessionId} (${setup.mode === 'seed' ? `seed in ${setup.stagingPath}` : setup.source.source} -> ${setup.source.destination}): ${rest.length} files (${formatBytes(totalBytes)}) to place on drives of ${formatBytes(budget)}${session === undefined ? '' : `; ${session.drives.length} drive(s) of this session exist already`}.`);
  const tooLarge = firstTooLarge(rest, budget, frame);
  if (tooLarge !== undefined) {
    events.log('warning', `What if: ${tooLarge.source} (${formatBytes(tooLarge.length)}) does not fit on a drive of ${formatBytes(budget)}; files are never split.`);
    return;
  }
  let number = firstNumber;
  let used = 0;
  let manifestBytes = frame;
  if (role.kind === 'resume') {
    const onDrive = setup.inventory.filter((f) => onThisDrive.has(f.path));
    used = onDrive.reduce((n, f) => n + allocation(f.length), 0);
    manifestBytes += onDrive.reduce((n, f) => n + f.manifestBytes, 0);
  }
  while (rest.length > 0) {
    const fill = fillDrive(rest, budget, used, manifestBytes);
    if (fill.taken.length === 0) break;
    const taken = new Set(fill.taken);
    rest = rest.filter((f) => !taken.has(f));
    const label = number === firstNumber ? `drive ${number} (${setup.driveId}, ${setup.driveRoot})` : `drive ${number} (the next drive)`;
    events.log('information', `What if: ${label}: ${fill.taken.length} files, ${formatBytes(fill.taken.reduce((n, f) => n + f.length, 0))}: ${describeFiles(fill.taken)}; manifest about ${formatBytes(fill.manifestBytes)}.`);
    number++;
    used = 0;
    manifestBytes = frame;
  }
  const needed = number - 1;
  events.log('information', `What if: ${needed} drive(s) in all for session ${setup.sessionId}${needed > MAX_DRIVES_PER_JOB ? `, more than the ${MAX_DRIVES_PER_JOB} an import job takes: use larger drives` : ''}. Nothing was written.`);
}

/** A short description of a list of files: first and last paths, and folders. */
function describeFiles(files: readonly SourceFile[]): string {
  if (files.length <= 3) return files.map((f) => f.path).join(', ');
  const top = new Map<string, number>();
  for (const f of files) {
    const folder = f.path.includes('/') ? `${f.path.slice(0, f.path.indexOf('/'))}/` : f.path;
    top.set(folder, (top.get(folder) ?? 0) + 1);
  }
  return `${[...top].map(([folder, n]) => (folder.endsWith('/') ? `${folder} ${n}` : folder)).join(', ')} (${files[0]!.path} … ${files.at(-1)!.path})`;
}
