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
import type { ArmAccessParams } from '../importjob/armClient.ts';
import { chosenControlPlane, type ControlPlaneParams } from '../importjob/controlPlane.ts';
import { JOB_BACKENDS } from '../importjob/jobBackend.ts';
import { stateRank } from '../importjob/seedRecords.ts';
import { isoDate, parseShipDate } from '../importjob/shippingWindow.ts';
import { recordedJob, resolveJobTarget, type JobTargetParams } from '../importjob/target.ts';
import { openSeed } from '../seed/openSeed.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { CommandContext } from './command.ts';

interface ShipParams extends JobTargetParams, ArmAccessParams, ControlPlaneParams {
  carrierName: string;
  trackingNumber: string;
  driveCount?: number;
  shipDate?: string;
}

export async function run(params: ShipParams, context: CommandContext): Promise<void> {
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

  const shipment = { carrierName, trackingNumber, shipDate, ...(params.driveCount === undefined ? {} : { driveCount: params.driveCount }) };
  await JOB_BACKENDS[chosenControlPlane(params, target.recorded) ?? 'ImportExport'].ship(params, context, target, shipment);
}
