/**
 * backup.unschedule (Unregister-OfflineSeedBackupTask): removes what backup.schedule left behind —
 * the key file, and on Linux the two unit files. (On Windows the module unregisters the task itself.)
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultKeyFile, defaultUnitDirectory, removeIfPresent } from '../schedule/backupTask.ts';
import { isUserUnitDirectory, systemctl } from '../schedule/systemctl.ts';
import { unitBaseName } from '../schedule/systemdUnits.ts';
import { platformOf } from './backupSchedule.ts';
import type { CommandContext } from './command.ts';

interface UnscheduleParams {
  taskName: string;
  platform?: 'windows' | 'systemd';
  keyFile?: string;
  unitDirectory?: string;
  disable?: boolean;
}

export async function run(params: UnscheduleParams, context: CommandContext): Promise<void> {
  const platform = platformOf(params);
  const keyFile = params.keyFile ?? defaultKeyFile(platform, params.taskName);
  const candidates = [platform === 'windows' ? keyFile : resolve(keyFile)];
  if (platform === 'systemd') {
    const dir = resolve(params.unitDirectory ?? defaultUnitDirectory());
    const base = unitBaseName(params.taskName);
    candidates.unshift(join(dir, `${base}.timer`), join(dir, `${base}.service`));
  }
  if (context.dryRun) {
    context.events.log('information', `What if: remove ${candidates.join(', ')}`);
    return;
  }
  const base = unitBaseName(params.taskName);
  const userUnits = isUserUnitDirectory(resolve(params.unitDirectory ?? defaultUnitDirectory()), params.unitDirectory !== undefined);
  const timerFile = candidates.find((f) => f.endsWith('.timer'));
  let disabled = false;
  if (platform === 'systemd' && params.disable !== false && timerFile !== undefined && existsSync(timerFile)) {
    // Stop and disable the timer while its unit file still exists; a failure leaves everything in place.
    const outcome = await systemctl(['disable', '--now', `${base}.timer`], userUnits);
    disabled = outcome.ok;
    if (!outcome.ok) context.events.log('warning', `${outcome.command} failed (${outcome.detail}); removing the unit files anyway.`);
  }
  const removedFiles: string[] = [];
  for (const file of candidates) if (await removeIfPresent(file)) removedFiles.push(file);
  if (disabled) await systemctl(['daemon-reload'], userUnits);
  context.emitResult({
    taskName: params.taskName,
    platform,
    removedFiles,
    disabled,
    nextStep: platform === 'systemd' && removedFiles.some((f) => f.endsWith('.timer')) && !disabled
      ? `If the timer was enabled: ${userUnits ? 'systemctl --user' : 'systemctl'} disable ${base}.timer, then daemon-reload.`
      : 'Nothing else to do.',
  });
}
