/**
 * The drive journal: our own format, kept off the drive (default <stagingPath>/drives/<driveId>.jrn),
 * one per drive. It is what makes a session resumable after kill -9 or a power cut, and what the
 * job-creation step reads (with the DriveInfo export) to fill the job's driveList.
 *
 * Text, UTF-8, one record per line, append-only. Every line is
 *   {"c":"<first 8 hex of SHA-256 of BODY>","r":BODY}
 * where BODY is the record as JSON, so a torn or edited line is recognised. A torn last line (a run
 * killed while appending) is cut off when the journal is opened again; damage anywhere else stops the
 * run (OfflineSeed.JournalCorrupt) rather than guess. Records (field "type"):
 *   header    first line: format "offlineseed-drive-journal", version 1, driveId, driveNumber,
 *             sessionId, mode (seed|import), driveRoot, capacityBytes, budgetBytes, sessionFile,
 *             bitLockerKeyFile (the key file's path or null; never the key), engineVersion, createdAt
 *   run       each start or resume of a run on this drive: at, pid, resumed
 *   meta      a metadata/properties file copied to the drive: kind, driveName, filePath, hash
 *   file      one per file completely on the drive (written, fsynced, renamed): path (inside the
 *             session folder, "/"), blobPath, filePath (manifest form), length, blobType, disposition,
 *             md5 (upper-case hex of every 4 MiB piece)
 *   drop      a file recorded earlier that is missing or damaged on the drive and will be copied again
 *   closed    the manifest is on the drive: state (Complete|NeedsNextDrive), manifestFile,
 *             manifestHash, manifestBytes, files, bytes, filesRemaining, bytesRemaining, driveInfoPath,
 *             driveInfo (the DriveInfo XML, whose BitLockerKey names the key file), at
 *   verified  a verification pass: ok, problems (file list), at
 * The last record for a path wins (file after drop: copied again).
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { BlobType, Disposition } from './driveNames.ts';

export const JOURNAL_FORMAT = 'offlineseed-drive-journal';

export interface HeaderRecord {
  type: 'header';
  format: typeof JOURNAL_FORMAT;
  version: 1;
  driveId: string;
  driveNumber: number;
  sessionId: string;
  mode: 'seed' | 'import';
  driveRoot: string;
  capacityBytes: number;
  budgetBytes: number;
  sessionFile: string;
  bitLockerKeyFile: string | null;
  engineVersion: string;
  createdAt: string;
}

export interface RunRecord {
  type: 'run';
  at: string;
  pid: number;
  resumed: boolean;
}

export interface MetaRecord {
  type: 'meta';
  kind: 'metadata' | 'properties';
  driveName: string;
  filePath: string;
  hash: string;
}

export interface FileRecord {
  type: 'file';
  path: string;
  blobPath: string;
  filePath: string;
  length: number;
  blobType: BlobType;
  disposition: Disposition;
  md5: string[];
}

export interface DropRecord {
  type: 'drop';
  path: string;
  reason: string;
}

export interface ClosedRecord {
  type: 'closed';
  state: 'Complete' | 'NeedsNextDrive';
  manifestFile: string;
  manifestHash: string;
  manifestBytes: number;
  files: number;
  bytes: number;
  filesRemaining: number;
  bytesRemaining: number;
  driveInfoPath: string;
  driveInfo: string;
  at: string;
}

export interface VerifiedRecord {
  type: 'verified';
  ok: boolean;
  problems: string[];
  at: string;
}

export type JournalRecord = HeaderRecord | RunRecord | MetaRecord | FileRecord | DropRecord | ClosedRecord | VerifiedRecord;

function line(record: JournalRecord): string {
  const body = JSON.stringify(record);
  return `{"c":"${createHash('sha256').update(body).digest('hex').slice(0, 8)}","r":${body}}\n`;
}

function parseLine(text: string): JournalRecord | undefined {
  const m = /^\{"c":"([0-9a-f]{8})","r":(.*)\}$/.exec(text);
  if (m === null) return undefined;
  if (createHash('sha256').update(m[2]!).digest('hex').slice(0, 8) !== m[1]) return undefined;
  try {
    const record = JSON.parse(m[2]!) as JournalRecord;
    return typeof record === 'object' && record !== null && typeof record.type === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}

function corrupt(path: string, detail: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.JournalCorrupt', 'InvalidData', `the drive journal ${path} is damaged: ${detail}`, {
    targetObject: path,
    recommendedAction: 'Restore the journal from a copy. Without it, this drive must be prepared again from the start: empty the drive and delete the journal.',
  });
}

export interface JournalState {
  header: HeaderRecord;
  /** Files on the drive by path (last record wins; dropped files removed). */
  files: Map<string, FileRecord>;
  meta: MetaRecord[];
  closed: ClosedRecord | undefined;
  verified: VerifiedRecord | undefined;
  runs: number;
}

export function replay(path: string, records: readonly JournalRecord[]): JournalState {
  const header = records[0];
  if (header?.type !== 'header' || header.format !== JOURNAL_FORMAT) throw corrupt(path, 'the first record is not a journal header');
  if (header.version !== 1) throw corrupt(path, `journal version ${String(header.version)} is newer than this engine understands`);
  const state: JournalState = { header, files: new Map(), meta: [], closed: undefined, verified: undefined, runs: 0 };
  for (const record of records.slice(1)) {
    switch (record.type) {
      case 'file':
        state.files.set(record.path, record);
        break;
      case 'drop':
        state.files.delete(record.path);
        state.closed = undefined;
        break;
      case 'meta':
        state.meta = state.meta.filter((m) => m.kind !== record.kind).concat(record);
        break;
      case 'closed':
        state.closed = record;
        break;
      case 'verified':
        state.verified = record;
        break;
      case 'run':
        state.runs++;
        break;
      default:
        throw corrupt(path, `unknown record type ${(record as { type: string }).type}`);
    }
  }
  return state;
}

export class DriveJournal {
  readonly path: string;
  private readonly fh: fs.FileHandle;
  private unsynced = 0;

  private constructor(path: string, fh: fs.FileHandle) {
    this.path = path;
    this.fh = fh;
  }

  /** A new journal holding its header, created atomically; fails if one exists. */
  static async create(path: string, header: HeaderRecord): Promise<DriveJournal> {
    await fs.mkdir(dirname(path), { recursive: true });
    const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    const fh = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    try {
      await fh.writeFile(line(header));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fs.link(temp, path); // fails if a journal appeared meanwhile, unlike rename
    } catch (error) {
      await fs.rm(temp, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`journal ${path} exists already`);
      if ((error as NodeJS.ErrnoException).code !== 'EPERM' && (error as NodeJS.ErrnoException).code !== 'ENOTSUP') throw error;
      await fs.rename(temp, path); // file systems without hard links
    }
    await fs.rm(temp, { force: true });
    return new DriveJournal(path, await fs.open(path, 'a'));
  }

  /** Reads a journal; a torn last line is cut off. Undefined when there is no journal. */
  static async read(path: string): Promise<JournalRecord[] | undefined> {
    let text: string;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const lines = text.split('\n');
    const records: JournalRecord[] = [];
    let goodBytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      const last = i === lines.length - 1;
      if (last && raw === '') break;
      const record = last ? undefined : parseLine(raw);
      if (record === undefined) {
        // Only the final line may be torn (killed while appending); it has no newline, or fails its check.
        if (i >= lines.length - 2 && lines.slice(i + 1).every((l) => l === '')) {
          await fs.truncate(path, goodBytes);
          break;
        }
        throw corrupt(path, `line ${i + 1} fails its checksum`);
      }
      records.push(record);
      goodBytes += Buffer.byteLength(raw, 'utf8') + 1;
    }
    return records;
  }

  static async openForAppend(path: string): Promise<DriveJournal> {
    return new DriveJournal(path, await fs.open(path, 'a'));
  }

  /** Appends one record. Durable at the next sync(); a run killed before that loses no more than its tail. */
  async append(record: JournalRecord, sync = false): Promise<void> {
    await this.fh.write(line(record));
    this.unsynced++;
    if (sync || this.unsynced >= 64) await this.sync();
  }

  async sync(): Promise<void> {
    if (this.unsynced === 0) return;
    await this.fh.sync();
    this.unsynced = 0;
  }

  async close(): Promise<void> {
    try {
      await this.sync();
    } finally {
      await this.fh.close();
    }
  }
}
