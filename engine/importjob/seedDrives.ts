/**
 * The drive records job.create sends, wherever the seed is: from the staging location (journals,
 * DriveInfo exports, key files: driveRecords.ts), or from the published copy in storage (drives.json
 * and the sealed keys, unsealed with the repository password: publishedDrives.ts).
 */
import { BlobSeedStore } from '../seed/blobSeedStore.ts';
import { resolvePassword, type PasswordParams } from '../seed/password.ts';
import { publishedDriveRecords } from '../seed/publishedDrives.ts';
import { readDriveRecords, type DriveRecord } from './driveRecords.ts';
import type { JobTarget } from './target.ts';

export async function seedDriveRecords(target: JobTarget, params: PasswordParams): Promise<DriveRecord[]> {
  if (target.store instanceof BlobSeedStore) return publishedDriveRecords(target.store, resolvePassword(params));
  return readDriveRecords(target.stagingPath!, target.descriptor!);
}

/** How a later command names this seed: -StagingPath on the server, -SeedUri in a runbook. */
export function seedArgument(target: JobTarget): string {
  return target.stagingPath !== undefined ? `-StagingPath ${target.stagingPath}` : `-SeedUri ${target.store?.seedUri ?? ''}`;
}

/** The seed's location members of a result: stagingPath and/or seedUri. */
export function seedLocation(target: JobTarget): { stagingPath?: string; seedUri?: string } {
  return {
    ...(target.stagingPath === undefined ? {} : { stagingPath: target.stagingPath }),
    ...(target.store?.seedUri === undefined ? {} : { seedUri: target.store.seedUri }),
  };
}
