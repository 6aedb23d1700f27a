/**
 * Drive copy worker: large sequential I/O through a window of WebAssembly memory in two slots.
 *   copy:   read the files of a batch into a free slot (on the thread pool), write that same slot to
 *           temporary files on the drive (thread pool) and meanwhile MD5 every 4 MiB piece of it
 *           (md5Lanes: up to twelve pieces side by side), fdatasync, rename into place (making the
 *           file's folder on the drive first if need be).
 *           While one slot is hashed and written, the next batch is read into the other, so the
 *           source, the drive and the CPU work at the same time. A file larger than a slot streams
 *           through both slots.
 *   verify: read files back, MD5 every piece, SHA-256 the whole file when its name is its SHA-256
 *           (repository files), and report every difference; each request through a slot of its own,
 *           so two requests read and hash side by side.
 * Direct I/O (O_DIRECT) where the platform and file system take it, for writing the drive and reading
 * it back: the disk takes the bytes from the window itself, so the kernel copies nothing through the
 * page cache, and a verify that reads directly reads the drive, not what the page cache still holds of
 * the copy. A direct write covers whole sectors: the last one of a file is padded, and the file cut to
 * its length afterwards. A file system that refuses direct I/O (EINVAL) gets buffered I/O for that file.
 * The source is read through the page cache: the kernel's read-ahead keeps the source disk busy while
 * a batch is hashed and written (measured on 1.1 GB, cold cache: copy 1.29 s against 1.73 s with
 * direct reads, for 0.3 s more system time).
 * A shared cancel flag is checked between windows: a cancelled copy removes its temporary file.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fdatasync, fstatSync, ftruncateSync, mkdirSync, openSync, read, renameSync, rmSync, write } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { BLOCK_SIZE } from './driveNames.ts';
import { createMd5Lanes } from './md5Lanes.ts';
import { packTrailerProblem } from './packTrailer.ts';
import type { CopyFile, VerifyFile, WorkerReply, WorkerRequest, WorkerSetup } from './workerMessages.ts';

const setup = workerData as WorkerSetup;
/** Two slots: one being read while the other is hashed and written. */
const SLOTS = 2;
const slotBytes = setup.slotBytes;
const windowBytes = SLOTS * slotBytes;
const lanes = createMd5Lanes(windowBytes, setup.md5Backend, undefined, setup.md5Module);
const window = Buffer.from(lanes.bytes.buffer, lanes.bytes.byteOffset + lanes.dataOffset, windowBytes);
const cancelFlag = new Int32Array(setup.cancel);
const port = parentPort!;

class Cancelled extends Error {}

function checkCancel(): void {
  if (Atomics.load(cancelFlag, 0) !== 0) throw new Cancelled('cancelled');
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

/** A pack's end is in the window: refuse to copy a pack that cannot be whole. */
function checkPackTrailer(file: CopyFile, endAt: number): void {
  const problem = packTrailerProblem(window.readUInt32LE(endAt - 4), file.length);
  if (problem === undefined) return;
  const error = new Error(`the staged pack ${file.source} is damaged: ${problem}`) as NodeJS.ErrnoException;
  error.code = 'EPACKCORRUPT';
  error.path = file.source;
  throw error;
}

/**
 * Renames a finished file into place. Its folder is made here, when the first file for it lands: the
 * copy does not wait for a few hundred folders to be made before its first byte.
 */
function renameInto(temp: string, target: string): void {
  try {
    renameSync(temp, target);
  } catch (error) {
    if (ioError(error).code !== 'ENOENT') throw error;
    mkdirSync(dirname(target), { recursive: true });
    renameSync(temp, target);
  }
}

function changed(file: { source: string }, detail: string): never {
  const error = new Error(`${file.source} changed while it was copied (${detail})`) as NodeJS.ErrnoException;
  error.code = 'EFILECHANGED';
  error.path = file.source;
  throw error;
}

// ---------------------------------------------------------------------------------------------------
// Copy: a pipeline over the window's slots.
//
// A request (a batch of files that fits a slot, or one file larger than a slot) becomes segments of
// at most a slot each. A segment is read into a free slot (asynchronously, on the thread pool), then
// written from the same slot (asynchronously) while it is hashed here (segments in arrival order, so a
// large file's block MD5s come in order); its slot is free again once both are done. With two slots the
// next segment's reads are in flight while this one is hashed and written, so the disks do not wait
// for the CPU nor the reads for the writes. Each file is then made durable (fdatasync) and renamed
// into place in the background, and reported.

function ioError(error: unknown): NodeJS.ErrnoException {
  return error as NodeJS.ErrnoException;
}

function readAsync(fd: number, at: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, window, at, length, position, (error, n) => (error === null ? resolve(n) : reject(error)));
  });
}

function writeAsync(fd: number, at: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, window, at, length, position, (error, n) => (error === null ? resolve(n) : reject(error)));
  });
}

async function readFullyAsync(fd: number, at: number, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await readAsync(fd, at + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Reads up to `length` bytes at `position` into the window at `at` (a sector multiple), on the thread
 * pool; returns how many there were. Direct reads ask for whole sectors, so up to a sector past
 * `length` may be read into the window: `at + alignUp(length)` must lie within the slot.
 */
async function readAtAsync(handle: Handle, at: number, length: number, position: number): Promise<number> {
  if (handle.direct) {
    const aligned = alignUp(length);
    try {
      let done = 0;
      while (done < aligned) {
        const n = await readAsync(handle.fd, at + done, aligned - done, position + done);
        if (n === 0) break;
        done += n;
        if (done % 512 !== 0) break; // end of file
      }
      return done;
    } catch (error) {
      if (ioError(error).code !== 'EINVAL') throw error;
      handle.direct = false;
    }
  }
  return readFullyAsync(handle.fd, at, length, position);
}

/** An open target; a refused direct write swaps in a buffered descriptor (the old one closes at the end). */
interface Target extends Handle {
  retired: number[];
}

/**
 * Writes `length` bytes from the window at `at` to `position`, on the thread pool. A direct write
 * covers the last sector whole (the bytes past `length` are cut off by endTarget).
 */
async function writeAtAsync(target: Target, path: string, at: number, length: number, position: number): Promise<void> {
  if (target.direct) {
    const fd = target.fd;
    try {
      const aligned = alignUp(length);
      let done = 0;
      while (done < aligned) done += await writeAsync(fd, at + done, aligned - done, position + done);
      return;
    } catch (error) {
      if (ioError(error).code !== 'EINVAL') throw error;
      if (target.direct) {
        target.retired.push(target.fd);
        target.fd = openSync(path, constants.O_WRONLY);
        target.direct = false;
      }
    }
  }
  let done = 0;
  while (done < length) done += await writeAsync(target.fd, at + done, length - done, position + done);
}

function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fdatasync(fd, (error) => (error === null ? resolve() : reject(error)));
  });
}

/** One file of a request: its target and block MD5s, filled in by one or more segments. */
class FileCopy {
  readonly file: CopyFile;
  readonly index: number;
  readonly md5: string[] = [];
  target?: Target;
  /** Segments of this file not yet written. */
  segmentsLeft: number;

  constructor(file: CopyFile, index: number, segments: number) {
    this.file = file;
    this.index = index;
    this.segmentsLeft = segments;
  }

  open(): Target {
    this.target ??= { ...openDirect(this.file.temp, constants.O_CREAT | constants.O_TRUNC | constants.O_WRONLY, 0o644), retired: [] };
    return this.target;
  }

  closeAll(): void {
    if (this.target === undefined) return;
    for (const fd of [this.target.fd, ...this.target.retired]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.target = undefined;
  }
}

/** A piece of a file in a segment: bytes [position, position + length) of the file, at `at` in the slot. */
interface Piece {
  copy: FileCopy;
  position: number;
  length: number;
  /** Offset within the slot (a sector multiple). */
  at: number;
}

/** One request in this worker: its files, and the replies it owes. */
class CopyJob {
  readonly id: number;
  readonly files: FileCopy[];
  segmentsUnstarted: number;
  private filesLeft: number;
  private failed = false;
  readySent = false;

  constructor(id: number, files: FileCopy[], segments: number) {
    this.id = id;
    this.files = files;
    this.filesLeft = files.length;
    this.segmentsUnstarted = segments;
  }

  get isFailed(): boolean {
    return this.failed;
  }

  /** The file's last segment is written: trim, make durable, rename into place, report. */
  async finishFile(copy: FileCopy): Promise<void> {
    try {
      const target = copy.target!;
      endTarget(target, copy.file.length);
      if (setup.sync) await fdatasyncAsync(target.fd);
      copy.closeAll();
      if (this.failed) {
        rmSync(copy.file.temp, { force: true });
      } else {
        renameInto(copy.file.temp, copy.file.target);
        port.postMessage({ type: 'fileCopied', id: this.id, index: copy.index, md5: copy.md5, length: copy.file.length } satisfies WorkerReply);
      }
    } catch (error) {
      copy.closeAll();
      rmSync(copy.file.temp, { force: true });
      this.fail(error);
    }
    this.fileSettled();
  }

  /** A file that will not be finished (the request failed or was cancelled). */
  dropFile(copy: FileCopy): void {
    copy.closeAll();
    rmSync(copy.file.temp, { force: true });
    this.fileSettled();
  }

  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.readySent = true; // the final reply stands for it
    reportFailure(this.id, error);
  }

  private fileSettled(): void {
    this.filesLeft--;
    if (this.filesLeft > 0 || this.failed) return;
    this.readySent = true; // a request's "ready" comes before its final reply or not at all
    port.postMessage({ type: 'copied', id: this.id } satisfies WorkerReply);
  }
}

interface Segment {
  job: CopyJob;
  pieces: Piece[];
}

const freeSlots: number[] = Array.from({ length: SLOTS }, (_, i) => i * slotBytes);
const waiting: Segment[] = [];
let newestJob: CopyJob | undefined;
/** Hashing runs one segment at a time, in the order segments started. */
let hashChain: Promise<void> = Promise.resolve();

function segmentsOf(job: CopyJob): Segment[] {
  const files = job.files;
  if (files.length === 1 && files[0]!.file.length > slotBytes) {
    const copy = files[0]!;
    const out: Segment[] = [];
    for (let position = 0; position < copy.file.length; position += slotBytes) {
      out.push({ job, pieces: [{ copy, position, length: Math.min(slotBytes, copy.file.length - position), at: 0 }] });
    }
    return out;
  }
  let at = 0;
  const pieces = files.map((copy) => {
    const piece = { copy, position: 0, length: copy.file.length, at };
    at += alignUp(copy.file.length);
    return piece;
  });
  return [{ job, pieces }];
}

function startCopy(request: { id: number; files: CopyFile[] }): void {
  const large = request.files.length === 1 && request.files[0]!.length > slotBytes;
  const segments = large ? Math.ceil(request.files[0]!.length / slotBytes) : 1;
  const files = request.files.map((file, index) => new FileCopy(file, index, large ? segments : 1));
  const job = new CopyJob(request.id, files, segments);
  newestJob = job;
  waiting.push(...segmentsOf(job));
  pump();
}

/** Starts waiting segments on free slots; owes the newest request its "ready" once all of it started and a slot is free. */
function pump(): void {
  while (freeSlots.length > 0 && waiting.length > 0) {
    const segment = waiting.shift()!;
    const slot = freeSlots.shift()!;
    segment.job.segmentsUnstarted--;
    const hashed = runSegment(segment, slot);
    void hashed.finally(() => {
      freeSlots.push(slot);
      pump();
    });
  }
  const job = newestJob;
  if (job !== undefined && !job.readySent && job.segmentsUnstarted === 0 && freeSlots.length > 0) {
    job.readySent = true;
    if (!job.isFailed) port.postMessage({ type: 'ready', id: job.id } satisfies WorkerReply);
  }
}

/** Read, hash, write one segment; resolves when its slot may be reused. */
async function runSegment(segment: Segment, slot: number): Promise<void> {
  const { job, pieces } = segment;
  let hashTurn!: () => void;
  const previous = hashChain;
  hashChain = new Promise<void>((resolve) => {
    hashTurn = resolve;
  });
  try {
    if (job.isFailed) throw new Cancelled('request failed');
    checkCancel();
    await Promise.all(pieces.map(async (piece) => {
      const { copy } = piece;
      const source: Handle = { fd: openSync(copy.file.source, constants.O_RDONLY), direct: false };
      try {
        const n = await readAtAsync(source, slot + piece.at, piece.length, piece.position);
        if (piece.position + piece.length === copy.file.length || n < piece.length) {
          // The file's last piece: nothing past the listed length, and the same length now.
          if (Math.min(n, piece.length) !== piece.length) changed(copy.file, piece.position === 0 ? `expected ${copy.file.length} bytes` : 'shorter than when it was listed');
          if (fstatSync(source.fd).size !== copy.file.length) changed(copy.file, piece.position === 0 ? `expected ${copy.file.length} bytes` : 'its size changed');
          if (copy.file.pack === true && piece.length >= 4) checkPackTrailer(copy.file, slot + piece.at + piece.length);
        }
      } finally {
        closeSync(source.fd);
      }
    }));
    if (job.isFailed) throw new Cancelled('request failed');
    checkCancel();
    // The writes go out first and the slot is hashed while the drive takes them: neither changes the
    // slot, and the drive need not wait for the CPU (nor the next read for both in turn).
    const written = Promise.all(pieces.map(async (piece) => {
      const target = piece.copy.open();
      await writeAtAsync(target, piece.copy.file.temp, slot + piece.at, piece.length, piece.position);
      port.postMessage({ type: 'progress', bytes: piece.length } satisfies WorkerReply);
    }));
    written.catch(() => undefined); // awaited below, after the hash; a failure must not go unhandled meanwhile
    try {
      await previous;
      const digests = hex(lanes.digest(pieces.flatMap((p) => pieceRanges(slot + p.at, p.length))));
      let next = 0;
      for (const piece of pieces) {
        const count = Math.ceil(piece.length / BLOCK_SIZE);
        piece.copy.md5.push(...digests.slice(next, next + count));
        next += count;
      }
    } finally {
      hashTurn();
    }
    await written;
  } catch (error) {
    hashTurn();
    job.fail(error);
  }
  for (const piece of pieces) {
    piece.copy.segmentsLeft--;
    if (piece.copy.segmentsLeft > 0) continue;
    if (job.isFailed) job.dropFile(piece.copy);
    else void job.finishFile(piece.copy);
  }
  // A failed request's remaining segments are not read.
  if (job.isFailed) {
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i]!.job !== job) continue;
      const [dropped] = waiting.splice(i, 1);
      job.segmentsUnstarted--;
      for (const piece of dropped!.pieces) {
        piece.copy.segmentsLeft--;
        if (piece.copy.segmentsLeft === 0) job.dropFile(piece.copy);
      }
    }
  }
}

function failureReply(id: number, error: unknown): WorkerReply {
  if (error instanceof Cancelled) return { type: 'cancelled', id };
  const e = error as NodeJS.ErrnoException;
  return { type: 'failed', id, code: e.code ?? 'EUNKNOWN', message: e.message, ...(e.path === undefined ? {} : { path: e.path }) };
}

function reportFailure(id: number, error: unknown): void {
  port.postMessage(failureReply(id, error));
}

/** Reads a file back through one slot, a slot at a time: block MD5s, and the SHA-256 its name claims. */
async function verifyFile(file: VerifyFile, slot: number): Promise<{ problems: string[]; direct: boolean }> {
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
    for (let position = 0; position < Math.min(size, file.length); position += slotBytes) {
      checkCancel();
      const want = Math.min(slotBytes, Math.min(size, file.length) - position);
      const got = Math.min(await readAtAsync(handle, slot, want, position), want);
      if (got !== want) {
        problems.push(`ends early at byte ${position + got}`);
        break;
      }
      checkCancel();
      const digests = hex(lanes.digest(pieceRanges(slot, want)));
      for (const digest of digests) {
        const expected = file.md5[piece];
        if (expected !== undefined && digest !== expected) problems.push(`block ${piece} (offset ${piece * BLOCK_SIZE}) has MD5 ${digest}, the manifest says ${expected}`);
        piece++;
      }
      sha?.update(window.subarray(slot, slot + want));
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

/** A verify request whose "ready" is owed until a slot is free. */
let verifyOwed: number | undefined;

/** Verifies a request's files through a slot of its own, so two requests read and hash side by side. */
async function runVerify(request: { id: number; files: VerifyFile[] }): Promise<void> {
  const slot = freeSlots.shift();
  if (slot === undefined) throw new Error('internal: a verify request arrived with no free slot');
  if (freeSlots.length > 0) port.postMessage({ type: 'ready', id: request.id } satisfies WorkerReply);
  else verifyOwed = request.id;
  let reply: WorkerReply;
  try {
    const results: { problems: string[]; direct: boolean }[] = [];
    for (const f of request.files) {
      results.push(await verifyFile(f, slot));
      port.postMessage({ type: 'progress', bytes: f.length } satisfies WorkerReply);
    }
    reply = { type: 'verified', id: request.id, results };
  } catch (error) {
    reply = failureReply(request.id, error);
  }
  // A request's "ready" comes before its final reply or not at all (the final reply then stands for it).
  freeSlots.push(slot);
  if (verifyOwed !== undefined && verifyOwed !== request.id) port.postMessage({ type: 'ready', id: verifyOwed } satisfies WorkerReply);
  verifyOwed = undefined;
  port.postMessage(reply);
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'copy') startCopy(request);
  else void runVerify(request);
});
