/**
 * A repository in a local folder (or a mounted share), laid out exactly as restic's local backend:
 * config, keys/, data/<2 hex>/<id>, index/, snapshots/, locks/. Writes go to .offlineseed-tmp/ first
 * (restic ignores unknown top-level folders), are fsynced and renamed into place, then made read-only.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { OfflineSeedError } from '../../protocol/errors.ts';
import { folderOf, type Backend, type FileHandle, type FileInfo, type FileType, type SaveOptions } from './backend.ts';

export const TEMP_DIR = '.offlineseed-tmp';

export class LocalBackend implements Backend {
  readonly location: string;
  private readonly madeDirs = new Set<string>();

  constructor(root: string) {
    this.location = root;
  }

  pathOf(handle: FileHandle): string {
    if (handle.type === 'config') return join(this.location, 'config');
    if (!/^[0-9a-f]{64}$/.test(handle.name)) throw new Error(`invalid ${handle.type} file name ${handle.name}`);
    if (handle.type === 'data') return join(this.location, 'data', handle.name.slice(0, 2), handle.name);
    return join(this.location, folderOf(handle.type), handle.name);
  }

  async create(): Promise<void> {
    await fs.mkdir(this.location, { recursive: true });
    if (await exists(join(this.location, 'config'))) {
      throw new OfflineSeedError('OfflineSeed.RepositoryExists', 'ResourceExists', `a repository already exists at ${this.location}`, { targetObject: this.location });
    }
    for (const dir of ['keys', 'index', 'snapshots', 'locks', TEMP_DIR]) await fs.mkdir(join(this.location, dir), { recursive: true, mode: 0o700 });
    for (let i = 0; i < 256; i++) await fs.mkdir(join(this.location, 'data', i.toString(16).padStart(2, '0')), { recursive: true, mode: 0o700 });
  }

  async list(type: FileType): Promise<FileInfo[]> {
    if (type === 'config') {
      const info = await this.stat({ type, name: 'config' });
      return info === undefined ? [] : [info];
    }
    const dirs = type === 'data'
      ? (await readdirOrEmpty(join(this.location, 'data'))).filter((d) => /^[0-9a-f]{2}$/.test(d)).map((d) => join(this.location, 'data', d))
      : [join(this.location, folderOf(type))];
    const out: FileInfo[] = [];
    for (const dir of dirs) {
      for (const name of await readdirOrEmpty(dir)) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue;
        const st = await fs.stat(join(dir, name));
        if (st.isFile()) out.push({ name, size: st.size });
      }
    }
    return out;
  }

  async read(handle: FileHandle, offset?: number, length?: number): Promise<Buffer> {
    const path = this.pathOf(handle);
    if (offset === undefined) return fs.readFile(path);
    const fh = await fs.open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const start = offset < 0 ? Math.max(0, size + offset) : offset;
      const count = Math.max(0, Math.min(length ?? size - start, size - start));
      const buf = Buffer.allocUnsafe(count);
      let done = 0;
      while (done < count) {
        const { bytesRead } = await fh.read(buf, done, count - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    } finally {
      await fh.close();
    }
  }

  async stat(handle: FileHandle): Promise<FileInfo | undefined> {
    try {
      const st = await fs.stat(this.pathOf(handle));
      return { name: handle.name, size: st.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async save(handle: FileHandle, data: Buffer | readonly Buffer[], options: SaveOptions = {}): Promise<void> {
    const path = this.pathOf(handle);
    const tempDir = join(this.location, TEMP_DIR);
    await this.ensureDir(tempDir);
    const temp = join(tempDir, `${handle.type}-${handle.name.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    const fh = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    try {
      if (Buffer.isBuffer(data)) await fh.writeFile(data);
      else await writeAll(fh, data);
      if (options.durable !== false) await fh.sync();
    } catch (error) {
      await fh.close();
      await fs.rm(temp, { force: true });
      throw error;
    }
    await fh.close();
    await this.ensureDir(dirname(path));
    await fs.chmod(temp, 0o400);
    await fs.rename(temp, path);
  }

  async flush(handles: readonly FileHandle[]): Promise<void> {
    // Windows cannot flush through a read-only handle, and our files are read-only there; NTFS
    // journaling plus the later index write ordering is what we rely on on that platform.
    if (process.platform === 'win32') return;
    await Promise.all(handles.map(async (handle) => {
      const fh = await fs.open(this.pathOf(handle), 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }));
  }

  async remove(handle: FileHandle): Promise<void> {
    await fs.rm(this.pathOf(handle), { force: true });
  }

  /** Leftovers of an interrupted run: temporary files never renamed into place. */
  async removeTemporaryFiles(): Promise<number> {
    const dir = join(this.location, TEMP_DIR);
    const names = await readdirOrEmpty(dir);
    for (const name of names) await fs.rm(join(dir, name), { force: true });
    return names.length;
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    this.madeDirs.add(dir);
  }
}

/** writev in batches (IOV_MAX is 1024 on Linux), resuming after short writes. */
async function writeAll(fh: fs.FileHandle, parts: readonly Buffer[]): Promise<void> {
  let queue = parts.filter((p) => p.length > 0);
  while (queue.length > 0) {
    const batch = queue.slice(0, 512);
    let { bytesWritten } = await fh.writev(batch);
    let consumed = 0;
    while (consumed < batch.length && bytesWritten >= batch[consumed]!.length) {
      bytesWritten -= batch[consumed]!.length;
      consumed++;
    }
    queue = queue.slice(consumed);
    if (bytesWritten > 0) queue[0] = queue[0]!.subarray(bytesWritten);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
