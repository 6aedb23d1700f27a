/**
 * Restores the blobs of one pack range: reads the range (from the local repository, or bytes handed
 * over for remote ones), decodes each blob (MAC, decrypt, decompress, SHA-256 against its id) and writes
 * it at its offsets into every file that holds it; at the end, sets files' owner, mode and times.
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
let rangeBuffer = Buffer.alloc(0);

function readRange(request: RestorePackRequest): Buffer {
  if (request.bytes !== undefined) return Buffer.from(request.bytes);
  if (rangeBuffer.length < request.rangeLength) rangeBuffer = Buffer.allocUnsafeSlow(Math.max(request.rangeLength, 16 * 1024 * 1024 + 65536));
  const fd = openSync(local!.pathOf({ type: 'data', name: request.packId }), 'r');
  try {
    let done = 0;
    while (done < request.rangeLength) {
      const n = readSync(fd, rangeBuffer, done, request.rangeLength - done, request.rangeStart + done);
      if (n === 0) break;
      done += n;
    }
    return rangeBuffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/**
 * Files this worker has open, most recently used last: a large file's blobs come one pack after another,
 * and an open and close per blob cost as much as the write. Closed when the map is full and after each
 * pack range (so a file is never held open between requests: the main thread sets its metadata last).
 */
const openFiles = new Map<string, number>();
const MAX_OPEN_FILES = 64;

function keyOf(path: Uint8Array): string {
  return Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString('latin1');
}

function fdFor(path: Uint8Array): number {
  const key = keyOf(path);
  const open = openFiles.get(key);
  if (open !== undefined) {
    openFiles.delete(key);
    openFiles.set(key, open);
    return open;
  }
  if (openFiles.size >= MAX_OPEN_FILES) {
    const [oldestKey, oldest] = openFiles.entries().next().value!;
    openFiles.delete(oldestKey);
    closeSync(oldest);
  }
  const fd = openSync(Buffer.from(path.buffer, path.byteOffset, path.byteLength), constants.O_WRONLY | constants.O_CREAT, 0o600);
  openFiles.set(key, fd);
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
  openFiles.delete(keyOf(target.path));
  try {
    restoreOpenFileMetadataSync(fd, target.path, target.metadata, ownership);
  } finally {
    closeSync(fd);
  }
}

/**
 * Decoded blobs and zstd contexts are native memory that only a GC frees, and V8 sees little of it: a
 * pack's worth (16 MiB of blobs, a context each) piled up per pack range, ~150 MB per worker at peak.
 * A minor GC every few MiB decoded keeps that flat (as the archiver's workers do).
 */
const GC_EVERY_BYTES = 8 * 1024 * 1024;
const ZSTD_CONTEXT_ESTIMATE = 256 * 1024;
let bytesSinceGc = 0;

function collectEvery(bytes: number): void {
  bytesSinceGc += bytes;
  if (bytesSinceGc < GC_EVERY_BYTES) return;
  bytesSinceGc = 0;
  releaseGarbage('minor');
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
  try {
    const range = readRange(request);
    for (const { blob, targets } of request.blobs) {
      current = blob.id;
      const start = blob.offset - request.rangeStart;
      const plain = decodeBlob(key, range.subarray(start, start + blob.length), blob);
      collectEvery(plain.length + (blob.uncompressedLength !== 0 ? ZSTD_CONTEXT_ESTIMATE : 0));
      for (const target of targets) {
        writeTarget(target, plain);
        reply.bytesWritten += plain.length;
      }
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
  }
  port.postMessage(reply);
});
