import type { FileMetadata } from '../fs/restoreMetadata.ts';
import type { BlobLocation } from '../repo/format/blob.ts';

/** One place a decoded blob goes. metadata: this is the file's last write; set its owner, mode and times. */
export interface WriteTarget {
  /** The path's bytes as latin1 text (a name need not be UTF-8; a string is cheaper to send than bytes). */
  path: string;
  offset: number;
  metadata?: Omit<FileMetadata, 'path'>;
}

/** Where one decoded blob goes: every file (and offset in it) that contains it. */
export interface BlobTargets {
  blob: BlobLocation;
  targets: WriteTarget[];
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

/** Owner, mode and times of restored files, set once every blob is written (POSIX only). */
export interface RestoreMetadataRequest {
  requestId: number;
  metadata: FileMetadata[];
}

export type RestoreRequest = RestorePackRequest | RestoreMetadataRequest;

export interface RestorePackReply {
  requestId: number;
  bytesWritten: number;
  failure?: { message: string; code?: string; blobId?: string };
}
