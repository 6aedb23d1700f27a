import type { BlobLocation } from '../repo/format/blob.ts';

export interface DecodeRequest {
  requestId: number;
  /** The bytes of the pack from rangeStart on. */
  bytes: ArrayBuffer;
  rangeStart: number;
  blobs: BlobLocation[];
}

export interface DecodeReply {
  requestId: number;
  plaintexts: ArrayBuffer[];
  failures: { index: number; message: string }[];
}
