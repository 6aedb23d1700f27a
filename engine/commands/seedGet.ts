import { resolve } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import { nextStepFor, readDescriptor } from '../seed/seedDescriptor.ts';
import { defineCommand } from './command.ts';

export const seedGetCommand = defineCommand<{ stagingPath: string }>({
  name: 'seed.get',
  summary: 'Report where a seed stands in the workflow and what to do next.',
  cmdlet: 'Get-OfflineSeed',
  resultTypeName: 'OfflineSeed.Seed',
  async run(params, context) {
    const stagingPath = resolve(params.stagingPath);
    const d = await readDescriptor(stagingPath);
    if (d === undefined) {
      throw new OfflineSeedError('OfflineSeed.SeedNotFound', 'ObjectNotFound', `no seed in ${stagingPath} (no offlineseed.json)`, {
        targetObject: stagingPath,
        recommendedAction: 'Give the staging location that Start-OfflineSeed wrote to.',
      });
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
      nextStep: nextStepFor(d.state),
    });
  },
});
