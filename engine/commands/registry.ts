/**
 * The command table: the one place a command is listed. Each entry describes its command and says
 * where its code is; the code is loaded when the command runs.
 */
import { registerCommand, type CommandDescription, type RegisteredCommand } from './command.ts';

const descriptions: CommandDescription[] = [
  {
    name: 'version',
    summary: 'Print the engine, protocol, Node.js and repository format versions.',
    cmdlet: 'Get-OfflineSeedEngineVersion',
    resultTypeName: 'OfflineSeed.EngineVersion',
    load: () => import('./version.ts'),
  },
  {
    name: 'describe',
    summary: 'List every command with its parameter and result schemas.',
    resultTypeName: 'OfflineSeed.CommandDescription',
    load: () => import('./describe.ts'),
  },
  {
    name: 'diagnostics.echo',
    summary: 'Emit one event of every kind and optionally wait; checks how a host maps events and cancellation.',
    cmdlet: 'Test-OfflineSeedEngine',
    resultTypeName: 'OfflineSeed.EngineEcho',
    load: () => import('./diagnosticsEcho.ts'),
  },
  {
    name: 'seed.start',
    summary: 'Stage the full backup: a compressed, deduplicated, encrypted restic repository in the staging location (resumable).',
    cmdlet: 'Start-OfflineSeed',
    resultTypeName: 'OfflineSeed.StageResult',
    secretParams: ['password'],
    load: () => import('./seedStart.ts'),
  },
  {
    name: 'seed.get',
    summary: 'Report where a seed stands in the workflow and what to do next.',
    cmdlet: 'Get-OfflineSeed',
    resultTypeName: 'OfflineSeed.Seed',
    load: () => import('./seedGet.ts'),
  },
  {
    name: 'repo.check',
    summary: 'Check a repository: structure, or every byte with readData; keyless checks pack names without the password.',
    cmdlet: 'Test-OfflineSeed',
    resultTypeName: 'OfflineSeed.CheckResult',
    secretParams: ['password'],
    load: () => import('./repoCheck.ts'),
  },
  {
    name: 'restore.run',
    summary: 'Restore a snapshot (latest by default) into a folder, verifying every blob; from staging, a drive or the cloud.',
    cmdlet: 'Restore-OfflineSeed',
    resultTypeName: 'OfflineSeed.RestoreResult',
    secretParams: ['password'],
    load: () => import('./restoreRun.ts'),
  },
  {
    name: 'snapshot.list',
    summary: 'List the snapshots of a repository, oldest first.',
    cmdlet: 'Get-OfflineSeedSnapshot',
    resultTypeName: 'OfflineSeed.Snapshot',
    secretParams: ['password'],
    load: () => import('./snapshotList.ts'),
  },
  {
    name: 'backup.run',
    summary: 'Incremental backup into the repository (the imported seed in Blob storage): only new data is uploaded.',
    cmdlet: 'Backup-OfflineSeed',
    resultTypeName: 'OfflineSeed.BackupResult',
    secretParams: ['password'],
    load: () => import('./backupRun.ts'),
  },
  {
    name: 'backup.schedule',
    summary: 'Schedule incremental backups: the Task Scheduler XML (Windows) or a systemd service and timer (Linux); the password stays in a key file, never in the definition.',
    cmdlet: 'Register-OfflineSeedBackupTask',
    resultTypeName: 'OfflineSeed.BackupTask',
    secretParams: ['password'],
    load: () => import('./backupSchedule.ts'),
  },
  {
    name: 'backup.unschedule',
    summary: 'Remove a scheduled backup\'s key file and (Linux) its systemd units.',
    cmdlet: 'Unregister-OfflineSeedBackupTask',
    resultTypeName: 'OfflineSeed.BackupTaskRemoval',
    load: () => import('./backupUnschedule.ts'),
  },
  {
    name: 'seed.complete',
    summary: 'After the import: verify the container against the drive journals (or, with seedUri, the published manifests) and the service logs, repair over the network from the staging location, mark the seed complete.',
    cmdlet: 'Complete-OfflineSeed',
    resultTypeName: 'OfflineSeed.CompletionResult',
    secretParams: ['password'],
    load: () => import('./seedComplete.ts'),
  },
  {
    name: 'seed.publish',
    summary: 'Publish the seed\'s records (descriptor, drives and manifests, BitLocker keys sealed with the repository password) next to its repository in storage, for runbooks with no local state (-SeedUri).',
    cmdlet: 'Publish-OfflineSeed',
    resultTypeName: 'OfflineSeed.PublishedSeed',
    secretParams: ['password'],
    load: () => import('./seedPublish.ts'),
  },
  {
    name: 'drive.prepare',
    summary: 'Copy the staged seed (or any folder or file) onto a shipping drive with its DriveManifest.xml, journal and DriveInfo; spans drives, resumes, verifies.',
    cmdlet: 'Initialize-OfflineSeedDrive',
    resultTypeName: 'OfflineSeed.DriveResult',
    secretParams: ['bitLockerKey'],
    load: () => import('./drivePrepare.ts'),
  },
  {
    name: 'drive.verify',
    summary: 'Check a prepared drive as the datacenter will: manifest hash and DriveId, every block MD5, and (for a seed) every file\'s SHA-256 name.',
    resultTypeName: 'OfflineSeed.DriveVerifyResult',
    load: () => import('./driveVerify.ts'),
  },
  {
    name: 'job.create',
    summary: 'Create the Azure Import/Export job for a seed whose drives are prepared; prints the address to ship the drives to.',
    cmdlet: 'New-OfflineSeedImportJob',
    resultTypeName: 'OfflineSeed.ImportJob',
    secretParams: ['password'],
    load: () => import('./jobCreate.ts'),
  },
  {
    name: 'job.ship',
    summary: 'Record the shipment of the drives (carrier, tracking number, drive count, ship date): the job moves to Shipping; warns when a two-week window is close or past.',
    cmdlet: 'Update-ImportShipping',
    resultTypeName: 'OfflineSeed.ShippingRecord',
    load: () => import('./jobShip.ts'),
  },
  {
    name: 'job.status',
    summary: 'Report the import job and each drive (state, percent, bytes, log locations, the causes of failed blobs); moves the seed to Imported when the import is done.',
    cmdlet: 'Get-ImportJobStatus',
    resultTypeName: 'OfflineSeed.ImportJobStatus',
    load: () => import('./jobStatus.ts'),
  },
  {
    name: 'job.cancel',
    summary: 'Ask the service to cancel the import job (only while the service still allows it); the drives are sent back.',
    cmdlet: 'Stop-OfflineSeedImportJob',
    resultTypeName: 'OfflineSeed.ImportJobAction',
    load: () => import('./jobCancel.ts'),
  },
  {
    name: 'job.remove',
    summary: 'Delete the import job (the service allows it only while Creating or once Completed).',
    cmdlet: 'Remove-OfflineSeedImportJob',
    resultTypeName: 'OfflineSeed.ImportJobAction',
    load: () => import('./jobRemove.ts'),
  },
  {
    name: 'job.keys',
    summary: 'List the BitLocker recovery passwords the service holds for the job\'s drives (secrets: only in the result objects, never in a log or error).',
    cmdlet: 'Get-OfflineSeedBitLockerKey',
    resultTypeName: 'OfflineSeed.BitLockerKey',
    load: () => import('./jobKeys.ts'),
  },
  {
    name: 'preflight.run',
    summary: 'Check everything offline seeding needs (staging, drives, return address, Azure subscription, storage account, provider, rights), each item Pass, Warn or Fail with its fix.',
    cmdlet: 'Test-OfflineSeedPrerequisite',
    resultTypeName: 'OfflineSeed.PrerequisiteCheck',
    load: () => import('./preflightRun.ts'),
  },
  {
    name: 'credential.new',
    summary: 'Create a certificate for an application identity, register it on the Entra application (or print the administrator\'s command) and save a credential profile for -CredentialProfile.',
    cmdlet: 'New-OfflineSeedCredential',
    resultTypeName: 'OfflineSeed.Credential',
    load: () => import('./credentialNew.ts'),
  },
  {
    name: 'profile.set',
    summary: 'Save the return address and return carrier account (for this user or the whole computer) so import jobs reuse them; remove a credential profile.',
    cmdlet: 'Set-OfflineSeedProfile',
    resultTypeName: 'OfflineSeed.Profile',
    load: () => import('./profileSet.ts'),
  },
  {
    name: 'profile.get',
    summary: 'Show the saved return address, return carrier and credential profiles, and which file each comes from.',
    cmdlet: 'Get-OfflineSeedProfile',
    resultTypeName: 'OfflineSeed.Profile',
    load: () => import('./profileGet.ts'),
  },
];

const commands: readonly RegisteredCommand[] = descriptions.map(registerCommand);

export function allCommands(): readonly RegisteredCommand[] {
  return commands;
}

export function findCommand(name: string): RegisteredCommand | undefined {
  return commands.find((c) => c.name === name);
}
