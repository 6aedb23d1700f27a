/**
 * The Linux equivalent of the scheduled task: a oneshot service that runs the engine's backup with
 * --password-file, and a timer. Pure text. The password lives only in the key file (mode 0600).
 */
import { describeSchedule, type Schedule } from './schedule.ts';

export interface SystemdSpec {
  taskName: string;
  description: string;
  schedule: Schedule;
  /** The engine's argv prefix (the executable, or node and the script). */
  engine: readonly string[];
  repository: string;
  keyFile: string;
  stagingPath?: string;
  /** User= for a system unit; user units (the default) run as their owner. */
  account?: string;
  /** The credential profile each run signs in with (else DefaultAzureCredential). */
  credentialProfile?: string;
}

export function unitBaseName(taskName: string): string {
  return `offlineseed-backup-${taskName}`;
}

/** One ExecStart word: double-quoted, with systemd's C escapes and its % and $ expansions escaped. */
export function systemdWord(word: string): string {
  const escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$').replace(/\n/g, '\\n');
  return `"${escaped}"`;
}

/** A value on one unit-file line (Description=...): % must be doubled, and no line break may pass. */
function unitValue(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/%/g, '%%');
}

export function onCalendar(s: Schedule): string {
  const [hh, mm] = s.at.split(':') as [string, string];
  switch (s.frequency) {
    case 'Hourly': {
      // Every N hours around the clock, through HH:MM (the first hour of the day is HH mod N).
      const first = String(Number(hh) % s.everyHours).padStart(2, '0');
      return `*-*-* ${first}/${s.everyHours}:${mm}:00`;
    }
    case 'Daily':
      return `*-*-* ${hh}:${mm}:00`;
    case 'Weekly':
      return `${s.daysOfWeek.map((d) => d.slice(0, 3)).join(',')} *-*-* ${hh}:${mm}:00`;
  }
}

export function backupArgs(spec: SystemdSpec): string[] {
  return [
    ...spec.engine, 'backup', 'run',
    '--repo', spec.repository,
    ...(spec.stagingPath === undefined ? [] : ['--staging', spec.stagingPath]),
    '--password-file', spec.keyFile,
    ...(spec.credentialProfile === undefined ? [] : ['--credential-profile', spec.credentialProfile]),
  ];
}

export function serviceUnit(spec: SystemdSpec): string {
  return '[Unit]\n' +
    `Description=${unitValue(spec.description)}\n` +
    'Wants=network-online.target\n' +
    'After=network-online.target\n' +
    '\n' +
    '[Service]\n' +
    'Type=oneshot\n' +
    (spec.account === undefined ? '' : `User=${unitValue(spec.account)}\n`) +
    `ExecStart=${backupArgs(spec).map(systemdWord).join(' ')}\n` +
    // Engine exit codes: 0 ok, 1 failed, 2 invalid request, 3 cancelled (resumes on the next run).
    'SuccessExitStatus=0\n' +
    'Nice=10\n' +
    'IOSchedulingClass=idle\n' +
    'TimeoutStartSec=72h\n';
}

export function timerUnit(spec: SystemdSpec): string {
  return '[Unit]\n' +
    `Description=${unitValue(`Schedule of ${spec.description}: ${describeSchedule(spec.schedule)}`)}\n` +
    '\n' +
    '[Timer]\n' +
    `OnCalendar=${onCalendar(spec.schedule)}\n` +
    // A run missed while the machine was off happens at the next boot.
    'Persistent=true\n' +
    `Unit=${unitBaseName(spec.taskName)}.service\n` +
    '\n' +
    '[Install]\n' +
    'WantedBy=timers.target\n';
}
