/**
 * Drive copy worker: synchronous, large sequential I/O through one reused window of WebAssembly memory.
 *   copy:   read each file of a batch into the window, MD5 every 4 MiB piece while the bytes are in
 *           memory (md5Lanes: up to twelve pieces side by side), write that same window to a
 *           temporary file on the drive, fdatasync, rename into place. A file larger than the window
 *           streams through it. The fdatasync and rename run on the thread pool while the worker
 *           reads its next batch, so the drive flushes while the staging location is read.
 *   verify: read files back, MD5 every piece, SHA-256 the whole file when its name is its SHA-256
 *           (repository files), and report every difference.
 * Direct I/O (O_DIRECT) where the platform and file system take it, for reading the source, writing
 * the drive and reading it back: the disk moves the bytes to and from the window itself, so the
 * kernel copies nothing through the page cache. On two cores that is most of the CPU a copy costs
 * besides MD5 (measured on 1.1 GB: 0.9 s of system time buffered, 0.1 s direct), and a verify that
 * reads directly reads the drive, not what the page cache still holds of the copy. A direct write
 * covers whole sectors: the last one of a file is padded, and the file cut to its length afterwards.
 * A file system that refuses direct I/O (EINVAL) gets buffered I/O for that file.
 * A shared cancel flag is checked between windows: a cancelled copy removes its temporary file.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fdatasync, fstatSync, ftruncateSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { BLOCK_SIZE } from './driveNames.ts';
import { createMd5Lanes } from './md5Lanes.ts';
import type { CopyFile, VerifyFile, WorkerReply, WorkerRequest, WorkerSetup } from './workerMessages.ts';

const setup = workerData as WorkerSetup;
const lanes = createMd5Lanes(setup.windowBytes, setup.md5Backend, undefined, setup.md5Module);
const windowBytes = Math.floor(lanes.dataBytes / BLOCK_SIZE) * BLOCK_SIZE;
const window = Buffer.from(lanes.bytes.buffer, lanes.bytes.byteOffset + lanes.dataOffset, windowBytes);
const cancelFlag = new Int32Array(setup.cancel);
const port = parentPort!;

class Cancelled extends Error {}

function checkCancel(): void {
  if (Atomics.load(cancelFlag, 0) !== 0) throw new Cancelled('cancelled');
}

function readFully(fd: number, at: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, window, at + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function writeFully(fd: number, at: number, length: number, position: number): void {
  let done = 0;
  while (done < length) done += writeSync(fd, window, at + done, length - done, position + done);
}

/** Direct I/O moves whole sectors between sector-aligned memory and sector-aligned file offsets. */
const SECTOR = 4096;

function alignUp(n: number): number {
  return Math.ceil(n / SECTOR) * SECTOR;
}

/** An open file and whether it still does direct I/O (it drops to buffered when refused). */
interface Handle {
  fd: number;
  direct: boolean;
}

const DIRECT = typeof constants.O_DIRECT === 'number' ? constants.O_DIRECT : 0;

function openDirect(path: string, flags: number, mode?: number): Handle {
  if (setup.directIo && DIRECT !== 0) {
    try {
      return { fd: openSync(path, flags | DIRECT, mode), direct: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
    }
  }
  return { fd: openSync(path, flags, mode), direct: false };
}

/**
 * Reads up to `length` bytes at `position` into the window at `at` (a sector multiple); returns how
 * many there were. Direct reads ask for whole sectors, so up to a sector past `length` may be read
 * into the window: `at + alignUp(length)` must lie within it.
 */
function readAt(handle: Handle, at: number, length: number, position: number): number {
  if (handle.direct) {
    const aligned = alignUp(length);
    try {
      let done = 0;
      while (done < aligned) {
        const n = readSync(handle.fd, window, at + done, aligned - done, position + done);
        if (n === 0) break;
        done += n;
        if (done % 512 !== 0) break; // end of file
      }
      return done;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      handle.direct = false; // this file system does not do direct I/O after all
    }
  }
  return readFully(handle.fd, at, length, position);
}

/**
 * Writes `length` bytes from the window at `at` to `position`. A direct write covers the last sector
 * whole (the bytes past `length` are cut off by endTarget); a refused direct write is done buffered,
 * through a second descriptor without O_DIRECT.
 */
function writeAt(handle: Handle, path: string, at: number, length: number, position: number): void {
  if (handle.direct) {
    try {
      writeFully(handle.fd, at, alignUp(length), position);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      const buffered = openSync(path, constants.O_WRONLY);
      closeSync(handle.fd);
      handle.fd = buffered;
      handle.direct = false;
    }
  }
  writeFully(handle.fd, at, length, position);
}

/** The file's exact length: direct writes leave the last sector's padding behind. */
function endTarget(handle: Handle, length: number): void {
  if (handle.direct && length % SECTOR !== 0) ftruncateSync(handle.fd, length);
}

function hex(digests: Buffer[]): string[] {
  return digests.map((d) => d.toString('hex').toUpperCase());
}

function pieceRanges(at: number, length: number): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  for (let p = 0; p < length; p += BLOCK_SIZE) out.push({ offset: lanes.dataOffset + at + p, length: Math.min(BLOCK_SIZE, length - p) });
  return out;
}

function changed(file: { source: string }, detail: string): never {
  const error = new Error(`${file.source} changed while it was copied (${detail})`) as NodeJS.ErrnoException;
  error.code = 'EFILECHANGED';
  error.path = file.source;
  throw error;
}

/**
 * One copy request in flight in this worker. The synchronous part (read, hash, write) ends with a
 * "ready" reply, so the next request can start while this one's fdatasyncs (on the thread pool) finish;
 * each file is renamed into place and reported once durable, and "copied" follows the last one.
 */
class CopyJob {
  private outstanding = 0;
  private readyDone = false;
  private failed = false;
  readonly id: number;

  constructor(id: number) {
    this.id = id;
  }

  /** Writes the temporary file; data then goes durable in the background and is renamed into place. */
  writeTarget(file: CopyFile, index: number, md5: string[], write: (target: Handle) => void): void {
    const target = openDirect(file.temp, constants.O_CREAT | constants.O_TRUNC | constants.O_WRONLY, 0o644);
    try {
      write(target);
      endTarget(target, file.length);
    } catch (error) {
      closeSync(target.fd);
      rmSync(file.temp, { force: true });
      throw error;
    }
    const fd = target.fd;
    const finish = (error: NodeJS.ErrnoException | null): void => {
      this.outstanding--;
      try {
        closeSync(fd);
        if (error !== null) throw error;
        if (this.failed) {
          rmSync(file.temp, { force: true });
        } else {
          renameSync(file.temp, file.target);
          port.postMessage({ type: 'fileCopied', id: this.id, index, md5, length: file.length } satisfies WorkerReply);
        }
      } catch (failure) {
        rmSync(file.temp, { force: true });
        this.fail(failure);
      }
      this.maybeDone();
    };
    this.outstanding++;
    if (setup.sync) fdatasync(fd, finish);
    else finish(null);
  }

  ready(): void {
    this.readyDone = true;
    if (!this.failed) port.postMessage({ type: 'ready', id: this.id } satisfies WorkerReply);
    this.maybeDone();
  }

  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    reportFailure(this.id, error);
  }

  private maybeDone(): void {
    if (this.readyDone && this.outstanding === 0 && !this.failed) port.postMessage({ type: 'copied', id: this.id } satisfies WorkerReply);
  }
}

/** Copies files that fit the window together: one read each, one hashing pass, one write each. */
function copySmall(job: CopyJob, files: readonly CopyFile[]): void {
  const placed: { file: CopyFile; at: number }[] = [];
  let at = 0;
  for (const file of files) {
    checkCancel();
    const source = openDirect(file.source, constants.O_RDONLY);
    try {
      const n = readAt(source, at, file.length, 0);
      if (n !== file.length || fstatSync(source.fd).size !== file.length) changed(file, `expected ${file.length} bytes`);
    } finally {
      closeSync(source.fd);
    }
    placed.push({ file, at });
    at += alignUp(file.length);
  }
  const ranges = placed.flatMap((p) => pieceRanges(p.at, p.file.length));
  const digests = hex(lanes.digest(ranges));
  let next = 0;
  placed.forEach(({ file, at: start }, index) => {
    checkCancel();
    const count = Math.ceil(file.length / BLOCK_SIZE);
    const md5 = digests.slice(next, next + count);
    next += count;
    job.writeTarget(file, index, md5, (target) => writeAt(target, file.temp, start, file.length, 0));
    port.postMessage({ type: 'progress', bytes: file.length } satisfies WorkerReply);
  });
}

/** A file larger than the window: read, hash, write one window at a time. */
function copyLarge(job: CopyJob, file: CopyFile): void {
  const md5: string[] = [];
  const input = openDirect(file.source, constants.O_RDONLY);
  try {
    job.writeTarget(file, 0, md5, (target) => {
      for (let position = 0; position < file.length; position += windowBytes) {
        checkCancel();
        const want = Math.min(windowBytes, file.length - position);
        const got = readAt(input, 0, want, position);
        if (got < want) changed(file, 'shorter than when it was listed');
        if (got > want) changed(file, 'longer than when it was listed');
        md5.push(...hex(lanes.digest(pieceRanges(0, want))));
        writeAt(target, file.temp, 0, want, position);
        port.postMessage({ type: 'progress', bytes: want } satisfies WorkerReply);
      }
      if (fstatSync(input.fd).size !== file.length) changed(file, 'its size changed');
    });
  } finally {
    closeSync(input.fd);
  }
}

function reportFailure(id: number, error: unknown): void {
  if (error instanceof Cancelled) {
    port.postMessage({ type: 'cancelled', id } satisfies WorkerReply);
    return;
  }
  const e = error as NodeJS.ErrnoException;
  port.postMessage({ type: 'failed', id, code: e.code ?? 'EUNKNOWN', message: e.message, ...(e.path === undefined ? {} : { path: e.path }) } satisfies WorkerReply);
}

function verifyFile(file: VerifyFile): { problems: string[]; direct: boolean } {
  const problems: string[] = [];
  let handle: Handle;
  try {
    handle = openDirect(file.path, constants.O_RDONLY);
  } catch (error) {
    return { problems: [`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`], direct: false };
  }
  try {
    const size = fstatSync(handle.fd).size;
    if (size !== file.length) problems.push(`is ${size} bytes long, the manifest says ${file.length}`);
    const sha = file.sha256 === undefined ? undefined : createHash('sha256');
    let piece = 0;
    for (let position = 0; position < Math.min(size, file.length); position += windowBytes) {
      checkCancel();
      const want = Math.min(windowBytes, Math.min(size, file.length) - position);
      const got = Math.min(readAt(handle, 0, want, position), want);
      if (got !== want) {
        problems.push(`ends early at byte ${position + got}`);
        break;
      }
      const digests = hex(lanes.digest(pieceRanges(0, want)));
      for (const digest of digests) {
        const expected = file.md5[piece];
        if (expected !== undefined && digest !== expected) problems.push(`block ${piece} (offset ${piece * BLOCK_SIZE}) has MD5 ${digest}, the manifest says ${expected}`);
        piece++;
      }
      sha?.update(window.subarray(0, want));
    }
    if (sha !== undefined && problems.length === 0) {
      const actual = sha.digest('hex');
      if (actual !== file.sha256) problems.push(`its content's SHA-256 is ${actual.slice(0, 16)}…, not its name (keyless check)`);
    }
  } finally {
    closeSync(handle.fd);
  }
  return { problems, direct: handle.direct };
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'copy') {
    const job = new CopyJob(request.id);
    try {
      if (request.files.length === 1 && request.files[0]!.length > windowBytes) copyLarge(job, request.files[0]!);
      else copySmall(job, request.files);
      job.ready();
    } catch (error) {
      // A file being written removed its own temporary file; those written before it are dropped
      // as their fdatasync completes (the request failed, so they are not journalled).
      job.fail(error);
    }
    return;
  }
  try {
    const results = request.files.map((f) => {
      const outcome = verifyFile(f);
      port.postMessage({ type: 'progress', bytes: f.length } satisfies WorkerReply);
      return outcome;
    });
    port.postMessage({ type: 'verified', id: request.id, results } satisfies WorkerReply);
  } catch (error) {
    reportFailure(request.id, error);
  }
});
