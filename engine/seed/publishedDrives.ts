/**
 * The drives of a published seed, as the cloud side needs them without the server:
 *
 *   drives.json             per drive: id, number, manifest file and hash (what job.create sends), file
 *                           and byte counts, and every blob its manifest lists with its length and the
 *                           MD5 of each 4 MiB piece (what seed.complete verifies the container against)
 *   bitlocker.sealed.json   the recovery passwords, sealed with the repository password (sealedKeys.ts)
 *
 * Both are built from the same checked records job.create reads on the server (driveRecords.ts) and
 * the drive journals (expectedBlobs.ts), so the cloud side sees exactly what the server would.
 */
import { readDriveRecords, type DriveRecord } from '../importjob/driveRecords.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { DRIVES_BLOB, SEALED_KEYS_BLOB, type BlobSeedStore } from './blobSeedStore.ts';
import { expectedBlobs, type ExpectedBlob } from './expectedBlobs.ts';
import { unsealKeys, type SealedKeys } from './sealedKeys.ts';
import type { SeedDescriptor } from './seedDescriptor.ts';

export const PUBLISHED_DRIVES_FORMAT = 'offlineseed-published-drives';

export interface PublishedBlob {
  blobPath: string;
  length: number;
  md5: string[];
}

export interface PublishedDrive {
  driveId: string;
  driveNumber: number;
  manifestFile: string;
  manifestHash: string;
  files: number;
  bytes: number;
  hasBitLockerKey: boolean;
  blobs: PublishedBlob[];
}

export interface PublishedDrives {
  format: typeof PUBLISHED_DRIVES_FORMAT;
  version: 1;
  jobName: string;
  sessionId: string;
  drives: PublishedDrive[];
}

export interface DrivesToPublish {
  drives: PublishedDrives;
  /** Recovery passwords by drive id (secrets, registered as such by readDriveRecords). */
  keys: Record<string, string>;
}

/** Reads and checks the prepared drives in the staging location (the same checks as job.create). */
export async function drivesToPublish(stagingPath: string, d: SeedDescriptor): Promise<DrivesToPublish> {
  const records = await readDriveRecords(stagingPath, d);
  const expected = await expectedBlobs(stagingPath, d);
  const byDrive = new Map<string, PublishedBlob[]>();
  for (const e of expected) {
    const list = byDrive.get(e.driveId.toUpperCase()) ?? [];
    list.push({ blobPath: e.blobPath, length: e.length, md5: [...e.md5] });
    byDrive.set(e.driveId.toUpperCase(), list);
  }
  const keys: Record<string, string> = {};
  for (const r of records) if (r.bitLockerKey !== undefined) keys[r.driveId] = r.bitLockerKey;
  return {
    drives: {
      format: PUBLISHED_DRIVES_FORMAT,
      version: 1,
      jobName: d.jobName,
      sessionId: String((d['drives'] as { sessionId?: string } | undefined)?.sessionId ?? ''),
      drives: records.map((r) => ({
        driveId: r.driveId,
        driveNumber: r.driveNumber,
        manifestFile: r.manifestFile,
        manifestHash: r.manifestHash,
        files: r.files,
        bytes: r.bytes,
        hasBitLockerKey: r.bitLockerKey !== undefined,
        blobs: (byDrive.get(r.driveId.toUpperCase()) ?? []).sort((a, b) => a.blobPath.localeCompare(b.blobPath)),
      })),
    },
    keys,
  };
}

function notPublished(store: BlobSeedStore, what: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.SeedNotPublished', 'ObjectNotFound', `the seed at ${store.seedUri} has no published ${what} (${store.urlOf(what === 'drives' ? DRIVES_BLOB : SEALED_KEYS_BLOB)})`, {
    targetObject: store.seedUri,
    recommendedAction: 'Publish the seed from the server after its drives are prepared: Publish-OfflineSeed -StagingPath ...',
  });
}

export async function readPublishedDrives(store: BlobSeedStore): Promise<PublishedDrives> {
  const stored = await store.readJson<PublishedDrives>(DRIVES_BLOB);
  if (stored === undefined) throw notPublished(store, 'drives');
  if (stored.value?.format !== PUBLISHED_DRIVES_FORMAT || stored.value.version !== 1 || !Array.isArray(stored.value.drives)) {
    throw new OfflineSeedError('OfflineSeed.DescriptorCorrupt', 'InvalidData', `${store.urlOf(DRIVES_BLOB)} is not a published drive list`, {
      targetObject: store.urlOf(DRIVES_BLOB),
      recommendedAction: 'Publish the seed again from the server: Publish-OfflineSeed -StagingPath ...',
    });
  }
  return stored.value;
}

/** The drive records job.create needs, from storage: the keys are unsealed with the repository password. */
export async function publishedDriveRecords(store: BlobSeedStore, password: string): Promise<DriveRecord[]> {
  const published = await readPublishedDrives(store);
  const sealed = await store.readJson<SealedKeys>(SEALED_KEYS_BLOB);
  if (sealed === undefined) throw notPublished(store, 'BitLocker keys');
  const keys = unsealKeys(sealed.value, password, store.urlOf(SEALED_KEYS_BLOB));
  return published.drives.map((drive) => ({
    driveId: drive.driveId,
    manifestFile: drive.manifestFile,
    manifestHash: drive.manifestHash.toUpperCase(),
    bitLockerKey: keys[drive.driveId],
    keySource: keys[drive.driveId] === undefined ? undefined : store.urlOf(SEALED_KEYS_BLOB),
    driveInfoPath: store.urlOf(DRIVES_BLOB),
    journalPath: undefined,
    driveNumber: drive.driveNumber,
    files: drive.files,
    bytes: drive.bytes,
  }));
}

/** What the container must hold, from the published manifests (no staged file to repair from). */
export async function publishedExpectedBlobs(store: BlobSeedStore): Promise<ExpectedBlob[]> {
  const published = await readPublishedDrives(store);
  return published.drives.flatMap((drive) => drive.blobs.map((b) => ({ blobPath: b.blobPath, length: b.length, md5: b.md5, stagedFile: '', driveId: drive.driveId })));
}
