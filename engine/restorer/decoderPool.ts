/** A small pool of blob decoders; requests go round-robin, results come back in any order. */
import type { Worker } from 'node:worker_threads';
import type { CryptoKey } from '../repo/crypto/masterKey.ts';
import type { BlobLocation } from '../repo/format/blob.ts';
import { startWorker } from '../runtime/startWorker.ts';
import type { DecodeReply, DecodeRequest } from './decoderMessages.ts';

export class DecoderPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (r: DecodeReply) => void; reject: (e: Error) => void }>();
  private next = 0;
  private requestId = 1;

  constructor(count: number, key: CryptoKey) {
    this.workers = Array.from({ length: count }, () => {
      const worker = startWorker('restorer/blobDecoder.worker.ts', { key: { encrypt: key.encrypt, macK: key.macK, macR: key.macR } });
      worker.on('message', (reply: DecodeReply) => {
        const p = this.pending.get(reply.requestId);
        this.pending.delete(reply.requestId);
        p?.resolve(reply);
      });
      worker.on('error', (e) => this.pending.forEach((p) => p.reject(e)));
      return worker;
    });
  }

  decode(bytes: Buffer, rangeStart: number, blobs: BlobLocation[]): Promise<DecodeReply> {
    const requestId = this.requestId++;
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    const request: DecodeRequest = { requestId, bytes: copy, rangeStart, blobs };
    const worker = this.workers[this.next++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      worker.postMessage(request, [copy]);
    });
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
