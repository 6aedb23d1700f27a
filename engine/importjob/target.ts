/**
 * Which import job a job.* command is about. The seed (stagingPath → offlineseed.json) names it, and
 * jobName / resourceGroup / subscriptionId / publishSettingsFile in the request fill in or override
 * what the seed does not say; a value that contradicts the job the seed already recorded is refused,
 * so a typo cannot point one seed at another seed's job.
 */
import { resolve } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import { jobNameProblem, resourceGroupProblem, subscriptionIdProblem } from '../seed/azureNames.ts';
import { subscriptionIdFromPublishSettings } from '../seed/publishSettings.ts';
import { openSeed, type OpenedSeed } from '../seed/openSeed.ts';
import type { SeedDescriptor } from '../seed/seedDescriptor.ts';
import type { SeedStore } from '../seed/seedStore.ts';
import type { EventSink } from '../protocol/eventSink.ts';
import type { AzureAccessParams } from '../repo/repositoryLocation.ts';
import type { ControlPlane } from './controlPlane.ts';

export interface JobTargetParams {
  stagingPath?: string;
  /** The published seed (azure://account/container/prefix), for runbooks with no staging location. */
  seedUri?: string;
  jobName?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  publishSettingsFile?: string;
}

/** What offlineseed.json records about the job (member "job"); no secrets. */
export interface RecordedJob {
  name: string;
  /** Where the job lives; absent in records written before Data Box support: ImportExport. */
  controlPlane?: ControlPlane;
  subscriptionId: string;
  resourceGroup: string;
  /** The job's location (the storage account's region), e.g. "West US". */
  location: string;
  /** The shipping site the drives go to (the location itself, or its alternate). */
  shipToLocation: string;
  storageAccountId: string;
  diagnosticsPath: string;
  logLevel: 'Error' | 'Verbose';
  backupDriveManifest: boolean;
  driveIds: string[];
  /** Service time (systemData.createdAt). */
  createdAt: string;
  recordedAt: string;
  cancelRequestedAt?: string;
  removedAt?: string;
  finalState?: string;
}

export interface JobTarget {
  jobName: string;
  subscriptionId: string;
  resourceGroup: string;
  /** The staging location, when the seed is on this machine. */
  stagingPath?: string;
  /** Where the seed's records are read and written (staging location, published copy, or both). */
  store?: SeedStore;
  descriptor?: SeedDescriptor;
  recorded?: RecordedJob;
}

export function recordedJob(descriptor: SeedDescriptor | undefined): RecordedJob | undefined {
  const job = descriptor?.['job'] as RecordedJob | undefined;
  return job !== undefined && typeof job === 'object' && typeof job.name === 'string' ? job : undefined;
}

function invalid(errorId: string, message: string, targetObject: string, recommendedAction?: string): OfflineSeedError {
  return new OfflineSeedError(errorId, 'InvalidArgument', message, { targetObject, ...(recommendedAction === undefined ? {} : { recommendedAction }) });
}

/**
 * Resolves the job coordinates. `requireSeed` makes stagingPath mandatory (job.create and job.ship
 * record what they do in the seed).
 */
export async function resolveJobTarget(params: JobTargetParams & AzureAccessParams, options: { requireSeed: boolean; events?: EventSink; opened?: OpenedSeed }): Promise<JobTarget> {
  const opened = options.opened ?? await openSeed(params, params, options.events);
  if (opened === undefined && options.requireSeed) throw invalid('OfflineSeed.InvalidRequest', 'params.stagingPath: required (the seed the job is for), or params.seedUri (the published seed)', 'params.stagingPath');
  const seed = opened === undefined ? undefined : { stagingPath: opened.store.location, descriptor: opened.descriptor };
  const d = seed?.descriptor;
  const recorded = recordedJob(d);
  const removed = recorded?.removedAt !== undefined;

  const jobName = params.jobName ?? d?.jobName;
  if (jobName === undefined) {
    throw invalid('OfflineSeed.JobNameRequired', 'params.jobName: required without stagingPath (give the seed, or the job name and resource group)', 'params.jobName');
  }
  if (d !== undefined && jobName !== d.jobName) {
    throw invalid('OfflineSeed.JobNameMismatch', `params.jobName: the seed in ${seed!.stagingPath} is for import job "${d.jobName}", not "${jobName}"`, jobName,
      'Leave -JobName out to use the seed\'s job, or give the staging location of the seed that job is for.');
  }
  if (params.jobName !== undefined) {
    const problem = jobNameProblem(params.jobName);
    if (problem !== undefined) throw invalid('OfflineSeed.InvalidJobName', `params.jobName: "${params.jobName}" ${problem}`, params.jobName);
  }

  let subscriptionId = params.subscriptionId;
  if (params.publishSettingsFile !== undefined) {
    const fromFile = subscriptionIdFromPublishSettings(resolve(params.publishSettingsFile));
    if (subscriptionId !== undefined && subscriptionId.toLowerCase() !== fromFile.toLowerCase()) {
      throw new OfflineSeedError('OfflineSeed.SubscriptionMismatch', 'InvalidArgument', `params.subscriptionId ${subscriptionId} differs from the publish settings file's ${fromFile}`, { targetObject: params.publishSettingsFile });
    }
    subscriptionId = fromFile;
  }
  const fromSeed = removed ? d?.subscriptionId : recorded?.subscriptionId ?? d?.subscriptionId;
  if (subscriptionId !== undefined && recorded !== undefined && !removed && subscriptionId.toLowerCase() !== recorded.subscriptionId.toLowerCase()) {
    throw invalid('OfflineSeed.SubscriptionMismatch', `params.subscriptionId: the job of this seed was created in subscription ${recorded.subscriptionId}, not ${subscriptionId}`, subscriptionId);
  }
  subscriptionId ??= fromSeed;
  if (subscriptionId === undefined) {
    throw invalid('OfflineSeed.SubscriptionRequired', 'params.subscriptionId: the Azure subscription of the import job is required (the seed does not record one)', 'params.subscriptionId',
      'Give -SubscriptionId (or -PublishSettingsFile, whose subscription id is used).');
  }
  const subscriptionProblem = subscriptionIdProblem(subscriptionId);
  if (subscriptionProblem !== undefined) throw invalid('OfflineSeed.InvalidSubscriptionId', `params.subscriptionId: "${subscriptionId}" ${subscriptionProblem}`, subscriptionId);

  let resourceGroup = params.resourceGroup;
  if (resourceGroup !== undefined && recorded !== undefined && !removed && resourceGroup.toLowerCase() !== recorded.resourceGroup.toLowerCase()) {
    throw invalid('OfflineSeed.ResourceGroupMismatch', `params.resourceGroup: the job of this seed was created in resource group ${recorded.resourceGroup}, not ${resourceGroup}`, resourceGroup);
  }
  resourceGroup ??= (removed ? undefined : recorded?.resourceGroup) ?? d?.resourceGroup;
  if (resourceGroup === undefined) {
    throw invalid('OfflineSeed.ResourceGroupRequired', 'params.resourceGroup: the resource group of the import job is required (the seed does not record one)', 'params.resourceGroup',
      'Give -ResourceGroupName.');
  }
  const groupProblem = resourceGroupProblem(resourceGroup);
  if (groupProblem !== undefined) throw invalid('OfflineSeed.InvalidResourceGroupName', `params.resourceGroup: "${resourceGroup}" ${groupProblem}`, resourceGroup);

  return {
    jobName,
    subscriptionId,
    resourceGroup,
    ...(opened === undefined ? {} : { store: opened.store, descriptor: opened.descriptor, ...(opened.store.stagingPath === undefined ? {} : { stagingPath: opened.store.stagingPath }) }),
    ...(recorded === undefined ? {} : { recorded }),
  };
}

export function jobResourceId(target: Pick<JobTarget, 'subscriptionId' | 'resourceGroup' | 'jobName'>): string {
  return `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}/providers/Microsoft.ImportExport/jobs/${target.jobName}`;
}

/** Where a person finds the job (the Import/Export blade lists it under the resource id). */
export function portalLink(target: Pick<JobTarget, 'subscriptionId' | 'resourceGroup' | 'jobName'>): string {
  return `https://portal.azure.com/#resource${jobResourceId(target)}`;
}
