/**
 * OfflineSeed/Backup: "the repository's latest snapshot (of this host) is not older than maxAgeHours".
 *
 *   get     snapshot.list: the latest snapshot (of hostname, when given) and its age in hours
 *   test    a latest snapshot exists and ageHours <= maxAgeHours
 *   set     backup.run (incremental), then get again
 *   export  the state of the repository named by the input
 * The repository password comes from passwordFile only: a DSC configuration is plain text.
 */
import { OfflineSeedError } from '../protocol/errors.ts';
import { AZURE_ACCESS_PROPERTIES, instanceSchema, paramProperties } from './schema.ts';
import { pick, runOrThrow, type DscContext, type DscResource, type Instance } from './resource.ts';

const LIST = ['repository', 'passwordFile'] as const;
const BACKUP = ['repository', 'passwordFile', 'stagingPath', 'sources', 'excludes', 'hostname', 'tags'] as const;
const ACCESS = AZURE_ACCESS_PROPERTIES;
const HOUR_MS = 3_600_000;

interface Snapshot {
  id: string;
  time: string;
  hostname: string;
}

async function getState(input: Instance, context: DscContext): Promise<Instance> {
  if (input.passwordFile === undefined) {
    throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', 'passwordFile: required (the repository password is never part of a DSC configuration)', { targetObject: 'passwordFile' });
  }
  const outcome = await runOrThrow('snapshot.list', { ...pick(input, LIST), ...pick(input, ACCESS) }, context);
  const snapshots = (outcome.results as unknown as Snapshot[])
    .filter((s) => input.hostname === undefined || s.hostname === input.hostname)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const latest = snapshots.at(-1);
  const state: Instance = { ...pick(input, [...BACKUP, 'maxAgeHours', ...ACCESS]), snapshotCount: snapshots.length, _exist: latest !== undefined };
  if (latest !== undefined) {
    state.latestSnapshotId = latest.id;
    state.latestSnapshotTime = latest.time;
    state.ageHours = Math.max(0, Math.round(((context.now().getTime() - Date.parse(latest.time)) / HOUR_MS) * 100) / 100);
  }
  return state;
}

/** Compared on the exact age (ageHours is rounded for display). */
function inDesiredState(input: Instance, actual: Instance, now: Date): boolean {
  if (typeof actual.latestSnapshotTime !== 'string') return false;
  return now.getTime() - Date.parse(actual.latestSnapshotTime) <= Number(input.maxAgeHours) * HOUR_MS;
}

export const backupResource: DscResource = {
  type: 'OfflineSeed/Backup',
  description: 'Incremental backups into an OfflineSeed repository: the latest snapshot is not older than maxAgeHours; set runs a backup.',
  schema: () => instanceSchema(
    'OfflineSeed/Backup',
    'The latest snapshot of a repository (of hostname, when given) is at most maxAgeHours old; set runs an incremental backup (Backup-OfflineSeed). The password comes from passwordFile; Azure access as for the engine (DefaultAzureCredential when no service principal is given).',
    {
      ...paramProperties('backup.run', [...BACKUP]),
      ...paramProperties('snapshot.list', [...ACCESS]),
      maxAgeHours: { type: 'number', exclusiveMinimum: 0, maximum: 87600, description: 'Largest acceptable age of the latest snapshot, in hours.' },
      latestSnapshotId: { type: 'string', readOnly: true, description: 'Id of the latest snapshot.' },
      latestSnapshotTime: { type: 'string', readOnly: true, description: 'Time of the latest snapshot (RFC 3339).' },
      ageHours: { type: 'number', readOnly: true, description: 'Age of the latest snapshot in hours.' },
      snapshotCount: { type: 'integer', readOnly: true, description: 'Snapshots of the repository (of hostname, when given).' },
    },
    ['repository', 'passwordFile', 'maxAgeHours'],
  ),
  get: (input, context) => getState(input, context),
  async test(input, context) {
    const actual = await getState(input, context);
    const ok = inDesiredState(input, actual, context.now());
    return { state: { ...actual, _inDesiredState: ok }, diff: ok ? [] : ['ageHours'] };
  },
  async set(input, context) {
    const before = await getState(input, context);
    if (inDesiredState(input, before, context.now())) return { state: before, diff: [] };
    const why = before.ageHours === undefined ? 'it has no snapshot yet' : `its latest snapshot is ${String(before.ageHours)} hours old, more than ${String(input.maxAgeHours)}`;
    context.log('information', `Backing up into ${String(input.repository)}: ${why}.`);
    await runOrThrow('backup.run', { ...pick(input, BACKUP), ...pick(input, ACCESS) }, context);
    const after = await getState(input, context);
    const changed = ['latestSnapshotId', 'latestSnapshotTime', 'ageHours', 'snapshotCount', '_exist'].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
    return { state: after, diff: changed };
  },
  async export(input, context) {
    return [await getState(input, context)];
  },
};
