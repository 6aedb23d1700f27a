/** locks/<id>: {"time","exclusive","hostname","username","pid","uid"?,"gid"?} (json.Marshal order). */
export interface LockInfo {
  time: string;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
  uid?: number;
  gid?: number;
}

export function encodeLock(lock: LockInfo): Buffer {
  const json: Record<string, unknown> = { time: lock.time, exclusive: lock.exclusive, hostname: lock.hostname, username: lock.username, pid: lock.pid };
  if (lock.uid) json.uid = lock.uid;
  if (lock.gid) json.gid = lock.gid;
  return Buffer.from(JSON.stringify(json), 'utf8');
}

export function decodeLock(json: Buffer): LockInfo | undefined {
  try {
    const v = JSON.parse(json.toString('utf8')) as Partial<LockInfo>;
    if (typeof v.time !== 'string' || typeof v.pid !== 'number') return undefined;
    return { time: v.time, exclusive: v.exclusive === true, hostname: String(v.hostname ?? ''), username: String(v.username ?? ''), pid: v.pid };
  } catch {
    return undefined;
  }
}
