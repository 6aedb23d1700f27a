/** Decodes (MAC check, decrypt, decompress, hash check) the blobs of one pack range, off the main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import type { CryptoKey } from '../repo/crypto/masterKey.ts';
import type { BlobLocation } from '../repo/format/blob.ts';
import { decodeBlob } from '../repo/repository.ts';
import type { DecodeReply, DecodeRequest } from './decoderMessages.ts';

const init = workerData as { key: { encrypt: Uint8Array; macK: Uint8Array; macR: Uint8Array } };
const key: CryptoKey = { encrypt: Buffer.from(init.key.encrypt), macK: Buffer.from(init.key.macK), macR: Buffer.from(init.key.macR) };
const port = parentPort!;

port.on('message', (request: DecodeRequest) => {
  const range = Buffer.from(request.bytes);
  const plaintexts: ArrayBuffer[] = [];
  const failures: { index: number; message: string }[] = [];
  request.blobs.forEach((blob: BlobLocation, index: number) => {
    try {
      const sealed = range.subarray(blob.offset - request.rangeStart, blob.offset - request.rangeStart + blob.length);
      const plain = decodeBlob(key, sealed, blob);
      const copy = new ArrayBuffer(plain.length);
      new Uint8Array(copy).set(plain);
      plaintexts.push(copy);
    } catch (error) {
      plaintexts.push(new ArrayBuffer(0));
      failures.push({ index, message: (error as Error).message });
    }
  });
  const reply: DecodeReply = { requestId: request.requestId, plaintexts, failures };
  port.postMessage(reply, plaintexts);
});
