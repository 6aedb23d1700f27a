/** Messages between the drive copier (main thread) and its workers (driveCopy.worker.ts). */

export interface WorkerSetup {
  /** Bytes of one slot of the worker's window (it has two): the most a copy batch holds; a multiple of 4 MiB. */
  slotBytes: number;
  /** fdatasync every copied file before it is renamed into place. */
  sync: boolean;
  /** Verify with direct reads (O_DIRECT) where the platform and file system take them. */
  directIo: boolean;
  md5Backend: 'simd' | 'node';
  /** The SIMD MD5 module compiled once by the main thread (a WebAssembly.Module), when there is SIMD. */
  md5Module?: object;
  /** Int32Array(1) over it: non-zero = cancel. */
  cancel: SharedArrayBuffer;
}

export interface CopyFile {
  source: string;
  /** Temporary file on the drive (same folder tree as target), renamed to target when complete. */
  temp: string;
  target: string;
  length: number;
  /** A restic pack: its trailer is checked (packTrailer.ts) before it is written. */
  pack?: boolean;
}

export interface VerifyFile {
  path: string;
  length: number;
  /** Expected upper-case hex MD5 of every 4 MiB piece. */
  md5: readonly string[];
  /** Expected SHA-256 of the whole file (repository files are named by it). */
  sha256?: string;
}

export type WorkerRequest =
  | { type: 'copy'; id: number; files: CopyFile[] }
  | { type: 'verify'; id: number; files: VerifyFile[] };

export type WorkerReply =
  | { type: 'progress'; bytes: number }
  /** One file of a copy request is durable on the drive under its final name. */
  | { type: 'fileCopied'; id: number; index: number; md5: string[]; length: number }
  /** The worker started all of the request and has a free slot: it can take the next request. */
  | { type: 'ready'; id: number }
  /** Every file of the request is durable and renamed into place. */
  | { type: 'copied'; id: number }
  | { type: 'verified'; id: number; results: { problems: string[]; direct: boolean }[] }
  | { type: 'cancelled'; id: number }
  | { type: 'failed'; id: number; code: string; message: string; path?: string };
