/**
 * index/<id>: {"packs":[{"id":…,"blobs":[{"id","type","offset","length","uncompressed_length"?}]}]}\n
 * (json.Encoder adds the newline). "supersedes" and the legacy array form are read, never written.
 */
import { OfflineSeedError } from '../../protocol/errors.ts';
import type { BlobLocation, BlobType } from './blob.ts';

export interface IndexedPack {
  id: string;
  blobs: { id: string; type: BlobType; offset: number; length: number; uncompressedLength: number }[];
}

export function encodeIndex(packs: readonly IndexedPack[]): Buffer {
  const json = {
    packs: packs.map((p) => ({
      id: p.id,
      blobs: p.blobs.map((b) => ({
        id: b.id,
        type: b.type,
        offset: b.offset,
        length: b.length,
        ...(b.uncompressedLength !== 0 ? { uncompressed_length: b.uncompressedLength } : {}),
      })),
    })),
  };
  return Buffer.from(JSON.stringify(json) + '\n', 'utf8');
}

interface RawPack {
  id?: unknown;
  blobs?: { id?: unknown; type?: unknown; offset?: unknown; length?: unknown; uncompressed_length?: unknown }[];
}

export function decodeIndex(json: Buffer, name: string): BlobLocation[] {
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    throw corrupt(name, 'not JSON');
  }
  const packs = (Array.isArray(value) ? value : (value as { packs?: unknown }).packs) as RawPack[] | undefined;
  if (!Array.isArray(packs)) throw corrupt(name, 'no packs');
  const out: BlobLocation[] = [];
  for (const pack of packs) {
    if (typeof pack.id !== 'string' || !/^[0-9a-f]{64}$/.test(pack.id) || !Array.isArray(pack.blobs)) throw corrupt(name, 'bad pack entry');
    for (const b of pack.blobs) {
      if (typeof b.id !== 'string' || !/^[0-9a-f]{64}$/.test(b.id) || (b.type !== 'data' && b.type !== 'tree')
        || typeof b.offset !== 'number' || typeof b.length !== 'number') throw corrupt(name, 'bad blob entry');
      out.push({
        id: b.id,
        type: b.type,
        packId: pack.id,
        offset: b.offset,
        length: b.length,
        uncompressedLength: typeof b.uncompressed_length === 'number' ? b.uncompressed_length : 0,
      });
    }
  }
  return out;
}

function corrupt(name: string, why: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.IndexCorrupt', 'InvalidData', `index file ${name} is corrupt (${why})`, {
    targetObject: `index/${name}`,
    recommendedAction: 'Run Test-OfflineSeed; the index can be rebuilt from the pack headers.',
  });
}
