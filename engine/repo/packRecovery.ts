/**
 * After an interrupted run, packs may exist that no index file lists yet (the run died between writing
 * a pack and writing the index). Their headers say exactly which blobs they hold, so they are indexed
 * again instead of being stored twice. Unreadable leftovers are reported and left for `check`.
 */
import type { FileInfo } from './backend/backend.ts';
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
