/**
 * job.status (Get-ImportJobStatus): where the import stands.
 *
 *   job        state, cancel request, percent complete, bytes imported, packages
 *   drives     each drive's state, copy status, percent, bytes and its log URIs
 *   causes     for a drive that ended CompletedMoreInfo, its error log (DriveLog, read from the job's
 *              storage account with the storage credential): the drive status and every blob that did
 *              not import cleanly, with the block or file that failed
 *   seed       while the drives travel or are copied, the seed waits for the import; once the job is
 *              Completed (or Closed with every drive Completed) offlineseed.json moves to Imported
 */
import type { ControlPlaneParams } from '../importjob/controlPlane.ts';
import { JOB_BACKENDS, type JobStatusParams } from '../importjob/jobBackend.ts';
import { controlPlaneOf } from '../importjob/locateJob.ts';
import { resolveJobTarget, type JobTargetParams } from '../importjob/target.ts';
import type { CommandContext } from './command.ts';

type StatusParams = JobTargetParams & JobStatusParams & ControlPlaneParams;

export async function run(params: StatusParams, context: CommandContext): Promise<void> {
  const target = await resolveJobTarget(params, { requireSeed: false, events: context.events });
  await JOB_BACKENDS[await controlPlaneOf(params, target)].status(params, context, target);
}
