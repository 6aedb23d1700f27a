/**
 * One import job, two control planes: Microsoft.DataBox (SKU DataBoxCustomerDisk, the default for new
 * jobs) and Microsoft.ImportExport. Each job.* command checks its arguments, resolves the job and its
 * seed (target.ts), picks the control plane (controlPlane.ts, locateJob.ts), and hands over to that
 * plane's backend here. Both backends report in the same shapes and move the seed the same way
 * (seedTransitions.ts).
 */
import type { CommandContext } from '../commands/command.ts';
import type { AzureAccessParams } from '../repo/repositoryLocation.ts';
import type { PasswordParams } from '../seed/password.ts';
import type { ArmAccessParams } from './armClient.ts';
import type { ControlPlane } from './controlPlane.ts';
import { createDataBoxJob } from './dataBoxCreate.ts';
import { cancelDataBoxJob, removeDataBoxJob } from './dataBoxActions.ts';
import { listDataBoxKeys } from './dataBoxKeys.ts';
import { shipDataBoxJob } from './dataBoxShip.ts';
import { dataBoxStatus } from './dataBoxStatus.ts';
import { cancelImportExportJob, removeImportExportJob } from './importExportActions.ts';
import { createImportExportJob } from './importExportCreate.ts';
import { listImportExportKeys } from './importExportKeys.ts';
import { shipImportExportJob } from './importExportShip.ts';
import { importExportStatus } from './importExportStatus.ts';
import type { ReturnAddress, ReturnShipping } from './profile.ts';
import type { JobTarget } from './target.ts';

export interface JobCreateParams extends ArmAccessParams, PasswordParams {
  location: string;
  storageAccountId?: string;
  returnAddress?: ReturnAddress;
  returnShipping?: ReturnShipping;
  profilePath?: string;
  saveProfile?: boolean;
  diagnosticsPath?: string;
  logLevel?: 'Error' | 'Verbose';
  backupDriveManifest?: boolean;
}

export interface JobStatusParams extends ArmAccessParams, AzureAccessParams {
  readLogs?: boolean;
}

/** The package as job.ship checked it. */
export interface ShipmentDetails {
  carrierName: string;
  trackingNumber: string;
  shipDate: number;
  driveCount?: number;
}

export interface DriveKey {
  driveId: string;
  bitLockerKey: string;
}

export interface JobBackend {
  create(params: JobCreateParams, context: CommandContext, target: JobTarget): Promise<void>;
  ship(params: ArmAccessParams, context: CommandContext, target: JobTarget, shipment: ShipmentDetails): Promise<void>;
  status(params: JobStatusParams, context: CommandContext, target: JobTarget): Promise<void>;
  /** The recovery passwords the service holds; the caller shows them and registers them as secrets. */
  listKeys(params: ArmAccessParams, target: JobTarget): Promise<DriveKey[]>;
  cancel(params: ArmAccessParams, context: CommandContext, target: JobTarget): Promise<void>;
  remove(params: ArmAccessParams, context: CommandContext, target: JobTarget): Promise<void>;
}

export const JOB_BACKENDS: Readonly<Record<ControlPlane, JobBackend>> = {
  DataBox: { create: createDataBoxJob, ship: shipDataBoxJob, status: dataBoxStatus, listKeys: listDataBoxKeys, cancel: cancelDataBoxJob, remove: removeDataBoxJob },
  ImportExport: { create: createImportExportJob, ship: shipImportExportJob, status: importExportStatus, listKeys: listImportExportKeys, cancel: cancelImportExportJob, remove: removeImportExportJob },
};
