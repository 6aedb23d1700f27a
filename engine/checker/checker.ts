/**
 * Test-OfflineSeed. Keyless: every file's name is the SHA-256 of its bytes (works on a shipped drive
 * without the password). Structural: index ↔ pack headers ↔ pack sizes, snapshots → trees → blobs all
 * present. With read-data: every blob of the selected packs is decrypted, decompressed and hashed.
 */
import { createHash } from 'node:crypto';
import type { EventSink } from '../protocol/eventSink.ts';
import { CancelledError } from '../protocol/errors.ts';
import type { Backend, FileInfo, FileType } from '../repo/backend/backend.ts';
import type { BlobLocation } from '../repo/format/blob.ts';
import { readPackHeader } from '../repo/packRecovery.ts';
import { decodeBlob, type Repository } from '../repo/repository.ts';
import { selectPackSubset } from './packSubset.ts';

export type ProblemKind =
  | 'PackNameMismatch' | 'PackMissing' | 'PackUnreadable' | 'PackHeaderMismatch' | 'BlobCorrupt' | 'BlobMissing'
  | 'IndexUnreadable' | 'SnapshotUnreadable' | 'TreeUnreadable' | 'UnreferencedPack' | 'LockStale';

export interface Problem {
  kind: ProblemKind;
  object: string;
  message: string;
}

export interface CheckReport {
  packs: number;
  packsRead: number;
  blobs: number;
  snapshots: number;
  bytesRead: number;
  problems: Problem[];
}

export interface CheckContext {
  events: EventSink;
  signal: AbortSignal;
}

const PROGRESS_ID = 1;

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Names must be the hash of the content, for every type but config and keys… keys too, in fact. */
export async function checkKeyless(backend: Backend, context: CheckContext, types: readonly FileType[] = ['keys', 'index', 'snapshots', 'data']): Promise<CheckReport> {
  const report: CheckReport = { packs: 0, packsRead: 0, blobs: 0, snapshots: 0, bytesRead: 0, problems: [] };
  const files: { type: FileType; info: FileInfo }[] = [];
  for (const type of types) for (const info of await backend.list(type)) files.push({ type, info });
  const total = files.reduce((n, f) => n + f.info.size, 0);
  for (const { type, info } of files) {
    if (context.signal.aborted) throw new CancelledError();
    const bytes = await backend.read({ type, name: info.name });
    report.bytesRead += bytes.length;
    if (type === 'data') {
      report.packs++;
      report.packsRead++;
    }
    if (type === 'snapshots') report.snapshots++;
    if (sha256(bytes) !== info.name) {
      report.problems.push({ kind: 'PackNameMismatch', object: `${type}/${info.name}`, message: `${type}/${info.name}: the content's SHA-256 differs from the name (the file is damaged)` });
    }
    context.events.progress({ id: PROGRESS_ID, activity: 'Checking file hashes (keyless)', status: `${type}/${info.name.slice(0, 12)}`, percent: total > 0 ? (report.bytesRead / total) * 100 : 100 });
  }
  context.events.progress({ id: PROGRESS_ID, activity: 'Checking file hashes (keyless)', status: 'done', percent: 100, completed: true });
  return report;
}

export interface StructureOptions {
  readData: boolean;
  subset?: string;
}

export async function checkRepository(repo: Repository, context: CheckContext, options: StructureOptions): Promise<CheckReport> {
  const report: CheckReport = { packs: 0, packsRead: 0, blobs: 0, snapshots: 0, bytesRead: 0, problems: [] };
  const problem = (kind: ProblemKind, object: string, message: string): void => {
    report.problems.push({ kind, object, message });
  };

  for (const file of await repo.backend.list('index')) {
    try {
      await repo.loadUnpacked('index', file.name);
    } catch (error) {
      problem('IndexUnreadable', `index/${file.name}`, (error as Error).message);
    }
  }
  try {
    await repo.loadIndex();
  } catch (error) {
    problem('IndexUnreadable', 'index', (error as Error).message);
  }

  // Index entries grouped by pack.
  const byPack = new Map<string, BlobLocation[]>();
  for (const blob of repo.index.entries()) {
    const list = byPack.get(blob.packId);
    if (list === undefined) byPack.set(blob.packId, [blob]);
    else list.push(blob);
  }
  report.blobs = repo.index.size;
  const packFiles = new Map((await repo.backend.list('data')).map((f) => [f.name, f]));
  report.packs = packFiles.size;
  for (const name of packFiles.keys()) if (!byPack.has(name)) problem('UnreferencedPack', `data/${name}`, `pack ${name} is not in any index (left over from an interrupted run; harmless, ignored by restore)`);

  let n = 0;
  for (const [packId, blobs] of byPack) {
    if (context.signal.aborted) throw new CancelledError();
    n++;
    context.events.progress({ id: PROGRESS_ID, activity: 'Checking packs', status: `${n} of ${byPack.size}`, percent: (n / byPack.size) * 100 });
    const file = packFiles.get(packId);
    if (file === undefined) {
      problem('PackMissing', `data/${packId}`, `pack ${packId} is listed in the index but missing (${blobs.length} blobs)`);
      continue;
    }
    try {
      const header = await readPackHeader(repo, file);
      const key = (b: { id: string; type: string; offset: number; length: number; uncompressedLength: number }): string => `${b.type}:${b.id}:${b.offset}:${b.length}:${b.uncompressedLength}`;
      const inHeader = new Set(header.map(key));
      const missing = blobs.filter((b) => !inHeader.has(key(b)));
      if (missing.length > 0) problem('PackHeaderMismatch', `data/${packId}`, `pack ${packId}: ${missing.length} index entries do not match the pack header`);
    } catch (error) {
      problem('PackUnreadable', `data/${packId}`, `pack ${packId}: ${(error as Error).message}`);
      continue;
    }
  }
  context.events.progress({ id: PROGRESS_ID, activity: 'Checking packs', status: 'done', percent: 100, completed: true });

  await checkSnapshots(repo, report, problem, context);

  if (options.readData) {
    const selected = selectPackSubset([...byPack.keys()].filter((p) => packFiles.has(p)).sort(), options.subset);
    const totalBytes = selected.reduce((s, p) => s + packFiles.get(p)!.size, 0);
    for (const packId of selected) {
      if (context.signal.aborted) throw new CancelledError();
      const bytes = await repo.backend.read({ type: 'data', name: packId });
      report.bytesRead += bytes.length;
      report.packsRead++;
      context.events.progress({ id: PROGRESS_ID, activity: 'Reading all data', status: `${report.packsRead} of ${selected.length} packs`, percent: totalBytes > 0 ? (report.bytesRead / totalBytes) * 100 : 100 });
      if (sha256(bytes) !== packId) {
        problem('PackNameMismatch', `data/${packId}`, `pack ${packId}: the content's SHA-256 differs from the name (the file is damaged)`);
      }
      for (const blob of byPack.get(packId)!) {
        try {
          decodeBlob(repo.key, bytes.subarray(blob.offset, blob.offset + blob.length), blob);
        } catch (error) {
          problem('BlobCorrupt', `data/${packId}`, (error as Error).message);
        }
      }
    }
    context.events.progress({ id: PROGRESS_ID, activity: 'Reading all data', status: 'done', percent: 100, completed: true });
  }
  return report;
}

interface LooseNode {
  type?: string;
  content?: string[] | null;
  subtree?: string;
}

async function checkSnapshots(repo: Repository, report: CheckReport, problem: (k: ProblemKind, o: string, m: string) => void, context: CheckContext): Promise<void> {
  const seenTrees = new Set<string>();
  for (const file of await repo.backend.list('snapshots')) {
    let tree: string;
    try {
      const snapshot = JSON.parse((await repo.loadUnpacked('snapshots', file.name)).toString('utf8')) as { tree: string };
      tree = snapshot.tree;
      report.snapshots++;
    } catch (error) {
      problem('SnapshotUnreadable', `snapshots/${file.name}`, (error as Error).message);
      continue;
    }
    const stack = [tree];
    while (stack.length > 0) {
      if (context.signal.aborted) throw new CancelledError();
      const id = stack.pop()!;
      if (seenTrees.has(id)) continue;
      seenTrees.add(id);
      let nodes: LooseNode[];
      try {
        nodes = (JSON.parse((await repo.loadBlob('tree', id)).toString('utf8')) as { nodes: LooseNode[] }).nodes;
      } catch (error) {
        problem('TreeUnreadable', `tree ${id}`, (error as Error).message);
        continue;
      }
      for (const node of nodes) {
        if (node.type === 'dir' && typeof node.subtree === 'string') stack.push(node.subtree);
        for (const blob of node.content ?? []) {
          if (!repo.index.has('data', blob)) problem('BlobMissing', `data blob ${blob}`, `data blob ${blob} (in tree ${id}) is not in the index`);
        }
      }
    }
  }
}
