/**
 * job.ship on the Import/Export control plane: PATCH the job's deliveryPackage (carrier, tracking
 * number, drive count, ship date) and state Shipping; the same package again changes nothing, another
 * tracking number while Shipping replaces it (one package per job). The shipping record is written
 * to the seed's store and the two-week window judged from the service's times.
 */
import type { JobResponse } from '@azure/arm-storageimportexport';
import type { CommandContext } from '../commands/command.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { armCall, importExportClient, type ArmAccessParams } from './armClient.ts';
import type { ShipmentDetails } from './jobBackend.ts';
import { importExportJobState } from './jobState.ts';
import { getJob, jobNotFoundAdvice } from './jobView.ts';
import { recordAndReportShipment, sameTrackingNumber } from './seedTransitions.ts';
import { addressFromJob, EMPTY_ADDRESS, formatAddress } from './shipTo.ts';
import { evaluateWindow, isoDate } from './shippingWindow.ts';
import { jobResourceId, type JobTarget } from './target.ts';

function serviceTime(value: Date | undefined, fallback: number): number {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : fallback;
}

export async function shipImportExportJob(params: ArmAccessParams, context: CommandContext, target: JobTarget, shipment: ShipmentDetails): Promise<void> {
  const { events } = context;
  const { carrierName, trackingNumber, shipDate } = shipment;
  const store = target.store!;
  const client = importExportClient(params, target.subscriptionId);
  const jobId = jobResourceId(target);
  const job = await getJob(client, target);
  if (job === undefined) {
    throw new OfflineSeedError('OfflineSeed.ImportExportResourceNotFound', 'ObjectNotFound', `import job ${target.jobName} does not exist in resource group ${target.resourceGroup} (the service answered 404)`, {
      targetObject: jobId,
      recommendedAction: jobNotFoundAdvice(target),
    });
  }
  const p = job.properties ?? {};
  const driveIds = (p.driveList ?? []).map((x) => x.driveId ?? '');
  const driveCount = shipment.driveCount ?? driveIds.length;
  if (shipment.driveCount !== undefined && shipment.driveCount !== driveIds.length) {
    events.log('warning', `The package holds ${shipment.driveCount} drive(s), but job ${target.jobName} has ${driveIds.length} (${driveIds.join(', ')}): ship all drives of a job together, in one package with one tracking number.`);
  }
  const already = p.state !== 'Creating' && sameTrackingNumber(p.deliveryPackage?.trackingNumber, trackingNumber);

  if (!already) {
    // The service refuses a tracking number held by any other job; say which one, in the subscription.
    const others = await armCall(`list the import jobs of subscription ${target.subscriptionId}`, target.subscriptionId, async () => {
      const found: JobResponse[] = [];
      for await (const other of client.jobs.listBySubscription()) {
        if ((other.id ?? '').toLowerCase() === jobId.toLowerCase()) continue;
        if (sameTrackingNumber(other.properties?.deliveryPackage?.trackingNumber, trackingNumber)) found.push(other);
      }
      return found;
    });
    if (others.length > 0) {
      const other = others[0]!;
      const group = /\/resourceGroups\/([^/]+)\//i.exec(other.id ?? '')?.[1] ?? '?';
      throw new OfflineSeedError('OfflineSeed.TrackingNumberInUse', 'ResourceExists', `the tracking number ${trackingNumber} is already used by import job ${other.name} (resource group ${group}, state ${other.properties?.state ?? 'unknown'}); every job needs its own package and tracking number`, {
        targetObject: trackingNumber,
        recommendedAction: 'Check the number on the label. Never put drives of two jobs in one package: ship this job\'s drives separately, with their own tracking number.',
      });
    }
  }

  const address = addressFromJob(p.shippingInformation, EMPTY_ADDRESS);
  const shipToText = formatAddress(address);
  const prefix = context.dryRun ? 'What if: ' : '';
  events.log('information', `${prefix}Shipment of import job ${target.jobName} (${target.resourceGroup}): ${carrierName} tracking number ${trackingNumber}, ${driveCount} drive(s) (${driveIds.join(', ')}), shipped ${isoDate(shipDate)}${shipToText === '' ? '' : `, to ${shipToText}`}.`);

  const createdAt = serviceTime(job.systemData?.createdAt, Date.now());
  if (context.dryRun) {
    const preview = evaluateWindow({ jobCreatedAt: createdAt, recordedAt: Date.now(), shipDate });
    for (const w of preview.warnings) events.log('warning', `What if: ${w.message}`);
    events.log('information', `What if: the job would move from ${p.state} to Shipping${already ? ' (it has this tracking number already: nothing would change)' : ''}; the drives must then arrive by about ${preview.arrivalDeadline}.`);
    return;
  }

  let updated = job;
  let outcome: 'Shipped' | 'AlreadyShipped' | 'Updated';
  let recordedAt: number;
  const previous = await store.readShipping();
  if (already) {
    outcome = 'AlreadyShipped';
    recordedAt = previous !== undefined && sameTrackingNumber(previous.trackingNumber, trackingNumber) ? Date.parse(previous.recordedAt) : serviceTime(job.systemData?.lastModifiedAt, Date.now());
    events.log('information', `Import job ${target.jobName} is ${p.state} with tracking number ${trackingNumber} already: nothing to change.`);
  } else {
    const wasShipping = p.state === 'Shipping';
    context.throwIfCancelled(); // nothing is changed once the run was cancelled
    updated = await armCall(`record the shipment of import job ${target.jobName}`, jobId, () => client.jobs.update(target.jobName, target.resourceGroup, {
      deliveryPackage: { carrierName, trackingNumber, driveCount, shipDate: isoDate(shipDate) },
      state: 'Shipping',
    }), {
      InvalidJobState: `Shipping information can be given only while the job is Creating or Shipping (it is ${p.state}); Get-ImportJobStatus shows where it stands.`,
      ReturnAddressRequired: 'Give the job a return address first (the portal, or remove and create the job again with New-OfflineSeedImportJob -ReturnAddress).',
    });
    outcome = wasShipping ? 'Updated' : 'Shipped';
    recordedAt = serviceTime(updated.systemData?.lastModifiedAt, Date.now());
    events.log('information', `Import job ${target.jobName} is now ${updated.properties?.state ?? 'Shipping'}: ${carrierName} ${trackingNumber}.`);
  }

  await recordAndReportShipment(context, target, { target, carrierName, trackingNumber, driveCount, driveIds, shipDate, recordedAt, jobCreatedAt: createdAt, shipTo: address }, {
    controlPlane: 'ImportExport', outcome,
    state: importExportJobState(updated.properties?.state ?? 'Shipping', updated.properties?.cancelRequested === true, false, false),
    serviceState: updated.properties?.state ?? 'Shipping',
    nextStep: 'Wait for the import: Get-ImportJobStatus shows the job and its drives (the service aims to copy within 7 to 10 days after receipt).',
  });
}
