/**
 * backup.unschedule (Unregister-OfflineSeedBackupTask): removes what backup.schedule left behind —
 * the key file, and on Linux the two unit files. (On Windows the module unregisters the task itself.)
 */
import { join, resolve } from 'node:path';
import { defaultKeyFile, defaultUnitDirectory, removeIfPresent } from '../schedule/backupTask.ts';
import { unitBaseName } from '../schedule/systemdUnits.ts';
import { platformOf } from './backupSchedule.ts';
import { defineCommand } from './command.ts';

interface UnscheduleParams {
  taskName: string;
  platform?: 'windows' | 'systemd';
  keyFile?: string;
  unitDirectory?: string;
}

export const backupUnscheduleCommand = defineCommand<UnscheduleParams>({
  name: 'backup.unschedule',
  summary: 'Remove a scheduled backup\'s key file and (Linux) its systemd units.',
  cmdlet: 'Unregister-OfflineSeedBackupTask',
  resultTypeName: 'OfflineSeed.BackupTaskRemoval',
  async run(params, context) {
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
    const removedFiles: string[] = [];
    for (const file of candidates) if (await removeIfPresent(file)) removedFiles.push(file);
    context.emitResult({
      taskName: params.taskName,
      platform,
      removedFiles,
      nextStep: platform === 'systemd' && removedFiles.some((f) => f.endsWith('.timer'))
        ? `If the timer was enabled: systemctl --user disable --now ${unitBaseName(params.taskName)}.timer, then systemctl --user daemon-reload.`
        : 'Nothing else to do.',
    });
  },
});
