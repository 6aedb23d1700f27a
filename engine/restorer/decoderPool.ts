/**
 * Restore workers: each takes one pack range at a time (plus one queued), so memory stays bounded; at the
 * end they set the files' metadata, a batch at a time.
 */
import type { Worker } from 'node:worker_threads';
import type { CryptoKey } from '../repo/crypto/masterKey.ts';
import { startWorker } from '../runtime/startWorker.ts';
import type { RestorePackReply, RestoreRequest } from './decoderMessages.ts';

interface Slot {
  worker: Worker;
  outstanding: number;
}

const MAX_OUTSTANDING = 2;

export class RestoreWorkerPool {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, { slot: Slot; resolve: (r: RestorePackReply) => void; reject: (e: Error) => void }>();
  private readonly waiters: (() => void)[] = [];
  private requestId = 1;

  constructor(count: number, key: CryptoKey, repositoryPath: string | undefined) {
    this.slots = Array.from({ length: count }, () => {
      const worker = startWorker('restorer/blobDecoder.worker.ts', {
        key: { encrypt: key.encrypt, macK: key.macK, macR: key.macR },
        ...(repositoryPath === undefined ? {} : { repositoryPath }),
      });
      const slot: Slot = { worker, outstanding: 0 };
      worker.on('message', (reply: RestorePackReply) => {
        const p = this.pending.get(reply.requestId);
        this.pending.delete(reply.requestId);
        slot.outstanding--;
        this.waiters.splice(0).forEach((w) => w());
        p?.resolve(reply);
      });
      worker.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      return slot;
    });
  }

  /** Waits for room on some worker, then hands it the work; `done` settles when it is written. */
  async submit(request: DistributiveOmit<RestoreRequest, 'requestId'>): Promise<{ done: Promise<RestorePackReply> }> {
    let slot = this.pick();
    while (slot === undefined) {
      await new Promise<void>((r) => this.waiters.push(r));
      slot = this.pick();
    }
    const requestId = this.requestId++;
    const chosen = slot;
    chosen.outstanding++;
    const done = new Promise<RestorePackReply>((resolve, reject) => {
      this.pending.set(requestId, { slot: chosen, resolve, reject });
      const message: RestoreRequest = { ...request, requestId };
      chosen.worker.postMessage(message, 'bytes' in message && message.bytes !== undefined ? [message.bytes] : []);
    });
    return { done };
  }

  async terminate(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) if (slot.outstanding < MAX_OUTSTANDING && (best === undefined || slot.outstanding < best.outstanding)) best = slot;
    return best;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
