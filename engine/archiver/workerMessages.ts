/**
 * Messages between the archiver (main thread) and its pipeline workers. Small files travel in batches:
 * one message, one claim round trip and one reply per batch, because per-file messages cost more in
 * thread wake-ups than the files cost to read.
 */
import type { ChunkerParametersJson } from '../repo/chunker/chunkerParameters.ts';
import type { CompressionMode } from '../repo/format/blobSealing.ts';
import type { PackEntry } from '../repo/format/packHeader.ts';

export interface WorkerInit {
  key: { encrypt: Uint8Array; macK: Uint8Array; macR: Uint8Array };
  chunker: ChunkerParametersJson;
  compression: CompressionMode;
  packSize: number;
  /** Local repository folder the worker writes its packs into; absent: packs go to the main thread (remote repository). */
  repositoryPath?: string;
  /** Local repository: record each pack's pending marker before the pack lands (backup.run; see packRecovery.ts). */
  markPending?: boolean;
  /** Files up to this size are read whole; larger ones are streamed through a window. */
  readSize: number;
}

export interface FileReadError {
  code: string;
  message: string;
}

export interface FileResult {
  fileId: number;
  content: string[];
  chunkSizes: number[];
  size: number;
  error?: FileReadError;
  /** It changed during both reads: the content is what the second read got. */
  changedWhileRead?: boolean;
  /** It changed during the first read; the second read saw no change. */
  rereadAfterChange?: boolean;
}

export type ToWorker =
  | { type: 'batch'; batchId: number; files: { fileId: number; path: Uint8Array }[] }
  | { type: 'claimed'; requestId: number; need: boolean[] }
  | { type: 'flush' }
  | { type: 'packStored'; packId: string };

export type FromWorker =
  | { type: 'claim'; requestId: number; ids: string[] }
  | { type: 'batchDone'; batchId: number; results: FileResult[]; bytesRead: number }
  | { type: 'pack'; packId: string; size: number; entries: PackEntry[]; plaintextBytes: number }
  /** A finished pack for the main thread to upload (remote repositories); answered with packStored. */
  | { type: 'packReady'; packId: string; size: number; entries: PackEntry[]; plaintextBytes: number; bytes: ArrayBuffer }
  | { type: 'read'; bytes: number }
  | { type: 'flushed' }
  | { type: 'fatal'; message: string; code?: string };
