/**
 * job.status on the Import/Export control plane: where the import stands.
 *
 *   job        state, cancel request, percent complete, bytes imported, packages
 *   drives     each drive's state, copy status, percent, bytes and its log URIs
 *   causes     for a drive that ended CompletedMoreInfo, its error log (DriveLog, read from the job's
 *              storage account with the storage credential): the drive status and every blob that did
 *              not import cleanly, with the block or file that failed
 *   seed       while the drives travel or are copied, the seed waits for the import; once the job is
 *              Completed (or Closed with every drive Completed) offlineseed.json moves to Imported
 */
import type { JobResponse } from '@azure/arm-storageimportexport';
import { importExportClient } from './armClient.ts';
import { importExportJobState } from './jobState.ts';
import { parseErrorLog, readFailureCauses } from './driveLogs.ts';
import { driveView, FINISHED_STATES, getJob, jobImported, jobNotFoundAdvice, WAITING_STATES, type DriveView } from './jobView.ts';
import { advance, updateSeed } from './seedRecords.ts';
import { seedLocation } from './seedDrives.ts';
import { addressFromJob, EMPTY_ADDRESS, formatAddress } from './shipTo.ts';
import { DAY_MS, WINDOW_DAYS } from './shippingWindow.ts';
import { jobResourceId, recordedJob, type JobTarget } from './target.ts';
import type { EventSink } from '../protocol/eventSink.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { SeedDescriptor } from '../seed/seedDescriptor.ts';
import type { CommandContext } from '../commands/command.ts';
import type { JobStatusParams } from './jobBackend.ts';


const STORAGE_ACCOUNT = /\/storageAccounts\/([^/]+)$/i;

export interface StatusOutcome {
  job: JobResponse;
  imported: boolean;
  seed: SeedDescriptor | undefined;
}

/** Moves the seed along with the job (never back): Shipped once the drives travel, Imported once the data is in. */
export async function followJob(target: JobTarget, job: JobResponse): Promise<SeedDescriptor | undefined> {
  if (target.store === undefined || target.descriptor === undefined || target.recorded === undefined || target.recorded.removedAt !== undefined) return target.descriptor;
  const p = job.properties ?? {};
  const imported = jobImported(job);
  return updateSeed(target.store, (current) => {
    const recorded = recordedJob(current);
    if (recorded === undefined || recorded.name !== target.jobName) return undefined;
    let next = current;
    // Shipped once the drives are on their way (a job canceled before shipping never was).
    if (WAITING_STATES.has(p.state ?? '') || (FINISHED_STATES.has(p.state ?? '') && p.deliveryPackage !== undefined)) next = advance(next, 'Shipped');
    if (imported) next = advance(next, 'Imported');
    const finished = FINISHED_STATES.has(p.state ?? '');
    if (finished && recorded.finalState !== p.state) next = { ...next, job: { ...recorded, finalState: p.state } };
    return next === current ? undefined : next;
  });
}

function describeState(job: JobResponse, site: string, arrivalDeadline: string | undefined, failed: number): { message: string; waiting: boolean } {
  const p = job.properties ?? {};
  const drives = p.driveList ?? [];
  const bytes = drives.reduce((n, x) => n + (x.bytesSucceeded ?? 0), 0);
  const waiting = WAITING_STATES.has(p.state ?? '');
  const waitText = 'The seed waits for the import';
  switch (p.state) {
    case 'Creating': {
      if (p.cancelRequested) return { message: 'The job was canceled before the drives were shipped.', waiting: false };
      const created = job.systemData?.createdAt instanceof Date ? job.systemData.createdAt.getTime() : undefined;
      const due = created === undefined ? '' : ` by ${new Date(created + WINDOW_DAYS * DAY_MS).toISOString()} (14 days after creation)`;
      return { message: `The job waits for the drives: ship them to ${site} and record the carrier and tracking number with Update-ImportShipping${due}.`, waiting: false };
    }
    case 'Shipping':
      return { message: `${waitText}: the drives are on their way to ${site} (${p.deliveryPackage?.carrierName ?? '?'} ${p.deliveryPackage?.trackingNumber ?? '?'})${arrivalDeadline === undefined ? '' : `; they must arrive by ${arrivalDeadline}`}.`, waiting };
    case 'Received':
      return { message: `${waitText}: the datacenter received the drives; the copy has not started yet.`, waiting };
    case 'Transferring':
      return { message: `${waitText}: the drives are being copied into the storage account (${p.percentComplete ?? 0}%, ${bytes} bytes so far).`, waiting };
    case 'Packaging':
      return { message: `${waitText}: the copy is finished (${bytes} bytes); the drives are being packed to be sent back.`, waiting };
    case 'Completed':
      if (p.cancelRequested) return { message: 'The job was canceled: nothing was imported; the drives are sent back.', waiting: false };
      return { message: `Imported: every drive was copied (${bytes} bytes)${failed > 0 ? `, with ${failed} blob(s) reported in the error logs` : ''}. Next: Complete-OfflineSeed verifies the container against the drive journals.`, waiting: false };
    case 'Closed':
      if (jobImported(job)) return { message: `Imported (the job is Closed, every drive Completed: ${bytes} bytes). Next: Complete-OfflineSeed verifies the container.`, waiting: false };
      return {
        message: `The job finished with errors: ${drives.filter((x) => x.state !== 'Completed').map((x) => `${x.driveId} ${x.state}${x.copyStatus === undefined ? '' : ` (${x.copyStatus})`}`).join(', ') || 'see the drives'}${failed > 0 ? `; ${failed} blob(s) did not import` : ''}. Complete-OfflineSeed -Force verifies the container and uploads what is missing or damaged from the staging location.`,
        waiting: false,
      };
    case 'Canceled':
      return { message: 'The job was canceled: nothing was imported; the drives are sent back.', waiting: false };
    case 'Faulted':
      return { message: 'The job is Faulted: the service cannot proceed normally; Azure operations will contact the job\'s contact. Check the drives\' states and logs.', waiting: false };
    default:
      return { message: `The job is ${p.state ?? 'in an unknown state'}.`, waiting };
  }
}

function logDrives(events: EventSink, drives: readonly DriveView[]): void {
  for (const x of drives) {
    const parts = [x.state, ...(x.copyStatus === undefined ? [] : [`copy ${x.copyStatus}`]), ...(x.percentComplete === undefined ? [] : [`${x.percentComplete}%`]), ...(x.bytesSucceeded === undefined ? [] : [`${x.bytesSucceeded} bytes`])];
    events.log('information', `Drive ${x.driveId}: ${parts.join(', ')}${x.errorLogUri === undefined ? '' : `; error log ${x.errorLogUri}`}.`);
  }
}

export async function importExportStatus(params: JobStatusParams, context: CommandContext, target: JobTarget): Promise<void> {
  const { events } = context;
  const client = importExportClient(params, target.subscriptionId);
  const jobId = jobResourceId(target);
  const job = await getJob(client, target);
  if (job === undefined) {
    throw new OfflineSeedError('OfflineSeed.ImportExportResourceNotFound', 'ObjectNotFound', `import job ${target.jobName} does not exist in resource group ${target.resourceGroup} of subscription ${target.subscriptionId} (the service answered 404)`, {
      targetObject: jobId,
      recommendedAction: jobNotFoundAdvice(target),
    });
  }
  const p = job.properties ?? {};
  const drives = (p.driveList ?? []).map(driveView);
  logDrives(events, drives);

  // The causes, from the error logs of the drives that did not complete cleanly.
  const logs = drives.filter((x) => x.errorLogUri !== undefined && (x.state === 'CompletedMoreInfo' || x.copyStatus !== 'Completed')).map((x) => ({ driveId: x.driveId, uri: x.errorLogUri! }));
  const account = STORAGE_ACCOUNT.exec(p.storageAccountId ?? '')?.[1];
  const { failedBlobs, driveStatus, logsRead, logProblems } = await readFailureCauses(account, `the job's storageAccountId (${p.storageAccountId ?? 'none'}) names no storage account, so its logs cannot be read`, logs, params, events, parseErrorLog,
    (b) => `${b.status}${b.detail === undefined ? '' : `, ${b.detail}`}${b.filePath === undefined ? '' : ` (file ${b.filePath})`}`);
  const errors = failedBlobs.filter((b) => b.severity === 'Error');
  for (const x of drives) {
    const status = driveStatus.get(x.driveId.toUpperCase()) ?? x.copyStatus;
    if (x.state === 'CompletedMoreInfo' && status !== undefined && !['Completed', 'CompletedWithWarnings', 'CompletedWithErrors'].includes(status)) {
      events.log('warning', `Drive ${x.driveId} was not imported at all: ${status}.`);
    }
    if (x.state === 'NeverReceived') {
      events.log('warning', `Drive ${x.driveId} is NeverReceived: the package did not reach the datacenter within 14 days of the shipping information (reference §4.4, §6.16). Check the tracking number with the carrier and contact Azure support; a job whose drives never arrive is closed 30 days later.`);
    }
  }

  const record = await target.store?.readShipping();
  const arrivalDeadline = record !== undefined && record.jobName === target.jobName ? record.arrivalDeadline : undefined;
  const address = addressFromJob(p.shippingInformation, EMPTY_ADDRESS);
  const site = formatAddress(address) || 'the datacenter';
  const { message, waiting } = describeState(job, site, arrivalDeadline, errors.length);
  events.log(p.state === 'Faulted' || (p.state === 'Closed' && !jobImported(job)) ? 'warning' : 'information', message);
  if (p.cancelRequested && !FINISHED_STATES.has(p.state ?? '')) events.log('warning', `A cancellation was requested for job ${target.jobName}; the service stops the copy where it can and sends the drives back.`);

  const seed = await followJob(target, job);
  const imported = jobImported(job);
  context.emitResult({
    jobName: target.jobName,
    resourceGroup: target.resourceGroup,
    subscriptionId: target.subscriptionId,
    jobId,
    controlPlane: 'ImportExport',
    state: importExportJobState(p.state, p.cancelRequested === true, imported, (p.driveList ?? []).some((x) => x.state === 'Completed' || x.state === 'CompletedMoreInfo' || x.state === 'ShippedBack')),
    serviceState: p.state ?? 'Unknown',
    cancelRequested: p.cancelRequested ?? false,
    percentComplete: p.percentComplete ?? 0,
    bytesSucceeded: drives.reduce((n, x) => n + (x.bytesSucceeded ?? 0), 0),
    driveCount: drives.length,
    drives: drives.map((x) => ({ ...x, ...(driveStatus.has(x.driveId.toUpperCase()) ? { driveStatus: driveStatus.get(x.driveId.toUpperCase())! } : {}) })),
    failedBlobs,
    failedBlobCount: errors.length,
    logsRead,
    logProblems,
    ...(p.deliveryPackage === undefined ? {} : { deliveryPackage: { carrierName: p.deliveryPackage.carrierName, trackingNumber: p.deliveryPackage.trackingNumber, ...(p.deliveryPackage.driveCount === undefined ? {} : { driveCount: p.deliveryPackage.driveCount }), ...(p.deliveryPackage.shipDate === undefined ? {} : { shipDate: p.deliveryPackage.shipDate }) } }),
    ...(p.returnPackage === undefined ? {} : { returnPackage: { carrierName: p.returnPackage.carrierName, trackingNumber: p.returnPackage.trackingNumber, driveCount: p.returnPackage.driveCount, shipDate: p.returnPackage.shipDate } }),
    ...(arrivalDeadline === undefined ? {} : { arrivalDeadline }),
    location: job.location ?? '',
    shipTo: address,
    diagnosticsPath: p.diagnosticsPath ?? '',
    waitingForImport: waiting,
    imported,
    message,
    ...seedLocation(target),
    ...(seed === undefined ? {} : { seedState: seed.state }),
    nextStep: imported
      ? 'Verify and repair the container: Complete-OfflineSeed.'
      : waiting ? 'Wait, and run Get-ImportJobStatus again later (the service aims to copy within 7 to 10 days after receipt).'
        : p.state === 'Creating' ? 'Ship the drives and record the shipment: Update-ImportShipping.'
          : p.state === 'Closed' ? 'Verify the container and upload what is missing from the staging location: Complete-OfflineSeed -Force.'
            : 'See the message.',
  });
}
