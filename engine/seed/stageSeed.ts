/**
 * Step 1 of offline seeding: the full backup into the staging location. Every name is validated before
 * a byte is read; the repository is created on first run and resumed on later ones (unindexed packs of
 * an interrupted run are recovered, already stored blobs are never stored again).
 */
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { isNoSpace, noSpaceIn, OfflineSeedError } from '../protocol/errors.ts';
import type { EventSink } from '../protocol/eventSink.ts';
import { Archiver, type ArchiveResult } from '../archiver/archiver.ts';
import { LocalBackend } from '../repo/backend/localBackend.ts';
import { chunkerParametersToJson, newChunkerParameters } from '../repo/chunker/chunkerParameters.ts';
import type { CompressionMode } from '../repo/format/blobSealing.ts';
import { encodeIndex } from '../repo/format/indexFile.ts';
import { acquireLock } from '../repo/lockManager.ts';
import { recoverUnindexedPacks } from '../repo/packRecovery.ts';
import { Repository } from '../repo/repository.ts';
import {
  blobPrefixProblem, containerNameProblem, jobNameProblem, normalizeBlobPrefix, resourceGroupProblem, storageAccountProblem, subscriptionIdProblem,
} from './azureNames.ts';
import { resolvePassword, type PasswordParams } from './password.ts';
import { subscriptionIdFromPublishSettings } from './publishSettings.ts';
import { readDescriptor, REPOSITORY_FOLDER, writeDescriptor, type SeedDescriptor } from './seedDescriptor.ts';

export interface StageParams extends PasswordParams {
  sources: string[];
  excludes?: string[];
  stagingPath: string;
  jobName: string;
  subscriptionId?: string;
  resourceGroup?: string;
  storageAccount: string;
  container: string;
  prefix?: string;
  publishSettingsFile?: string;
  hostname?: string;
  tags?: string[];
  compression?: CompressionMode;
  packSizeMiB?: number;
  threads?: number;
}

export interface StageOutcome {
  descriptor: SeedDescriptor;
  archive: ArchiveResult;
  repositoryPath: string;
  resumed: boolean;
  durationSeconds: number;
}

export interface StageContext {
  events: EventSink;
  signal: AbortSignal;
}

function invalid(field: string, value: string, problem: string, what: string): OfflineSeedError {
  return new OfflineSeedError(`OfflineSeed.Invalid${what}`, 'InvalidArgument', `params.${field}: "${value}" ${problem}`, { targetObject: value });
}

/** Everything that can be checked without reading data; returns the normalised values. */
export async function validateStageParams(params: StageParams): Promise<{ subscriptionId: string | undefined; prefix: string; sources: string[] }> {
  const jobProblem = jobNameProblem(params.jobName);
  if (jobProblem !== undefined) throw invalid('jobName', params.jobName, jobProblem, 'JobName');
  const accountProblem = storageAccountProblem(params.storageAccount);
  if (accountProblem !== undefined) throw invalid('storageAccount', params.storageAccount, accountProblem, 'StorageAccountName');
  const containerProblem = containerNameProblem(params.container);
  if (containerProblem !== undefined) throw invalid('container', params.container, containerProblem, 'ContainerName');
  const prefixProblem = blobPrefixProblem(params.prefix ?? '');
  if (prefixProblem !== undefined) throw invalid('prefix', params.prefix ?? '', prefixProblem, 'BlobPrefix');
  if (params.resourceGroup !== undefined) {
    const problem = resourceGroupProblem(params.resourceGroup);
    if (problem !== undefined) throw invalid('resourceGroup', params.resourceGroup, problem, 'ResourceGroupName');
  }
  let subscriptionId = params.subscriptionId;
  if (params.publishSettingsFile !== undefined) {
    const fromFile = subscriptionIdFromPublishSettings(params.publishSettingsFile);
    if (subscriptionId !== undefined && subscriptionId.toLowerCase() !== fromFile.toLowerCase()) {
      throw new OfflineSeedError('OfflineSeed.SubscriptionMismatch', 'InvalidArgument', `params.subscriptionId ${subscriptionId} differs from the publish settings file's ${fromFile}`, { targetObject: params.publishSettingsFile });
    }
    subscriptionId = fromFile;
  }
  if (subscriptionId !== undefined) {
    const problem = subscriptionIdProblem(subscriptionId);
    if (problem !== undefined) throw invalid('subscriptionId', subscriptionId, problem, 'SubscriptionId');
  }
  const sources = params.sources.map((s) => resolve(s));
  for (const source of sources) {
    try {
      await fs.lstat(source);
    } catch {
      throw new OfflineSeedError('OfflineSeed.SourceNotFound', 'ObjectNotFound', `params.sources: ${source} does not exist or cannot be accessed`, { targetObject: source });
    }
  }
  const staging = resolve(params.stagingPath);
  for (const source of sources) {
    if (staging === source || staging.startsWith(source.endsWith('/') ? source : `${source}/`)) {
      throw new OfflineSeedError('OfflineSeed.StagingInsideSource', 'InvalidArgument', `params.stagingPath: the staging location ${staging} lies inside the source ${source}`, { targetObject: staging });
    }
  }
  return { subscriptionId, prefix: normalizeBlobPrefix(params.prefix), sources };
}

/** Refuses to mix two seeds in one staging location, or to change a seed whose drives are prepared. */
export function checkExistingDescriptor(existing: SeedDescriptor | undefined, params: StageParams, prefix: string): void {
  if (existing === undefined) return;
  const mismatch = (['jobName', 'storageAccount', 'container'] as const).find((k) => existing[k] !== params[k]) ?? (existing.prefix !== prefix ? 'prefix' : undefined);
  if (mismatch !== undefined) {
    throw new OfflineSeedError('OfflineSeed.StagingInUse', 'ResourceExists', `the staging location already holds the seed for job "${existing.jobName}" (${existing.storageAccount}/${existing.container}); its ${mismatch} differs`, {
      targetObject: existing.jobName,
      recommendedAction: 'Use the same job, account, container and prefix to resume, or another staging location for another seed.',
    });
  }
  if (existing.state !== 'Staging' && existing.state !== 'Staged') {
    throw new OfflineSeedError('OfflineSeed.SeedAlreadyPrepared', 'InvalidOperation', `the seed for job "${existing.jobName}" is in state ${existing.state}: its drives are prepared, so the staged data must not change`, {
      targetObject: existing.jobName,
      recommendedAction: 'Stage into another location for a new seed; after the import, use Backup-OfflineSeed for changes.',
    });
  }
}

export async function stageSeed(params: StageParams, context: StageContext): Promise<StageOutcome> {
  try {
    return await stageSeedUnguarded(params, context);
  } catch (error) {
    throw isNoSpace(error) ? noSpaceIn(resolve(params.stagingPath), 'the staging location', error) : error;
  }
}

async function stageSeedUnguarded(params: StageParams, context: StageContext): Promise<StageOutcome> {
  const started = Date.now();
  const { subscriptionId, prefix, sources } = await validateStageParams(params);
  const password = resolvePassword(params);
  const stagingPath = resolve(params.stagingPath);
  await fs.mkdir(stagingPath, { recursive: true });
  const existing = await readDescriptor(stagingPath);
  checkExistingDescriptor(existing, params, prefix);
  const repositoryPath = join(stagingPath, REPOSITORY_FOLDER);
  const backend = new LocalBackend(repositoryPath);

  const now = new Date().toISOString();
  const descriptor: SeedDescriptor = {
    ...(existing ?? {}),
    formatVersion: 1,
    jobName: params.jobName,
    state: 'Staging',
    repository: REPOSITORY_FOLDER,
    sources,
    excludes: params.excludes ?? [],
    ...(subscriptionId === undefined ? {} : { subscriptionId }),
    ...(params.resourceGroup === undefined ? {} : { resourceGroup: params.resourceGroup }),
    storageAccount: params.storageAccount,
    container: params.container,
    prefix,
    settings: {
      ...(params.hostname === undefined ? {} : { hostname: params.hostname }),
      ...(params.tags === undefined ? {} : { tags: params.tags }),
      compression: params.compression ?? 'auto',
      packSizeMiB: params.packSizeMiB ?? 16,
      ...(params.threads === undefined ? {} : { threads: params.threads }),
    },
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };

  let repo: Repository;
  let resumed = false;
  if (await backend.stat({ type: 'config', name: 'config' }) === undefined) {
    context.events.log('verbose', `creating the repository in ${repositoryPath}`);
    repo = await Repository.init(backend, password, { offlineseed: { chunker: chunkerParametersToJson(newChunkerParameters()) } });
  } else {
    repo = await Repository.open(backend, password);
    resumed = true;
  }
  await writeDescriptor(stagingPath, descriptor);

  const lock = await acquireLock(repo, false);
  try {
    const removed = await backend.removeTemporaryFiles();
    await repo.loadIndex();
    const { recovered, unreadable } = await recoverUnindexedPacks(repo);
    if (recovered.length > 0) {
      const id = await repo.saveUnpacked('index', encodeIndex(recovered.map((p) => ({ id: p.id, blobs: p.entries }))));
      repo.noteIndexFile(id);
      context.events.log('verbose', `resuming: re-indexed ${recovered.length} packs an interrupted run had written`);
    }
    if (unreadable.length > 0) context.events.log('warning', `${unreadable.length} pack files could not be read and are ignored (run Test-OfflineSeed): ${unreadable.slice(0, 5).join(', ')}`);
    if (removed > 0) context.events.log('verbose', `removed ${removed} temporary files of an interrupted run`);
    if (resumed) context.events.log('information', `resuming the seed of job ${params.jobName}: ${repo.index.size} blobs are already stored and will not be stored again`);

    const archive = await new Archiver(repo, context.events, context.signal, {
      sources,
      excludes: params.excludes ?? [],
      ...(params.hostname === undefined ? {} : { hostname: params.hostname }),
      ...(params.tags === undefined ? {} : { tags: params.tags }),
      compression: params.compression ?? 'auto',
      packSize: (params.packSizeMiB ?? 16) * 1024 * 1024,
      ...(params.threads === undefined ? {} : { threads: params.threads }),
      activity: `Staging seed ${params.jobName}`,
    }).run();

    const durationSeconds = (Date.now() - started) / 1000;
    const staged: SeedDescriptor = {
      ...descriptor,
      state: 'Staged',
      snapshotId: archive.snapshotId,
      stage: { files: archive.files, bytesRead: archive.bytesRead, bytesStored: archive.bytesStored, durationSeconds },
    };
    await writeDescriptor(stagingPath, staged);
    return { descriptor: staged, archive, repositoryPath, resumed: resumed || recovered.length > 0, durationSeconds };
  } finally {
    await lock.release().catch(() => undefined);
  }
}
