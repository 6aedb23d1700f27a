/**
 * How a job's life moves the seed's descriptor, the same whichever control plane runs the job:
 *   created     state JobCreated, member "job" (the RecordedJob), subscription and resource group kept
 *   shipped     state Shipped, member "shipping" (summary of the shipping record)
 *   cancelled   job.cancelRequestedAt
 *   removed     job.removedAt and finalState; a seed whose drives were not imported goes back to
 *               DrivesPrepared, so it can get a new job for the same drives
 * Each is one conditional update of the store (a blob store refuses a stale write).
 */
import type { CommandContext } from '../commands/command.ts';
import type { SeedDescriptor } from '../seed/seedDescriptor.ts';
import type { SeedStore } from '../seed/seedStore.ts';
import type { ControlPlane } from './controlPlane.ts';
import type { JobState } from './jobState.ts';
import { seedLocation } from './seedDrives.ts';
import { advance, shippingRecordOf, updateSeed, withJob, type Shipment, type ShippingRecord } from './seedRecords.ts';
import { recordedJob, type JobTarget, type RecordedJob } from './target.ts';

export function recordJobCreated(store: SeedStore, target: JobTarget, job: RecordedJob): Promise<SeedDescriptor | undefined> {
  return updateSeed(store, (current) => {
    const next = advance(withJob(current, job), 'JobCreated');
    return {
      ...next,
      ...(next.subscriptionId === undefined ? { subscriptionId: target.subscriptionId } : {}),
      ...(next.resourceGroup === undefined ? { resourceGroup: target.resourceGroup } : {}),
    };
  });
}

/** Tracking numbers compare as the carriers print them: case and surrounding blanks do not matter. */
export function sameTrackingNumber(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** How the service stands after taking (or already holding) the package, in the shared result shape. */
export interface ShipmentOutcome {
  controlPlane: ControlPlane;
  outcome: 'Shipped' | 'AlreadyShipped' | 'Updated';
  state: JobState;
  serviceState: string;
  nextStep: string;
}

/**
 * The end of job.ship on either control plane: the shipping record (two-week window judged from the
 * service's times, warnings logged) written to the seed's store, the seed moved to Shipped, the result.
 */
export async function recordAndReportShipment(context: CommandContext, target: JobTarget, shipment: Shipment, outcome: ShipmentOutcome): Promise<void> {
  const store = target.store!;
  const record = shippingRecordOf(shipment);
  for (const w of record.warnings) context.events.log('warning', w.message);
  const recordPath = await store.writeShipping(record);
  const seed = await recordShipment(store, record, recordPath);
  context.events.log('information', `The drives must reach the datacenter by ${record.arrivalDeadline}; the shipping record is ${recordPath}.`);
  context.emitResult({
    jobName: target.jobName,
    resourceGroup: target.resourceGroup,
    subscriptionId: target.subscriptionId,
    controlPlane: outcome.controlPlane,
    outcome: outcome.outcome,
    state: outcome.state,
    serviceState: outcome.serviceState,
    carrierName: shipment.carrierName,
    trackingNumber: shipment.trackingNumber,
    driveCount: shipment.driveCount,
    driveIds: shipment.driveIds,
    shipDate: record.shipDate,
    recordedAt: record.recordedAt,
    jobCreatedAt: record.jobCreatedAt,
    shippingInfoDeadline: record.shippingInfoDeadline,
    arrivalDeadline: record.arrivalDeadline,
    window: record.window,
    windowWarnings: record.warnings,
    shipTo: shipment.shipTo,
    recordPath,
    ...seedLocation(target),
    seedState: seed?.state ?? target.descriptor!.state,
    nextStep: outcome.nextStep,
  });
}

export function recordShipment(store: SeedStore, record: ShippingRecord, recordPath: string): Promise<SeedDescriptor | undefined> {
  return updateSeed(store, (current) => ({
    ...advance(current, 'Shipped'),
    shipping: {
      carrierName: record.carrierName, trackingNumber: record.trackingNumber, driveCount: record.driveCount,
      shipDate: record.shipDate, recordedAt: record.recordedAt, arrivalDeadline: record.arrivalDeadline, record: recordPath,
    },
  }));
}

export async function recordCancelRequested(store: SeedStore | undefined, jobName: string): Promise<void> {
  if (store === undefined) return;
  await updateSeed(store, (d) => {
    const recorded = recordedJob(d);
    return recorded === undefined || recorded.name !== jobName ? undefined : { ...d, job: { ...recorded, cancelRequestedAt: new Date().toISOString() } };
  });
}

/** Before the job goes, the seed keeps how it ended: its job and log addresses go with it. */
export async function recordJobRemoved(store: SeedStore | undefined, jobName: string, finalState: string): Promise<void> {
  if (store === undefined) return;
  await updateSeed(store, (d) => {
    const recorded = recordedJob(d);
    if (recorded === undefined || recorded.name !== jobName || recorded.removedAt !== undefined) return undefined;
    const back = d.state === 'JobCreated' || d.state === 'Shipped';
    return { ...d, ...(back ? { state: 'DrivesPrepared' as const } : {}), job: { ...recorded, removedAt: new Date().toISOString(), finalState: recorded.finalState ?? finalState } };
  });
}
