import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { stageSeed, validateStageParams, type StageParams } from '../seed/stageSeed.ts';
import { resolvePassword } from '../seed/password.ts';
import { readDescriptor } from '../seed/seedDescriptor.ts';
import { formatBytes } from '../archiver/progressMeter.ts';
import type { CommandContext } from './command.ts';

export async function run(params: StageParams, context: CommandContext): Promise<void> {
  if (context.dryRun) {
    const { sources } = await validateStageParams(params);
    resolvePassword(params);
    const existing = await readDescriptor(resolve(params.stagingPath));
    let files = 0;
    let bytes = 0;
    const walk = async (p: string): Promise<void> => {
      const st = await fs.lstat(p);
      if (st.isDirectory()) for (const n of await fs.readdir(p)) await walk(`${p}/${n}`);
      else if (st.isFile()) {
        files++;
        bytes += st.size;
      }
    };
    for (const s of sources) await walk(s);
    context.events.log('information', `What if: stage ${files} files (${formatBytes(bytes)}) from ${sources.join(', ')} into ${resolve(params.stagingPath)} for import job ${params.jobName}${existing === undefined ? '' : ' (resuming the existing seed)'}`);
    return;
  }
  const outcome = await stageSeed(params, context);
  const a = outcome.archive;
  context.emitResult({
    jobName: outcome.descriptor.jobName,
    stagingPath: resolve(params.stagingPath),
    repository: outcome.repositoryPath,
    snapshotId: a.snapshotId,
    files: a.files,
    directories: a.directories,
    bytesRead: a.bytesRead,
    bytesStored: a.bytesStored,
    dataBlobsNew: a.dataBlobsNew,
    dedupRatio: a.uniqueBytes > 0 ? round(a.bytesRead / a.uniqueBytes) : 1,
    compressionRatio: a.uniqueStoredBytes > 0 ? round(a.uniqueBytes / a.uniqueStoredBytes) : 1,
    durationSeconds: round(outcome.durationSeconds),
    resumed: outcome.resumed,
    skippedPaths: a.skippedPaths,
  });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
