/**
 * job.create (New-OfflineSeedImportJob): the import job for a seed whose drives are prepared.
 *
 *   drives     from offlineseed.json's "drives" member, each checked against its journal and DriveInfo
 *              export; the BitLocker keys come from the owner-only key files (at most 10 drives, no id
 *              twice: the service's limits, checked before anything is sent)
 *   return     return address and carrier account from the request or the saved profile
 *   location   Locations_Get for the storage account's region, following alternateLocations: the
 *              ship-to address and carriers go into the result and the Information stream
 *   create     PUT the job (state Creating, drives Specified); offlineseed.json moves to JobCreated and
 *              records the job (name, resource group, subscription, location)
 *
 * Running it again for a job that exists with the same drives changes nothing (outcome AlreadyExists);
 * a job of that name with other drives is refused. -WhatIf prints the job it would create, without keys.
 */
import type { ControlPlaneParams } from '../importjob/controlPlane.ts';
import { chosenControlPlane } from '../importjob/controlPlane.ts';
import { checkedDiagnosticsPath } from '../importjob/importExportCreate.ts';
import { JOB_BACKENDS, type JobCreateParams } from '../importjob/jobBackend.ts';
import { resolveJobTarget, type JobTargetParams } from '../importjob/target.ts';
import type { CommandContext } from './command.ts';

type CreateParams = JobTargetParams & JobCreateParams & ControlPlaneParams;

export async function run(params: CreateParams, context: CommandContext): Promise<void> {
  const { events } = context;
  // Every argument is checked before the first request, whichever control plane the job goes to.
  checkedDiagnosticsPath(params.diagnosticsPath);
  const target = await resolveJobTarget(params, { requireSeed: true, events });
  // New jobs go to Data Box unless asked otherwise; a recorded job stays where it was created.
  await JOB_BACKENDS[chosenControlPlane(params, target.recorded) ?? 'DataBox'].create(params, context, target);
}
