import type { BlobLocation } from '../repo/format/blob.ts';

/** Where one decoded blob goes: every file (and offset in it) that contains it. */
export interface BlobTargets {
  blob: BlobLocation;
  targets: { path: Uint8Array; offset: number }[];
}

export interface RestorePackRequest {
  requestId: number;
  packId: string;
  /** Pack bytes from rangeStart on, when the pack is not in a local folder the worker can read. */
  bytes?: ArrayBuffer;
  rangeStart: number;
  rangeLength: number;
  blobs: BlobTargets[];
}

export interface RestorePackReply {
  requestId: number;
  bytesWritten: number;
  failure?: { message: string; code?: string; blobId?: string };
}
