/**
 * Restores the blobs of one pack range: reads the range (from the local repository, or bytes handed
 * over for remote ones), decodes each blob (MAC, decrypt, decompress, SHA-256 against its id) and writes
 * it at its offsets into every file that holds it. A file's owner, mode and times are set on it right
 * after its last write when that is marked (the request holds all of the file), else in a batch at the end.
 * Synchronous I/O: this thread does nothing else.
 */
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LocalBackend } from '../repo/backend/localBackend.ts';
import type { CryptoKey } from '../repo/crypto/masterKey.ts';
import { decodeBlob } from '../repo/repository.ts';
import { releaseGarbage } from '../runtime/startWorker.ts';
import { restoreMetadataSync, restoreOpenFileMetadataSync } from '../fs/restoreMetadata.ts';
import type { RestoreMetadataRequest, RestorePackReply, RestorePackRequest, RestoreRequest, WriteTarget } from './decoderMessages.ts';

const init = workerData as { key: { encrypt: Uint8Array; macK: Uint8Array; macR: Uint8Array }; repositoryPath?: string };
const key: CryptoKey = { encrypt: Buffer.from(init.key.encrypt), macK: Buffer.from(init.key.macK), macR: Buffer.from(init.key.macR) };
const local = init.repositoryPath === undefined ? undefined : new LocalBackend(init.repositoryPath);
const port = parentPort!;

/**
 * A pack range is read a few MiB at a time (a window of whole blobs; one blob alone when it is larger):
 * reading a whole range at once kept a 16 MiB buffer per worker, and reads this size cost no more.
 */
const READ_WINDOW = 4 * 1024 * 1024;
let windowBuffer = Buffer.alloc(0);

/** How many blobs from `first` on fit in one window (at least one). */
function windowEnd(blobs: RestorePackRequest['blobs'], first: number): number {
  const start = blobs[first]!.blob.offset;
  let end = first + 1;
  while (end < blobs.length && blobs[end]!.blob.offset + blobs[end]!.blob.length - start <= READ_WINDOW) end++;
  return end;
}

/** Pack bytes [start, start + length): from the bytes handed over, or read from the local pack (fd). */
function readWindow(request: RestorePackRequest, fd: number | undefined, start: number, length: number): Buffer {
  if (fd === undefined) return Buffer.from(request.bytes!).subarray(start - request.rangeStart, start - request.rangeStart + length);
  if (windowBuffer.length < length) windowBuffer = Buffer.allocUnsafeSlow(Math.max(length, READ_WINDOW));
  let done = 0;
  while (done < length) {
    const n = readSync(fd, windowBuffer, done, length - done, start + done);
    if (n === 0) break;
    done += n;
  }
  return windowBuffer.subarray(0, done);
}

/**
 * Files this worker has open, most recently used last: a large file's blobs come one pack after another,
 * and an open and close per blob cost as much as the write. Closed when the map is full and after each
 * pack range (so a file is never held open between requests: one that spans requests gets its metadata
 * by path once every request is done).
 */
const openFiles = new Map<string, number>();
const MAX_OPEN_FILES = 64;

/** path: the path's bytes as latin1 text. */
function fdFor(path: string): number {
  const open = openFiles.get(path);
  if (open !== undefined) {
    openFiles.delete(path);
    openFiles.set(path, open);
    return open;
  }
  if (openFiles.size >= MAX_OPEN_FILES) {
    const [oldestPath, oldest] = openFiles.entries().next().value!;
    openFiles.delete(oldestPath);
    closeSync(oldest);
  }
  const fd = openSync(Buffer.from(path, 'latin1'), constants.O_WRONLY | constants.O_CREAT, 0o600);
  openFiles.set(path, fd);
  return fd;
}

function closeAll(): void {
  for (const fd of openFiles.values()) closeSync(fd);
  openFiles.clear();
}

const ownership = process.geteuid?.() === 0;

/** Writes one blob into one file; after the file's last write, sets its metadata and closes it. */
function writeTarget(target: WriteTarget, data: Buffer): void {
  const fd = fdFor(target.path);
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written, target.offset + written);
  if (target.metadata === undefined) return;
  openFiles.delete(target.path);
  try {
    restoreOpenFileMetadataSync(fd, Buffer.from(target.path, 'latin1'), target.metadata, ownership);
  } finally {
    closeSync(fd);
  }
}

/**
 * Decrypted and decoded blobs are native memory that only a GC frees, and V8 sees little of it. A minor
 * GC every few MiB, called once the last blob is written (so none is live and gets promoted: promoted
 * ones waited for V8's external-memory trigger, 64 MB a worker), and a full one now and then.
 */
const GC_EVERY_BYTES = 2 * 1024 * 1024;
const MAJOR_GC_EVERY = 64;
let bytesSinceGc = 0;
let minorGcs = 0;

/** bytes: garbage made since the last call, none of it still referenced. */
function collectEvery(bytes: number): void {
  bytesSinceGc += bytes;
  if (bytesSinceGc < GC_EVERY_BYTES) return;
  bytesSinceGc = 0;
  releaseGarbage(++minorGcs % MAJOR_GC_EVERY === 0 ? 'major' : 'minor');
}

function restoreMetadataOf(request: RestoreMetadataRequest): RestorePackReply {
  try {
    for (const file of request.metadata) restoreMetadataSync(file, ownership);
    return { requestId: request.requestId, bytesWritten: 0 };
  } catch (error) {
    return { requestId: request.requestId, bytesWritten: 0, failure: { message: (error as Error).message } };
  }
}

port.on('message', (message: RestoreRequest) => {
  if ('metadata' in message) {
    port.postMessage(restoreMetadataOf(message));
    return;
  }
  const request: RestorePackRequest = message;
  const reply: RestorePackReply = { requestId: request.requestId, bytesWritten: 0 };
  let current: string | undefined;
  let fd: number | undefined;
  try {
    if (request.bytes === undefined) fd = openSync(local!.pathOf({ type: 'data', name: request.packId }), 'r');
    const { blobs } = request;
    for (let first = 0; first < blobs.length;) {
      const end = windowEnd(blobs, first);
      const start = blobs[first]!.blob.offset;
      const last = blobs[end - 1]!.blob;
      const bytes = readWindow(request, fd, start, last.offset + last.length - start);
      for (const { blob, targets } of blobs.slice(first, end)) {
        current = blob.id;
        const plain = decodeBlob(key, bytes.subarray(blob.offset - start, blob.offset - start + blob.length), blob);
        for (const target of targets) {
          writeTarget(target, plain);
          reply.bytesWritten += plain.length;
        }
        collectEvery(blob.length + (blob.uncompressedLength !== 0 ? plain.length : 0));
      }
      first = end;
    }
    closeAll();
  } catch (error) {
    try {
      closeAll();
    } catch {
      // the first failure is the one to report
    }
    const e = error as NodeJS.ErrnoException;
    reply.failure = { message: e.message, ...(e.code === undefined ? {} : { code: e.code }), ...(current === undefined ? {} : { blobId: current }) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  port.postMessage(reply);
});
