/**
 * job.remove (Remove-OfflineSeedImportJob): delete the import job. The service deletes a job only in
 * some states (each control plane its own: importjob/importExportActions.ts, importjob/dataBoxActions.ts)
 * and its refusal is reported; a job already gone is not an error (outcome AlreadyRemoved). Before a
 * finished job is deleted the seed records how it ended, since the job and its log addresses go with it.
 */
import type { ArmAccessParams } from '../importjob/armClient.ts';
import type { ControlPlaneParams } from '../importjob/controlPlane.ts';
import { JOB_BACKENDS } from '../importjob/jobBackend.ts';
import { controlPlaneOf } from '../importjob/locateJob.ts';
import { resolveJobTarget, type JobTargetParams } from '../importjob/target.ts';
import type { CommandContext } from './command.ts';

type RemoveParams = JobTargetParams & ArmAccessParams & ControlPlaneParams;

export async function run(params: RemoveParams, context: CommandContext): Promise<void> {
  const target = await resolveJobTarget(params, { requireSeed: false, events: context.events });
  await JOB_BACKENDS[await controlPlaneOf(params, target)].remove(params, context, target);
}
