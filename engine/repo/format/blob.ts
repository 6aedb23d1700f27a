/** Blob identity and location: what the index records for every data or tree blob. */
export type BlobType = 'data' | 'tree';

export interface BlobLocation {
  id: string;
  type: BlobType;
  packId: string;
  offset: number;
  /** Stored (sealed) length, including the 32 bytes of IV and MAC. */
  length: number;
  /** Plaintext length when the blob is compressed; 0 when stored raw. */
  uncompressedLength: number;
}

/** Plaintext length of a blob, whether compressed or not. */
export function plaintextLength(blob: Pick<BlobLocation, 'length' | 'uncompressedLength'>): number {
  return blob.uncompressedLength !== 0 ? blob.uncompressedLength : blob.length - 32;
}
