/**
 * Repository locks as restic uses them: a backup holds a non-exclusive lock, check/prune an exclusive one.
 * The lock is refreshed every 5 minutes (others treat locks older than 30 minutes as stale). Stale
 * locks of this host whose process is gone (e.g. a run killed with -9) are removed, as `restic unlock`
 * would; live or foreign locks are never touched.
 */
import { hostname, userInfo } from 'node:os';
import { OfflineSeedError } from '../protocol/errors.ts';
import { decodeLock, encodeLock, type LockInfo } from './format/lockFile.ts';
import { rfc3339Now } from './format/timestamp.ts';
import type { Repository } from './repository.ts';

const REFRESH_MS = 5 * 60_000;
const STALE_MS = 30 * 60_000;

export interface HeldLock {
  /** Other live (or unreadable) locks were there when this one was confirmed: another run may be writing. */
  shared: boolean;
  release(): Promise<void>;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isStale(lock: LockInfo, now = Date.now()): boolean {
  const age = now - Date.parse(lock.time);
  if (!(age < STALE_MS)) return true;
  return lock.hostname === hostname() && !processIsAlive(lock.pid);
}

function newLock(exclusive: boolean): LockInfo {
  let username = '';
  try {
    username = userInfo().username;
  } catch {
    username = '';
  }
  return { time: rfc3339Now(), exclusive, hostname: hostname(), username, pid: process.pid };
}

async function otherLocks(repo: Repository, ownId: string | undefined): Promise<{ id: string; lock: LockInfo | undefined }[]> {
  const out: { id: string; lock: LockInfo | undefined }[] = [];
  for (const file of await repo.backend.list('locks')) {
    if (file.name === ownId) continue;
    try {
      out.push({ id: file.name, lock: decodeLock(await repo.loadUnpacked('locks', file.name)) });
    } catch {
      out.push({ id: file.name, lock: undefined });
    }
  }
  return out;
}

/** Removes locks that are provably dead: this host, process gone. */
export async function removeDeadLocalLocks(repo: Repository): Promise<number> {
  let removed = 0;
  for (const { id, lock } of await otherLocks(repo, undefined)) {
    if (lock !== undefined && lock.hostname === hostname() && !processIsAlive(lock.pid)) {
      await repo.backend.remove({ type: 'locks', name: id });
      removed++;
    }
  }
  return removed;
}

/** restic waits 200 ms for competing locks to show; tests stretch it (OFFLINESEED_LOCK_SETTLE_MS) to act inside the window. */
function defaultSettleMs(): number {
  const fromEnv = Number(process.env.OFFLINESEED_LOCK_SETTLE_MS);
  return Number.isFinite(fromEnv) && fromEnv >= 200 ? fromEnv : 200;
}

export async function acquireLock(repo: Repository, exclusive: boolean, settleMs = defaultSettleMs()): Promise<HeldLock> {
  await removeDeadLocalLocks(repo);
  const conflictIn = (locks: { lock: LockInfo | undefined }[]): LockInfo | undefined =>
    locks.find(({ lock }) => lock !== undefined && (exclusive || lock.exclusive))?.lock;
  const before = conflictIn(await otherLocks(repo, undefined));
  if (before !== undefined) throw lockedError(repo, before);
  let id = await repo.saveUnpacked('locks', encodeLock(newLock(exclusive)));
  await new Promise((r) => setTimeout(r, settleMs));
  const others = await otherLocks(repo, id);
  const after = conflictIn(others);
  if (after !== undefined) {
    await repo.backend.remove({ type: 'locks', name: id });
    throw lockedError(repo, after);
  }
  const timer = setInterval(() => {
    void (async () => {
      const fresh = await repo.saveUnpacked('locks', encodeLock(newLock(exclusive)));
      await repo.backend.remove({ type: 'locks', name: id });
      id = fresh;
    })().catch(() => undefined);
  }, REFRESH_MS);
  timer.unref();
  return {
    shared: others.some(({ lock }) => lock === undefined || !isStale(lock)),
    async release() {
      clearInterval(timer);
      await repo.backend.remove({ type: 'locks', name: id });
    },
  };
}

function lockedError(repo: Repository, lock: LockInfo): OfflineSeedError {
  const kind = lock.exclusive ? 'exclusively ' : '';
  return new OfflineSeedError('OfflineSeed.RepositoryLocked', 'ResourceBusy',
    `the repository at ${repo.backend.location} is ${kind}locked by PID ${lock.pid} on ${lock.hostname} since ${lock.time}`, {
      targetObject: repo.backend.location,
      recommendedAction: 'Wait for that operation to finish. If it is gone for good, remove the lock with "restic unlock".',
    });
}
