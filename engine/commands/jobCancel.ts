/**
 * job.cancel (Stop-OfflineSeedImportJob): PATCH cancelRequested=true. The service decides whether it is
 * still allowed (the documented windows disagree: Creating only, Creating or Shipping, or before
 * Packaging, reference §1.4 and §7), so the engine asks and reports the service's answer: outside the
 * window the service's InvalidJobState refusal comes back as OfflineSeed.ImportExportInvalidJobState.
 * A job canceled while Creating ends at once; later, the datacenter skips the copy and sends the drives
 * back. Asking again once a cancellation is requested changes nothing.
 */
import { armCall, importExportClient, type ArmAccessParams } from '../importjob/armClient.ts';
import type { ControlPlaneParams } from '../importjob/controlPlane.ts';
import { cancelDataBoxJob } from '../importjob/dataBoxActions.ts';
import { importExportJobState } from '../importjob/jobState.ts';
import { controlPlaneOf } from '../importjob/locateJob.ts';
import { FINISHED_STATES, getJob, jobNotFoundAdvice } from '../importjob/jobView.ts';
import { recordCancelRequested } from '../importjob/seedTransitions.ts';
import { jobResourceId, resolveJobTarget, type JobTargetParams } from '../importjob/target.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { defineCommand } from './command.ts';

type CancelParams = JobTargetParams & ArmAccessParams & ControlPlaneParams;

export const jobCancelCommand = defineCommand<CancelParams>({
  name: 'job.cancel',
  summary: 'Ask the service to cancel the import job (only while the service still allows it); the drives are sent back.',
  cmdlet: 'Stop-OfflineSeedImportJob',
  resultTypeName: 'OfflineSeed.ImportJobAction',
  async run(params, context) {
    const { events } = context;
    const target = await resolveJobTarget(params, { requireSeed: false, events: context.events });
    if ((await controlPlaneOf(params, target)) === 'DataBox') return cancelDataBoxJob(params, context, target);
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
  },
});
