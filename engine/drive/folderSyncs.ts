/**
 * Makes the names of copied files durable on the drive. A file's data is synced by the worker before it
 * is renamed into its folder; the rename itself lasts only once the folder is synced. Each folder is
 * synced as soon as the last file planned for it has landed, while the rest is still being copied, and
 * the folders above them (their entries were created too) at the end: the end of a copy then waits for a
 * few folders instead of a seed's few hundred.
 */
import { dirname } from 'node:path';
import { isWithin } from '../fs/pathWithin.ts';
import { syncDirectory } from './manifest.ts';

export class FolderSyncs {
  /** Files still to land, per folder. */
  private readonly filesLeft = new Map<string, number>();
  private readonly started: Promise<void>[] = [];
  private readonly root: string;
  private readonly syncFolder: (folder: string) => Promise<void>;

  /** targets: where the files will be renamed to; root: the top folder of the copy (synced too). */
  constructor(targets: Iterable<string>, root: string, syncFolder: (folder: string) => Promise<void> = syncDirectory) {
    this.root = root;
    this.syncFolder = syncFolder;
    for (const target of targets) {
      const folder = dirname(target);
      this.filesLeft.set(folder, (this.filesLeft.get(folder) ?? 0) + 1);
    }
  }

  /** A file is renamed into place: its folder is synced once it holds all its planned files. */
  fileLanded(target: string): void {
    const folder = dirname(target);
    const left = (this.filesLeft.get(folder) ?? 0) - 1;
    this.filesLeft.set(folder, left);
    if (left !== 0) return;
    const sync = this.syncFolder(folder);
    sync.catch(() => undefined); // awaited in finish()
    this.started.push(sync);
  }

  /**
   * Waits for the folders synced so far, and syncs the rest: folders whose files did not all land
   * (a copy cut short) and every folder between them and the root.
   */
  async finish(): Promise<void> {
    const rest = new Set<string>([this.root]);
    for (const [folder, left] of this.filesLeft) {
      if (left !== 0) rest.add(folder);
      for (let d = dirname(folder); isWithin(d, this.root) && !rest.has(d); d = dirname(d)) rest.add(d);
    }
    await Promise.all([...this.started, ...[...rest].map((folder) => this.syncFolder(folder))]);
  }
}
