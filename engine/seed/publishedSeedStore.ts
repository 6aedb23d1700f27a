/**
 * A staging location whose seed was published (offlineseed.json has "published"): the published copy
 * in storage is the truth, because a runbook may have moved the seed on (job created, shipped,
 * imported, completed) while the server was not looking. Every read takes the workflow members from
 * the published copy and writes them into the staging location (so Get-OfflineSeed and every later
 * command on the server see them, and the command says so); every write goes to the published copy
 * first (conditional, see blobSeedStore.ts), then to the staging location. What only the server has
 * (the repository, drive journals, key files, staging statistics) stays local.
 */
import type { ShippingRecord } from '../importjob/seedRecords.ts';
import type { BlobSeedStore } from './blobSeedStore.ts';
import type { SeedDescriptor } from './seedDescriptor.ts';
import type { SeedStore } from './seedStore.ts';
import type { StagingSeedStore } from './stagingSeedStore.ts';

/** The members the workflow after publication changes; the published copy's win. */
export const WORKFLOW_MEMBERS = ['state', 'job', 'shipping', 'completion', 'subscriptionId', 'resourceGroup', 'published'] as const;

export function followPublished(local: SeedDescriptor, published: SeedDescriptor): SeedDescriptor {
  const next: Record<string, unknown> = { ...local };
  for (const member of WORKFLOW_MEMBERS) {
    if (published[member] === undefined) delete next[member];
    else next[member] = published[member];
  }
  return next as SeedDescriptor;
}

function sameWorkflow(a: SeedDescriptor, b: SeedDescriptor): boolean {
  return WORKFLOW_MEMBERS.every((m) => JSON.stringify(a[m]) === JSON.stringify(b[m]));
}

export interface Followed {
  from: string;
  to: string;
}

export class PublishedSeedStore implements SeedStore {
  readonly kind = 'published' as const;
  readonly location: string;
  readonly stagingPath: string;
  readonly seedUri: string;
  readonly local: StagingSeedStore;
  readonly cloud: BlobSeedStore;
  /** Set when a read found the published copy ahead of the staging location (the caller says so). */
  followed: Followed | undefined;

  constructor(local: StagingSeedStore, cloud: BlobSeedStore) {
    this.local = local;
    this.cloud = cloud;
    this.stagingPath = local.stagingPath;
    this.location = local.stagingPath;
    this.seedUri = cloud.seedUri;
  }

  async read(): Promise<SeedDescriptor | undefined> {
    const published = await this.cloud.require();
    const local = await this.local.read();
    if (local === undefined) return published;
    if (sameWorkflow(local, published)) return local;
    this.followed = { from: local.state, to: published.state };
    await this.readShipping(); // the shipping record a runbook wrote comes along
    return this.local.update((current) => followPublished(current, published));
  }

  async update(change: (d: SeedDescriptor) => SeedDescriptor | undefined): Promise<SeedDescriptor | undefined> {
    const local = await this.local.read();
    const published = await this.cloud.update((current) => {
      const next = change(local === undefined ? current : followPublished(local, current));
      return next === undefined ? undefined : followPublished(current, next);
    });
    if (published === undefined || local === undefined) return published;
    return this.local.update((current) => (sameWorkflow(current, published) ? undefined : followPublished(current, published)));
  }

  async readShipping(): Promise<ShippingRecord | undefined> {
    const published = await this.cloud.readShipping();
    if (published !== undefined) {
      const local = await this.local.readShipping();
      if (JSON.stringify(local) !== JSON.stringify(published)) await this.local.writeShipping(published);
    }
    return published;
  }

  async writeShipping(record: ShippingRecord): Promise<string> {
    await this.cloud.writeShipping(record);
    return this.local.writeShipping(record);
  }
}
