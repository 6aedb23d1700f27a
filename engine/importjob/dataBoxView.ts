/**
 * Data Box customer-disk jobs as the SDK returns them, turned into the plain shapes the job.* results
 * share with Import/Export: the ship-to address (details.datacenterAddress), one drive view per disk
 * (importDiskDetailsCollection + copyProgress + copyLogDetails), the shared state, and whether the
 * seed's data is in.
 */
import type { CopyLogDetailsUnion, DataBoxCustomerDiskCopyLogDetails, DataBoxCustomerDiskCopyProgress, DatacenterAddressLocationResponse, JobResource } from '@azure/arm-databox';
import { customerDiskDetails } from './dataBoxClient.ts';
import type { DriveView } from './jobView.ts';
import { dataBoxJobState, type JobState } from './jobState.ts';
import { EMPTY_ADDRESS, type ShipToAddress } from './shipTo.ts';

export function dataBoxShipTo(job: JobResource): { address: ShipToAddress; carriers: string[]; site: string } {
  const a = customerDiskDetails(job)?.datacenterAddress;
  if (a === undefined || a.datacenterAddressType !== 'DatacenterAddressLocation') {
    return { address: EMPTY_ADDRESS, carriers: a?.supportedCarriersForReturnShipment ?? [], site: a?.dataCenterAzureLocation ?? job.location ?? '' };
  }
  const l = a as DatacenterAddressLocationResponse;
  return {
    address: {
      recipientName: [l.contactPersonName, l.company].filter((x) => x !== undefined && x !== '').join(', '),
      streetAddress1: l.street1 ?? '',
      streetAddress2: [l.street2, l.street3].filter((x) => x !== undefined && x !== '').join(', '),
      city: l.city ?? '',
      stateOrProvince: l.state ?? '',
      postalCode: l.zip ?? '',
      countryOrRegion: l.country ?? '',
      phone: l.phone ?? '',
      additionalInformation: l.additionalShippingInformation ?? '',
    },
    carriers: l.supportedCarriersForReturnShipment ?? [],
    site: l.dataCenterAzureLocation ?? job.location ?? '',
  };
}

export function serviceStatus(job: JobResource): string {
  return job.status ?? 'Unknown';
}

export function jobStateOf(job: JobResource): JobState {
  return dataBoxJobState(job.status);
}

function copyLogOf(logs: CopyLogDetailsUnion[] | undefined, serial: string): DataBoxCustomerDiskCopyLogDetails | undefined {
  return (logs ?? []).find((l): l is DataBoxCustomerDiskCopyLogDetails => l.copyLogDetailsType === 'DataBoxCustomerDisk' && (l as DataBoxCustomerDiskCopyLogDetails).serialNumber?.toUpperCase() === serial.toUpperCase());
}

/** Drive state words in the shared view: the disk's copyStatus, or where the job stands. */
function driveState(job: JobResource, progress: DataBoxCustomerDiskCopyProgress | undefined): string {
  if (progress?.copyStatus !== undefined && progress.copyStatus !== 'NotStarted') return progress.copyStatus;
  const state = jobStateOf(job);
  return state === 'Created' ? 'Specified' : state === 'Shipping' ? 'Shipping' : state === 'Received' ? 'Received' : 'NotStarted';
}

export function dataBoxDrives(job: JobResource): DriveView[] {
  const d = customerDiskDetails(job);
  if (d === undefined) return [];
  return Object.entries(d.importDiskDetailsCollection ?? {}).map(([serial, disk]) => {
    const progress = (d.copyProgress ?? []).find((c) => c.serialNumber?.toUpperCase() === serial.toUpperCase());
    const log = copyLogOf(d.copyLogDetails, serial);
    const total = progress?.totalBytesToProcess ?? 0;
    return {
      driveId: serial,
      state: driveState(job, progress),
      manifestFile: disk.manifestFile,
      manifestHash: disk.manifestHash,
      ...(progress?.copyStatus === undefined ? {} : { copyStatus: progress.copyStatus }),
      ...(progress === undefined || total === 0 ? {} : { percentComplete: Math.min(100, Math.floor(((progress.bytesProcessed ?? 0) * 100) / total)) }),
      ...(progress?.bytesProcessed === undefined ? {} : { bytesSucceeded: progress.bytesProcessed }),
      ...(log?.errorLogLink === undefined || log.errorLogLink === '' ? {} : { errorLogUri: log.errorLogLink }),
      ...(log?.verboseLogLink === undefined || log.verboseLogLink === '' ? {} : { verboseLogUri: log.verboseLogLink }),
      ...(disk.backupManifestCloudPath === undefined || disk.backupManifestCloudPath === '' ? {} : { manifestUri: disk.backupManifestCloudPath }),
    };
  });
}

/** The seed's data is in: the copy is over and every disk copied completely. */
export function dataBoxImported(job: JobResource): boolean {
  const state = jobStateOf(job);
  if (state !== 'Completed' && state !== 'Packaging') return false;
  const drives = dataBoxDrives(job);
  return drives.length > 0 && drives.every((x) => x.copyStatus === 'Completed');
}

/** Some disk was copied at all (decides between CompletedWithErrors and Failed for the message). */
export function filesErroredOut(job: JobResource): number {
  return (customerDiskDetails(job)?.copyProgress ?? []).reduce((n, c) => n + (c.filesErroredOut ?? 0), 0);
}
