/**
 * backup.schedule (Register-OfflineSeedBackupTask): an incremental backup on a schedule.
 *
 *   windows  renders the Task Scheduler XML; the module writes the DPAPI-protected key file with its
 *            ACL and registers the task (Register-ScheduledTask -Xml)
 *   systemd  renders offlineseed-backup-<task>.service and .timer; with install, writes the password
 *            to the key file (0600) and the units to the unit folder (default the user's
 *            ~/.config/systemd/user); enabling the timer is left to systemctl
 * The task definition never holds a secret: only the key file's path (and, with credentialProfile, the
 * name of the application identity each run signs in to Azure with).
 */
import { isSea } from 'node:sea';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCredentialProfile } from '../azure/credentialProfile.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { checkKeyFile, defaultKeyFile, defaultUnitDirectory, writePasswordKeyFile, writeTextAtomic } from '../schedule/backupTask.ts';
import { checkRecordedPath, type RecordedPath } from '../schedule/recordedPaths.ts';
import { describeSchedule, scheduleFrom, type ScheduleParams } from '../schedule/schedule.ts';
import { isUserUnitDirectory, systemctl } from '../schedule/systemctl.ts';
import { serviceUnit, timerUnit, unitBaseName, type SystemdSpec } from '../schedule/systemdUnits.ts';
import { TASK_FOLDER, taskSchedulerXml } from '../schedule/taskSchedulerXml.ts';
import type { CommandContext } from './command.ts';

export interface ScheduleCommandParams extends ScheduleParams {
  taskName: string;
  platform?: 'windows' | 'systemd';
  repository: string;
  stagingPath?: string;
  account?: string;
  logonType?: 'ServiceAccount' | 'Password' | 'S4U';
  credentialProfile?: string;
  keyFile?: string;
  password?: string;
  powershellPath?: string;
  scriptPath?: string;
  enginePath?: string;
  install?: boolean;
  enable?: boolean;
  unitDirectory?: string;
}

/** This engine, as systemd should start it: the single executable, or node with the script in development. */
function thisEngine(): string[] {
  if (isSea()) return [process.execPath];
  return [process.execPath, fileURLToPath(new URL('../main.ts', import.meta.url))];
}

export function platformOf(params: { platform?: 'windows' | 'systemd' }): 'windows' | 'systemd' {
  return params.platform ?? (process.platform === 'win32' ? 'windows' : 'systemd');
}

/**
 * Built-in service accounts log on as ServiceAccount; a gMSA (DOMAIN\\name$) as Password, its password
 * fetched by Task Scheduler from the domain; anyone else as S4U (no stored password; enough for
 * local files and HTTPS to Azure, not for Windows-authenticated shares: use -Credential for those).
 */
export function defaultLogonType(account: string): 'ServiceAccount' | 'Password' | 'S4U' {
  if (/^(nt authority\\|system$)/i.test(account)) return 'ServiceAccount';
  return account.endsWith('$') ? 'Password' : 'S4U';
}

/** Why the runs would not find the credential profile here (user's, then machine's profile), or undefined. */
function credentialProfileProblem(name: string): string | undefined {
  try {
    findCredentialProfile(name);
    return undefined;
  } catch (error) {
    if (error instanceof OfflineSeedError) return error.message;
    throw error;
  }
}

function invalid(field: string, message: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', `params.${field}: ${message}`, { targetObject: `params.${field}` });
}

/** Parameters that only one platform's task uses: given for the other, they would be silently ignored. */
const ONLY_FOR: Record<'windows' | 'systemd', readonly (keyof ScheduleCommandParams)[]> = {
  windows: ['powershellPath', 'scriptPath', 'logonType'],
  systemd: ['enginePath', 'unitDirectory', 'install', 'enable'],
};

function refuseOtherPlatformParams(params: ScheduleCommandParams, platform: 'windows' | 'systemd'): void {
  const other = platform === 'windows' ? 'systemd' : 'windows';
  for (const field of ONLY_FOR[other]) if (params[field] !== undefined) throw invalid(field, `only for a ${other} task (this one is for ${platform})`);
}

/** The paths the task will use on this computer (a task rendered for the other platform is not checked here). */
function recordedPaths(params: ScheduleCommandParams, platform: 'windows' | 'systemd', keyFile: string): RecordedPath[] {
  const native = platformOf({}) === platform;
  if (!native) return [];
  const paths: (RecordedPath | undefined)[] = [
    params.stagingPath === undefined ? undefined : { field: 'stagingPath', path: params.stagingPath, kind: 'folder' },
    params.repository.startsWith('azure://') ? undefined : { field: 'repository', path: params.repository, kind: 'folder' },
    // Written by this command (password given) or by the module (Windows).
    { field: 'keyFile', path: keyFile, kind: 'file', createdHere: true },
    params.enginePath === undefined ? undefined : { field: 'enginePath', path: params.enginePath, kind: 'file' },
    params.unitDirectory === undefined ? undefined : { field: 'unitDirectory', path: params.unitDirectory, kind: 'folder', createdHere: params.install === true },
    params.powershellPath === undefined ? undefined : { field: 'powershellPath', path: params.powershellPath, kind: 'file' },
    params.scriptPath === undefined ? undefined : { field: 'scriptPath', path: params.scriptPath, kind: 'file' },
  ];
  return paths.filter((p) => p !== undefined);
}

export async function run(params: ScheduleCommandParams, context: CommandContext): Promise<void> {
  const platform = platformOf(params);
  const schedule = scheduleFrom(params);
  if (params.daysOfWeek !== undefined && schedule.frequency !== 'Weekly') throw invalid('daysOfWeek', 'only with frequency Weekly');
  if (params.everyHours !== undefined && schedule.frequency !== 'Hourly') throw invalid('everyHours', 'only with frequency Hourly');
  refuseOtherPlatformParams(params, platform);
  const keyFile = params.keyFile ?? defaultKeyFile(platform, params.taskName);
  for (const recorded of recordedPaths(params, platform, keyFile)) {
    const warning = await checkRecordedPath(recorded);
    if (warning !== undefined) context.events.log('warning', warning);
  }
  if (params.credentialProfile !== undefined && platformOf({}) === platform) {
    const missing = credentialProfileProblem(params.credentialProfile);
    if (missing !== undefined) context.events.log('warning', `${missing}; the task's runs will fail to sign in until the task's account finds it (New-OfflineSeedCredential -Scope Machine saves it for every account).`);
  }
  const description = `OfflineSeed incremental backup ${params.taskName} into ${params.repository}`;
  const when = describeSchedule(schedule);

  if (platform === 'windows') {
    if (params.password !== undefined) throw invalid('password', 'on Windows the module keeps the password in a DPAPI-protected key file; the engine takes none');
    if (params.install === true) throw invalid('install', 'on Windows the module registers the task (Register-ScheduledTask)');
    if (params.powershellPath === undefined || params.scriptPath === undefined) throw invalid('scriptPath', 'powershellPath and scriptPath are required for a Windows task (the module fills them in)');
    const account = params.account ?? 'NT AUTHORITY\\SYSTEM';
    const logonType = params.logonType ?? defaultLogonType(account);
    const taskXml = taskSchedulerXml({
      taskName: params.taskName, description, schedule, account, logonType,
      powershellPath: params.powershellPath, scriptPath: params.scriptPath,
      repository: params.repository, keyFile, ...(params.stagingPath === undefined ? {} : { stagingPath: params.stagingPath }),
      ...(params.credentialProfile === undefined ? {} : { credentialProfile: params.credentialProfile }),
    });
    if (context.dryRun) {
      context.events.log('information', `What if: register scheduled task ${TASK_FOLDER}${params.taskName} (${when}, as ${account}, logon ${logonType}) reading the password from ${keyFile}`);
      return;
    }
    context.emitResult({
      taskName: params.taskName, platform, schedule: when, account, logonType, keyFile, keyFileWritten: false,
      taskPath: TASK_FOLDER, taskXml, unitFiles: [], installed: false,
      nextStep: `Start-ScheduledTask -TaskPath '${TASK_FOLDER}' -TaskName '${params.taskName}' runs it once now; Get-ScheduledTaskInfo shows the last result (0 ok, 1 failed, 2 invalid request, 3 cancelled).`,
    });
    return;
  }

  const spec: SystemdSpec = {
    taskName: params.taskName, description, schedule,
    engine: params.enginePath === undefined ? thisEngine() : [params.enginePath],
    repository: params.repository, keyFile: resolve(keyFile),
    ...(params.stagingPath === undefined ? {} : { stagingPath: params.stagingPath }),
    ...(params.account === undefined ? {} : { account: params.account }),
    ...(params.credentialProfile === undefined ? {} : { credentialProfile: params.credentialProfile }),
  };
  const service = serviceUnit(spec);
  const timer = timerUnit(spec);
  const base = unitBaseName(params.taskName);
  const install = params.install === true;
  const unitDirectory = resolve(params.unitDirectory ?? defaultUnitDirectory());
  const unitFiles = install ? [`${unitDirectory}/${base}.service`, `${unitDirectory}/${base}.timer`] : [];
  const userUnits = isUserUnitDirectory(unitDirectory, params.unitDirectory !== undefined);
  if (params.enable === true && !install) throw invalid('enable', 'needs install (the units must be written before the timer is enabled)');
  const systemctlCommand = userUnits ? 'systemctl --user' : 'systemctl';
  if (context.dryRun) {
    context.events.log('information', `What if: ${params.password === undefined ? `use the key file ${spec.keyFile}` : `write the password to ${spec.keyFile} (mode 0600)`}${install ? ` and write ${unitFiles.join(' and ')}` : ''}: ${when}`);
    return;
  }
  let keyFileWritten = false;
  if (params.password !== undefined) {
    await writePasswordKeyFile(spec.keyFile, params.password);
    keyFileWritten = true;
  } else if (install) {
    await checkKeyFile(spec.keyFile);
  }
  if (install) {
    await writeTextAtomic(unitFiles[0]!, service);
    await writeTextAtomic(unitFiles[1]!, timer);
    context.events.log('information', `Wrote ${unitFiles.join(' and ')} (${when}).`);
  }
  let enabled = false;
  if (params.enable === true) {
    const reload = await systemctl(['daemon-reload'], userUnits);
    const enabling = reload.ok ? await systemctl(['enable', '--now', `${base}.timer`], userUnits) : reload;
    enabled = enabling.ok;
    if (enabled) context.events.log('information', `Enabled ${base}.timer (${enabling.command}).`);
    else context.events.log('warning', `The units are installed but the timer is not enabled: ${enabling.command} failed (${enabling.detail}). Run ${systemctlCommand} daemon-reload && ${systemctlCommand} enable --now ${base}.timer as the user the units belong to.`);
  }
  context.emitResult({
    taskName: params.taskName, platform, schedule: when, ...(params.account === undefined ? {} : { account: params.account }),
    keyFile: spec.keyFile, keyFileWritten, serviceUnit: service, timerUnit: timer, unitFiles, installed: install, enabled,
    nextStep: enabled
      ? `${systemctlCommand} list-timers ${base}.timer shows the next run; journalctl${userUnits ? ' --user' : ''} -u ${base}.service the runs (exit codes 0 ok, 1 failed, 2 invalid request, 3 cancelled).`
      : install
      ? `${systemctlCommand} daemon-reload && ${systemctlCommand} enable --now ${base}.timer (${systemctlCommand} list-timers shows the next run; journalctl${userUnits ? ' --user' : ''} -u ${base}.service the runs)`
      : `Save the units as ${base}.service and ${base}.timer in ~/.config/systemd/user (or run again with --install), then ${systemctlCommand} enable --now ${base}.timer`,
  });
}
