/**
 * job.ship on the Data Box control plane: POST markDevicesShipped {deliverToDcPackageDetails:
 * {carrierName, trackingId}}; the job moves from AwaitingShipmentDetails to ShippedToAzureDC (shared
 * state Shipping). Unlike Import/Export the service takes the tracking number once: afterwards it
 * cannot be corrected (the service's refusal is reported). The shipping record and the windows are
 * the same as Import/Export's; the service time of the shipment is the ShippedToAzureDC stage time.
 */
import type { JobResource } from '@azure/arm-databox';
import type { CommandContext } from '../commands/command.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { ArmAccessParams } from './armClient.ts';
import { customerDiskDetails, dataBoxCall, dataBoxClient, dataBoxJobId, getDataBoxJob } from './dataBoxClient.ts';
import { dataBoxNotFound } from './dataBoxStatus.ts';
import { dataBoxDrives, dataBoxShipTo, jobStateOf, serviceStatus } from './dataBoxView.ts';
import { recordAndReportShipment, sameTrackingNumber } from './seedTransitions.ts';
import { formatAddress } from './shipTo.ts';
import { evaluateWindow, isoDate } from './shippingWindow.ts';
import type { ShipmentDetails } from './jobBackend.ts';
import type { JobTarget } from './target.ts';


function stageTime(job: JobResource, stage: string): number | undefined {
  const t = customerDiskDetails(job)?.jobStages?.find((s) => s.stageName === stage)?.stageTime;
  return t instanceof Date && !Number.isNaN(t.getTime()) ? t.getTime() : undefined;
}

export async function shipDataBoxJob(params: ArmAccessParams, context: CommandContext, target: JobTarget, shipment: ShipmentDetails): Promise<void> {
  const { events } = context;
  const { carrierName, trackingNumber, shipDate } = shipment;
  const store = target.store!;
  const client = dataBoxClient(params, target.subscriptionId);
  const jobId = dataBoxJobId(target);
  const job = await getDataBoxJob(client, target);
  if (job === undefined) throw dataBoxNotFound(target);
  const driveIds = dataBoxDrives(job).map((x) => x.driveId);
  const driveCount = shipment.driveCount ?? driveIds.length;
  if (shipment.driveCount !== undefined && shipment.driveCount !== driveIds.length) {
    events.log('warning', `The package holds ${shipment.driveCount} drive(s), but job ${target.jobName} has ${driveIds.length} (${driveIds.join(', ')}): ship all drives of a job together, in one package with one tracking number.`);
  }
  const before = jobStateOf(job);
  const shipped = customerDiskDetails(job)?.deliverToDcPackageDetails;
  const already = before !== 'Created' && sameTrackingNumber(shipped?.trackingId, trackingNumber);
  if (!already) {
    const others = await dataBoxCall(`list the Data Box jobs of subscription ${target.subscriptionId}`, target.subscriptionId, async () => {
      const found: JobResource[] = [];
      for await (const other of client.jobs.list()) {
        if ((other.id ?? '').toLowerCase() === jobId.toLowerCase()) continue;
        if (sameTrackingNumber(customerDiskDetails(other)?.deliverToDcPackageDetails?.trackingId, trackingNumber)) found.push(other);
      }
      return found;
    });
    if (others.length > 0) {
      const other = others[0]!;
      const group = /\/resourceGroups\/([^/]+)\//i.exec(other.id ?? '')?.[1] ?? '?';
      throw new OfflineSeedError('OfflineSeed.TrackingNumberInUse', 'ResourceExists', `the tracking number ${trackingNumber} is already used by Data Box job ${other.name} (resource group ${group}, status ${other.status ?? 'unknown'}); every job needs its own package and tracking number`, {
        targetObject: trackingNumber,
        recommendedAction: 'Check the number on the label. Never put drives of two jobs in one package: ship this job\'s drives separately, with their own tracking number.',
      });
    }
  }
  const shipTo = dataBoxShipTo(job);
  const prefix = context.dryRun ? 'What if: ' : '';
  events.log('information', `${prefix}Shipment of Data Box job ${target.jobName} (${target.resourceGroup}): ${carrierName} tracking number ${trackingNumber}, ${driveCount} drive(s) (${driveIds.join(', ')}), shipped ${isoDate(shipDate)}${formatAddress(shipTo.address) === '' ? '' : `, to ${formatAddress(shipTo.address)}`}.`);
  const createdAt = job.systemData?.createdAt instanceof Date ? job.systemData.createdAt.getTime() : job.startTime instanceof Date ? job.startTime.getTime() : Date.now();
  if (context.dryRun) {
    const preview = evaluateWindow({ jobCreatedAt: createdAt, recordedAt: Date.now(), shipDate });
    for (const w of preview.warnings) events.log('warning', `What if: ${w.message}`);
    events.log('information', `What if: the job would move from ${serviceStatus(job)} to ShippedToAzureDC${already ? ' (it has this tracking number already: nothing would change)' : ''}; the drives must then arrive by about ${preview.arrivalDeadline}.`);
    return;
  }
  let updated = job;
  let outcome: 'Shipped' | 'AlreadyShipped';
  const previous = await store.readShipping();
  let recordedAt: number;
  if (already) {
    outcome = 'AlreadyShipped';
    recordedAt = previous !== undefined && sameTrackingNumber(previous.trackingNumber, trackingNumber) ? Date.parse(previous.recordedAt) : stageTime(job, 'ShippedToAzureDC') ?? Date.now();
    events.log('information', `Data Box job ${target.jobName} is ${serviceStatus(job)} with tracking number ${trackingNumber} already: nothing to change.`);
  } else {
    context.throwIfCancelled(); // nothing is changed once the run was cancelled
    await dataBoxCall(`record the shipment of Data Box job ${target.jobName}`, jobId, () => client.jobs.markDevicesShipped(target.jobName, target.resourceGroup, { deliverToDcPackageDetails: { carrierName, trackingId: trackingNumber } }, { abortSignal: context.signal }), {
      InvalidJobState: `The service takes the shipment only while the job awaits shipment details (it is ${serviceStatus(job)}${shipped?.trackingId === undefined ? '' : `, shipped with ${shipped.carrierName ?? '?'} ${shipped.trackingId}`}); a recorded tracking number cannot be changed on a Data Box job. Get-ImportJobStatus shows where it stands.`,
    });
    updated = (await getDataBoxJob(client, target)) ?? job;
    outcome = 'Shipped';
    recordedAt = stageTime(updated, 'ShippedToAzureDC') ?? Date.now();
    events.log('information', `Data Box job ${target.jobName} is now ${serviceStatus(updated)}: ${carrierName} ${trackingNumber}.`);
  }
  await recordAndReportShipment(context, target, { target, carrierName, trackingNumber, driveCount, driveIds, shipDate, recordedAt, jobCreatedAt: createdAt, shipTo: shipTo.address }, {
    controlPlane: 'DataBox', outcome, state: jobStateOf(updated), serviceState: serviceStatus(updated),
    nextStep: 'Wait for the import: Get-ImportJobStatus shows the job and its drives.',
  });
}
