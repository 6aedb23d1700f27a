/**
 * After an interrupted run, packs may exist that no index file lists yet (the run died between writing
 * a pack and writing the index). Their headers say exactly which blobs they hold, so they are indexed
 * again instead of being stored twice. Unreadable leftovers are reported and left for `check`.
 *
 * Finding them: staging lists all of data/ (a local folder). A backup into the cloud cannot afford that
 * (a multi-terabyte container is hundreds of list requests), so before it stores a pack it records a
 * small "pending" marker in the repository's side folder, and removes it once an index lists the pack.
 * The next run then looks only at what markers are left: nothing after a clean run, a few packs after
 * a killed one. The markers live in the repository, so a run without the staging folder recovers too.
 */
import { createHash } from 'node:crypto';
import type { Backend, FileHandle, FileInfo, SaveOptions } from './backend/backend.ts';
import { HeaderNeedsMoreBytes, parsePackTail, type PackEntry } from './format/packHeader.ts';
import type { Repository } from './repository.ts';

/** restic reads this much of the tail first, enough for 15 compressed entries. */
const EAGER_TAIL = 15 * 41 + 36;

export interface RecoveredPack {
  id: string;
  size: number;
  entries: PackEntry[];
}

export async function readPackHeader(repo: Repository, pack: FileInfo): Promise<PackEntry[]> {
  let tailLength = Math.min(pack.size, EAGER_TAIL);
  for (;;) {
    const tail = await repo.backend.read({ type: 'data', name: pack.name }, -tailLength);
    try {
      return parsePackTail(repo.key, tail, pack.size, pack.name);
    } catch (error) {
      if (error instanceof HeaderNeedsMoreBytes && error.needed <= pack.size && error.needed > tailLength) {
        tailLength = error.needed;
        continue;
      }
      throw error;
    }
  }
}

export async function recoverUnindexedPacks(repo: Repository): Promise<{ recovered: RecoveredPack[]; unreadable: string[] }> {
  const recovered: RecoveredPack[] = [];
  const unreadable: string[] = [];
  for (const pack of await repo.backend.list('data')) {
    if (repo.index.hasPack(pack.name)) continue;
    try {
      const entries = await readPackHeader(repo, pack);
      for (const e of entries) repo.index.add({ ...e, packId: pack.name });
      recovered.push({ id: pack.name, size: pack.size, entries });
    } catch {
      unreadable.push(pack.name);
    }
  }
  return { recovered, unreadable };
}

/**
 * A marker holds the pack id and is named by the SHA-256 of that content, like every repository file
 * (so a check that names must match contents holds for it too).
 */
export function pendingMarker(packId: string): { handle: FileHandle; content: Buffer } {
  const content = Buffer.from(packId, 'latin1');
  return { handle: { type: 'pending', name: createHash('sha256').update(content).digest('hex') }, content };
}

/** Records a pack before it is stored: it must be findable if the run dies before its index is written. */
export async function markPending(backend: Backend, packId: string, options?: SaveOptions): Promise<void> {
  const { handle, content } = pendingMarker(packId);
  await backend.save(handle, content, options);
}

/** Forgets packs an index now lists. */
export async function clearPending(backend: Backend, packIds: readonly string[]): Promise<void> {
  await inBatches(packIds, MARKER_CONCURRENCY, (id) => backend.remove(pendingMarker(id).handle));
}

export interface PendingPacks {
  /** Packs that landed but no index lists: to be indexed from their headers. */
  recovered: RecoveredPack[];
  /** Packs that landed but whose header cannot be read: left (with their markers) for check. */
  unreadable: string[];
  /** Marked packs an index already lists, or that never landed: their markers can go. */
  settled: string[];
  /** Marked packs that are not there: a killed run died before storing them, or a live one is storing them. */
  absent: string[];
}

const MARKER_CONCURRENCY = 16;

/**
 * What the pending markers say a killed run left. Only reads: safe to run while the lock is being
 * confirmed. The repository's index must be loaded.
 */
export async function findPendingPacks(repo: Repository): Promise<PendingPacks> {
  const found: PendingPacks = { recovered: [], unreadable: [], settled: [], absent: [] };
  const markers = await repo.backend.list('pending');
  await inBatches(markers, MARKER_CONCURRENCY, async (marker) => {
    const packId = (await repo.backend.read({ type: 'pending', name: marker.name })).toString('latin1');
    if (!/^[0-9a-f]{64}$/.test(packId) || pendingMarker(packId).handle.name !== marker.name) return; // not ours: leave it
    if (repo.index.hasPack(packId)) {
      found.settled.push(packId);
      return;
    }
    const pack = await repo.backend.stat({ type: 'data', name: packId });
    if (pack === undefined) {
      found.absent.push(packId);
      return;
    }
    try {
      found.recovered.push({ id: packId, size: pack.size, entries: await readPackHeader(repo, pack) });
    } catch {
      found.unreadable.push(packId);
    }
  });
  return found;
}

async function inBatches<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
