/**
 * seed.publish (Publish-OfflineSeed): on the server, once the drives are prepared, put the seed's
 * records next to its repository in storage (azure://<account>/<container>/<prefix>, records under
 * <prefix>/offlineseed/, see blobSeedStore.ts), so a runbook with only a managed identity (and the
 * repository password, for the sealed keys) can create the job, record the shipment, follow the
 * import and verify the container with -SeedUri.
 *
 *   check      the password opens the staged repository (keys sealed with a wrong one would be lost);
 *              the drives pass the same checks as job.create
 *   drives     drives.json: drive ids, manifest files and hashes, and the blobs each manifest lists
 *   keys       bitlocker.sealed.json: the recovery passwords sealed with the repository password
 *   descriptor offlineseed.json; an existing published copy keeps its workflow state (it is the truth)
 *   local      the staging location records where the seed was published ("published")
 *
 * Running it again changes nothing when nothing changed (outcome Unchanged); keys are sealed again only
 * when the published ones do not unseal to the same keys.
 */
import { resolve } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import { LocalBackend } from '../repo/backend/localBackend.ts';
import { Repository } from '../repo/repository.ts';
import type { AzureAccessParams } from '../repo/repositoryLocation.ts';
import { BlobSeedStore, DESCRIPTOR_BLOB, DRIVES_BLOB, SEALED_KEYS_BLOB, SHIPPING_BLOB } from '../seed/blobSeedStore.ts';
import { publishedRecord, type PublishedRecord } from '../seed/openSeed.ts';
import { drivesToPublish, type PublishedDrives } from '../seed/publishedDrives.ts';
import { followPublished } from '../seed/publishedSeedStore.ts';
import { resolvePassword, type PasswordParams } from '../seed/password.ts';
import { sealKeys, unsealKeys, type SealedKeys } from '../seed/sealedKeys.ts';
import { nextStepFor, requireDescriptor } from '../seed/seedDescriptor.ts';
import { StagingSeedStore } from '../seed/stagingSeedStore.ts';
import { stateRank } from '../importjob/seedRecords.ts';
import type { CommandContext } from './command.ts';

interface PublishParams extends PasswordParams, AzureAccessParams {
  stagingPath: string;
}

function sameKeys(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  return JSON.stringify(ka) === JSON.stringify(Object.keys(b).sort()) && ka.every((k) => a[k] === b[k]);
}

export async function run(params: PublishParams, context: CommandContext): Promise<void> {
  const { events } = context;
  const stagingPath = resolve(params.stagingPath);
  const local = new StagingSeedStore(stagingPath);
  const d = await requireDescriptor(stagingPath);
  const password = resolvePassword(params);
  const cloud = new BlobSeedStore({ account: d.storageAccount, container: d.container, prefix: d.prefix }, params);
  const { drives, keys } = await drivesToPublish(stagingPath, d);
  // A wrong password would seal keys nobody can unseal: it must open the staged repository first.
  await Repository.open(new LocalBackend(resolve(stagingPath, d.repository ?? 'repository')), password);
  const blobCount = drives.drives.reduce((n, x) => n + x.blobs.length, 0);
  const driveIds = drives.drives.map((x) => x.driveId);
  if (context.dryRun) {
    events.log('information', `What if: publish the seed of job ${d.jobName} to ${cloud.seedUri}: ${driveIds.length} drive(s) (${driveIds.join(', ')}), ${blobCount} blobs in their manifests, ${Object.keys(keys).length} BitLocker key(s) sealed with the repository password, and the descriptor (state ${d.state}) under ${cloud.blobName('')}.`);
    return;
  }
  context.throwIfCancelled();

  // Everything is checked before the first write: a refused publication leaves storage as it was.
  const previous = await cloud.read();
  if (previous !== undefined && previous.jobName !== d.jobName) {
    throw new OfflineSeedError('OfflineSeed.SeedUriInUse', 'ResourceExists', `${cloud.seedUri} holds the published seed of job "${previous.jobName}", not "${d.jobName}"`, {
      targetObject: cloud.seedUri,
      recommendedAction: 'Each seed needs its own repository location: check the storage account, container and prefix the seed was staged for.',
    });
  }
  const existingDrives = await cloud.readJson<PublishedDrives>(DRIVES_BLOB);
  const drivesChanged = JSON.stringify(existingDrives?.value) !== JSON.stringify(drives);
  if (drivesChanged && existingDrives !== undefined && previous !== undefined && stateRank(previous.state) >= stateRank('JobCreated')) {
    // The job was created with the published drives (ids, manifest hashes): new ones would not match it.
    throw new OfflineSeedError('OfflineSeed.PublishedJobExists', 'ResourceExists', `the published seed at ${cloud.seedUri} is ${previous.state}: its job was created with the drives published then, and the drives in ${stagingPath} differ`, {
      targetObject: cloud.seedUri,
      recommendedAction: 'Remove the job first (Remove-OfflineSeedImportJob -SeedUri ...; the seed goes back to DrivesPrepared), then publish the new drives and create a new job.',
    });
  }

  const changed: string[] = [];
  if (drivesChanged) {
    await cloud.writeJson(DRIVES_BLOB, drives);
    changed.push(DRIVES_BLOB);
  }
  const existingKeys = await cloud.readJson<SealedKeys>(SEALED_KEYS_BLOB);
  let keysCurrent = false;
  if (existingKeys !== undefined && existingKeys.value?.jobName === d.jobName) {
    try {
      keysCurrent = sameKeys(unsealKeys(existingKeys.value, password, cloud.urlOf(SEALED_KEYS_BLOB)), keys);
    } catch {
      keysCurrent = false; // sealed with another password, or damaged: sealed again below
    }
  }
  if (!keysCurrent) {
    await cloud.writeJson(SEALED_KEYS_BLOB, sealKeys(keys, password, d.jobName));
    changed.push(SEALED_KEYS_BLOB);
  }

  const record = (publishedAt: string): PublishedRecord => ({ seedUri: cloud.seedUri, publishedAt, driveIds });
  const prior = previous === undefined ? undefined : publishedRecord(previous);
  const samePublication = prior !== undefined && JSON.stringify(prior.driveIds) === JSON.stringify(driveIds) && changed.length === 0;
  const published = samePublication ? prior : record(new Date().toISOString());
  let truth;
  if (previous === undefined) {
    const first = { ...d, published, updatedAt: new Date().toISOString() };
    await cloud.writeJson(DESCRIPTOR_BLOB, first);
    truth = first;
    changed.push(DESCRIPTOR_BLOB);
  } else if (!samePublication) {
    truth = await cloud.update((current) => ({ ...current, published }));
    changed.push(DESCRIPTOR_BLOB);
  } else {
    truth = previous;
  }
  // The staging location now follows the published copy (its workflow state is the truth).
  const after = await local.update((current) => {
    const next = followPublished(current, truth ?? current);
    return JSON.stringify(next) === JSON.stringify(current) ? undefined : next;
  });
  const shipping = await cloud.readShipping();
  if (shipping !== undefined) await local.writeShipping(shipping);

  const outcome = previous === undefined ? 'Published' : changed.length === 0 ? 'Unchanged' : 'Updated';
  events.log('information', outcome === 'Unchanged'
    ? `The seed of job ${d.jobName} is published at ${cloud.seedUri} already, with the same drives and keys: nothing to change.`
    : `The seed of job ${d.jobName} is published at ${cloud.seedUri}: ${driveIds.length} drive(s), ${blobCount} blobs in their manifests, ${Object.keys(keys).length} sealed BitLocker key(s) (${changed.join(', ')}).`);
  const state = (after ?? d).state;
  context.emitResult({
    jobName: d.jobName,
    seedUri: cloud.seedUri,
    stagingPath,
    outcome,
    state,
    driveCount: driveIds.length,
    driveIds,
    blobCount,
    sealedKeyCount: Object.keys(keys).length,
    records: [DESCRIPTOR_BLOB, DRIVES_BLOB, SEALED_KEYS_BLOB, ...(shipping === undefined ? [] : [SHIPPING_BLOB])].map((r) => cloud.urlOf(r)),
    changed: changed.map((r) => cloud.urlOf(r)),
    publishedAt: published.publishedAt,
    nextStep: state === 'DrivesPrepared'
      ? `Create the import job, here or in a runbook: New-OfflineSeedImportJob -SeedUri ${cloud.seedUri} -Password <repository password> ...`
      : nextStepFor(state),
  });
}
