import { completeSeed, type CompleteParams } from '../seed/completeSeed.ts';
import { readDescriptor } from '../seed/seedDescriptor.ts';
import { resolve } from 'node:path';
import { defineCommand } from './command.ts';

export const seedCompleteCommand = defineCommand<CompleteParams>({
  name: 'seed.complete',
  summary: 'After the import: verify the container against the drive journals and the service logs, repair over the network, mark the seed complete.',
  cmdlet: 'Complete-OfflineSeed',
  resultTypeName: 'OfflineSeed.CompletionResult',
  secretParams: ['password'],
  async run(params, context) {
    if (context.dryRun) {
      const d = await readDescriptor(resolve(params.stagingPath));
      context.events.log('information', `What if: verify ${d === undefined ? 'the seed' : `azure://${d.storageAccount}/${d.container}/${d.prefix}`} and repair what is missing or corrupt from ${resolve(params.stagingPath)}`);
      return;
    }
    const o = await completeSeed(params, context);
    const d = await readDescriptor(resolve(params.stagingPath));
    context.emitResult({
      jobName: d?.jobName ?? '',
      repository: o.repository,
      state: 'Completed',
      blobsExpected: o.blobsExpected,
      blobsPresent: o.blobsPresent,
      blobsVerifiedByHash: o.blobsVerifiedByHash,
      blobsMissing: o.blobsMissing,
      blobsCorrupt: o.blobsCorrupt,
      blobsRepaired: o.blobsRepaired,
      bytesRepaired: o.bytesRepaired,
      logsRead: o.logsRead,
      failuresReported: o.failuresReported,
      repaired: o.repaired,
      durationSeconds: Math.round(o.durationSeconds * 100) / 100,
    });
  },
});
