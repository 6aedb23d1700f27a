/**
 * job.remove (Remove-OfflineSeedImportJob): DELETE the job. The service deletes a job only in some
 * states (Creating or Completed per the spec; reference §1.1, §6.3, §7), so the engine asks and reports
 * its answer: elsewhere the refusal comes back as OfflineSeed.ImportExportInvalidJobState. A job that is
 * already gone is not an error (outcome AlreadyRemoved). Before a finished job is deleted the seed
 * records how it ended (Imported when it was), since the job and its log addresses go with it.
 */
import { armCall, importExportClient, type ArmAccessParams } from '../importjob/armClient.ts';
import type { ControlPlaneParams } from '../importjob/controlPlane.ts';
import { removeDataBoxJob } from '../importjob/dataBoxActions.ts';
import { importExportJobState } from '../importjob/jobState.ts';
import { controlPlaneOf } from '../importjob/locateJob.ts';
import { getJob, jobImported } from '../importjob/jobView.ts';
import { recordJobRemoved } from '../importjob/seedTransitions.ts';
import { jobResourceId, resolveJobTarget, type JobTargetParams } from '../importjob/target.ts';
import { defineCommand } from './command.ts';
import { followJob } from './jobStatus.ts';

type RemoveParams = JobTargetParams & ArmAccessParams & ControlPlaneParams;

export const jobRemoveCommand = defineCommand<RemoveParams>({
  name: 'job.remove',
  summary: 'Delete the import job (the service allows it only while Creating or once Completed).',
  cmdlet: 'Remove-OfflineSeedImportJob',
  resultTypeName: 'OfflineSeed.ImportJobAction',
  async run(params, context) {
    const { events } = context;
    const target = await resolveJobTarget(params, { requireSeed: false, events: context.events });
    if ((await controlPlaneOf(params, target)) === 'DataBox') return removeDataBoxJob(params, context, target);
    const client = importExportClient(params, target.subscriptionId);
    const jobId = jobResourceId(target);
    const job = await getJob(client, target);
    const forget = (finalState: string): Promise<void> => recordJobRemoved(target.store, target.jobName, finalState);
    if (job === undefined) {
      events.log('information', `Import job ${target.jobName} does not exist in ${target.resourceGroup}: nothing to remove.`);
      if (!context.dryRun) await forget('Deleted');
      if (!context.dryRun) context.emitResult({ jobName: target.jobName, resourceGroup: target.resourceGroup, subscriptionId: target.subscriptionId, jobId, controlPlane: 'ImportExport', action: 'Remove', outcome: 'AlreadyRemoved', stateBefore: 'Deleted', state: 'Deleted', serviceStateBefore: 'Deleted', serviceState: 'Deleted', message: 'The job does not exist (any more).' });
      return;
    }
    const before = job.properties?.state ?? 'Unknown';
    if (context.dryRun) {
      events.log('information', `What if: delete import job ${target.jobName} (${target.resourceGroup}, state ${before}); the service allows it only while Creating or once Completed.`);
      return;
    }
    await followJob(target, job);
    context.throwIfCancelled(); // nothing is changed once the run was cancelled
    await armCall(`delete import job ${target.jobName}`, jobId, () => client.jobs.delete(target.jobName, target.resourceGroup), {
      InvalidJobState: `The service does not delete a job in state ${before}: only while Creating (before shipping) or once Completed. Cancel it first (Stop-OfflineSeedImportJob) or wait until it finishes.`,
    });
    await forget(before);
    const message = `Import job ${target.jobName} (${before}) was deleted.`;
    events.log('information', message);
    const p = job.properties ?? {};
    const sharedBefore = importExportJobState(before, p.cancelRequested === true, jobImported(job), false);
    context.emitResult({ jobName: target.jobName, resourceGroup: target.resourceGroup, subscriptionId: target.subscriptionId, jobId, controlPlane: 'ImportExport', action: 'Remove', outcome: 'Removed', stateBefore: sharedBefore, state: 'Deleted', serviceStateBefore: before, serviceState: 'Deleted', message });
  },
});
