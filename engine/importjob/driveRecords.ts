/**
 * The drives an import job is built from. Drive preparation leaves, for every drive of the seed's copy
 * session, under <stagingPath>/drives/: the journal <driveId>.jrn (its "closed" record holds the
 * manifest file and hash), the DriveInfo export <driveId>_DriveInfo.xml (exactly the job's driveList
 * entry, <Drive><DriveId/><BitLockerKey KeyFile="…"/><ManifestFile/><ManifestHash/></Drive>), and the
 * owner-only key file the DriveInfo names. offlineseed.json lists them in its "drives" member.
 *
 * readDriveRecords() checks that all of it agrees and that every drive is closed, and returns one
 * DriveRecord per drive; the BitLocker key is read from the key file and registered as a secret (so no
 * line the engine prints can carry it), and is only ever put into the job's PUT body.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { bitLockerKeyProblem, readKeyFile } from '../drive/bitLocker.ts';
import { DriveJournal, replay } from '../drive/journal.ts';
import { child, parseXml } from '../drive/xml.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { registerSecret } from '../protocol/secretRedactor.ts';
import type { SeedDescriptor } from '../seed/seedDescriptor.ts';

export const MAX_DRIVES_PER_JOB = 10;

export interface DriveRecord {
  driveId: string;
  manifestFile: string;
  manifestHash: string;
  /** The recovery password (a secret), or undefined when none was recorded. */
  bitLockerKey: string | undefined;
  /** Where the key came from (a key file, or the DriveInfo export itself), for messages. */
  keySource: string | undefined;
  driveInfoPath: string;
  journalPath: string | undefined;
  driveNumber: number;
  files: number;
  bytes: number;
}

/** The descriptor's "drives" member as drive preparation writes it. */
interface DescriptorDrives {
  sessionId?: string;
  sessionFile?: string;
  complete?: boolean;
  drives?: {
    driveId: string;
    driveNumber?: number;
    state?: string;
    journalPath?: string;
    driveInfoPath?: string;
    manifestFile?: string;
    manifestHash?: string;
    files?: number;
    bytes?: number;
  }[];
}

function notPrepared(message: string, target: string, action: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.DrivesNotPrepared', 'InvalidOperation', message, { targetObject: target, recommendedAction: action });
}

/** A path recorded in the descriptor, or the same file name in <stagingPath>/drives when the staging location moved. */
async function locate(recorded: string | undefined, stagingPath: string, fallbackName: string): Promise<string> {
  const candidates = [
    ...(recorded === undefined ? [] : [isAbsolute(recorded) ? recorded : join(stagingPath, recorded)]),
    join(stagingPath, 'drives', recorded === undefined ? fallbackName : basename(recorded.replace(/\\/g, '/'))),
  ];
  for (const c of candidates) {
    try {
      await fs.access(c);
      return c;
    } catch {
      // try the next one
    }
  }
  return candidates[0]!;
}

export interface DriveInfoFile {
  driveId: string;
  manifestFile: string;
  manifestHash: string;
  /** Key in clear text (an export made with includeBitLockerKeyPath). */
  key?: string;
  keyFile?: string;
}

export function parseDriveInfo(text: string, path: string, register = true): DriveInfoFile {
  let root;
  try {
    root = parseXml(text);
  } catch (error) {
    throw corrupt(path, (error as Error).message);
  }
  if (root.name !== 'Drive') throw corrupt(path, `the root element is <${root.name}>, not <Drive>`);
  const text_ = (name: string): string => child(root, name)?.text.trim() ?? '';
  const driveId = text_('DriveId');
  const manifestFile = text_('ManifestFile');
  const manifestHash = text_('ManifestHash');
  if (driveId === '' || manifestFile === '' || manifestHash === '') throw corrupt(path, 'DriveId, ManifestFile and ManifestHash are required');
  const keyElement = child(root, 'BitLockerKey');
  const key = keyElement?.text.trim() ?? '';
  const keyFile = keyElement?.attributes['KeyFile'];
  if (key !== '' && register) registerSecret(key);
  return { driveId, manifestFile, manifestHash, ...(key === '' ? {} : { key }), ...(keyFile === undefined || keyFile === '' ? {} : { keyFile }) };
}

function corrupt(path: string, detail: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.DriveInfoCorrupt', 'InvalidData', `the DriveInfo export ${path} is damaged: ${detail}`, {
    targetObject: path,
    recommendedAction: 'Run Initialize-OfflineSeedDrive again for this drive: a closed drive is verified and its DriveInfo written again.',
  });
}

export async function readDriveRecords(stagingPath: string, descriptor: SeedDescriptor): Promise<DriveRecord[]> {
  const member = descriptor['drives'] as DescriptorDrives | undefined;
  const drives = member?.drives ?? [];
  if (descriptor.state === 'Staging') {
    throw notPrepared(`the seed of job "${descriptor.jobName}" is still being staged`, stagingPath, 'Finish staging (Start-OfflineSeed resumes), then prepare the drives with Initialize-OfflineSeedDrive.');
  }
  if (drives.length === 0) {
    throw notPrepared(`no drives are prepared for the seed of job "${descriptor.jobName}" (state ${descriptor.state})`, stagingPath,
      'Prepare the shipping drives first: Initialize-OfflineSeedDrive -StagingPath ... (one run per drive).');
  }
  if (member?.complete !== true) {
    const last = drives.at(-1)!;
    throw notPrepared(`the seed of job "${descriptor.jobName}" is not completely on drives yet: ${drives.length} drive(s) prepared, the last (${last.driveId}) is ${last.state ?? 'not finished'}`, stagingPath,
      last.state === 'InProgress'
        ? `Finish drive ${last.driveId}: run Initialize-OfflineSeedDrive again with it (it resumes).`
        : 'Connect the next drive and run Initialize-OfflineSeedDrive again with it: the copy session continues.');
  }
  const open = drives.filter((d) => d.state !== 'Complete' && d.state !== 'NeedsNextDrive');
  if (open.length > 0) {
    throw notPrepared(`drive ${open[0]!.driveId} of the seed is not finished (state ${open[0]!.state ?? 'unknown'})`, open[0]!.driveId,
      `Run Initialize-OfflineSeedDrive again with drive ${open[0]!.driveId}: it resumes where it stopped.`);
  }

  checkDriveSet(drives, stagingPath);

  const records: DriveRecord[] = [];
  for (const [index, entry] of drives.entries()) {
    const driveInfoPath = await locate(entry.driveInfoPath, stagingPath, `${entry.driveId}_DriveInfo.xml`);
    let text: string;
    try {
      text = await fs.readFile(driveInfoPath, 'utf8');
    } catch {
      throw new OfflineSeedError('OfflineSeed.DriveInfoMissing', 'ObjectNotFound', `the DriveInfo export of drive ${entry.driveId} (${driveInfoPath}) is missing`, {
        targetObject: driveInfoPath,
        recommendedAction: 'Run Initialize-OfflineSeedDrive again for this drive: a closed drive is verified and its DriveInfo written again.',
      });
    }
    const info = parseDriveInfo(text, driveInfoPath);
    if (info.driveId !== entry.driveId) throw corrupt(driveInfoPath, `it is for drive ${info.driveId}, but the seed lists ${entry.driveId} there`);

    // The journal is the record of what is on the drive: its closed record must agree with the DriveInfo.
    const journalPath = await locate(entry.journalPath, stagingPath, `${entry.driveId}.jrn`);
    const journal = await DriveJournal.read(journalPath);
    if (journal === undefined) {
      throw new OfflineSeedError('OfflineSeed.JournalMissing', 'ObjectNotFound', `the journal of drive ${entry.driveId} (${journalPath}) is missing`, {
        targetObject: journalPath,
        recommendedAction: 'Restore the journal from a copy: it records what is on the drive, and Complete-OfflineSeed needs it after the import.',
      });
    }
    const state = replay(journalPath, journal);
    if (state.header.driveId !== entry.driveId) {
      throw new OfflineSeedError('OfflineSeed.JournalMismatch', 'InvalidData', `the journal ${journalPath} is for drive ${state.header.driveId}, not ${entry.driveId}`, { targetObject: journalPath });
    }
    if (state.closed === undefined) {
      throw notPrepared(`drive ${entry.driveId} is not closed: its journal has no manifest yet`, entry.driveId, `Run Initialize-OfflineSeedDrive again with drive ${entry.driveId}: it resumes where it stopped.`);
    }
    if (state.closed.manifestHash.toUpperCase() !== info.manifestHash.toUpperCase() || state.closed.manifestFile !== info.manifestFile) {
      throw corrupt(driveInfoPath, `its manifest (${info.manifestFile}, ${info.manifestHash}) is not the one the journal recorded (${state.closed.manifestFile}, ${state.closed.manifestHash})`);
    }
    if (state.verified !== undefined && !state.verified.ok) {
      throw new OfflineSeedError('OfflineSeed.DriveVerificationFailed', 'InvalidData', `drive ${entry.driveId} failed its last verification (${state.verified.problems.length} problem(s)); the datacenter would not import it cleanly`, {
        targetObject: entry.driveId,
        recommendedAction: `Run Initialize-OfflineSeedDrive again with drive ${entry.driveId}: damaged files are copied again and the drive verified.`,
      });
    }

    let key = info.key;
    let keySource: string | undefined = key === undefined ? undefined : driveInfoPath;
    const keyFile = info.keyFile ?? state.header.bitLockerKeyFile ?? undefined;
    if (key === undefined && keyFile !== undefined && keyFile !== null) {
      let path = keyFile;
      try {
        await fs.access(path);
      } catch {
        path = join(dirname(driveInfoPath), basename(keyFile.replace(/\\/g, '/')));
      }
      key = await readKeyFile(path);
      keySource = path;
    }
    if (key !== undefined) {
      registerSecret(key);
      if (bitLockerKeyProblem(key) !== undefined) {
        throw new OfflineSeedError('OfflineSeed.KeyFileCorrupt', 'InvalidData', `the BitLocker recovery password recorded for drive ${entry.driveId} is not valid`, {
          targetObject: keySource ?? entry.driveId,
          recommendedAction: 'Restore the key file, or record the password again: Initialize-OfflineSeedDrive -BitLockerKey with this drive.',
        });
      }
    }
    records.push({
      driveId: info.driveId,
      manifestFile: info.manifestFile,
      manifestHash: info.manifestHash.toUpperCase(),
      bitLockerKey: key,
      keySource,
      driveInfoPath,
      journalPath,
      driveNumber: entry.driveNumber ?? index + 1,
      files: entry.files ?? state.closed.files,
      bytes: entry.bytes ?? state.closed.bytes,
    });
  }
  return records;
}

/** The job limits the service enforces, checked before anything is sent (§6.10). */
export function checkDriveSet(drives: readonly Pick<DriveRecord, 'driveId'>[], target: string): void {
  if (drives.length > MAX_DRIVES_PER_JOB) {
    throw new OfflineSeedError('OfflineSeed.TooManyDrives', 'LimitsExceeded', `the seed is on ${drives.length} drives; an import job takes at most ${MAX_DRIVES_PER_JOB}`, {
      targetObject: target,
      recommendedAction: 'Prepare the seed again on fewer, larger drives, or split the data into two seeds and two import jobs.',
    });
  }
  const seen = new Map<string, string>();
  for (const d of drives) {
    const key = d.driveId.toUpperCase();
    const other = seen.get(key);
    if (other !== undefined) {
      throw new OfflineSeedError('OfflineSeed.DuplicateDriveId', 'InvalidData', `drive id ${d.driveId} appears twice in the seed's drives${other === d.driveId ? '' : ` (as ${other} and ${d.driveId})`}; the service identifies drives by their id`, {
        targetObject: d.driveId,
        recommendedAction: 'Every drive needs its own id (its serial number): prepare the drive that reuses an id again with its real serial number (-DriveId).',
      });
    }
    seen.set(key, d.driveId);
  }
}

/**
 * The recovery passwords of the seed's drives, by upper-case drive id, for comparison only: read from
 * the key files without registering them as secrets (job.keys must be able to print the service's copy
 * of the same keys). Never put them into a message.
 */
export async function localKeysForComparison(stagingPath: string, descriptor: SeedDescriptor): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const member = descriptor['drives'] as DescriptorDrives | undefined;
  for (const entry of member?.drives ?? []) {
    try {
      const driveInfoPath = await locate(entry.driveInfoPath, stagingPath, `${entry.driveId}_DriveInfo.xml`);
      const info = parseDriveInfo(await fs.readFile(driveInfoPath, 'utf8'), driveInfoPath, false);
      let key = info.key;
      if (key === undefined && info.keyFile !== undefined) {
        let path = info.keyFile;
        try {
          await fs.access(path);
        } catch {
          path = join(dirname(driveInfoPath), basename(info.keyFile.replace(/\\/g, '/')));
        }
        key = (await fs.readFile(path, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/)[0]!.trim();
      }
      if (key !== undefined && key !== '') out.set(info.driveId.toUpperCase(), key);
    } catch {
      // A drive whose key cannot be read is simply not compared.
    }
  }
  return out;
}
