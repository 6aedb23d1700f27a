/**
 * job.cancel (Stop-OfflineSeedImportJob): ask the service to cancel the import job. The service
 * decides whether it still may (each control plane has its own window: importjob/importExportActions.ts,
 * importjob/dataBoxActions.ts) and its answer is reported; asking again once a cancellation is
 * requested changes nothing. Shipped drives are sent back.
 */
import type { ArmAccessParams } from '../importjob/armClient.ts';
import type { ControlPlaneParams } from '../importjob/controlPlane.ts';
import { JOB_BACKENDS } from '../importjob/jobBackend.ts';
import { controlPlaneOf } from '../importjob/locateJob.ts';
import { resolveJobTarget, type JobTargetParams } from '../importjob/target.ts';
import type { CommandContext } from './command.ts';

type CancelParams = JobTargetParams & ArmAccessParams & ControlPlaneParams;

export async function run(params: CancelParams, context: CommandContext): Promise<void> {
  const target = await resolveJobTarget(params, { requireSeed: false, events: context.events });
  await JOB_BACKENDS[await controlPlaneOf(params, target)].cancel(params, context, target);
}
