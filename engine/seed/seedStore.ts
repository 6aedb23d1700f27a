/**
 * Where a seed's records live: the descriptor (offlineseed.json) and the shipping record (shipping.json).
 *
 *   staging    the local staging location, as always (atomic rename writes)
 *   blob       the published copy in the storage account, next to the repository:
 *              azure://<account>/<container>/<prefix> keeps them under <prefix>/offlineseed/ (see
 *              blobSeedStore.ts); every write is conditional on the ETag last read, so two writers
 *              (a runbook and the server) cannot silently overwrite each other
 *   published  a staging location whose seed was published (Publish-OfflineSeed): from then on the
 *              published copy is the truth; the staging location mirrors it (publishedSeedStore.ts)
 *
 * The job commands and seed.complete take a SeedStore, so they work the same from the server
 * (-StagingPath) and from a runbook that has nothing but the storage location (-SeedUri).
 */
import type { ShippingRecord } from '../importjob/seedRecords.ts';
import type { SeedDescriptor } from './seedDescriptor.ts';

export interface SeedStore {
  readonly kind: 'staging' | 'blob' | 'published';
  /** A staging path or azure://…, for messages and results. */
  readonly location: string;
  /** The staging location, when the store has one (repair, drive journals and key files live there). */
  readonly stagingPath: string | undefined;
  /** The published location azure://account/container/prefix, when the store has one. */
  readonly seedUri: string | undefined;
  read(): Promise<SeedDescriptor | undefined>;
  /**
   * Applies a change to the current descriptor; `change` returns the new one, or undefined to leave it.
   * A store in storage refuses (OfflineSeed.DescriptorChanged) when another writer changed it since
   * this store last read it.
   */
  update(change: (d: SeedDescriptor) => SeedDescriptor | undefined): Promise<SeedDescriptor | undefined>;
  readShipping(): Promise<ShippingRecord | undefined>;
  /** Writes the shipping record; returns where it is (a path or azure://… URL). */
  writeShipping(record: ShippingRecord): Promise<string>;
}
