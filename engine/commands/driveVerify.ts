import { OfflineSeedError } from '../protocol/errors.ts';
import { verifyDriveStandalone, type DriveVerifyParams } from '../drive/verifyStandalone.ts';
import type { CommandContext } from './command.ts';

export async function run(params: DriveVerifyParams, context: CommandContext): Promise<void> {
  const result = await verifyDriveStandalone(params, context);
  context.emitResult(result);
  if (!result.ok) {
    throw new OfflineSeedError('OfflineSeed.DriveVerifyFailed', 'InvalidData', `drive ${result.driveId || result.driveRoot} failed verification: ${result.problems.length} problems: ${result.problems.slice(0, 3).map((p) => p.message).join('; ')}${result.problems.length > 3 ? '; …' : ''}`, {
      targetObject: result.driveId || result.driveRoot,
      recommendedAction: 'Run drive.prepare (Initialize-OfflineSeedDrive) again for this drive: it copies damaged files again and rewrites a changed manifest from the journal.',
    });
  }
}
