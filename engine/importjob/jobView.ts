/** Import jobs as the SDK returns them, turned into the plain shapes of the job.* results. */
import type { DriveStatus, JobResponse, StorageImportExport } from '@azure/arm-storageimportexport';
import { isNotFound, translateArmError } from './armClient.ts';
import type { JobTarget } from './target.ts';

export interface DriveView {
  driveId: string;
  state: string;
  manifestFile?: string;
  manifestHash?: string;
  copyStatus?: string;
  percentComplete?: number;
  bytesSucceeded?: number;
  errorLogUri?: string;
  verboseLogUri?: string;
  manifestUri?: string;
}

export function driveView(d: DriveStatus): DriveView {
  return {
    driveId: d.driveId ?? '',
    state: d.state ?? 'Specified',
    ...(d.manifestFile === undefined ? {} : { manifestFile: d.manifestFile }),
    ...(d.manifestHash === undefined ? {} : { manifestHash: d.manifestHash }),
    ...(d.copyStatus === undefined ? {} : { copyStatus: d.copyStatus }),
    ...(d.percentComplete === undefined ? {} : { percentComplete: d.percentComplete }),
    ...(d.bytesSucceeded === undefined ? {} : { bytesSucceeded: d.bytesSucceeded }),
    ...(d.errorLogUri === undefined || d.errorLogUri === '' ? {} : { errorLogUri: d.errorLogUri }),
    ...(d.verboseLogUri === undefined || d.verboseLogUri === '' ? {} : { verboseLogUri: d.verboseLogUri }),
    ...(d.manifestUri === undefined || d.manifestUri === '' ? {} : { manifestUri: d.manifestUri }),
  };
}

/** GET the job; undefined when the service says it does not exist. */
export async function getJob(client: StorageImportExport, target: JobTarget): Promise<JobResponse | undefined> {
  try {
    return await client.jobs.get(target.jobName, target.resourceGroup);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateArmError(error, `read import job ${target.jobName}`, target.jobName);
  }
}

export function jobNotFoundAdvice(target: JobTarget): string {
  const recorded = target.recorded;
  if (recorded === undefined) return `Check the job name, resource group ${target.resourceGroup} and subscription ${target.subscriptionId}.`;
  return `The seed recorded job ${recorded.name} (created ${recorded.createdAt}) in ${recorded.resourceGroup}. The service deletes a job left in Creating 14 days after its last update, and a finished job 90 days after it ended. If the drives were not shipped yet, create the job again (New-OfflineSeedImportJob).`;
}

/** A drive that imported completely (its state may have moved on to ShippedBack). */
export function driveImported(d: DriveStatus): boolean {
  return d.state === 'Completed' || (d.state === 'ShippedBack' && d.copyStatus === 'Completed');
}

/** The seed's data is in the storage account: Completed (not a cancellation), or Closed with every drive Completed. */
export function jobImported(job: JobResponse): boolean {
  const p = job.properties ?? {};
  if (p.cancelRequested === true) return false;
  const drives = p.driveList ?? [];
  if (p.state === 'Completed') return true;
  return p.state === 'Closed' && drives.length > 0 && drives.every(driveImported);
}

export const WAITING_STATES = new Set(['Shipping', 'Received', 'Transferring', 'Packaging']);
export const FINISHED_STATES = new Set(['Completed', 'Closed', 'Canceled']);
