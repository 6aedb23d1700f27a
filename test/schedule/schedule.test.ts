/**
 * Scheduled backups, checked by content on Linux: the Task Scheduler XML (well-formed, the trigger,
 * principal and action the schedule asks for, Windows command-line quoting, no secret in it) and
 * the systemd service and timer (OnCalendar checked by systemd-analyze when present, ExecStart
 * quoting), then backup.schedule / backup.unschedule through the built engine: the key file is
 * 0600 in a 0700 folder and holds the password, the definition never does, a loose or missing key
 * file is refused, -WhatIf writes nothing, unschedule removes what schedule wrote.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultLogonType } from '../../engine/commands/backupSchedule.ts';
import { scheduleFrom } from '../../engine/schedule/schedule.ts';
import { onCalendar, serviceUnit, systemdWord, timerUnit } from '../../engine/schedule/systemdUnits.ts';
import { taskSchedulerXml, windowsArgument, windowsCommandLine, type WindowsTaskSpec } from '../../engine/schedule/taskSchedulerXml.ts';
import { engineCommand, runEngine } from '../helpers/engine.ts';
import { parseXml, type XmlElement } from '../psmodule/analysis.ts';

const work = mkdtempSync(join(tmpdir(), 'offlineseed-schedule-'));
const PASSWORD = 'Tr0ub4dor&3-scheduled-secret';

function child(element: XmlElement, ...path: string[]): XmlElement {
  let current = element;
  for (const name of path) {
    const next = current.children.find((c) => c.name === name);
    assert.ok(next, `<${name}> missing under <${current.name}>`);
    current = next;
  }
  return current;
}

function windowsSpec(overrides: Partial<WindowsTaskSpec> = {}): WindowsTaskSpec {
  return {
    taskName: 'fs01-nightly',
    description: 'OfflineSeed incremental backup fs01-nightly into azure://stbackup/fs01/seed',
    schedule: scheduleFrom({}),
    account: 'NT AUTHORITY\\SYSTEM',
    logonType: 'ServiceAccount',
    powershellPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    scriptPath: 'C:\\Program Files\\WindowsPowerShell\\Modules\\OfflineSeed\\0.1.0\\psmodule\\Scripts\\Invoke-OfflineSeedScheduledBackup.ps1',
    repository: 'azure://stbackup/fs01/seed',
    keyFile: 'C:\\ProgramData\\OfflineSeed\\Keys\\fs01-nightly.key',
    stagingPath: 'D:\\Staging & Co\\fs01\\',
    ...overrides,
  };
}

/** CommandLineToArgvW's rules, to read back what windowsCommandLine wrote. */
function parseWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const ch = line[i]!;
      if (ch === '\\') {
        let n = 0;
        while (line[i] === '\\') { n++; i++; }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
      } else if (ch === '"') quoted = !quoted;
      else if (ch === ' ' && !quoted) break;
      else arg += ch;
    }
    args.push(arg);
  }
  return args;
}

test('Windows arguments survive CommandLineToArgvW: spaces, quotes, trailing backslashes, empty', () => {
  const args = ['-File', 'C:\\Program Files\\x\\', 'a "quoted" word', '', 'D:\\data\\\\', 'plain'];
  assert.equal(parseWindowsCommandLine(windowsCommandLine(args)), args);
  assert.is(windowsArgument('C:\\Program Files\\x\\'), '"C:\\Program Files\\x\\\\"');
  assert.is(windowsArgument('plain'), 'plain');
});

test('Task Scheduler XML: well-formed, \\OfflineSeed\\<name>, SYSTEM by SID, daily trigger at the time, the script with the key file, no secret', () => {
  const spec = windowsSpec({ schedule: scheduleFrom({ frequency: 'Daily', at: '01:30' }) });
  const xml = taskSchedulerXml(spec);
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-16"\?>\n<Task version="1\.2" xmlns="http:\/\/schemas\.microsoft\.com\/windows\/2004\/02\/mit\/task">/);
  const task = parseXml(xml);
  assert.is(child(task, 'RegistrationInfo', 'URI').text, '\\OfflineSeed\\fs01-nightly');
  assert.is(child(task, 'Principals', 'Principal', 'UserId').text, 'S-1-5-18');
  assert.is(child(task, 'Principals', 'Principal', 'LogonType').text, 'ServiceAccount');
  const trigger = child(task, 'Triggers', 'CalendarTrigger');
  assert.is(child(trigger, 'StartBoundary').text, '2020-01-01T01:30:00');
  assert.is(child(trigger, 'ScheduleByDay', 'DaysInterval').text, '1');
  assert.is(child(task, 'Settings', 'MultipleInstancesPolicy').text, 'IgnoreNew');
  assert.is(child(task, 'Actions', 'Exec', 'Command').text, spec.powershellPath);
  const args = parseWindowsCommandLine(child(task, 'Actions', 'Exec', 'Arguments').text);
  assert.equal(args, ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', spec.scriptPath, '-TaskName', 'fs01-nightly',
    '-Repository', spec.repository, '-KeyFile', spec.keyFile, '-StagingPath', spec.stagingPath!]);
  assert.not.match(xml, /password|secret/i);
});

test('Task Scheduler XML: weekly days in week order, hourly repetition every N hours, a domain account as given', () => {
  const weekly = parseXml(taskSchedulerXml(windowsSpec({ schedule: scheduleFrom({ frequency: 'Weekly', daysOfWeek: ['Friday', 'Monday'], at: '22:05' }), account: 'CONTOSO\\svc-backup', logonType: 'S4U' })));
  const byWeek = child(weekly, 'Triggers', 'CalendarTrigger', 'ScheduleByWeek');
  assert.equal(child(byWeek, 'DaysOfWeek').children.map((c) => c.name), ['Monday', 'Friday']);
  assert.is(child(weekly, 'Principals', 'Principal', 'UserId').text, 'CONTOSO\\svc-backup');
  assert.is(child(weekly, 'Principals', 'Principal', 'LogonType').text, 'S4U');
  const hourly = parseXml(taskSchedulerXml(windowsSpec({ schedule: scheduleFrom({ frequency: 'Hourly', everyHours: 4, at: '00:10' }) })));
  const trigger = child(hourly, 'Triggers', 'CalendarTrigger');
  assert.is(child(trigger, 'Repetition', 'Interval').text, 'PT4H');
  assert.is(child(trigger, 'Repetition', 'Duration').text, 'P1D');
  assert.is(trigger.children[0]!.name, 'Repetition', 'Repetition comes first, as Task Scheduler exports it');
});

test('logon types: built-in accounts ServiceAccount, a gMSA Password (no password stored), a user S4U', () => {
  assert.is(defaultLogonType('NT AUTHORITY\\SYSTEM'), 'ServiceAccount');
  assert.is(defaultLogonType('NT AUTHORITY\\NetworkService'), 'ServiceAccount');
  assert.is(defaultLogonType('CONTOSO\\gmsa-backup$'), 'Password');
  assert.is(defaultLogonType('CONTOSO\\svc-backup'), 'S4U');
});

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0;
if (!analyze) console.log('systemd-analyze is missing: OnCalendar expressions are compared as text only');

test('systemd OnCalendar: daily, weekly and every-N-hours expressions (normalized unchanged by systemd-analyze when present)', () => {
  const cases: [Parameters<typeof scheduleFrom>[0], string][] = [
    [{}, '*-*-* 02:00:00'],
    [{ frequency: 'Daily', at: '23:59' }, '*-*-* 23:59:00'],
    [{ frequency: 'Weekly', daysOfWeek: ['Sunday', 'Wednesday'], at: '04:00' }, 'Wed,Sun *-*-* 04:00:00'],
    [{ frequency: 'Hourly', everyHours: 6, at: '15:20' }, '*-*-* 03/6:20:00'],
    [{ frequency: 'Hourly' }, '*-*-* 00/1:00:00'],
  ];
  for (const [params, expected] of cases) {
    const expression = onCalendar(scheduleFrom(params));
    assert.is(expression, expected);
    if (analyze) {
      const r = spawnSync('systemd-analyze', ['calendar', expression], { encoding: 'utf8' });
      assert.is(r.status, 0, `${expression}: ${r.stderr}`);
    }
  }
});

test('a credential profile goes into both definitions by name: --credential-profile, -CredentialProfile', () => {
  const spec = { taskName: 't', description: 'd', schedule: scheduleFrom({}), engine: ['/opt/e'], repository: 'azure://a/c/p', keyFile: '/k/t.key', credentialProfile: 'fs01-app' };
  assert.match(serviceUnit(spec), /^ExecStart="\/opt\/e" "backup" "run" "--repo" "azure:\/\/a\/c\/p" "--password-file" "\/k\/t\.key" "--credential-profile" "fs01-app"$/m);
  const args = parseWindowsCommandLine(child(parseXml(taskSchedulerXml(windowsSpec({ credentialProfile: 'fs01-app' }))), 'Actions', 'Exec', 'Arguments').text);
  assert.equal(args.slice(-2), ['-CredentialProfile', 'fs01-app']);
  assert.not.ok(taskSchedulerXml(windowsSpec()).includes('CredentialProfile'), 'none without one');
});

test('systemd ExecStart words: quotes, backslashes, % and $ are escaped', () => {
  assert.is(systemdWord('a b'), '"a b"');
  assert.is(systemdWord('50%$HOME"\\'), '"50%%$$HOME\\"\\\\"');
  const spec = { taskName: 't', description: '100% of /data', schedule: scheduleFrom({}), engine: ['/opt/offlineseed/bin/offlineseed-engine'], repository: '/srv/repo $x', keyFile: '/k/t.key' };
  assert.match(serviceUnit(spec), /^Description=100%% of \/data$/m);
  assert.match(serviceUnit(spec), /^ExecStart="\/opt\/offlineseed\/bin\/offlineseed-engine" "backup" "run" "--repo" "\/srv\/repo \$\$x" "--password-file" "\/k\/t\.key"$/m);
  assert.match(timerUnit(spec), /^Unit=offlineseed-backup-t\.service$/m);
});

// ---------------------------------------------------------------------------------------------------
// Through the engine

const units = join(work, 'units');
const config = join(work, 'config');
// A stand-in systemctl that records its arguments (no systemd session in a test container).
const fakeBin = join(work, 'bin');
const systemctlLog = join(work, 'systemctl.log');
const env = { XDG_CONFIG_HOME: config, PATH: `${fakeBin}:${process.env.PATH ?? ''}`, SYSTEMCTL_LOG: systemctlLog };

function systemctlCalls(): string[] {
  return existsSync(systemctlLog) ? readFileSync(systemctlLog, 'utf8').split('\n').filter((l) => l !== '') : [];
}

test('backup.schedule systemd --install: key file 0600 in a 0700 folder holds the password; units written; the password is in no unit and no output', async () => {
  const r = await runEngine('backup.schedule', {
    taskName: 'nightly', platform: 'systemd', repository: 'azure://stbackup/fs01/seed', stagingPath: '/srv/staging',
    frequency: 'Weekly', daysOfWeek: ['Saturday'], at: '03:00', password: PASSWORD, install: true, unitDirectory: units,
    enginePath: '/opt/OfflineSeed/bin/offlineseed-engine', enable: true,
  }, { env });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const result = r.results[0]!;
  const keyFile = join(config, 'offlineseed', 'keys', 'nightly.key');
  assert.is(result.keyFile, keyFile);
  assert.is(result.keyFileWritten, true);
  assert.is(readFileSync(keyFile, 'utf8'), `${PASSWORD}\n`);
  assert.is(statSync(keyFile).mode & 0o777, 0o600);
  assert.is(statSync(join(config, 'offlineseed', 'keys')).mode & 0o777, 0o700);
  const service = readFileSync(join(units, 'offlineseed-backup-nightly.service'), 'utf8');
  const timer = readFileSync(join(units, 'offlineseed-backup-nightly.timer'), 'utf8');
  assert.is(service, result.serviceUnit);
  assert.is(timer, result.timerUnit);
  assert.match(service, /^ExecStart="\/opt\/OfflineSeed\/bin\/offlineseed-engine" "backup" "run" "--repo" "azure:\/\/stbackup\/fs01\/seed" "--staging" "\/srv\/staging" "--password-file" ".*nightly\.key"$/m);
  assert.match(timer, /^OnCalendar=Sat \*-\*-\* 03:00:00$/m);
  assert.match(timer, /^Persistent=true$/m);
  for (const text of [service, timer, r.stdout, r.stderr]) assert.not.ok(text.includes(PASSWORD), 'the password appears only in the key file');
  assert.is(result.enabled, true);
  assert.equal(systemctlCalls(), ['daemon-reload', 'enable --now offlineseed-backup-nightly.timer'], 'a unit folder outside systemd/user holds system units: no --user');
});

test('the installed unit\'s ExecStart runs as systemd would: an incremental backup with the password from the key file', async () => {
  const source = join(work, 'run-source');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'a.txt'), 'first\n'.repeat(1000));
  const staging = join(work, 'run-staging');
  const stage = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'scheduled-run', storageAccount: 'acct01', container: 'seed', password: PASSWORD }, { env });
  assert.is(stage.exitCode, 0, JSON.stringify(stage.errors));
  writeFileSync(join(source, 'b.txt'), 'second\n');
  const { file, args } = engineCommand();
  const r = await runEngine('backup.schedule', { taskName: 'runs', platform: 'systemd', repository: join(staging, 'repository'), stagingPath: staging, password: PASSWORD, install: true, unitDirectory: units, enginePath: file }, { env });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const line = /^ExecStart=(.*)$/m.exec(String(r.results[0]!.serviceUnit))![1]!;
  const words = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1').replace(/%%/g, '%').replace(/\$\$/g, '$'));
  assert.ok(words.includes('--password-file'));
  const run = spawnSync(file, [...args, ...words.slice(1), '--json'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  assert.is(run.status, 0, `${run.stdout.slice(-600)} ${run.stderr.slice(-600)}`);
  const result = run.stdout.split('\n').filter((l) => l.includes('"type":"result"')).map((l) => (JSON.parse(l) as { data: Record<string, unknown> }).data)[0]!;
  assert.ok((result.filesNew as number) >= 1, JSON.stringify(result));
  assert.not.ok(run.stdout.includes(PASSWORD) || run.stderr.includes(PASSWORD));
});

test('backup.schedule refuses a key file others can read, and a missing one, when no password is given', async () => {
  const loose = join(work, 'loose.key');
  writeFileSync(loose, `${PASSWORD}\n`, { mode: 0o644 });
  const r = await runEngine('backup.schedule', { taskName: 'loose', platform: 'systemd', repository: '/srv/repo', keyFile: loose, install: true, unitDirectory: units }, { env });
  assert.is(r.exitCode, 1);
  assert.is(r.errors[0]?.errorId, 'OfflineSeed.KeyFileTooOpen');
  assert.not.ok(existsSync(join(units, 'offlineseed-backup-loose.service')), 'nothing installed');
  const missing = await runEngine('backup.schedule', { taskName: 'missing', platform: 'systemd', repository: '/srv/repo', keyFile: join(work, 'nope.key'), install: true, unitDirectory: units }, { env });
  assert.is(missing.errors[0]?.errorId, 'OfflineSeed.KeyFileMissing');
});

test('backup.schedule -WhatIf writes nothing; without install it only prints the units', async () => {
  const dry = await runEngine('backup.schedule', { taskName: 'dry', platform: 'systemd', repository: '/srv/repo', password: PASSWORD, install: true, unitDirectory: units }, { env, dryRun: true });
  assert.is(dry.exitCode, 0);
  assert.is(dry.results.length, 0);
  assert.not.ok(existsSync(join(units, 'offlineseed-backup-dry.service')) || existsSync(join(config, 'offlineseed', 'keys', 'dry.key')));
  assert.not.ok(dry.stdout.includes(PASSWORD));
  const printed = await runEngine('backup.schedule', { taskName: 'printed', platform: 'systemd', repository: '/srv/repo' }, { env });
  assert.is(printed.exitCode, 0, JSON.stringify(printed.errors));
  assert.match(String(printed.results[0]!.timerUnit), /OnCalendar=\*-\*-\* 02:00:00/);
  assert.equal(printed.results[0]!.unitFiles, []);
  assert.not.ok(existsSync(join(units, 'offlineseed-backup-printed.service')));
});

test('backup.schedule checks the paths the task will use here: impossible ones refused, missing ones a warning; other-platform parameters refused', async () => {
  const aFile = join(work, 'plain-file');
  writeFileSync(aFile, 'x');
  const base = { taskName: 'paths', platform: 'systemd', repository: 'azure://stbackup/fs01/seed' };
  const fileAsStaging = await runEngine('backup.schedule', { ...base, stagingPath: aFile }, { env });
  assert.is(fileAsStaging.exitCode, 1);
  assert.is(fileAsStaging.errors[0]?.errorId, 'OfflineSeed.PathNotFound');
  const throughFile = await runEngine('backup.schedule', { ...base, repository: join(aFile, 'repo') }, { env });
  assert.is(throughFile.errors[0]?.errorId, 'OfflineSeed.PathNotFound');
  const folderAsKey = await runEngine('backup.schedule', { ...base, keyFile: work }, { env });
  assert.is(folderAsKey.errors[0]?.errorId, 'OfflineSeed.PathIsFolder');
  const windowsOnly = await runEngine('backup.schedule', { ...base, scriptPath: '/x.ps1' }, { env });
  assert.is(windowsOnly.exitCode, 2);
  assert.match(String(windowsOnly.errors[0]?.message), /scriptPath: only for a windows task/);
  const later = await runEngine('backup.schedule', { ...base, stagingPath: join(work, 'mounted-later') }, { env });
  assert.is(later.exitCode, 0, JSON.stringify(later.errors));
  assert.ok(later.events.some((e) => e.type === 'log' && e.level === 'warning' && /stagingPath: .*mounted-later does not exist on this computer yet/.test(String(e.message))));
  const systemdOnly = await runEngine('backup.schedule', { taskName: 'paths', platform: 'windows', repository: 'azure://stbackup/fs01/seed', powershellPath: 'C:\\pwsh.exe', scriptPath: 'C:\\s.ps1', enginePath: '/opt/e' }, { env });
  assert.is(systemdOnly.exitCode, 2);
  assert.match(String(systemdOnly.errors[0]?.message), /enginePath: only for a systemd task/);
  // Written by this run: a key file and a unit folder that do not exist yet are no reason to warn.
  const freshUnits = join(work, 'fresh-units');
  const installed = await runEngine('backup.schedule', { ...base, taskName: 'not-enabled', password: PASSWORD, install: true, unitDirectory: freshUnits }, { env });
  assert.is(installed.exitCode, 0, JSON.stringify(installed.errors));
  assert.equal(installed.events.filter((e) => e.type === 'log' && e.level === 'warning').map((e) => e.message), []);
  assert.ok(existsSync(join(freshUnits, 'offlineseed-backup-not-enabled.timer')));
  assert.match(String(installed.results[0]!.nextStep), /^systemctl daemon-reload && systemctl enable --now offlineseed-backup-not-enabled\.timer/);
});

test('backup.schedule windows: the XML for the module to register; a password is refused (the module keeps it in DPAPI)', async () => {
  const params = { taskName: 'win', platform: 'windows', repository: 'azure://stbackup/fs01/seed', account: 'CONTOSO\\gmsa-backup$', powershellPath: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', scriptPath: 'C:\\m\\Invoke-OfflineSeedScheduledBackup.ps1', keyFile: 'C:\\ProgramData\\OfflineSeed\\Keys\\win.key' };
  const r = await runEngine('backup.schedule', params, { env });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  // The paths are the Windows computer's: a Linux engine rendering the task does not look for them here.
  assert.equal(r.events.filter((e) => e.type === 'log' && e.level === 'warning').map((e) => e.message), []);
  const task = parseXml(String(r.results[0]!.taskXml));
  assert.is(child(task, 'Principals', 'Principal', 'LogonType').text, 'Password');
  assert.match(child(task, 'Actions', 'Exec', 'Arguments').text, /-KeyFile C:\\ProgramData\\OfflineSeed\\Keys\\win\.key/);
  const refused = await runEngine('backup.schedule', { ...params, password: PASSWORD }, { env });
  assert.is(refused.exitCode, 2);
  assert.not.ok(refused.stdout.includes(PASSWORD));
});

test('user units: --user; a failing systemctl is a warning and the units stay installed', async () => {
  const userDir = join(work, 'home', '.config', 'systemd', 'user');
  const before = systemctlCalls().length;
  const failing = { ...env, PATH: `${join(work, 'failbin')}:${process.env.PATH ?? ''}` };
  mkdirSync(join(work, 'failbin'), { recursive: true });
  writeFileSync(join(work, 'failbin', 'systemctl'), '#!/bin/sh\necho "Failed to connect to bus" >&2\nexit 1\n', { mode: 0o755 });
  const r = await runEngine('backup.schedule', { taskName: 'userunits', platform: 'systemd', repository: '/srv/repo', password: PASSWORD, install: true, enable: true, unitDirectory: userDir }, { env: failing });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  assert.is(r.results[0]!.enabled, false);
  assert.ok(existsSync(join(userDir, 'offlineseed-backup-userunits.timer')));
  assert.ok(r.events.some((e) => e.type === 'log' && e.level === 'warning' && /systemctl --user daemon-reload failed \(Failed to connect to bus\)/.test(String(e.message))), JSON.stringify(r.events));
  const ok = await runEngine('backup.schedule', { taskName: 'userunits', platform: 'systemd', repository: '/srv/repo', install: true, enable: true, unitDirectory: userDir }, { env });
  assert.is(ok.results[0]!.enabled, true);
  assert.equal(systemctlCalls().slice(before), ['--user daemon-reload', '--user enable --now offlineseed-backup-userunits.timer']);
});

test('backup.unschedule removes the units and the key file; a second run finds nothing', async () => {
  const before = systemctlCalls().length;
  const r = await runEngine('backup.unschedule', { taskName: 'nightly', platform: 'systemd', unitDirectory: units }, { env });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  assert.is((r.results[0]!.removedFiles as string[]).length, 3);
  assert.is(r.results[0]!.disabled, true);
  assert.equal(systemctlCalls().slice(before), ['disable --now offlineseed-backup-nightly.timer', 'daemon-reload'], 'the timer is stopped before its files go');
  assert.not.ok(existsSync(join(units, 'offlineseed-backup-nightly.timer')) || existsSync(join(config, 'offlineseed', 'keys', 'nightly.key')));
  const again = await runEngine('backup.unschedule', { taskName: 'nightly', platform: 'systemd', unitDirectory: units }, { env });
  assert.equal(again.results[0]!.removedFiles, []);
});

test.before(() => {
  mkdirSync(units, { recursive: true });
  mkdirSync(fakeBin, { recursive: true });
  writeFileSync(join(fakeBin, 'systemctl'), '#!/bin/sh\necho "$*" >> "$SYSTEMCTL_LOG"\nexit 0\n', { mode: 0o755 });
});
test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
