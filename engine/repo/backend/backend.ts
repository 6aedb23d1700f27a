/**
 * Where repository files live: a local folder (staging, a drive) or a Blob container. Files are
 * immutable: saved once under their final name (atomically), read, listed, removed.
 */
/** 'pending': OfflineSeed's own record of packs a backup started but has not indexed yet (packRecovery.ts). */
export type FileType = 'config' | 'keys' | 'data' | 'index' | 'snapshots' | 'locks' | 'pending';

export interface FileHandle {
  type: FileType;
  /** The id (hex) for everything but config, whose name is "config". */
  name: string;
}

export interface SaveOptions {
  durable?: boolean;
}

export interface FileInfo {
  name: string;
  size: number;
}

export interface Backend {
  /** Human-readable location, e.g. a path or azure://account/container/prefix. */
  readonly location: string;
  /** Prepares an empty repository layout; fails if a config already exists. */
  create(): Promise<void>;
  list(type: FileType): Promise<FileInfo[]>;
  /** Whole file, or length bytes from offset (negative offset: from the end). */
  read(handle: FileHandle, offset?: number, length?: number): Promise<Buffer>;
  stat(handle: FileHandle): Promise<FileInfo | undefined>;
  /**
   * Atomically creates the file: readers see all of it or nothing. Parts are written in order.
   * durable: false skips waiting for the disk; the caller must flush() before anything refers to it.
   */
  save(handle: FileHandle, data: Buffer | readonly Buffer[], options?: SaveOptions): Promise<void>;
  /** Makes files saved with durable: false durable (no-op where saves always are). */
  flush?(handles: readonly FileHandle[]): Promise<void>;
  remove(handle: FileHandle): Promise<void>;
}

/** The repository's own files: what restic reads, copies and checks. */
export const FILE_TYPES: readonly FileType[] = ['config', 'keys', 'data', 'index', 'snapshots', 'locks'];

/** A side folder restic does not know (and so ignores), beside its own; empty once every backup finished. */
export const PENDING_FOLDER = '.offlineseed-pending';

/** The folder of a type's files inside the repository: its name, except for OfflineSeed's side records. */
export function folderOf(type: Exclude<FileType, 'config'>): string {
  return type === 'pending' ? PENDING_FOLDER : type;
}
