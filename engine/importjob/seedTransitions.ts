/**
 * How a job's life moves the seed's descriptor, the same whichever control plane runs the job:
 *   created     state JobCreated, member "job" (the RecordedJob), subscription and resource group kept
 *   shipped     state Shipped, member "shipping" (summary of the shipping record)
 *   cancelled   job.cancelRequestedAt
 *   removed     job.removedAt and finalState; a seed whose drives were not imported goes back to
 *               DrivesPrepared, so it can get a new job for the same drives
 * Each is one conditional update of the store (a blob store refuses a stale write).
 */
import type { SeedDescriptor } from '../seed/seedDescriptor.ts';
import type { SeedStore } from '../seed/seedStore.ts';
import { advance, updateSeed, withJob, type ShippingRecord } from './seedRecords.ts';
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
