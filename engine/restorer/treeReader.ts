/**
 * Reads a snapshot's tree blobs ahead of the walk that needs them. Walking one folder at a time costs a
 * read round trip per folder (several thread-pool hops locally, a request to the cloud), and the restore
 * workers sit idle until the walk ends; so each folder's subtrees are read while the walk goes on.
 * Depth first, like the walk: a folder's subtrees go ahead of those announced earlier, first one first.
 * At most READ_AHEAD trees are being read or waiting to be taken, so memory stays bounded.
 */
import type { Repository } from '../repo/repository.ts';

const READ_AHEAD = 16;

export class TreeReader {
  private readonly repo: Repository;
  /** Read (or being read) and not yet taken. */
  private readonly ahead = new Map<string, Promise<Buffer>>();
  /** Announced, not started; the next to start is last. */
  private readonly stack: string[] = [];
  private readonly announced = new Set<string>();

  constructor(repo: Repository) {
    this.repo = repo;
  }

  /** The walk will read these trees next, in this order. */
  prefetch(treeIds: readonly string[]): void {
    for (let i = treeIds.length - 1; i >= 0; i--) {
      const id = treeIds[i]!;
      if (this.ahead.has(id)) continue;
      this.announced.add(id);
      this.stack.push(id);
    }
    this.pump();
  }

  /** The tree blob's plaintext: read ahead, or read now. */
  read(treeId: string): Promise<Buffer> {
    this.announced.delete(treeId);
    const reading = this.ahead.get(treeId) ?? this.repo.loadBlob('tree', treeId);
    this.ahead.delete(treeId);
    this.pump();
    return reading;
  }

  private pump(): void {
    while (this.ahead.size < READ_AHEAD && this.stack.length > 0) {
      const id = this.stack.pop()!;
      // Taken already (read before its turn), or announced twice (the same subtree in two places).
      if (!this.announced.delete(id) || this.ahead.has(id)) continue;
      const reading = this.repo.loadBlob('tree', id);
      // A tree the walk never takes (cancelled, or it failed elsewhere) must not be an unhandled rejection.
      reading.catch(() => undefined);
      this.ahead.set(id, reading);
    }
  }
}
