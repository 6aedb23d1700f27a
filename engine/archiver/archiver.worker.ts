/**
 * A pipeline worker: reads files, cuts them into content-defined chunks, hashes them, asks the main
 * thread which blobs are new (so two workers never store the same blob), then compresses, seals and
 * packs the new ones and writes each full pack itself.
 *
 * File I/O is synchronous on purpose: this thread does nothing else, and for many small files the
 * async fs round trips through libuv's pool cost more than the reads. Small files come in batches and
 * are claimed together; a large file streams through one reused window (largest chunk + one read).
 */
import { createHash } from 'node:crypto';
import { type BigIntStats, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Chunker } from '../repo/chunker/chunker.ts';
import { chunkerParametersFromJson } from '../repo/chunker/chunkerParameters.ts';
import type { CryptoKey } from '../repo/crypto/masterKey.ts';
import { sealBlobToParts } from '../repo/format/blobSealing.ts';
import { LocalPackWriter } from '../repo/backend/localPackWriter.ts';
import { PackBuilder } from '../repo/format/packBuilder.ts';
import { releaseGarbage } from '../runtime/startWorker.ts';
import type { FileResult, FromWorker, ToWorker, WorkerInit } from './workerMessages.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const key: CryptoKey = {
  encrypt: Buffer.from(init.key.encrypt),
  macK: Buffer.from(init.key.macK),
  macR: Buffer.from(init.key.macR),
};
const chunkerParams = chunkerParametersFromJson(init.chunker);
const WINDOW_SIZE = chunkerParams.maxSize + init.readSize;
/** Bytes read of a large file between progress messages. */
const PROGRESS_BYTES = 32 * 1024 * 1024;

/**
 * The pack being filled: for a local repository blobs go straight to its temporary file; for a remote
 * one it is kept in memory and handed to the main thread, which uploads it.
 */
let pack: LocalPackWriter | PackBuilder | undefined;
/** Remote mode: packs handed over but not yet uploaded; processing pauses at MAX_PENDING_UPLOADS. */
let pendingUploads = 0;
const MAX_PENDING_UPLOADS = 1;
const uploadWaiters: (() => void)[] = [];
let packPlaintext = 0;
let spareWindow: Buffer | undefined;
let bytesSinceGc = 0;
const GC_EVERY_BYTES = 16 * 1024 * 1024;
const ZSTD_CONTEXT_ESTIMATE = 256 * 1024;
let nextRequestId = 1;
const pendingClaims = new Map<number, (need: boolean[]) => void>();

function send(message: FromWorker): void {
  port.postMessage(message);
}

function claim(ids: string[]): Promise<boolean[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const requestId = nextRequestId++;
  return new Promise((resolve) => {
    pendingClaims.set(requestId, resolve);
    send({ type: 'claim', requestId, ids });
  });
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Chunks cut from one buffer, with their ids, waiting for the claim answer. */
interface CutChunks {
  chunks: Uint8Array[];
  ids: string[];
}

function cutAndHash(buffer: Buffer, start: number, lengths: readonly number[], result: FileResult): { cut: CutChunks; end: number } {
  const chunks: Uint8Array[] = [];
  const ids: string[] = [];
  let p = start;
  for (const length of lengths) {
    const chunk = buffer.subarray(p, p + length);
    const id = sha256(chunk);
    chunks.push(chunk);
    ids.push(id);
    result.content.push(id);
    result.chunkSizes.push(length);
    p += length;
  }
  return { cut: { chunks, ids }, end: p };
}

/** A failure writing to the repository: fatal for the run, unlike a source file that cannot be read. */
class RepositoryWriteError extends Error {
  readonly code: string | undefined;
  constructor(cause: unknown) {
    const e = cause as NodeJS.ErrnoException;
    super(e.message ?? String(cause));
    this.code = e.code;
  }
}

/** Seals and packs the chunks the main thread said are new; writes the pack when it is full. */
function storeNew(cut: CutChunks, need: readonly boolean[], offset = 0): void {
  try {
    storeNewUnguarded(cut, need, offset);
  } catch (error) {
    throw new RepositoryWriteError(error);
  }
}

function storeNewUnguarded(cut: CutChunks, need: readonly boolean[], offset: number): void {
  for (let i = 0; i < cut.chunks.length; i++) {
    if (!need[offset + i]) continue;
    const chunk = cut.chunks[i]!;
    const { parts, length, uncompressedLength } = sealBlobToParts(key, chunk, init.compression);
    pack ??= init.repositoryPath !== undefined ? new LocalPackWriter(init.repositoryPath, key, 'data', { markPending: init.markPending === true }) : new PackBuilder(key, 'data');
    pack.add(cut.ids[i]!, parts, uncompressedLength);
    packPlaintext += chunk.length;
    // Dead Buffers and zstd contexts are freed only by GC: collect the young generation every few
    // MiB of native memory used (a compression context counts too: it dominates for small files).
    bytesSinceGc += length + chunk.length + (uncompressedLength !== 0 ? ZSTD_CONTEXT_ESTIMATE : 0);
    if (bytesSinceGc >= GC_EVERY_BYTES) {
      bytesSinceGc = 0;
      releaseGarbage('minor');
    }
    if (pack.size >= init.packSize) writePack();
  }
}

function writePack(): void {
  if (pack === undefined || pack.count === 0) return;
  const plaintextBytes = packPlaintext;
  packPlaintext = 0;
  if (pack instanceof LocalPackWriter) {
    const finished = pack.finish();
    pack = undefined;
    releaseGarbage('major');
    send({ type: 'pack', packId: finished.id, size: finished.size, entries: finished.entries, plaintextBytes });
    return;
  }
  const finished = pack.finish();
  pack = undefined;
  const bytes = new ArrayBuffer(finished.size);
  let offset = 0;
  for (const part of finished.parts) {
    new Uint8Array(bytes, offset, part.length).set(part);
    offset += part.length;
  }
  pendingUploads++;
  port.postMessage({ type: 'packReady', packId: finished.id, size: finished.size, entries: finished.entries, plaintextBytes, bytes } satisfies FromWorker, [bytes]);
  releaseGarbage('major');
}

/** Remote mode: wait while the main thread is still uploading earlier packs. */
async function uploadBackpressure(): Promise<void> {
  while (pendingUploads >= MAX_PENDING_UPLOADS) await new Promise<void>((r) => uploadWaiters.push(r));
}

function readFully(fd: number, buffer: Buffer, offset: number): number {
  let end = offset;
  for (;;) {
    if (end === buffer.length) return end;
    const n = readSync(fd, buffer, end, buffer.length - end, null);
    if (n === 0) return end;
    end += n;
  }
}

/** A small file: read whole, cut and hashed; claimed later together with the rest of its batch. */
function readSmallFile(fd: number, expected: number, result: FileResult): CutChunks {
  let buffer = Buffer.allocUnsafe(expected + 1);
  let end = readFully(fd, buffer, 0);
  while (end === buffer.length) {
    // It grew while we read it: keep reading.
    const larger = Buffer.allocUnsafe(buffer.length * 2);
    buffer.copy(larger);
    buffer = larger;
    end = readFully(fd, buffer, end);
  }
  result.size = end;
  const chunker = new Chunker(chunkerParams);
  const lengths = [...chunker.push(buffer.subarray(0, end)), ...chunker.finish()].map((c) => c.length);
  return cutAndHash(buffer, 0, lengths, result).cut;
}

/** A large file streams through the window, claiming and storing as it goes. */
async function archiveLargeFile(fd: number, result: FileResult): Promise<void> {
  let window = spareWindow ?? Buffer.allocUnsafeSlow(WINDOW_SIZE);
  spareWindow = undefined;
  try {
    const chunker = new Chunker(chunkerParams);
    let start = 0;
    let end = 0;
    let unreported = 0;
    for (;;) {
      if (end === window.length) {
        if (start === 0) {
          const larger = Buffer.allocUnsafeSlow(window.length * 2);
          window.copy(larger, 0, 0, end);
          window = larger;
        } else {
          window.copy(window, 0, start, end);
          end -= start;
          start = 0;
        }
      }
      const n = readSync(fd, window, end, Math.min(window.length - end, init.readSize), null);
      if (n === 0) break;
      unreported += n;
      if (unreported >= PROGRESS_BYTES) {
        send({ type: 'read', bytes: unreported });
        unreported = 0;
      }
      const cuts = chunker.push(window.subarray(end, end + n));
      end += n;
      result.size += n;
      const { cut, end: cutEnd } = cutAndHash(window, start, cuts.map((c) => c.length), result);
      storeNew(cut, await claim(cut.ids));
      await uploadBackpressure();
      start = cutEnd;
    }
    const { cut } = cutAndHash(window, start, chunker.finish().map((c) => c.length), result);
    storeNew(cut, await claim(cut.ids));
    if (unreported > 0) send({ type: 'read', bytes: unreported });
  } finally {
    if (window.length === WINDOW_SIZE) spareWindow = window;
  }
}

function failed(result: FileResult, error: unknown): void {
  const e = error as NodeJS.ErrnoException;
  result.error = { code: e.code ?? 'EIO', message: e.message };
}

/** Whether the file changed between the two stats: size, modification or change time (ctime also catches a restored mtime). */
function changedBetween(before: BigIntStats, after: BigIntStats, sizeRead: number): boolean {
  return after.mtimeNs !== before.mtimeNs || after.ctimeNs !== before.ctimeNs || after.size !== before.size || after.size !== BigInt(sizeRead);
}

/**
 * Reads one file. A file that changed while it was read is read once more: most changes are one save,
 * so the second read gives a whole version. If it changes again the result keeps what was read and
 * says so (changedWhileRead), and the archiver warns.
 */
async function readFile(path: Buffer, result: FileResult): Promise<CutChunks | undefined> {
  for (let attempt = 1; ; attempt++) {
    result.content = [];
    result.chunkSizes = [];
    result.size = 0;
    const fd = openSync(path, 'r');
    try {
      const before = fstatSync(fd, { bigint: true });
      let cut: CutChunks | undefined;
      if (Number(before.size) <= init.readSize) cut = readSmallFile(fd, Number(before.size), result);
      else await archiveLargeFile(fd, result);
      const changed = changedBetween(before, fstatSync(fd, { bigint: true }), result.size);
      if (!changed || attempt === 2) {
        if (changed) result.changedWhileRead = true;
        else if (attempt === 2) result.rereadAfterChange = true;
        return cut;
      }
    } finally {
      closeSync(fd);
    }
  }
}

async function handleBatch(batchId: number, files: { fileId: number; path: Uint8Array }[]): Promise<void> {
  const results: FileResult[] = [];
  const waiting: { cut: CutChunks; result: FileResult }[] = [];
  let bytesRead = 0;
  for (const file of files) {
    const result: FileResult = { fileId: file.fileId, content: [], chunkSizes: [], size: 0 };
    results.push(result);
    try {
      const cut = await readFile(Buffer.from(file.path.buffer, file.path.byteOffset, file.path.byteLength), result);
      if (cut !== undefined) {
        waiting.push({ cut, result });
        bytesRead += result.size;
      }
    } catch (error) {
      if (error instanceof RepositoryWriteError) throw error;
      failed(result, error);
    }
  }
  const need = await claim(waiting.flatMap((w) => w.cut.ids));
  let offset = 0;
  for (const w of waiting) {
    storeNew(w.cut, need, offset);
    offset += w.cut.ids.length;
  }
  await uploadBackpressure();
  send({ type: 'batchDone', batchId, results, bytesRead });
}

function fatal(error: unknown): void {
  const e = error as NodeJS.ErrnoException;
  send({ type: 'fatal', message: e.message ?? String(error), ...(e.code === undefined ? {} : { code: e.code }) });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'batch':
      handleBatch(message.batchId, message.files).catch(fatal);
      break;
    case 'claimed': {
      const resolve = pendingClaims.get(message.requestId);
      pendingClaims.delete(message.requestId);
      resolve?.(message.need);
      break;
    }
    case 'packStored':
      pendingUploads--;
      uploadWaiters.splice(0).forEach((r) => r());
      break;
    case 'flush':
      try {
        writePack();
        // Remote mode: flushed only once every pack is uploaded.
        void (async () => {
          while (pendingUploads > 0) await new Promise<void>((r) => uploadWaiters.push(r));
          send({ type: 'flushed' });
        })();
      } catch (error) {
        fatal(error);
      }
      break;
  }
});
