/**
 * A pipeline worker: reads files, cuts them into content-defined chunks, hashes them, asks the main
 * thread which blobs are new (so two workers never store the same blob), then compresses, seals and
 * packs the new ones and writes each full pack itself. Several files are in flight at once so the
 * claim round trips and reads overlap with the CPU work.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LocalBackend } from '../repo/backend/localBackend.ts';
import { ChunkAssembler } from '../repo/chunker/chunkAssembler.ts';
import { chunkerParametersFromJson } from '../repo/chunker/chunkerParameters.ts';
import type { CryptoKey } from '../repo/crypto/masterKey.ts';
import { sealBlobPlaintext } from '../repo/format/blobSealing.ts';
import { PackBuilder } from '../repo/format/packBuilder.ts';
import type { FromWorker, ToWorker, WorkerInit } from './workerMessages.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const key: CryptoKey = {
  encrypt: Buffer.from(init.key.encrypt),
  macK: Buffer.from(init.key.macK),
  macR: Buffer.from(init.key.macR),
};
const chunker = chunkerParametersFromJson(init.chunker);
const backend = new LocalBackend(init.repositoryPath);

let pack = new PackBuilder(key, 'data');
let packPlaintext = 0;
let packWrites: Promise<void> = Promise.resolve();
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

/** Seals and packs the chunks the main thread said are new; writes the pack when it is full. */
function storeNew(chunks: Uint8Array[], ids: string[], need: boolean[]): void {
  for (let i = 0; i < chunks.length; i++) {
    if (!need[i]) continue;
    const { sealed, uncompressedLength } = sealBlobPlaintext(key, chunks[i]!, init.compression);
    pack.add(ids[i]!, sealed, uncompressedLength);
    packPlaintext += chunks[i]!.length;
    if (pack.size >= init.packSize) writePack();
  }
}

function writePack(): void {
  if (pack.count === 0) return;
  const finished = pack.finish();
  const plaintextBytes = packPlaintext;
  pack = new PackBuilder(key, 'data');
  packPlaintext = 0;
  // Packs are written one after the other; a failure is fatal for the run (it resumes on rerun).
  packWrites = packWrites.then(async () => {
    await backend.save({ type: 'data', name: finished.id }, finished.bytes);
    send({ type: 'pack', packId: finished.id, size: finished.bytes.length, entries: finished.entries, plaintextBytes });
  });
  packWrites.catch((error: unknown) => fatal(error));
}

async function archiveFile(fileId: number, path: Buffer): Promise<void> {
  const content: string[] = [];
  const chunkSizes: number[] = [];
  let size = 0;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, 'r');
    const before = await handle.stat({ bigint: true });
    const assembler = new ChunkAssembler(chunker);
    // Small files get a buffer of their size: 20,000 files of 8 KiB must not cost 20,000 × readSize.
    const bufferSize = Math.min(init.readSize, Math.max(64 * 1024, Number(before.size) + 1));
    for (;;) {
      const buffer = Buffer.allocUnsafeSlow(bufferSize);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      send({ type: 'read', bytes: bytesRead });
      await processChunks(assembler.push(buffer.subarray(0, bytesRead)).map((c) => c.bytes), content, chunkSizes);
    }
    await processChunks(assembler.finish().map((c) => c.bytes), content, chunkSizes);
    const after = await handle.stat({ bigint: true });
    const changedWhileRead = after.mtimeNs !== before.mtimeNs || after.size !== BigInt(size);
    send({ type: 'fileDone', fileId, content, chunkSizes, size, ...(changedWhileRead ? { changedWhileRead } : {}) });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    send({ type: 'fileDone', fileId, content, chunkSizes, size, error: { code: e.code ?? 'EIO', message: e.message } });
  } finally {
    await handle?.close();
  }
}

async function processChunks(chunks: Uint8Array[], content: string[], chunkSizes: number[]): Promise<void> {
  if (chunks.length === 0) return;
  const ids = chunks.map(sha256);
  for (let i = 0; i < ids.length; i++) {
    content.push(ids[i]!);
    chunkSizes.push(chunks[i]!.length);
  }
  storeNew(chunks, ids, await claim(ids));
}

function fatal(error: unknown): void {
  const e = error as NodeJS.ErrnoException;
  send({ type: 'fatal', message: e.message ?? String(error), ...(e.code === undefined ? {} : { code: e.code }) });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'file':
      archiveFile(message.fileId, Buffer.from(message.path)).catch(fatal);
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
