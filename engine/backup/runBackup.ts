/**
 * Backup-OfflineSeed: an incremental backup straight into the (cloud) repository on top of the seed.
 * Change detection uses the parent snapshot stored in the repository itself, so a lost local cache
 * never forces re-reading everything. Order: packs, then the index, then the snapshot; an interrupted
 * backup leaves packs that the next run re-indexes from their headers instead of uploading again; it
 * finds them by the pending markers the killed run left (not by listing every pack: packRecovery.ts).
 */
import { resolve } from 'node:path';
import { Archiver, toSnapshotPath, type ArchiveResult } from '../archiver/archiver.ts';
import type { EventSink } from '../protocol/eventSink.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { CompressionMode } from '../repo/format/blobSealing.ts';
import { encodeIndex } from '../repo/format/indexFile.ts';
import { acquireLock, type HeldLock } from '../repo/lockManager.ts';
import { clearPending, findPendingPacks, type PendingPacks } from '../repo/packRecovery.ts';
import { Repository, type SnapshotEntry } from '../repo/repository.ts';
import { openBackend, type AzureAccessParams } from '../repo/repositoryLocation.ts';
import type { AccessTier } from '../blob/azureBackend.ts';
import { resolvePassword, type PasswordParams } from '../seed/password.ts';
import { requireDescriptor } from '../seed/seedDescriptor.ts';
import { hostname as osHostname } from 'node:os';

export interface BackupParams extends PasswordParams, AzureAccessParams {
  repository: string;
  stagingPath?: string;
  sources?: string[];
  excludes?: string[];
  parent?: string;
  hostname?: string;
  tags?: string[];
  compression?: CompressionMode;
  dataTier?: AccessTier;
  bandwidthLimitMBps?: number;
  threads?: number;
}

export interface BackupOutcome {
  repository: string;
  archive: ArchiveResult;
  parent: string | undefined;
  resumed: boolean;
  durationSeconds: number;
}

/** restic's rule: the latest snapshot of the same host with the same set of paths. */
export function chooseParent(snapshots: readonly SnapshotEntry[], host: string, paths: readonly string[]): SnapshotEntry | undefined {
  const wanted = [...paths].sort().join('\n');
  return [...snapshots].reverse().find((s) => s.snapshot.hostname === host && [...s.snapshot.paths].sort().join('\n') === wanted);
}

export async function runBackup(params: BackupParams, context: { events: EventSink; signal: AbortSignal }): Promise<BackupOutcome> {
  const started = Date.now();
  const seed = params.stagingPath === undefined ? undefined : await requireDescriptor(resolve(params.stagingPath));
  const sources = (params.sources ?? seed?.sources)?.map((s) => resolve(s));
  if (sources === undefined || sources.length === 0) {
    throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', 'params.sources: give the sources to back up, or the stagingPath of the seed', { targetObject: 'params.sources' });
  }
  const password = resolvePassword(params);
  const backend = await openBackend(params.repository, params, params.dataTier === undefined ? {} : { dataTier: params.dataTier });
  const repo = await Repository.open(backend, password);
  // Taking the lock waits ~200 ms for competing locks to show (restic's rule) and costs round trips.
  // Meanwhile the index, the pending markers and the snapshots are read, and then the walk, the parent
  // trees and the reading of changed files go ahead too: the archiver stores nothing (claims no blob,
  // writes no tree pack, index or snapshot) before the lock is confirmed and the packs a killed run left
  // are settled, and fails with the lock's error if it is not.
  const locking = acquireLock(repo, false);
  locking.catch(() => undefined);
  const releaseLock = (): Promise<void> => locking.then((lock) => lock.release().catch(() => undefined), () => undefined);
  try {
    const { pending, snapshots } = await readRepositoryState(repo);
    const settling = locking.then((lock) => settlePending(repo, pending, lock, context.events));
    settling.catch(() => undefined);
    const host = params.hostname ?? seed?.settings?.hostname ?? osHostname();
    const parent = params.parent === undefined || params.parent === 'latest'
      ? chooseParent(snapshots, host, sources.map(toSnapshotPath))
      : await repo.findSnapshot(params.parent);
    if (parent === undefined) context.events.log('warning', 'no parent snapshot of this host and these paths: every file is read (but only new data is uploaded)');
    else context.events.log('verbose', `parent snapshot ${parent.id.slice(0, 8)} of ${parent.snapshot.time}`);
    const tags = params.tags ?? seed?.settings?.tags;
    const archive = await new Archiver(repo, context.events, context.signal, {
      sources,
      excludes: params.excludes ?? seed?.excludes ?? [],
      hostname: host,
      ...(tags === undefined ? {} : { tags }),
      compression: params.compression ?? 'auto',
      packSize: 16 * 1024 * 1024,
      ...(params.threads === undefined ? {} : { threads: params.threads }),
      ...(parent === undefined ? {} : { parent: parent.id, parentTree: parent.snapshot.tree }),
      ...(params.bandwidthLimitMBps === undefined ? {} : { bandwidthLimitBytesPerSecond: params.bandwidthLimitMBps * 1_000_000 }),
      activity: `Backing up to ${backend.location}`,
      markPending: true,
      writesAfter: settling.then(() => undefined),
    }).run();
    const resumed = await settling;
    return { repository: backend.location, archive, parent: parent?.id, resumed, durationSeconds: (Date.now() - started) / 1000 };
  } catch (error) {
    // The lock's own error says best why nothing was written.
    await locking;
    throw error;
  } finally {
    await releaseLock();
  }
}

async function readRepositoryState(repo: Repository): Promise<{ pending: PendingPacks; snapshots: SnapshotEntry[] }> {
  const [pending, snapshots] = await Promise.all([repo.loadIndex().then(() => findPendingPacks(repo)), repo.listSnapshots()]);
  return { pending, snapshots };
}

/**
 * Indexes the packs a killed run stored but never indexed (so they are not uploaded again), then drops
 * the markers that are done with. A marked pack that is absent is what a killed run never stored, unless
 * another run holds a lock: then it may be that run's upload in progress, and its marker stays.
 * Returns whether packs were recovered.
 */
async function settlePending(repo: Repository, pending: PendingPacks, lock: HeldLock, events: EventSink): Promise<boolean> {
  const { recovered, unreadable, settled, absent } = pending;
  if (recovered.length > 0) {
    for (const pack of recovered) for (const e of pack.entries) repo.index.add({ ...e, packId: pack.id });
    const id = await repo.saveUnpacked('index', encodeIndex(recovered.map((p) => ({ id: p.id, blobs: p.entries }))));
    repo.noteIndexFile(id);
    events.log('information', `resuming: ${recovered.length} packs of an interrupted backup are reused, not uploaded again`);
  }
  for (const packId of unreadable) events.log('warning', `pack ${packId} of an interrupted backup cannot be read; it is left for check (its data is stored again)`);
  await clearPending(repo.backend, [...recovered.map((p) => p.id), ...settled, ...(lock.shared ? [] : absent)]);
  return recovered.length > 0;
}
