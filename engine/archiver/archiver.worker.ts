/**
 * A pipeline worker: reads files, cuts them into content-defined chunks, hashes them, asks the main
 * thread which blobs are new (so two workers never store the same blob), then compresses, seals and
 * packs the new ones and writes each full pack itself.
 *
 * File I/O is synchronous on purpose: this thread does nothing else, and for many small files the
 * async fs round trips through libuv's pool cost more than the reads. While a file waits for its claim
 * answer, the next file is read, so claims overlap with work. Each file reads into one reused window
 * (largest chunk + one read), so memory per file in flight is bounded.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LocalBackend } from '../repo/backend/localBackend.ts';
import { Chunker } from '../repo/chunker/chunker.ts';
import { chunkerParametersFromJson } from '../repo/chunker/chunkerParameters.ts';
import type { CryptoKey } from '../repo/crypto/masterKey.ts';
import { sealBlobPlaintext } from '../repo/format/blobSealing.ts';
import { PackBuilder } from '../repo/format/packBuilder.ts';
import { releaseGarbage } from '../runtime/startWorker.ts';
import type { FromWorker, ToWorker, WorkerInit } from './workerMessages.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const key: CryptoKey = {
  encrypt: Buffer.from(init.key.encrypt),
  macK: Buffer.from(init.key.macK),
  macR: Buffer.from(init.key.macR),
};
const chunkerParams = chunkerParametersFromJson(init.chunker);
const backend = new LocalBackend(init.repositoryPath);

let pack = new PackBuilder(key, 'data');
let packPlaintext = 0;
let packWrites: Promise<void> = Promise.resolve();
/** Packs finished but not yet on disk; at most MAX_PENDING_PACKS are kept in memory. */
let pendingPacks = 0;
const MAX_PENDING_PACKS = 1;
const MAX_SPARE_WINDOWS = 1;
let blobsSinceGc = 0;
let nextRequestId = 1;
const pendingClaims = new Map<number, (need: boolean[]) => void>();
/** Windows of finished files, reused by the next ones (big files only; small ones use exact buffers). */
const spareWindows: Buffer[] = [];
const WINDOW_SIZE = chunkerParams.maxSize + init.readSize;

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

/** Seals and packs the chunks the main thread said are new; writes the pack when it is full. */
function storeNew(chunks: Uint8Array[], ids: string[], need: boolean[]): void {
  for (let i = 0; i < chunks.length; i++) {
    if (!need[i]) continue;
    const { sealed, uncompressedLength } = sealBlobPlaintext(key, chunks[i]!, init.compression);
    pack.add(ids[i]!, sealed, uncompressedLength);
    packPlaintext += chunks[i]!.length;
    if (++blobsSinceGc === 256) {
      blobsSinceGc = 0;
      releaseGarbage('minor');
    }
    if (pack.size >= init.packSize) writePack();
  }
}

function writePack(): void {
  if (pack.count === 0) return;
  const finished = pack.finish();
  releaseGarbage('major');
  const plaintextBytes = packPlaintext;
  pack = new PackBuilder(key, 'data');
  packPlaintext = 0;
  // Packs are written one after the other; a failure is fatal for the run (it resumes on rerun).
  pendingPacks++;
  packWrites = packWrites.then(async () => {
    await backend.save({ type: 'data', name: finished.id }, finished.parts);
    pendingPacks--;
    send({ type: 'pack', packId: finished.id, size: finished.size, entries: finished.entries, plaintextBytes });
  });
  packWrites.catch((error: unknown) => fatal(error));
}

interface FileResult {
  content: string[];
  chunkSizes: number[];
  size: number;
}

/** Reads and archives one file; the window holds the unconsumed tail plus the next read. */
async function archiveFile(path: Buffer, result: FileResult): Promise<boolean> {
  const fd = openSync(path, 'r');
  let window: Buffer | undefined;
  try {
    const before = fstatSync(fd, { bigint: true });
    const expected = Number(before.size);
    const big = expected + 1 > init.readSize;
    window = big ? (spareWindows.pop() ?? Buffer.allocUnsafeSlow(WINDOW_SIZE)) : Buffer.allocUnsafe(expected + 1);
    const chunker = new Chunker(chunkerParams);
    let start = 0; // first byte of the window not yet in a chunk
    let end = 0; // end of valid data in the window
    for (;;) {
      if (end === window.length) {
        if (start === 0) {
          // A small file grew while we read it: continue in a full-size window.
          const larger = Buffer.allocUnsafeSlow(Math.max(WINDOW_SIZE, window.length * 2));
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
      send({ type: 'read', bytes: n });
      const cuts = chunker.push(window.subarray(end, end + n));
      end += n;
      result.size += n;
      start = await processCuts(window, start, cuts.map((c) => c.length), result);
    }
    start = await processCuts(window, start, chunker.finish().map((c) => c.length), result);
    const after = fstatSync(fd, { bigint: true });
    return after.mtimeNs !== before.mtimeNs || after.size !== BigInt(result.size);
  } finally {
    closeSync(fd);
    if (window !== undefined && window.length === WINDOW_SIZE && spareWindows.length < MAX_SPARE_WINDOWS) spareWindows.push(window);
  }
}

/** Hashes the cut chunks (views of the window), claims them, stores the new ones; returns the new start. */
async function processCuts(window: Buffer, start: number, lengths: number[], result: FileResult): Promise<number> {
  if (lengths.length === 0) return start;
  const chunks: Uint8Array[] = [];
  let p = start;
  for (const length of lengths) {
    chunks.push(window.subarray(p, p + length));
    p += length;
  }
  const ids = chunks.map(sha256);
  for (let i = 0; i < ids.length; i++) {
    result.content.push(ids[i]!);
    result.chunkSizes.push(lengths[i]!);
  }
  storeNew(chunks, ids, await claim(ids));
  // Backpressure: never hold more than a couple of finished packs waiting for the disk.
  while (pendingPacks >= MAX_PENDING_PACKS) await packWrites;
  return p;
}

async function handleFile(fileId: number, path: Buffer): Promise<void> {
  const result: FileResult = { content: [], chunkSizes: [], size: 0 };
  try {
    const changedWhileRead = await archiveFile(path, result);
    send({ type: 'fileDone', fileId, ...result, ...(changedWhileRead ? { changedWhileRead } : {}) });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    send({ type: 'fileDone', fileId, ...result, error: { code: e.code ?? 'EIO', message: e.message } });
  }
}

function fatal(error: unknown): void {
  const e = error as NodeJS.ErrnoException;
  send({ type: 'fatal', message: e.message ?? String(error), ...(e.code === undefined ? {} : { code: e.code }) });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'file':
      handleFile(message.fileId, Buffer.from(message.path)).catch(fatal);
      break;
    case 'claimed': {
      const resolve = pendingClaims.get(message.requestId);
      pendingClaims.delete(message.requestId);
      resolve?.(message.need);
      break;
    }
    case 'flush':
      writePack();
      packWrites.then(() => send({ type: 'flushed' }), fatal);
      break;
  }
});
