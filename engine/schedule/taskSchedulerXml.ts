/**
 * The Windows scheduled task of a backup, as Task Scheduler XML (schema version 1.2, Windows 7 /
 * Server 2008 R2 and later) for Register-ScheduledTask -Xml. Pure text: the module registers it.
 *
 * The task runs Windows PowerShell (or pwsh) non-interactively with the module's
 * Invoke-OfflineSeedScheduledBackup.ps1, which reads the repository password from the key file
 * (DPAPI-protected, ACL restricted to the task's account) and runs Backup-OfflineSeed. The
 * definition holds paths only: no password, key or token. For LogonType Password the account's
 * own Windows password is handed to Task Scheduler at registration, which keeps it in its
 * credential store, never in the XML.
 */
import { describeSchedule, WEEKDAYS, type Schedule } from './schedule.ts';

export const TASK_FOLDER = '\\OfflineSeed\\';

export interface WindowsTaskSpec {
  taskName: string;
  description: string;
  schedule: Schedule;
  /** DOMAIN\user, a gMSA (DOMAIN\name$), or NT AUTHORITY\SYSTEM. */
  account: string;
  logonType: 'ServiceAccount' | 'Password' | 'S4U';
  powershellPath: string;
  scriptPath: string;
  repository: string;
  keyFile: string;
  stagingPath?: string;
  /** The credential profile each run signs in with (else DefaultAzureCredential). */
  credentialProfile?: string;
}

export function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * One argument for CreateProcess / CommandLineToArgvW: quoted, inner quotes escaped, and the
 * backslashes before a quote (or the closing quote) doubled, so "C:\dir\" stays C:\dir\.
 */
export function windowsArgument(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}

export function windowsCommandLine(args: readonly string[]): string {
  return args.map(windowsArgument).join(' ');
}

/** The arguments of the task's action (after the PowerShell executable). */
export function taskArguments(spec: WindowsTaskSpec): string[] {
  return [
    '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass',
    '-File', spec.scriptPath,
    '-TaskName', spec.taskName,
    '-Repository', spec.repository,
    '-KeyFile', spec.keyFile,
    ...(spec.stagingPath === undefined ? [] : ['-StagingPath', spec.stagingPath]),
    ...(spec.credentialProfile === undefined ? [] : ['-CredentialProfile', spec.credentialProfile]),
  ];
}

/** A fixed date in the past: the trigger is active from registration on, at the given time of day. */
function startBoundary(at: string): string {
  return `2020-01-01T${at}:00`;
}

function trigger(s: Schedule): string {
  const start = `      <StartBoundary>${startBoundary(s.at)}</StartBoundary>\n      <Enabled>true</Enabled>\n`;
  switch (s.frequency) {
    case 'Hourly':
      return '    <CalendarTrigger>\n' +
        `      <Repetition>\n        <Interval>PT${s.everyHours}H</Interval>\n        <Duration>P1D</Duration>\n        <StopAtDurationEnd>false</StopAtDurationEnd>\n      </Repetition>\n` +
        start +
        '      <ScheduleByDay>\n        <DaysInterval>1</DaysInterval>\n      </ScheduleByDay>\n    </CalendarTrigger>\n';
    case 'Daily':
      return `    <CalendarTrigger>\n${start}      <ScheduleByDay>\n        <DaysInterval>1</DaysInterval>\n      </ScheduleByDay>\n    </CalendarTrigger>\n`;
    case 'Weekly': {
      const days = [...s.daysOfWeek].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b)).map((d) => `          <${d} />\n`).join('');
      return `    <CalendarTrigger>\n${start}      <ScheduleByWeek>\n        <WeeksInterval>1</WeeksInterval>\n        <DaysOfWeek>\n${days}        </DaysOfWeek>\n      </ScheduleByWeek>\n    </CalendarTrigger>\n`;
    }
  }
}

/** Well-known accounts by SID, so the task does not depend on the language of the account names. */
function userId(account: string): string {
  const wellKnown: Record<string, string> = {
    'nt authority\\system': 'S-1-5-18', system: 'S-1-5-18',
    'nt authority\\localservice': 'S-1-5-19', 'nt authority\\local service': 'S-1-5-19',
    'nt authority\\networkservice': 'S-1-5-20', 'nt authority\\network service': 'S-1-5-20',
  };
  return wellKnown[account.toLowerCase()] ?? account;
}

export function taskSchedulerXml(spec: WindowsTaskSpec): string {
  const description = `${spec.description} (${describeSchedule(spec.schedule)})`;
  return '<?xml version="1.0" encoding="UTF-16"?>\n' +
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\n' +
    '  <RegistrationInfo>\n' +
    `    <Description>${xmlText(description)}</Description>\n` +
    `    <URI>${xmlText(`${TASK_FOLDER}${spec.taskName}`)}</URI>\n` +
    '  </RegistrationInfo>\n' +
    '  <Triggers>\n' + trigger(spec.schedule) + '  </Triggers>\n' +
    '  <Principals>\n' +
    '    <Principal id="Author">\n' +
    `      <UserId>${xmlText(userId(spec.account))}</UserId>\n` +
    `      <LogonType>${spec.logonType}</LogonType>\n` +
    // Backups read every file: the highest privileges the account has (Backup Operators, Administrators).
    '      <RunLevel>HighestAvailable</RunLevel>\n' +
    '    </Principal>\n' +
    '  </Principals>\n' +
    '  <Settings>\n' +
    // A backup still running when the next one is due keeps running; the next one is skipped.
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n' +
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\n' +
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\n' +
    '    <StartWhenAvailable>true</StartWhenAvailable>\n' +
    '    <RunOnlyIfNetworkAvailable>true</RunOnlyIfNetworkAvailable>\n' +
    '    <IdleSettings>\n      <StopOnIdleEnd>false</StopOnIdleEnd>\n      <RestartOnIdle>false</RestartOnIdle>\n    </IdleSettings>\n' +
    '    <AllowStartOnDemand>true</AllowStartOnDemand>\n' +
    '    <Enabled>true</Enabled>\n' +
    '    <Hidden>false</Hidden>\n' +
    // An interrupted backup resumes on the next run; three days bounds a stuck one.
    '    <ExecutionTimeLimit>PT72H</ExecutionTimeLimit>\n' +
    '    <Priority>7</Priority>\n' +
    '  </Settings>\n' +
    '  <Actions Context="Author">\n' +
    '    <Exec>\n' +
    `      <Command>${xmlText(spec.powershellPath)}</Command>\n` +
    `      <Arguments>${xmlText(windowsCommandLine(taskArguments(spec)))}</Arguments>\n` +
    '    </Exec>\n' +
    '  </Actions>\n' +
    '</Task>\n';
}
