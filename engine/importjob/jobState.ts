/**
 * One vocabulary for where a job stands, whichever control plane holds it; every job result carries it
 * as `state`, with the service's own word beside it as `serviceState`:
 *
 *   Created              the job exists and waits for the drives to be shipped
 *   Shipping             the drives are on their way to the datacenter
 *   Received             the datacenter has them; the copy has not started
 *   Transferring         the drives are being copied into the storage account
 *   Packaging            the copy is over; the drives are packed and sent back
 *   Completed            every drive was copied (warnings such as renamed blobs included)
 *   CompletedWithErrors  the job finished, but some drives or blobs did not import
 *   Cancelled            the job was cancelled (nothing is imported)
 *   Failed               the service could not process the job (no drive readable, Faulted)
 *   Deleted              the job no longer exists
 *   Unknown              a service state this version does not know
 *
 * Import/Export: Creating, Shipping, Received, Transferring, Packaging, Completed, Closed, Canceled,
 * Faulted. Data Box customer disk (StageName): AwaitingShipmentDetails … ShippedToCustomer, then
 * Completed, CompletedWithWarnings, CompletedWithErrors, Failed_*, Cancelled, Aborted.
 */
export type JobState = 'Created' | 'Shipping' | 'Received' | 'Transferring' | 'Packaging' | 'Completed' | 'CompletedWithErrors' | 'Cancelled' | 'Failed' | 'Deleted' | 'Unknown';

/** Import/Export: `imported` says whether the data is in (jobImported), which decides a Closed job. */
export function importExportJobState(serviceState: string | undefined, cancelRequested: boolean, imported: boolean, anyDriveCopied: boolean): JobState {
  switch (serviceState) {
    case 'Creating': return cancelRequested ? 'Cancelled' : 'Created';
    case 'Shipping': return 'Shipping';
    case 'Received': return 'Received';
    case 'Transferring': return 'Transferring';
    case 'Packaging': return 'Packaging';
    case 'Completed': return cancelRequested ? 'Cancelled' : 'Completed';
    case 'Closed': return cancelRequested ? 'Cancelled' : imported ? 'Completed' : anyDriveCopied ? 'CompletedWithErrors' : 'Failed';
    case 'Canceled': return 'Cancelled';
    case 'Faulted': return 'Failed';
    case 'Deleted': return 'Deleted';
    default: return 'Unknown';
  }
}

const DATABOX: Record<string, JobState> = {
  Created: 'Created', DeviceOrdered: 'Created', DevicePrepared: 'Created', AwaitingShipmentDetails: 'Created',
  Dispatched: 'Created', Delivered: 'Created', PickedUp: 'Shipping', ShippedToAzureDC: 'Shipping', ReadyToReceiveAtAzureDC: 'Shipping',
  AtAzureDC: 'Received', DataCopy: 'Transferring',
  PreparingToShipFromAzureDC: 'Packaging', ReadyToDispatchFromAzureDC: 'Packaging', ShippedToCustomer: 'Packaging',
  Completed: 'Completed', CompletedWithWarnings: 'Completed', CompletedWithErrors: 'CompletedWithErrors',
  Cancelled: 'Cancelled', Aborted: 'Cancelled', Deleted: 'Deleted',
};

export function dataBoxJobState(status: string | undefined): JobState {
  if (status === undefined) return 'Unknown';
  if (status.startsWith('Failed')) return 'Failed';
  return DATABOX[status] ?? 'Unknown';
}

/** Shared states in which the drives travel or are copied: the seed waits for the import. */
export const WAITING_JOB_STATES: ReadonlySet<JobState> = new Set(['Shipping', 'Received', 'Transferring', 'Packaging']);
export const FINISHED_JOB_STATES: ReadonlySet<JobState> = new Set(['Completed', 'CompletedWithErrors', 'Cancelled', 'Failed']);
