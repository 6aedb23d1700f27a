/**
 * The Microsoft.DataBox control plane through @azure/arm-databox 5.0.0, for customer-disk import jobs
 * (SKU DataBoxCustomerDisk). The client is pinned to api-version 2025-07-01 (the latest stable; 5.0.0
 * would default to 2022-12-01, reference databox.md §1.1, §7.11) and pointed at the cloud's ARM
 * endpoint, or at OFFLINESEED_DATABOX_ENDPOINT (the test world's emulator). Create, update and delete
 * are long-running operations that the SDK polls (Location / Retry-After; OFFLINESEED_ARM_POLL_MS sets
 * the interval when the service gives none). Failures become OfflineSeedErrors like Import/Export's,
 * with the ids OfflineSeed.DataBox<code> and OfflineSeed.DataBoxUnavailable.
 */
import { DataBoxManagementClient, type DataBoxCustomerDiskJobDetails, type JobResource } from '@azure/arm-databox';
import { azureCloud } from '../azure/azureCloud.ts';
import { retryDelayMs } from '../azure/retryDelay.ts';
import { tokenCredential } from '../azure/azureCredentials.ts';
import { armCall, isNotFound, translateArmError, type ArmAccessParams, type ArmService } from './armClient.ts';
import type { JobTarget } from './target.ts';
import { DATABOX_API_VERSION, dataBoxEndpoint } from './dataBoxApi.ts';

export const DATABOX_SERVICE: ArmService = { idPrefix: 'DataBox', displayName: 'Azure Data Box' };
/** The container the service writes the copy logs into (fixed for customer disk, reference §4.1). */
export const COPY_LOG_CONTAINER = 'databoxcopylog';

export function dataBoxClient(params: ArmAccessParams, subscriptionId: string, env: NodeJS.ProcessEnv = process.env): DataBoxManagementClient {
  const cloud = azureCloud(params.environment);
  const credential = tokenCredential(params, cloud, 'arm');
  return new DataBoxManagementClient(credential, subscriptionId, {
    endpoint: dataBoxEndpoint(cloud, env),
    credentialScopes: [cloud.armScope],
    apiVersion: DATABOX_API_VERSION,
    retryOptions: { maxRetries: 3, retryDelayInMs: retryDelayMs(), maxRetryDelayInMs: 8000 },
    userAgentOptions: { userAgentPrefix: 'offlineseed' },
  });
}

/** Poll options for begin*AndWait: the interval the service's Retry-After overrides. */
export function pollOptions(signal: AbortSignal, env: NodeJS.ProcessEnv = process.env): { updateIntervalInMs?: number; abortSignal: AbortSignal } {
  const ms = Number(env.OFFLINESEED_ARM_POLL_MS);
  return { abortSignal: signal, ...(Number.isFinite(ms) && ms > 0 ? { updateIntervalInMs: ms } : {}) };
}

const ADVICE: Record<string, string> = {
  AuthorizationFailed: 'The identity needs the Contributor role (Microsoft.DataBox/jobs/*) on the resource group.',
  ResourceNotFound: 'Check the job name, resource group and subscription. The service deletes a job left awaiting shipment details 14 days after its creation, and a finished job 90 days after it ended.',
  TrackingNumberInUse: 'Every import job needs its own package and tracking number: check the number on the label, or ship this job\'s drives in a separate package.',
  InvalidJobName: 'A Data Box job name has 3 to 24 letters, digits, hyphens, underscores or periods.',
  StorageAccountNotFound: 'Check the seed\'s storage account and -StorageAccountId: the job must target an existing storage account.',
  MissingRegistrationForType: 'Register the Microsoft.DataBox resource provider in the subscription (Register-AzResourceProvider -ProviderNamespace Microsoft.DataBox).',
};

export function dataBoxCall<T>(what: string, target: string, fn: () => Promise<T>, advice: Record<string, string> = {}): Promise<T> {
  return armCall(what, target, fn, { ...ADVICE, ...advice }, DATABOX_SERVICE);
}

export function dataBoxJobId(target: Pick<JobTarget, 'subscriptionId' | 'resourceGroup' | 'jobName'>): string {
  return `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}/providers/Microsoft.DataBox/jobs/${target.jobName}`;
}

/** GET the job with its details; undefined when the service says it does not exist. */
export async function getDataBoxJob(client: DataBoxManagementClient, target: JobTarget): Promise<JobResource | undefined> {
  try {
    return await client.jobs.get(target.resourceGroup, target.jobName, { expand: 'details' });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateArmError(error, `read Data Box job ${target.jobName}`, target.jobName, ADVICE, DATABOX_SERVICE);
  }
}

/** The customer-disk details of a job (narrowing on jobDetailsType alone does not type-check, §3.2). */
export function customerDiskDetails(job: JobResource): DataBoxCustomerDiskJobDetails | undefined {
  return job.details?.jobDetailsType === 'DataBoxCustomerDisk' ? (job.details as DataBoxCustomerDiskJobDetails) : undefined;
}

export function isCustomerDiskJob(job: JobResource): boolean {
  return job.sku?.name === 'DataBoxCustomerDisk' && customerDiskDetails(job) !== undefined;
}
