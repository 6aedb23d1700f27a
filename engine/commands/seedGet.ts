import { resolve } from 'node:path';
import { openSeed, publishedRecord } from '../seed/openSeed.ts';
import { nextStepFor, requireDescriptor, type SeedDescriptor } from '../seed/seedDescriptor.ts';
import type { CommandContext } from './command.ts';

const FOLLOW_TIMEOUT_MS = 20_000;

export async function run(params: { stagingPath: string }, context: CommandContext): Promise<void> {
  const stagingPath = resolve(params.stagingPath);
  let d: SeedDescriptor = await requireDescriptor(stagingPath);
  const published = publishedRecord(d);
  if (published !== undefined) {
    // Published: the published copy is the truth (a runbook may have moved the seed on).
    try {
      // Bounded: Get-OfflineSeed must stay quick on a server that cannot reach storage.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${FOLLOW_TIMEOUT_MS / 1000} s`)), FOLLOW_TIMEOUT_MS);
        timer.unref();
      });
      try {
        d = (await Promise.race([openSeed({ stagingPath }, {}, context.events), timeout]))?.descriptor ?? d;
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      context.events.log('warning', `This seed is published at ${published.seedUri}, but its published copy could not be read (${(error as Error).message}): the state shown is the staging location's and may be stale.`);
    }
  }
  context.emitResult({
    jobName: d.jobName,
    stagingPath,
    repository: resolve(stagingPath, d.repository),
    state: d.state,
    ...(d.subscriptionId === undefined ? {} : { subscriptionId: d.subscriptionId }),
    ...(d.resourceGroup === undefined ? {} : { resourceGroup: d.resourceGroup }),
    storageAccount: d.storageAccount,
    container: d.container,
    prefix: d.prefix,
    ...(d.snapshotId === undefined ? {} : { snapshotId: d.snapshotId }),
    sources: d.sources,
    excludes: d.excludes ?? [],
    ...(d.settings?.hostname === undefined ? {} : { hostname: d.settings.hostname }),
    tags: d.settings?.tags ?? [],
    ...(d.settings?.compression === undefined ? {} : { compression: d.settings.compression }),
    ...(d.settings?.packSizeMiB === undefined ? {} : { packSizeMiB: d.settings.packSizeMiB }),
    ...(d.settings?.threads === undefined ? {} : { threads: d.settings.threads }),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    ...(published === undefined ? {} : { seedUri: published.seedUri, publishedAt: published.publishedAt }),
    nextStep: nextStepFor(d.state),
  });
}
