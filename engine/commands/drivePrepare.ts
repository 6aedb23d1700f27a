import { prepareDrive, type DrivePrepareParams } from '../drive/prepareDrive.ts';
import type { CommandContext } from './command.ts';

export async function run(params: DrivePrepareParams, context: CommandContext): Promise<void> {
  const result = await prepareDrive(params, context);
  if (result === undefined) return; // -WhatIf: the plan went out as information messages
  context.emitResult(result);
}
