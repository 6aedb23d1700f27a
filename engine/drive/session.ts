/**
 * A copy session: one source (the staged repository, or a folder or file) spread over up to ten
 * drives, one drive after the other. <sessionId>.session.json (next to the journals: the staging
 * location's drives/ folder for a seed, the journal's folder otherwise) lists the session's drives and
 * what the session copies, so the next drive continues where the last one stopped and a rerun with
 * other settings is refused instead of mixing two sessions. Written atomically; no secrets.
 * <sessionId>.lock keeps two runs from working on one session at once (a dead run's lock is taken over).
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { BlobType, Disposition } from './driveNames.ts';

export const SESSION_FORMAT = 'offlineseed-drive-session';

export type DriveState = 'InProgress' | 'NeedsNextDrive' | 'Complete';

export interface SessionDrive {
  driveId: string;
  driveNumber: number;
  journalPath: string;
  driveInfoPath: string;
  state: DriveState;
  files: number;
  bytes: number;
  manifestHash?: string;
}

/** What the session copies: a rerun must describe the same thing. */
export interface SessionSource {
  mode: 'seed' | 'import';
  /** Seed: the staging location. Import: the source folder or file. */
  source: string;
  /** container/prefix/ or container/blob, as given (seed: from the descriptor). */
  destination: string;
  blobType: BlobType;
  disposition: Disposition;
  metadataHash?: string;
  propertiesHash?: string;
}

export interface SessionFile extends SessionSource {
  format: typeof SESSION_FORMAT;
  version: 1;
  sessionId: string;
  drives: SessionDrive[];
  /** True once every file of the source is on a closed drive. */
  complete: boolean;
  createdAt: string;
  updatedAt: string;
}

export function sessionFilePath(dir: string, sessionId: string): string {
  return join(dir, `${sessionId}.session.json`);
}

export async function readSession(path: string): Promise<SessionFile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as SessionFile;
    if (value.format !== SESSION_FORMAT || value.version !== 1 || !Array.isArray(value.drives)) throw new Error('unknown format');
    return value;
  } catch {
    throw new OfflineSeedError('OfflineSeed.SessionCorrupt', 'InvalidData', `the session file ${path} is damaged`, {
      targetObject: path,
      recommendedAction: 'Restore it from a copy; the drive journals next to it still say what is on each drive.',
    });
  }
}

export async function writeSession(path: string, session: SessionFile): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  try {
    await fh.writeFile(JSON.stringify({ ...session, updatedAt: new Date().toISOString() }, null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(temp, path);
}

/** The field that differs between a session and a rerun's settings, if any. */
export function sessionMismatch(session: SessionFile, source: SessionSource): string | undefined {
  for (const key of ['mode', 'source', 'destination', 'blobType', 'disposition', 'metadataHash', 'propertiesHash'] as const) {
    if ((session[key] ?? '') !== (source[key] ?? '')) return key;
  }
  return undefined;
}

export interface SessionLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockSession(dir: string, sessionId: string): Promise<SessionLock> {
  const path = join(dir, `${sessionId}.lock`);
  await fs.mkdir(dir, { recursive: true });
  const content = JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fs.open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
      try {
        await fh.writeFile(content);
      } finally {
        await fh.close();
      }
      return { release: () => fs.rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: { pid?: number; host?: string; at?: string } = {};
    try {
      holder = JSON.parse(await fs.readFile(path, 'utf8')) as typeof holder;
    } catch {
      // Unreadable or half-written: a run died while taking the lock.
    }
    const sameHost = holder.host === hostname();
    if (typeof holder.pid === 'number' && (!sameHost || alive(holder.pid)) && holder.pid !== process.pid) {
      throw new OfflineSeedError('OfflineSeed.SessionBusy', 'ResourceBusy', `copy session ${sessionId} is in use by process ${holder.pid}${sameHost ? '' : ` on ${holder.host ?? 'another computer'}`} since ${holder.at ?? '?'}`, {
        targetObject: path,
        recommendedAction: sameHost
          ? 'Wait for that run to finish (or stop it), then run the command again.'
          : `If no run on ${holder.host ?? 'that computer'} uses this session any more, delete ${path} and run again.`,
      });
    }
    await fs.rm(path, { force: true }); // the holder is gone (killed): take the lock over
  }
  throw new OfflineSeedError('OfflineSeed.SessionBusy', 'ResourceBusy', `could not lock copy session ${sessionId}`, { targetObject: path });
}
