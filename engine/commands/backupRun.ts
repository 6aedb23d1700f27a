import { runBackup, type BackupParams } from '../backup/runBackup.ts';
import type { CommandContext } from './command.ts';

export async function run(params: BackupParams, context: CommandContext): Promise<void> {
  if (context.dryRun) {
    context.events.log('information', `What if: back up ${(params.sources ?? ['the seed\'s sources']).join(', ')} into ${params.repository}`);
    return;
  }
  const outcome = await runBackup(params, context);
  const a = outcome.archive;
  context.emitResult({
    repository: outcome.repository,
    snapshotId: a.snapshotId,
    ...(outcome.parent === undefined ? {} : { parent: outcome.parent }),
    files: a.files,
    filesNew: Math.max(0, a.files - a.filesChanged - a.filesUnmodified),
    filesChanged: a.filesChanged,
    filesUnmodified: a.filesUnmodified,
    directories: a.directories,
    bytesRead: a.bytesRead,
    bytesUploaded: a.bytesStored,
    dataBlobsNew: a.dataBlobsNew,
    skippedPaths: a.skippedPaths,
    resumed: outcome.resumed,
    durationSeconds: Math.round(outcome.durationSeconds * 100) / 100,
  });
}
