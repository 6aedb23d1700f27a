/** The command table: the one place a command is listed. */
import type { RegisteredCommand } from './command.ts';
import { makeDescribeCommand } from './describe.ts';
import { backupRunCommand } from './backupRun.ts';
import { backupScheduleCommand } from './backupSchedule.ts';
import { backupUnscheduleCommand } from './backupUnschedule.ts';
import { seedCompleteCommand } from './seedComplete.ts';
import { diagnosticsEchoCommand } from './diagnosticsEcho.ts';
import { drivePrepareCommand } from './drivePrepare.ts';
import { jobCancelCommand } from './jobCancel.ts';
import { jobCreateCommand } from './jobCreate.ts';
import { jobKeysCommand } from './jobKeys.ts';
import { jobRemoveCommand } from './jobRemove.ts';
import { jobShipCommand } from './jobShip.ts';
import { jobStatusCommand } from './jobStatus.ts';
import { preflightRunCommand } from './preflightRun.ts';
import { credentialNewCommand } from './credentialNew.ts';
import { profileGetCommand } from './profileGet.ts';
import { profileSetCommand } from './profileSet.ts';
import { driveVerifyCommand } from './driveVerify.ts';
import { repoCheckCommand } from './repoCheck.ts';
import { restoreRunCommand } from './restoreRun.ts';
import { seedGetCommand } from './seedGet.ts';
import { seedPublishCommand } from './seedPublish.ts';
import { seedStartCommand } from './seedStart.ts';
import { snapshotListCommand } from './snapshotList.ts';
import { versionCommand } from './version.ts';

const commands: RegisteredCommand[] = [];
commands.push(
  versionCommand,
  makeDescribeCommand(() => commands),
  diagnosticsEchoCommand,
  seedStartCommand,
  seedGetCommand,
  repoCheckCommand,
  restoreRunCommand,
  snapshotListCommand,
  backupRunCommand,
  backupScheduleCommand, backupUnscheduleCommand,
  seedCompleteCommand, seedPublishCommand,
  drivePrepareCommand, driveVerifyCommand,
  jobCreateCommand, jobShipCommand, jobStatusCommand, jobCancelCommand, jobRemoveCommand, jobKeysCommand,
  preflightRunCommand, credentialNewCommand, profileSetCommand, profileGetCommand,
);

export function allCommands(): readonly RegisteredCommand[] {
  return commands;
}

export function findCommand(name: string): RegisteredCommand | undefined {
  return commands.find((c) => c.name === name);
}
