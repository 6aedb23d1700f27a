/** The seed's records in the local staging location (offlineseed.json, shipping.json): see seedStore.ts. */
import { readShippingRecord, shippingRecordPath, writeJsonAtomically, type ShippingRecord } from '../importjob/seedRecords.ts';
import { readDescriptor, writeDescriptor, type SeedDescriptor } from './seedDescriptor.ts';
import type { SeedStore } from './seedStore.ts';

export class StagingSeedStore implements SeedStore {
  readonly kind = 'staging' as const;
  readonly location: string;
  readonly stagingPath: string;
  readonly seedUri = undefined;

  constructor(stagingPath: string) {
    this.stagingPath = stagingPath;
    this.location = stagingPath;
  }

  read(): Promise<SeedDescriptor | undefined> {
    return readDescriptor(this.stagingPath);
  }

  /** Re-reads offlineseed.json (another command may have written it since this one started) and applies the change. */
  async update(change: (d: SeedDescriptor) => SeedDescriptor | undefined): Promise<SeedDescriptor | undefined> {
    const current = await this.read();
    if (current === undefined) return undefined;
    const next = change(current);
    if (next === undefined) return current;
    await writeDescriptor(this.stagingPath, next);
    return next;
  }

  readShipping(): Promise<ShippingRecord | undefined> {
    return readShippingRecord(this.stagingPath);
  }

  async writeShipping(record: ShippingRecord): Promise<string> {
    const path = shippingRecordPath(this.stagingPath);
    await writeJsonAtomically(path, record);
    return path;
  }
}
