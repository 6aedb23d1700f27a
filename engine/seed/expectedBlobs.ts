/**
 * What the import should have put in the container: every file the drive journals (kept in the staging
 * location, off the drives) recorded, with its blob path, length and the MD5 of each 4 MiB piece, and
 * the staged file it came from (the source for a network repair).
 */
import { join } from 'node:path';
import { DriveJournal, replay } from '../drive/journal.ts';
import { readSession, sessionFilePath } from '../drive/session.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { SeedDescriptor } from './seedDescriptor.ts';

export interface ExpectedBlob {
  blobPath: string;
  length: number;
  md5: readonly string[];
  /** The staged file this blob was made from. */
  stagedFile: string;
  driveId: string;
}

export async function expectedBlobs(stagingPath: string, descriptor: SeedDescriptor): Promise<ExpectedBlob[]> {
  const sessionId = (descriptor['drives'] as { sessionId?: string } | undefined)?.sessionId;
  const session = sessionId === undefined ? undefined : await readSession(sessionFilePath(join(stagingPath, 'drives'), sessionId));
  if (session === undefined) {
    throw new OfflineSeedError('OfflineSeed.DrivesNotPrepared', 'InvalidOperation', `the seed of job "${descriptor.jobName}" has no prepared drives to compare the container with`, {
      targetObject: stagingPath,
      recommendedAction: 'Prepare the drives first (Initialize-OfflineSeedDrive), or use -Force to compare with the staged repository itself.',
    });
  }
  const out: ExpectedBlob[] = [];
  for (const drive of session.drives) {
    const records = await DriveJournal.read(drive.journalPath);
    if (records === undefined) {
      throw new OfflineSeedError('OfflineSeed.JournalMissing', 'ObjectNotFound', `the journal of drive ${drive.driveId} is missing: ${drive.journalPath}`, { targetObject: drive.journalPath });
    }
    for (const file of replay(drive.journalPath, records).files.values()) {
      out.push({ blobPath: file.blobPath, length: file.length, md5: file.md5, stagedFile: join(session.source, descriptor.repository ?? 'repository', file.path), driveId: drive.driveId });
    }
  }
  return out;
}
