/**
 * job.ship (Update-ImportShipping): tell the service the drives are on their way.
 *
 *   review     job, drives, carrier, tracking number, drive count (default: the job's drives), ship date
 *              (default: today, UTC) and the ship-to address, as Information (the cmdlet confirms first)
 *   refuse     a tracking number another job of the subscription already uses (every job needs its own
 *              package: the service refuses it too, service-wide)
 *   ship       PATCH deliveryPackage + state Shipping; the shipping record (shipping.json, atomic) is
 *              written to the staging location and offlineseed.json moves to Shipped
 *   windows    the two two-week windows (shippingWindow.ts) from the service's own timestamps: a
 *              warning, and window/windowWarnings in the result, when one is close or past
 *
 * Running it again with the same tracking number changes nothing (outcome AlreadyShipped); another
 * tracking number while the job is still Shipping corrects it (outcome Updated).
 */
import type { JobResponse } from '@azure/arm-storageimportexport';
import { armCall, importExportClient, type ArmAccessParams } from '../importjob/armClient.ts';
import { chosenControlPlane, type ControlPlaneParams } from '../importjob/controlPlane.ts';
import { shipDataBoxJob } from '../importjob/dataBoxShip.ts';
import { importExportJobState } from '../importjob/jobState.ts';
import { getJob, jobNotFoundAdvice } from '../importjob/jobView.ts';
import { shippingRecordOf, stateRank } from '../importjob/seedRecords.ts';
import { recordShipment } from '../importjob/seedTransitions.ts';
import { addressFromJob, formatAddress, type ShipToAddress } from '../importjob/shipTo.ts';
import { evaluateWindow, isoDate, parseShipDate } from '../importjob/shippingWindow.ts';
import { jobResourceId, recordedJob, resolveJobTarget, type JobTargetParams } from '../importjob/target.ts';
import { seedLocation } from '../importjob/seedDrives.ts';
import { openSeed } from '../seed/openSeed.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { defineCommand } from './command.ts';

interface ShipParams extends JobTargetParams, ArmAccessParams, ControlPlaneParams {
  carrierName: string;
  trackingNumber: string;
  driveCount?: number;
  shipDate?: string;
}

const EMPTY_ADDRESS: ShipToAddress = { recipientName: '', streetAddress1: '', streetAddress2: '', city: '', stateOrProvince: '', postalCode: '', countryOrRegion: '', phone: '', additionalInformation: '' };

function same(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function serviceTime(value: Date | undefined, fallback: number): number {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : fallback;
}

export const jobShipCommand = defineCommand<ShipParams>({
  name: 'job.ship',
  summary: 'Record the shipment of the drives (carrier, tracking number, drive count, ship date): the job moves to Shipping; warns when a two-week window is close or past.',
  cmdlet: 'Update-ImportShipping',
  resultTypeName: 'OfflineSeed.ShippingRecord',
  async run(params, context) {
    const { events } = context;
    // The seed first: without a job of its own there is nothing to ship for, whatever else is given.
    const opened = await openSeed(params, params, events);
    if (opened !== undefined) {
      const recorded = recordedJob(opened.descriptor);
      if (stateRank(opened.descriptor.state) < stateRank('JobCreated') || recorded === undefined || recorded.removedAt !== undefined) {
        throw new OfflineSeedError('OfflineSeed.JobNotCreated', 'InvalidOperation', `the seed of job "${opened.descriptor.jobName}" has no import job yet (state ${opened.descriptor.state})`, {
          targetObject: opened.store.location,
          recommendedAction: 'Create the import job first: New-OfflineSeedImportJob. Ship the drives only after that, to the address it prints.',
        });
      }
    }
    const target = await resolveJobTarget(params, { requireSeed: true, events, ...(opened === undefined ? {} : { opened }) });
    const d = target.descriptor!;
    const store = target.store!;
    const trackingNumber = params.trackingNumber.trim();
    const carrierName = params.carrierName.trim();
    if (trackingNumber === '' || carrierName === '') {
      throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', `params.${trackingNumber === '' ? 'trackingNumber' : 'carrierName'}: must not be blank`, { targetObject: trackingNumber === '' ? 'params.trackingNumber' : 'params.carrierName' });
    }
    const shipDateText = params.shipDate ?? isoDate(Date.now());
    const shipDate = parseShipDate(shipDateText);
    if (shipDate === undefined) {
      throw new OfflineSeedError('OfflineSeed.InvalidShipDate', 'InvalidArgument', `params.shipDate: "${shipDateText}" is not a date (YYYY-MM-DD)`, { targetObject: 'params.shipDate' });
    }

    if (chosenControlPlane(params, target.recorded) === 'DataBox') {
      return shipDataBoxJob(params, context, target, { carrierName, trackingNumber, shipDate, ...(params.driveCount === undefined ? {} : { driveCount: params.driveCount }) });
    }
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
    const driveCount = params.driveCount ?? driveIds.length;
    if (params.driveCount !== undefined && params.driveCount !== driveIds.length) {
      events.log('warning', `The package holds ${params.driveCount} drive(s), but job ${target.jobName} has ${driveIds.length} (${driveIds.join(', ')}): ship all drives of a job together, in one package with one tracking number.`);
    }
    const already = p.state !== 'Creating' && same(p.deliveryPackage?.trackingNumber, trackingNumber);

    if (!already) {
      // The service refuses a tracking number held by any other job; say which one, in the subscription.
      const others = await armCall(`list the import jobs of subscription ${target.subscriptionId}`, target.subscriptionId, async () => {
        const found: JobResponse[] = [];
        for await (const other of client.jobs.listBySubscription()) {
          if ((other.id ?? '').toLowerCase() === jobId.toLowerCase()) continue;
          if (same(other.properties?.deliveryPackage?.trackingNumber, trackingNumber)) found.push(other);
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
      recordedAt = previous !== undefined && same(previous.trackingNumber, trackingNumber) ? Date.parse(previous.recordedAt) : serviceTime(job.systemData?.lastModifiedAt, Date.now());
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

    const record = shippingRecordOf({ target, carrierName, trackingNumber, driveCount, driveIds, shipDate, recordedAt, jobCreatedAt: createdAt, shipTo: address });
    for (const w of record.warnings) events.log('warning', w.message);
    const recordPath = await store.writeShipping(record);
    const seed = await recordShipment(store, record, recordPath);
    events.log('information', `The drives must reach the datacenter by ${record.arrivalDeadline}; the shipping record is ${recordPath}.`);

    context.emitResult({
      jobName: target.jobName,
      resourceGroup: target.resourceGroup,
      subscriptionId: target.subscriptionId,
      controlPlane: 'ImportExport',
      outcome,
      state: importExportJobState(updated.properties?.state ?? 'Shipping', updated.properties?.cancelRequested === true, false, false),
      serviceState: updated.properties?.state ?? 'Shipping',
      carrierName,
      trackingNumber,
      driveCount,
      driveIds,
      shipDate: record.shipDate,
      recordedAt: record.recordedAt,
      jobCreatedAt: record.jobCreatedAt,
      shippingInfoDeadline: record.shippingInfoDeadline,
      arrivalDeadline: record.arrivalDeadline,
      window: record.window,
      windowWarnings: record.warnings,
      shipTo: address,
      recordPath,
      ...seedLocation(target),
      seedState: seed?.state ?? d.state,
      nextStep: 'Wait for the import: Get-ImportJobStatus shows the job and its drives (the service aims to copy within 7 to 10 days after receipt).',
    });
  },
});
