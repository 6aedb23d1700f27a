/**
 * Runs systemctl for a scheduled backup's timer (user units with --user). A missing systemctl or a
 * failing call is reported, not thrown: the unit files are in place and the message says what to run.
 */
import { execFile } from 'node:child_process';

export interface SystemctlOutcome {
  ok: boolean;
  command: string;
  detail: string;
}

export function systemctl(args: readonly string[], userUnits: boolean): Promise<SystemctlOutcome> {
  const full = [...(userUnits ? ['--user'] : []), ...args];
  const command = `systemctl ${full.join(' ')}`;
  return new Promise((resolve) => {
    execFile('systemctl', full, { timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) resolve({ ok: true, command, detail: stdout.trim() });
      else resolve({ ok: false, command, detail: (stderr.trim() || error.message).split('\n')[0] ?? '' });
    });
  });
}

/** Unit folders under .../systemd/user (and the default) hold user units. */
export function isUserUnitDirectory(dir: string, given: boolean): boolean {
  return !given || /[\\/]systemd[\\/]user[\\/]?$/.test(dir);
}
