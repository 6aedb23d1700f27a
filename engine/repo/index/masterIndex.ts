/**
 * Every known blob → (pack, offset, length). Kept compact (one Map entry and a few typed-array slots per
 * blob) because a multi-terabyte seed has millions of blobs. A blob is keyed by type and id: the same
 * bytes can be both a data blob and a tree blob.
 */
import type { BlobLocation, BlobType } from '../format/blob.ts';

const INITIAL_CAPACITY = 1024;

export class MasterIndex {
  private readonly slots = new Map<string, number>();
  private readonly packIds: string[] = [];
  private readonly packSlots = new Map<string, number>();
  private pack = new Uint32Array(INITIAL_CAPACITY);
  private offset = new Float64Array(INITIAL_CAPACITY);
  private length = new Uint32Array(INITIAL_CAPACITY);
  private uncompressed = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get packCount(): number {
    return this.packIds.length;
  }

  has(type: BlobType, id: string): boolean {
    return this.slots.has(key(type, id));
  }

  hasPack(packId: string): boolean {
    return this.packSlots.has(packId);
  }

  lookup(type: BlobType, id: string): BlobLocation | undefined {
    const slot = this.slots.get(key(type, id));
    if (slot === undefined) return undefined;
    return {
      id,
      type,
      packId: this.packIds[this.pack[slot]!]!,
      offset: this.offset[slot]!,
      length: this.length[slot]!,
      uncompressedLength: this.uncompressed[slot]!,
    };
  }

  /** Returns false (and keeps the first location) when the blob is already known. */
  add(blob: BlobLocation): boolean {
    const k = key(blob.type, blob.id);
    let packSlot = this.packSlots.get(blob.packId);
    if (packSlot === undefined) {
      packSlot = this.packIds.length;
      this.packIds.push(blob.packId);
      this.packSlots.set(blob.packId, packSlot);
    }
    if (this.slots.has(k)) return false;
    if (this.count === this.pack.length) this.grow();
    const slot = this.count++;
    this.pack[slot] = packSlot;
    this.offset[slot] = blob.offset;
    this.length[slot] = blob.length;
    this.uncompressed[slot] = blob.uncompressedLength;
    this.slots.set(k, slot);
    return true;
  }

  allPackIds(): readonly string[] {
    return this.packIds;
  }

  *entries(): IterableIterator<BlobLocation> {
    for (const [k, slot] of this.slots) {
      yield {
        id: k.slice(1),
        type: k[0] === 't' ? 'tree' : 'data',
        packId: this.packIds[this.pack[slot]!]!,
        offset: this.offset[slot]!,
        length: this.length[slot]!,
        uncompressedLength: this.uncompressed[slot]!,
      };
    }
  }

  private grow(): void {
    const n = this.pack.length * 2;
    const grow32 = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    this.pack = grow32(this.pack);
    this.length = grow32(this.length);
    this.uncompressed = grow32(this.uncompressed);
    const o = new Float64Array(n);
    o.set(this.offset);
    this.offset = o;
  }
}

function key(type: BlobType, id: string): string {
  return (type === 'tree' ? 't' : 'd') + id;
}
