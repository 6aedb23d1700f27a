/**
 * Opens the seed a command is about: the staging location (-StagingPath), or the published copy in
 * storage (-SeedUri, for a runbook with no local state). A staging location whose seed was published
 * follows the published copy (publishedSeedStore.ts), and the command says so when that moved it on.
 */
import { resolve } from 'node:path';
import type { EventSink } from '../protocol/eventSink.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { AzureAccessParams } from '../repo/repositoryLocation.ts';
import type { BlobSeedStore } from './blobSeedStore.ts';
import { PublishedSeedStore } from './publishedSeedStore.ts';
import { requireDescriptor, type SeedDescriptor } from './seedDescriptor.ts';
import type { SeedStore } from './seedStore.ts';
import { StagingSeedStore } from './stagingSeedStore.ts';

export interface SeedLocationParams {
  stagingPath?: string;
  seedUri?: string;
}

export interface OpenedSeed {
  store: SeedStore;
  descriptor: SeedDescriptor;
}

/** What "published" records in the descriptor. */
export interface PublishedRecord {
  seedUri: string;
  publishedAt: string;
  driveIds: string[];
}

export function publishedRecord(d: SeedDescriptor): PublishedRecord | undefined {
  const p = d['published'] as PublishedRecord | undefined;
  return p !== undefined && typeof p === 'object' && typeof p.seedUri === 'string' ? p : undefined;
}

export function checkSeedLocation(params: SeedLocationParams): void {
  if (params.stagingPath !== undefined && params.seedUri !== undefined) {
    throw new OfflineSeedError('OfflineSeed.SeedLocationAmbiguous', 'InvalidArgument', 'params: give either stagingPath (on the server) or seedUri (the published seed), not both', {
      targetObject: 'params.seedUri',
      recommendedAction: 'On the server use -StagingPath (it follows the published copy by itself); in a runbook use -SeedUri.',
    });
  }
}

/** The Azure SDK is loaded only for a published seed: most seeds are never published. */
async function openBlobSeedStore(seedUri: string, access: AzureAccessParams): Promise<BlobSeedStore> {
  return (await import('./blobSeedStore.ts')).BlobSeedStore.open(seedUri, access);
}

export async function openSeed(params: SeedLocationParams, access: AzureAccessParams, events?: EventSink): Promise<OpenedSeed | undefined> {
  checkSeedLocation(params);
  if (params.seedUri !== undefined) {
    const store = await openBlobSeedStore(params.seedUri, access);
    return { store, descriptor: await store.require() };
  }
  if (params.stagingPath === undefined) return undefined;
  const path = resolve(params.stagingPath);
  const local = new StagingSeedStore(path);
  const descriptor = await requireDescriptor(path);
  const published = publishedRecord(descriptor);
  if (published === undefined) return { store: local, descriptor };
  const store = new PublishedSeedStore(local, await openBlobSeedStore(published.seedUri, access));
  const current = (await store.read()) ?? descriptor;
  if (store.followed !== undefined) {
    events?.log('information', `The published copy of this seed (${published.seedUri}) is ahead of ${path} (state ${store.followed.to}, here ${store.followed.from}): a runbook moved it on. The staging location now follows it.`);
  }
  return { store, descriptor: current };
}
