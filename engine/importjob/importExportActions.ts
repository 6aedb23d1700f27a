/**
 * job.cancel and job.remove on the Import/Export control plane.
 *   cancel   PATCH cancelRequested=true. The service decides whether it is still allowed (the
 *            documented windows disagree: Creating only, Creating or Shipping, or before Packaging,
 *            reference §1.4 and §7), so the engine asks and reports the service's answer: outside the
 *            window the service's InvalidJobState refusal comes back as
 *            OfflineSeed.ImportExportInvalidJobState. A job canceled while Creating ends at once; later,
 *            the datacenter skips the copy and sends the drives back. Asking again changes nothing.
 *   remove   DELETE. The service deletes a job only in some states (Creating or Completed per the
 *            spec; reference §1.1, §6.3, §7); elsewhere its refusal is reported. A job already gone is
 *            not an error (outcome AlreadyRemoved). The seed records how the job ended first, since the
 *            job and its log addresses go with it.
 */
import type { CommandContext } from '../commands/command.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { armCall, importExportClient, type ArmAccessParams } from './armClient.ts';
import { followJob } from './importExportStatus.ts';
import { importExportJobState } from './jobState.ts';
import { FINISHED_STATES, getJob, jobImported, jobNotFoundAdvice } from './jobView.ts';
import { recordCancelRequested, recordJobRemoved } from './seedTransitions.ts';
import { jobResourceId, type JobTarget } from './target.ts';

export async function cancelImportExportJob(params: ArmAccessParams, context: CommandContext, target: JobTarget): Promise<void> {
  const { events } = context;
  const client = importExportClient(params, target.subscriptionId);
  const jobId = jobResourceId(target);
  const job = await getJob(client, target);
  if (job === undefined) {
    throw new OfflineSeedError('OfflineSeed.ImportExportResourceNotFound', 'ObjectNotFound', `import job ${target.jobName} does not exist in resource group ${target.resourceGroup} (the service answered 404)`, {
      targetObject: jobId,
      recommendedAction: jobNotFoundAdvice(target),
    });
  }
  const before = job.properties?.state ?? 'Unknown';
  if (job.properties?.cancelRequested === true) {
    events.log('information', `A cancellation of import job ${target.jobName} was requested already (state ${before}): nothing to change.`);
    const shared = importExportJobState(before, true, false, false);
    context.emitResult({ jobName: target.jobName, resourceGroup: target.resourceGroup, subscriptionId: target.subscriptionId, jobId, controlPlane: 'ImportExport', action: 'Cancel', outcome: 'AlreadyRequested', stateBefore: shared, state: shared, serviceStateBefore: before, serviceState: before, message: 'The cancellation was requested earlier.' });
    return;
  }
  if (FINISHED_STATES.has(before)) {
    events.log('warning', `Import job ${target.jobName} is ${before} already; the service refuses to cancel a finished job.`);
  }
  if (context.dryRun) {
    events.log('information', `What if: request the cancellation of import job ${target.jobName} (${target.resourceGroup}, state ${before}); the service accepts it only in its cancel window, and sends shipped drives back.`);
    return;
  }
  context.throwIfCancelled(); // nothing is changed once the run was cancelled
  const updated = await armCall(`cancel import job ${target.jobName}`, jobId, () => client.jobs.update(target.jobName, target.resourceGroup, { cancelRequested: true }), {
    InvalidJobState: `The service no longer accepts a cancellation: the job is ${before}. Cancellation is possible only early in the job (while Creating, and depending on the service while Shipping or before Packaging); let the job finish instead.`,
  });
  const state = updated.properties?.state ?? before;
  const message = state === before
    ? `Cancellation requested while ${before}: the datacenter skips the copy and sends the drives back; Get-ImportJobStatus follows it.`
    : `Import job ${target.jobName} was canceled (${before} -> ${state}).`;
  events.log('information', message);
  await recordCancelRequested(target.store, target.jobName);
  context.emitResult({
    jobName: target.jobName, resourceGroup: target.resourceGroup, subscriptionId: target.subscriptionId, jobId, controlPlane: 'ImportExport', action: 'Cancel', outcome: 'CancelRequested',
    stateBefore: importExportJobState(before, false, false, false), state: importExportJobState(state, true, false, false), serviceStateBefore: before, serviceState: state, message,
  });
}

export async function removeImportExportJob(params: ArmAccessParams, context: CommandContext, target: JobTarget): Promise<void> {
  const { events } = context;
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
}
