/**
 * job.status on the Data Box control plane: the job's status (shared state + StageName), each disk's
 * copy status, bytes and copy-log links, and for a disk that did not copy cleanly the files its CopyLog
 * names (read from databoxcopylog with the storage credential). The seed follows the job as on
 * Import/Export: Shipped once the drives travel, Imported once every disk copied completely.
 */
import type { JobResource } from '@azure/arm-databox';
import type { CommandContext } from '../commands/command.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { SeedDescriptor } from '../seed/seedDescriptor.ts';
import { parseCopyLog } from './copyLogs.ts';
import { COPY_LOG_CONTAINER, customerDiskDetails, dataBoxClient, dataBoxJobId, getDataBoxJob } from './dataBoxClient.ts';
import { dataBoxDrives, dataBoxImported, dataBoxShipTo, jobStateOf, serviceStatus } from './dataBoxView.ts';
import { readFailureCauses } from './driveLogs.ts';
import { FINISHED_JOB_STATES, WAITING_JOB_STATES } from './jobState.ts';
import { advance, updateSeed } from './seedRecords.ts';
import { seedLocation } from './seedDrives.ts';
import { formatAddress } from './shipTo.ts';
import { DAY_MS, WINDOW_DAYS } from './shippingWindow.ts';
import type { JobStatusParams } from './jobBackend.ts';
import { recordedJob, type JobTarget } from './target.ts';

const STORAGE_ACCOUNT = /\/storageAccounts\/([^/]+)$/i;

export function dataBoxNotFound(target: JobTarget): OfflineSeedError {
  const recorded = target.recorded;
  return new OfflineSeedError('OfflineSeed.DataBoxResourceNotFound', 'ObjectNotFound', `Data Box job ${target.jobName} does not exist in resource group ${target.resourceGroup} of subscription ${target.subscriptionId} (the service answered 404)`, {
    targetObject: dataBoxJobId(target),
    recommendedAction: recorded === undefined
      ? `Check the job name, resource group ${target.resourceGroup} and subscription ${target.subscriptionId} (and -ControlPlane: an Import/Export job is not a Data Box job).`
      : `The seed recorded job ${recorded.name} (created ${recorded.createdAt}) in ${recorded.resourceGroup}. The service deletes a job left awaiting shipment details after 14 days, and a finished job 90 days after it ended. If the drives were not shipped yet, create the job again (New-OfflineSeedImportJob).`,
  });
}

/** Moves the seed along with the job (never back). */
export async function followDataBoxJob(target: JobTarget, job: JobResource): Promise<SeedDescriptor | undefined> {
  if (target.store === undefined || target.descriptor === undefined || target.recorded === undefined || target.recorded.removedAt !== undefined) return target.descriptor;
  const state = jobStateOf(job);
  const shipped = customerDiskDetails(job)?.deliverToDcPackageDetails !== undefined;
  const imported = dataBoxImported(job);
  return updateSeed(target.store, (current) => {
    const recorded = recordedJob(current);
    if (recorded === undefined || recorded.name !== target.jobName) return undefined;
    let next = current;
    if (WAITING_JOB_STATES.has(state) || (FINISHED_JOB_STATES.has(state) && shipped)) next = advance(next, 'Shipped');
    if (imported) next = advance(next, 'Imported');
    if (FINISHED_JOB_STATES.has(state) && recorded.finalState !== serviceStatus(job)) next = { ...next, job: { ...recorded, finalState: serviceStatus(job) } };
    return next === current ? undefined : next;
  });
}

function describe(job: JobResource, site: string, arrivalDeadline: string | undefined, bytes: number, failed: number): string {
  const d = customerDiskDetails(job);
  const wait = 'The seed waits for the import';
  switch (jobStateOf(job)) {
    case 'Created': {
      const created = job.startTime instanceof Date ? job.startTime.getTime() : undefined;
      return `The job waits for the drives: ship them to ${site} and record the carrier and tracking number with Update-ImportShipping${created === undefined ? '' : ` by ${new Date(created + WINDOW_DAYS * DAY_MS).toISOString()} (14 days after creation)`}.`;
    }
    case 'Shipping':
      return `${wait}: the drives are on their way to ${site} (${d?.deliverToDcPackageDetails?.carrierName ?? '?'} ${d?.deliverToDcPackageDetails?.trackingId ?? '?'})${arrivalDeadline === undefined ? '' : `; they must arrive by ${arrivalDeadline}`}.`;
    case 'Received':
      return `${wait}: the datacenter received the drives; the copy has not started yet.`;
    case 'Transferring':
      return `${wait}: the drives are being copied into the storage account (${bytes} bytes so far).`;
    case 'Packaging':
      return dataBoxImported(job)
        ? `Imported: every drive was copied (${bytes} bytes); the drives are on their way back. Next: Complete-OfflineSeed verifies the container.`
        : `${wait}: the copy is over (${bytes} bytes); the drives are being sent back.`;
    case 'Completed':
      return `Imported: every drive was copied (${bytes} bytes). Next: Complete-OfflineSeed verifies the container against the drive journals.`;
    case 'CompletedWithErrors':
      return `The job finished with errors (${serviceStatus(job)}): ${dataBoxDrives(job).filter((x) => x.copyStatus !== 'Completed').map((x) => `${x.driveId} ${x.copyStatus ?? x.state}`).join(', ') || 'see the drives'}${failed > 0 ? `; ${failed} file(s) did not import` : ''}. Complete-OfflineSeed -Force verifies the container and uploads what is missing or damaged from the staging location.`;
    case 'Cancelled':
      return `The job was cancelled${job.cancellationReason === undefined ? '' : ` (${job.cancellationReason})`}: nothing is imported.`;
    case 'Failed':
      return `The job failed (${serviceStatus(job)}): the datacenter could not import the drives. Check each drive's copy status and copy log; Complete-OfflineSeed -Force uploads the seed from the staging location.`;
    default:
      return `The job is ${serviceStatus(job)}.`;
  }
}

export async function dataBoxStatus(params: JobStatusParams, context: CommandContext, target: JobTarget): Promise<void> {
  const { events } = context;
  const client = dataBoxClient(params, target.subscriptionId);
  const job = await getDataBoxJob(client, target);
  if (job === undefined) throw dataBoxNotFound(target);
  const d = customerDiskDetails(job);
  const drives = dataBoxDrives(job);
  for (const x of drives) {
    events.log('information', `Drive ${x.driveId}: ${[x.state, ...(x.percentComplete === undefined ? [] : [`${x.percentComplete}%`]), ...(x.bytesSucceeded === undefined ? [] : [`${x.bytesSucceeded} bytes`])].join(', ')}${x.errorLogUri === undefined ? '' : `; copy log ${x.errorLogUri}`}.`);
  }
  const accountId = (d?.dataImportDetails?.[0]?.accountDetails as { storageAccountId?: string } | undefined)?.storageAccountId ?? '';
  const account = STORAGE_ACCOUNT.exec(accountId)?.[1];
  const logs = drives.filter((x) => x.errorLogUri !== undefined && x.copyStatus !== undefined && x.copyStatus !== 'Completed').map((x) => ({ driveId: x.driveId, uri: x.errorLogUri! }));
  const { failedBlobs, driveStatus, logsRead, logProblems } = await readFailureCauses(account, `the job names no storage account (${accountId || 'none'}), so its copy logs cannot be read`, logs, params, events, parseCopyLog,
    (b) => `${b.status}${b.detail === undefined ? '' : ` (${b.detail})`}`);
  const errors = failedBlobs.filter((b) => b.severity === 'Error');
  for (const x of drives) {
    if (x.copyStatus !== undefined && !['Completed', 'CompletedWithErrors', 'InProgress', 'NotStarted'].includes(x.copyStatus)) events.log('warning', `Drive ${x.driveId} was not imported at all: ${x.copyStatus}.`);
  }

  const record = await target.store?.readShipping();
  const arrivalDeadline = record !== undefined && record.jobName === target.jobName ? record.arrivalDeadline : undefined;
  const shipTo = dataBoxShipTo(job);
  const bytes = drives.reduce((n, x) => n + (x.bytesSucceeded ?? 0), 0);
  const total = (d?.copyProgress ?? []).reduce((n, c) => n + (c.totalBytesToProcess ?? 0), 0);
  const state = jobStateOf(job);
  const imported = dataBoxImported(job);
  const waiting = WAITING_JOB_STATES.has(state) && !imported;
  const message = describe(job, formatAddress(shipTo.address) || 'the datacenter', arrivalDeadline, bytes, errors.length);
  events.log(state === 'Failed' || state === 'CompletedWithErrors' ? 'warning' : 'information', message);
  const seed = await followDataBoxJob(target, job);
  const deliver = d?.deliverToDcPackageDetails;
  const back = d?.returnPackage;
  context.emitResult({
    jobName: target.jobName,
    resourceGroup: target.resourceGroup,
    subscriptionId: target.subscriptionId,
    jobId: dataBoxJobId(target),
    controlPlane: 'DataBox',
    state,
    serviceState: serviceStatus(job),
    cancelRequested: state === 'Cancelled',
    percentComplete: total === 0 ? (imported ? 100 : 0) : Math.min(100, Math.floor((bytes * 100) / total)),
    bytesSucceeded: bytes,
    driveCount: drives.length,
    drives: drives.map((x) => ({ ...x, ...(driveStatus.has(x.driveId.toUpperCase()) ? { driveStatus: driveStatus.get(x.driveId.toUpperCase())! } : {}) })),
    failedBlobs,
    failedBlobCount: errors.length,
    logsRead,
    logProblems,
    ...(deliver === undefined ? {} : { deliveryPackage: { carrierName: deliver.carrierName ?? '', trackingNumber: deliver.trackingId ?? '' } }),
    ...(back === undefined ? {} : { returnPackage: { carrierName: back.carrierName ?? '', trackingNumber: back.trackingId ?? '' } }),
    ...(arrivalDeadline === undefined ? {} : { arrivalDeadline }),
    location: job.location ?? '',
    shipTo: shipTo.address,
    diagnosticsPath: COPY_LOG_CONTAINER,
    waitingForImport: waiting,
    imported,
    message,
    ...seedLocation(target),
    ...(seed === undefined ? {} : { seedState: seed.state }),
    nextStep: imported
      ? 'Verify and repair the container: Complete-OfflineSeed.'
      : waiting ? 'Wait, and run Get-ImportJobStatus again later.'
        : state === 'Created' ? 'Ship the drives and record the shipment: Update-ImportShipping.'
          : state === 'CompletedWithErrors' || state === 'Failed' ? 'Verify the container and upload what is missing from the staging location: Complete-OfflineSeed -Force.'
            : 'See the message.',
  });
}
