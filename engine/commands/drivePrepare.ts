import { prepareDrive, type DrivePrepareParams } from '../drive/prepareDrive.ts';
import { defineCommand } from './command.ts';

export const drivePrepareCommand = defineCommand<DrivePrepareParams>({
  name: 'drive.prepare',
  summary: 'Copy the staged seed (or any folder or file) onto a shipping drive with its DriveManifest.xml, journal and DriveInfo; spans drives, resumes, verifies.',
  cmdlet: 'Initialize-OfflineSeedDrive',
  resultTypeName: 'OfflineSeed.DriveResult',
  secretParams: ['bitLockerKey'],
  async run(params, context) {
    const result = await prepareDrive(params, context);
    if (result === undefined) return; // -WhatIf: the plan went out as information messages
    context.emitResult(result);
  },
});
