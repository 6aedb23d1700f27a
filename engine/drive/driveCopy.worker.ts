/**
 * Drive copy worker: synchronous, large sequential I/O through one reused window of WebAssembly memory.
 *   copy:   read each file of a batch into the window, MD5 every 4 MiB piece while the bytes are in
 *           memory (md5Lanes: up to twelve pieces side by side), write it to a temporary file on the
 *           drive, fdatasync, rename into place. A file larger than the window streams through it.
 *   verify: read files back (O_DIRECT where the platform allows, so the bytes come from the drive and
 *           not from the page cache), MD5 every piece, SHA-256 the whole file when its name is its
 *           SHA-256 (repository files), and report every difference.
 * A shared cancel flag is checked between windows: a cancelled copy removes its temporary file.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fdatasyncSync, openSync, readSync, renameSync, rmSync, writeSync, fstatSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { BLOCK_SIZE } from './driveNames.ts';
import { createMd5Lanes } from './md5Lanes.ts';
import type { CopyFile, VerifyFile, WorkerReply, WorkerRequest, WorkerSetup } from './workerMessages.ts';

const setup = workerData as WorkerSetup;
const lanes = createMd5Lanes(setup.windowBytes, setup.md5Backend);
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

/** Copies files that fit the window together: one read each, one hashing pass, one write each. */
function copySmall(id: number, files: readonly CopyFile[]): void {
  const placed: { file: CopyFile; at: number }[] = [];
  let at = 0;
  for (const file of files) {
    checkCancel();
    const fd = openSync(file.source, 'r');
    try {
      const n = readFully(fd, at, file.length, 0);
      if (n !== file.length || fstatSync(fd).size !== file.length) changed(file, `expected ${file.length} bytes`);
    } finally {
      closeSync(fd);
    }
    placed.push({ file, at });
    at += file.length;
  }
  const ranges = placed.flatMap((p) => pieceRanges(p.at, p.file.length));
  const digests = hex(lanes.digest(ranges));
  let next = 0;
  placed.forEach(({ file, at: start }, index) => {
    checkCancel();
    const count = Math.ceil(file.length / BLOCK_SIZE);
    const md5 = digests.slice(next, next + count);
    next += count;
    writeTarget(file, (fd) => writeFully(fd, start, file.length, 0));
    port.postMessage({ type: 'progress', bytes: file.length } satisfies WorkerReply);
    port.postMessage({ type: 'fileCopied', id, index, md5, length: file.length } satisfies WorkerReply);
  });
}

function writeTarget(file: CopyFile, write: (fd: number) => void): void {
  const fd = openSync(file.temp, constants.O_CREAT | constants.O_TRUNC | constants.O_WRONLY, 0o644);
  try {
    write(fd);
    if (setup.sync) fdatasyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(file.temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(file.temp, file.target);
}

/** A file larger than the window: read, hash, write one window at a time. */
function copyLarge(id: number, file: CopyFile): void {
  const md5: string[] = [];
  const input = openSync(file.source, 'r');
  try {
    writeTarget(file, (fd) => {
      for (let position = 0; position < file.length; position += windowBytes) {
        checkCancel();
        const want = Math.min(windowBytes, file.length - position);
        if (readFully(input, 0, want, position) !== want) changed(file, 'shorter than when it was listed');
        md5.push(...hex(lanes.digest(pieceRanges(0, want))));
        writeFully(fd, 0, want, position);
        port.postMessage({ type: 'progress', bytes: want } satisfies WorkerReply);
      }
      if (fstatSync(input).size !== file.length) changed(file, 'its size changed');
    });
  } finally {
    closeSync(input);
  }
  port.postMessage({ type: 'fileCopied', id, index: 0, md5, length: file.length } satisfies WorkerReply);
}

function openForVerify(path: string): { fd: number; direct: boolean } {
  const direct = setup.directRead && typeof constants.O_DIRECT === 'number';
  if (direct) {
    try {
      return { fd: openSync(path, constants.O_RDONLY | constants.O_DIRECT), direct: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
    }
  }
  return { fd: openSync(path, 'r'), direct: false };
}

/** Reads one window for verification; O_DIRECT wants whole sectors, so the request is rounded up. */
function readForVerify(handle: { fd: number; direct: boolean }, length: number, position: number): number {
  if (handle.direct) {
    const aligned = Math.min(windowBytes, Math.ceil(length / 4096) * 4096);
    try {
      let done = 0;
      while (done < length) {
        const n = readSync(handle.fd, window, done, aligned - done, position + done);
        if (n === 0) break;
        done += n;
        if (done % 512 !== 0) break; // end of file
      }
      return Math.min(done, length);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      handle.direct = false; // this file system does not do direct I/O after all
    }
  }
  return readFully(handle.fd, 0, length, position);
}

function verifyFile(file: VerifyFile): { problems: string[]; direct: boolean } {
  const problems: string[] = [];
  let handle: { fd: number; direct: boolean };
  try {
    handle = openForVerify(file.path);
  } catch (error) {
    return { problems: [`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`], direct: false };
  }
  const direct = handle.direct;
  try {
    const size = fstatSync(handle.fd).size;
    if (size !== file.length) problems.push(`is ${size} bytes long, the manifest says ${file.length}`);
    const sha = file.sha256 === undefined ? undefined : createHash('sha256');
    let piece = 0;
    for (let position = 0; position < Math.min(size, file.length); position += windowBytes) {
      checkCancel();
      const want = Math.min(windowBytes, Math.min(size, file.length) - position);
      const got = readForVerify(handle, want, position);
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
  return { problems, direct };
}

port.on('message', (request: WorkerRequest) => {
  try {
    if (request.type === 'copy') {
      if (request.files.length === 1 && request.files[0]!.length > windowBytes) copyLarge(request.id, request.files[0]!);
      else copySmall(request.id, request.files);
      port.postMessage({ type: 'copied', id: request.id } satisfies WorkerReply);
    } else {
      const results = request.files.map((f) => {
        const outcome = verifyFile(f);
        port.postMessage({ type: 'progress', bytes: f.length } satisfies WorkerReply);
        return outcome;
      });
      port.postMessage({ type: 'verified', id: request.id, results } satisfies WorkerReply);
    }
  } catch (error) {
    if (request.type === 'copy') for (const f of request.files) rmSync(f.temp, { force: true }); // files already renamed stay: they are journalled
    if (error instanceof Cancelled) {
      port.postMessage({ type: 'cancelled', id: request.id } satisfies WorkerReply);
      return;
    }
    const e = error as NodeJS.ErrnoException;
    port.postMessage({ type: 'failed', id: request.id, code: e.code ?? 'EUNKNOWN', message: e.message, ...(e.path === undefined ? {} : { path: e.path }) } satisfies WorkerReply);
  }
});
