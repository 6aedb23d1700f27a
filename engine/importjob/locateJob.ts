/**
 * The control plane of the job a job.* command is about: the request's -ControlPlane or the seed's
 * record (controlPlane.ts); with neither, the job is looked up where it can live: Data Box first (the
 * default for new jobs), then Import/Export. A Data Box failure other than "not found" is reported
 * only when Import/Export does not have the job either.
 */
import { importExportClient, type ArmAccessParams } from './armClient.ts';
import { chosenControlPlane, type ControlPlane, type ControlPlaneParams } from './controlPlane.ts';
import { dataBoxClient, getDataBoxJob } from './dataBoxClient.ts';
import { getJob } from './jobView.ts';
import type { JobTarget } from './target.ts';

export async function controlPlaneOf(params: ControlPlaneParams & ArmAccessParams, target: JobTarget): Promise<ControlPlane> {
  const chosen = chosenControlPlane(params, target.recorded);
  if (chosen !== undefined) return chosen;
  let dataBoxFailure: unknown;
  try {
    return (await getDataBoxJob(dataBoxClient(params, target.subscriptionId), target)) === undefined ? 'ImportExport' : 'DataBox';
  } catch (error) {
    dataBoxFailure = error;
  }
  try {
    if ((await getJob(importExportClient(params, target.subscriptionId), target)) !== undefined) return 'ImportExport';
  } catch {
    return 'ImportExport'; // the Import/Export command reports its own failure
  }
  throw dataBoxFailure;
}
