/** Messages between the archiver (main thread) and its pipeline workers. */
import type { ChunkerParametersJson } from '../repo/chunker/chunkerParameters.ts';
import type { CompressionMode } from '../repo/format/blobSealing.ts';
import type { PackEntry } from '../repo/format/packHeader.ts';

export interface WorkerInit {
  key: { encrypt: Uint8Array; macK: Uint8Array; macR: Uint8Array };
  chunker: ChunkerParametersJson;
  compression: CompressionMode;
  packSize: number;
  /** Local repository folder the worker writes its packs into. */
  repositoryPath: string;
  readSize: number;
}

export type ToWorker =
  | { type: 'file'; fileId: number; path: Uint8Array }
  | { type: 'claimed'; requestId: number; need: boolean[] }
  | { type: 'flush' };

export interface FileReadError {
  code: string;
  message: string;
}

export type FromWorker =
  | { type: 'claim'; requestId: number; ids: string[] }
  | { type: 'fileDone'; fileId: number; content: string[]; chunkSizes: number[]; size: number; error?: FileReadError; changedWhileRead?: boolean }
  | { type: 'pack'; packId: string; size: number; entries: PackEntry[]; plaintextBytes: number }
  | { type: 'read'; bytes: number }
  | { type: 'flushed' }
  | { type: 'fatal'; message: string; code?: string };
