/**
 * What the job commands leave in the staging location:
 *   offlineseed.json   state JobCreated / Shipped / Imported, member "job" (name, subscription, resource
 *                      group, location, …: see RecordedJob) and member "shipping" (a summary);
 *   shipping.json      the shipping record: carrier, tracking number, drive count, ship date, when the
 *                      service recorded it and the two deadlines (see shippingWindow.ts).
 * Both are written atomically (temporary file, fsync, rename) and hold no secret.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import { readDescriptor, writeDescriptor, type SeedDescriptor, type SeedState } from '../seed/seedDescriptor.ts';
import type { SeedStore } from '../seed/seedStore.ts';
import type { RecordedJob } from './target.ts';
import { evaluateWindow, isoDate, type WindowVerdict, type WindowWarning } from './shippingWindow.ts';

export const SHIPPING_RECORD_FILE = 'shipping.json';

export interface ShippingRecord {
  format: 'offlineseed-shipping';
  version: 1;
  jobName: string;
  subscriptionId: string;
  resourceGroup: string;
  carrierName: string;
  trackingNumber: string;
  driveCount: number;
  driveIds: string[];
  shipDate: string;
  /** Service time at which the job entered Shipping with this package. */
  recordedAt: string;
  jobCreatedAt: string;
  shippingInfoDeadline: string;
  arrivalDeadline: string;
  window: WindowVerdict;
  warnings: WindowWarning[];
  shipTo?: unknown;
}

/** What a shipment was, whichever control plane took it. */
export interface Shipment {
  target: { jobName: string; subscriptionId: string; resourceGroup: string };
  carrierName: string;
  trackingNumber: string;
  driveCount: number;
  driveIds: string[];
  shipDate: number;
  /** Service time at which the job took this package. */
  recordedAt: number;
  jobCreatedAt: number;
  shipTo?: unknown;
}

/** The local shipping record, with the two-week window judged from the service's times. */
export function shippingRecordOf(shipment: Shipment): ShippingRecord {
  const window = evaluateWindow({ jobCreatedAt: shipment.jobCreatedAt, recordedAt: shipment.recordedAt, shipDate: shipment.shipDate });
  return {
    format: 'offlineseed-shipping',
    version: 1,
    jobName: shipment.target.jobName,
    subscriptionId: shipment.target.subscriptionId,
    resourceGroup: shipment.target.resourceGroup,
    carrierName: shipment.carrierName,
    trackingNumber: shipment.trackingNumber,
    driveCount: shipment.driveCount,
    driveIds: shipment.driveIds,
    shipDate: isoDate(shipment.shipDate),
    recordedAt: new Date(shipment.recordedAt).toISOString(),
    jobCreatedAt: new Date(shipment.jobCreatedAt).toISOString(),
    shippingInfoDeadline: window.shippingInfoDeadline,
    arrivalDeadline: window.arrivalDeadline,
    window: window.window,
    warnings: window.warnings,
    shipTo: shipment.shipTo,
  };
}

const ORDER: readonly SeedState[] = ['Staging', 'Staged', 'DrivesPrepared', 'JobCreated', 'Shipped', 'Imported', 'Completed'];

export function stateRank(state: SeedState): number {
  return ORDER.indexOf(state);
}

export function shippingRecordPath(stagingPath: string): string {
  return join(stagingPath, SHIPPING_RECORD_FILE);
}

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await fs.open(temp, 'wx', 0o644);
  try {
    await fh.writeFile(JSON.stringify(value, null, 2) + '\n');
    await fh.sync();
  } catch (error) {
    await fh.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fh.close();
  await fs.rename(temp, path);
}

export async function readShippingRecord(stagingPath: string): Promise<ShippingRecord | undefined> {
  const path = shippingRecordPath(stagingPath);
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as ShippingRecord;
    if (value.format !== 'offlineseed-shipping' || value.version !== 1) throw new Error('unknown format');
    return value;
  } catch {
    throw new OfflineSeedError('OfflineSeed.ShippingRecordCorrupt', 'InvalidData', `${path} is not a valid shipping record`, {
      targetObject: path,
      recommendedAction: 'Delete it and run Update-ImportShipping again with the same carrier and tracking number: it is written again.',
    });
  }
}

/**
 * Re-reads the seed (offlineseed.json, or the published copy) and applies a change (another command
 * may have written it since this one started); `change` returns the new descriptor, or undefined to
 * leave it as it is.
 */
export async function updateSeed(where: string | SeedStore, change: (d: SeedDescriptor) => SeedDescriptor | undefined): Promise<SeedDescriptor | undefined> {
  if (typeof where !== 'string') return where.update(change);
  const current = await readDescriptor(where);
  if (current === undefined) return undefined;
  const next = change(current);
  if (next === undefined) return current;
  await writeDescriptor(where, next);
  return next;
}

/** Moves the seed forward to `state` (never back). */
export function advance(d: SeedDescriptor, state: SeedState): SeedDescriptor {
  return stateRank(d.state) < stateRank(state) ? { ...d, state } : d;
}

export function withJob(d: SeedDescriptor, job: RecordedJob): SeedDescriptor {
  return { ...d, job };
}
