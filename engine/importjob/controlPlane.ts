/**
 * Which Azure control plane holds a seed's import job:
 *   DataBox       Microsoft.DataBox jobs with SKU DataBoxCustomerDisk (the portal's "Import/Export
 *                 jobs in Azure Data Box"); the default for new jobs since the Import/Export API was
 *                 announced as retired for new work (reference importexport.md §4.5);
 *   ImportExport  the classic Microsoft.ImportExport jobs, still fully supported.
 * A job the seed recorded stays where it was created (records without the field are ImportExport);
 * -ControlPlane that contradicts the record is refused. Without a record, a new job goes to DataBox and
 * an existing one is looked up (Data Box first, then Import/Export).
 */
import { OfflineSeedError } from '../protocol/errors.ts';
import type { RecordedJob } from './target.ts';

export type ControlPlane = 'DataBox' | 'ImportExport';

export interface ControlPlaneParams {
  controlPlane?: ControlPlane;
}

/** The control plane a recorded job lives on (undefined when the seed holds no live job record). */
export function recordedControlPlane(recorded: RecordedJob | undefined): ControlPlane | undefined {
  if (recorded === undefined || recorded.removedAt !== undefined) return undefined;
  return recorded.controlPlane ?? 'ImportExport';
}

/**
 * The plane from the request and the seed's record: the record decides unless the request contradicts
 * it (an error); undefined when neither says (the caller then defaults or looks the job up).
 */
export function chosenControlPlane(params: ControlPlaneParams, recorded: RecordedJob | undefined): ControlPlane | undefined {
  const fromSeed = recordedControlPlane(recorded);
  if (params.controlPlane !== undefined && fromSeed !== undefined && params.controlPlane !== fromSeed) {
    throw new OfflineSeedError('OfflineSeed.ControlPlaneMismatch', 'InvalidArgument', `params.controlPlane: the job ${recorded!.name} of this seed was created on ${fromSeed}, not ${params.controlPlane}`, {
      targetObject: 'params.controlPlane',
      recommendedAction: `Leave -ControlPlane out (the seed's job is on ${fromSeed}), or remove that job first (Remove-OfflineSeedImportJob) to create a new one on ${params.controlPlane}.`,
    });
  }
  return params.controlPlane ?? fromSeed;
}

/** The wording users see for a plane ("Data Box job", "import job"). */
export function planeNoun(plane: ControlPlane): string {
  return plane === 'DataBox' ? 'Data Box import job' : 'import job';
}
