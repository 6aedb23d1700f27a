import { completeSeed, type CompleteParams } from '../seed/completeSeed.ts';
import { openSeed } from '../seed/openSeed.ts';
import type { CommandContext } from './command.ts';

export async function run(params: CompleteParams, context: CommandContext): Promise<void> {
  if (context.dryRun) {
    const opened = await openSeed(params, params);
    const d = opened?.descriptor;
    context.events.log('information', `What if: verify ${d === undefined ? 'the seed' : `azure://${d.storageAccount}/${d.container}/${d.prefix}`} and ${opened?.store.stagingPath === undefined ? 'report what is missing or corrupt (repair needs the staging location)' : `repair what is missing or corrupt from ${opened.store.stagingPath}`}`);
    return;
  }
  const o = await completeSeed(params, context);
  context.emitResult({
    jobName: o.jobName,
    ...(o.stagingPath === undefined ? {} : { stagingPath: o.stagingPath }),
    ...(o.seedUri === undefined ? {} : { seedUri: o.seedUri }),
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
}
