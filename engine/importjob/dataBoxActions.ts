/**
 * job.cancel and job.remove on the Data Box control plane.
 *   cancel   POST cancel {reason}: the service accepts it only while isCancellable (before the drives
 *            are shipped); the job then ends Cancelled. Outside that window its refusal is reported
 *            as OfflineSeed.DataBoxInvalidJobState (or whatever code it gives).
 *   remove   DELETE, a long-running operation: the service deletes only finished or cancelled orders
 *            (isDeletable); a job already gone is not an error. The seed records how the job ended
 *            first, since the job and its copy-log links go with it.
 */
import type { CommandContext } from '../commands/command.ts';
import type { ArmAccessParams } from './armClient.ts';
import { dataBoxCall, dataBoxClient, dataBoxJobId, getDataBoxJob, pollOptions } from './dataBoxClient.ts';
import { dataBoxNotFound, followDataBoxJob } from './dataBoxStatus.ts';
import { jobStateOf, serviceStatus } from './dataBoxView.ts';
import { recordCancelRequested, recordJobRemoved } from './seedTransitions.ts';
import type { JobTarget } from './target.ts';

export const CANCEL_REASON = 'Cancelled by the owner with Stop-OfflineSeedImportJob (OfflineSeed).';

export async function cancelDataBoxJob(params: ArmAccessParams, context: CommandContext, target: JobTarget): Promise<void> {
  const { events } = context;
  const client = dataBoxClient(params, target.subscriptionId);
  const jobId = dataBoxJobId(target);
  const job = await getDataBoxJob(client, target);
  if (job === undefined) throw dataBoxNotFound(target);
  const before = jobStateOf(job);
  const base = { jobName: target.jobName, resourceGroup: target.resourceGroup, subscriptionId: target.subscriptionId, jobId, controlPlane: 'DataBox', action: 'Cancel' };
  if (before === 'Cancelled') {
    events.log('information', `Data Box job ${target.jobName} is cancelled already (${serviceStatus(job)}): nothing to change.`);
    context.emitResult({ ...base, outcome: 'AlreadyRequested', stateBefore: before, state: before, serviceStateBefore: serviceStatus(job), serviceState: serviceStatus(job), message: 'The job was cancelled earlier.' });
    return;
  }
  if (job.isCancellable === false) events.log('warning', `Data Box job ${target.jobName} is ${serviceStatus(job)}: the service says it can no longer be cancelled (only before the drives are shipped).`);
  if (context.dryRun) {
    events.log('information', `What if: cancel Data Box job ${target.jobName} (${target.resourceGroup}, status ${serviceStatus(job)}); the service accepts it only before the drives are shipped.`);
    return;
  }
  context.throwIfCancelled(); // nothing is changed once the run was cancelled
  await dataBoxCall(`cancel Data Box job ${target.jobName}`, jobId, () => client.jobs.cancel(target.resourceGroup, target.jobName, { reason: CANCEL_REASON }, { abortSignal: context.signal }), {
    InvalidJobState: `The service no longer accepts a cancellation: the job is ${serviceStatus(job)}. A Data Box import job can be cancelled only before the drives are shipped; let the job finish instead.`,
  });
  const after = (await getDataBoxJob(client, target)) ?? job;
  const message = `Data Box job ${target.jobName} was cancelled (${serviceStatus(job)} -> ${serviceStatus(after)}).`;
  events.log('information', message);
  await recordCancelRequested(target.store, target.jobName);
  context.emitResult({ ...base, outcome: 'CancelRequested', stateBefore: before, state: jobStateOf(after), serviceStateBefore: serviceStatus(job), serviceState: serviceStatus(after), message });
}

export async function removeDataBoxJob(params: ArmAccessParams, context: CommandContext, target: JobTarget): Promise<void> {
  const { events } = context;
  const client = dataBoxClient(params, target.subscriptionId);
  const jobId = dataBoxJobId(target);
  const job = await getDataBoxJob(client, target);
  const base = { jobName: target.jobName, resourceGroup: target.resourceGroup, subscriptionId: target.subscriptionId, jobId, controlPlane: 'DataBox', action: 'Remove' };
  const forget = (finalState: string): Promise<void> => recordJobRemoved(target.store, target.jobName, finalState);
  if (job === undefined) {
    events.log('information', `Data Box job ${target.jobName} does not exist in ${target.resourceGroup}: nothing to remove.`);
    if (context.dryRun) return;
    await forget('Deleted');
    context.emitResult({ ...base, outcome: 'AlreadyRemoved', stateBefore: 'Deleted', state: 'Deleted', serviceStateBefore: 'Deleted', serviceState: 'Deleted', message: 'The job does not exist (any more).' });
    return;
  }
  const before = serviceStatus(job);
  if (context.dryRun) {
    events.log('information', `What if: delete Data Box job ${target.jobName} (${target.resourceGroup}, status ${before}); the service deletes only completed or cancelled orders.`);
    return;
  }
  await followDataBoxJob(target, job); // the seed keeps how the job ended (Imported when it was)
  context.throwIfCancelled(); // nothing is changed once the run was cancelled
  await dataBoxCall(`delete Data Box job ${target.jobName}`, jobId, () => client.jobs.beginDeleteAndWait(target.resourceGroup, target.jobName, pollOptions(context.signal)), {
    InvalidJobState: `The service deletes only completed or cancelled orders, and the job is ${before}. Cancel it first (Stop-OfflineSeedImportJob, before the drives are shipped) or wait until it finishes.`,
  });
  await forget(before);
  const message = `Data Box job ${target.jobName} (${before}) was deleted.`;
  events.log('information', message);
  context.emitResult({ ...base, outcome: 'Removed', stateBefore: jobStateOf(job), state: 'Deleted', serviceStateBefore: before, serviceState: 'Deleted', message });
}
