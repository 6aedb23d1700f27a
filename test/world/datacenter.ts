/**
 * The simulated Import/Export datacenter. It "receives" drives (folders standing for the unlocked
 * NTFS volume), checks them as the service does, imports their blobs into the job's storage account
 * through the real @azure/storage-blob SDK (Azurite), writes the DriveLog error/verbose logs and the
 * manifest backup, and moves drives and job through their states through the emulator's hooks.
 *
 * Rehearsal drive contract (drive preparation writes these in rehearsal mode, see README "Windows-only
 * steps"):
 * - `<driveRoot>/.rehearsal-bitlocker-key`: the 48-digit recovery password the drive is "locked"
 *   with (ASCII; surrounding whitespace ignored). `ArrivingDrive.expectedBitLockerKey` stands in for it.
 *   Neither present → BitLockerVolumeNotFound (the service refuses unencrypted drives) unless the
 *   datacenter was made with `requireBitLocker: false`.
 * - `<driveRoot>/.rehearsal-filesystem` (optional): the file system name; anything but NTFS →
 *   VolumeNotNtfs. Absent = NTFS.
 * - The manifest at the job drive's `manifestFile` (`\DriveManifest.xml`), FilePath values relative to
 *   the drive root with backslashes.
 *
 * Checks, in the order the service can make them: BitLocker key (BitLockerVolumeNotFound,
 * BitLockerKeyInvalid) → file system (VolumeNotNtfs) → manifest name (ManifestNameInvalid), presence
 * (ManifestNotFound), hash against manifestHash (ManifestCorrupted; MD5, or SHA-256 for a 64-digit
 * hash), XML (ManifestFormatInvalid), layout (BlobListFormatInvalid), DriveId (ManifestDriveIdMismatch).
 * A drive failing any of them is not copied: state CompletedMoreInfo, copyStatus = that status, an
 * error log holding just DriveId and Status.
 *
 * Per blob: file name and presence (FileNameInvalid, FileNotFound), metadata/properties files (MD5
 * against their Hash: Corrupted; XmlReadFailed), disposition, then every block/range read, checked
 * against its MD5 (Corrupted, FileUnexpectedEnd) and written:
 * - block blobs: each verified block is staged (Put Block, with its Content-MD5) under the manifest's
 *   Id or a generated fixed-length one; the list is committed only if every block verified. After a
 *   failure the later blocks are Cancelled, the staged ones stay Uncommitted, the blob is not
 *   created (disposition Cancelled) and reports CompletedWithErrors;
 * - page blobs: created at full Length, each verified range written (Put Page); after a failure the
 *   later ranges are Cancelled and the blob keeps the ranges written so far (CompletedWithErrors);
 * - dispositions: rename → ` (2)`, ` (3)`… before the last dot of the last segment (Renamed, the log
 *   shows the new path); no-overwrite on an existing blob → Skipped (nothing written, blocks
 *   Cancelled); overwrite → Overwritten; a new blob → Created;
 * - metadata/properties failures do not stop the data: the blob is written without them and
 *   reports CompletedWithErrors.
 *
 * States (decisions where §1.7/§6 are vague):
 * - receivePackage: job Shipping → Received; arriving drives Specified/NeverReceived → Received;
 *   drives missing from the package → NeverReceived (a later package can still bring them).
 * - transfer: job → Transferring; each received drive → Transferring (copyStatus InProgress, percent
 *   and bytesSucceeded updated per chunk) → Completed (drive status Completed) or CompletedMoreInfo
 *   (anything else, warnings included); copyStatus ends as the DriveLog drive status. Job → Packaging.
 *   A cancel request seen before the copy skips it; seen during it, the remaining blobs are skipped.
 * - shipBack: returnPackage set, job → Completed, or Closed when a drive was not clean. With
 *   `closeJobOn: 'errors'` (default, §6.23 and §1.7 "shipped back but errors occurred") any blob error
 *   or drive failure or drive never received closes the job, warnings (renames, skips) do not; with
 *   'driveFailure' only unprocessable or missing drives close it and blob errors leave the job
 *   Completed with CompletedMoreInfo drives. Canceled jobs end in the emulator's canceledEndState,
 *   their uncopied drives ShippedBack. Copied drives keep Completed/CompletedMoreInfo (the information
 *   clients need) unless `markShippedBack` is set.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { isRestError, type BlobHTTPHeaders, type BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { storageAccountName, type DriveRecord, type DriveState, type JobRecord, type JobState } from './armModel.ts';
import {
  driveStatusFromBlobs,
  logTimestamp,
  writeDriveLog,
  type BlobResult,
  type ChunkResult,
  type DriveResult,
  type DriveStatus,
  type SideFileResult,
} from './driveLog.ts';
import type { ImportExportEmulator, JobRef } from './importExportEmulator.ts';
import { drivePathSegments, parseDriveManifest, renamedBlobName, type HashedPath, type ManifestBlob, type ManifestBlobList } from './manifest.ts';
import { parseXml } from './xml.ts';

export const REHEARSAL_BITLOCKER_KEY_FILE = '.rehearsal-bitlocker-key';
export const REHEARSAL_FILESYSTEM_FILE = '.rehearsal-filesystem';

export interface DriveFaults {
  /** Flip one byte (xor 0xFF) of a file, at a file offset, whenever it is read. */
  corruptBytes?: { filePath: string; offset: number }[];
  /** Files that turn out to be missing (drive-relative, backslashes or slashes). */
  missingFiles?: string[];
  /** The drive is locked with another key than the job's. */
  wrongBitLockerKey?: boolean;
  /** The volume is not NTFS. */
  notNtfs?: boolean;
  /** The manifest is missing. */
  missingManifest?: boolean;
}

export interface ArrivingDrive {
  driveId: string;
  /** Folder standing for the mounted, unlocked volume. */
  root: string;
  /** The key the drive is locked with, when the folder has no rehearsal marker. */
  expectedBitLockerKey?: string;
  faults?: DriveFaults;
}

export type DatacenterStep =
  | { kind: 'job'; job: string; state: JobState }
  | { kind: 'drive'; job: string; driveId: string; state: DriveState }
  | { kind: 'blob'; job: string; driveId: string; blob: BlobResult; percentComplete: number };

export interface DatacenterOptions {
  emulator: ImportExportEmulator;
  /** A client for the Blob service of a storage account (the datacenter holds the account key). */
  storage: (accountName: string) => BlobServiceClient;
  requireBitLocker?: boolean;
  closeJobOn?: 'errors' | 'driveFailure';
  markShippedBack?: boolean;
  /** Awaited after every state change and every blob, so tests can look at intermediate states. */
  onStep?: (step: DatacenterStep) => void | Promise<void>;
}

export interface DriveReport extends DriveResult {
  state: DriveState;
  errorLogUri?: string;
  verboseLogUri?: string;
  manifestUri?: string;
}

export interface TransferReport {
  job: string;
  drives: DriveReport[];
}

export interface Datacenter {
  receivePackage(ref: JobRef, drives: ArrivingDrive[]): Promise<{ received: string[]; neverReceived: string[]; extra: string[] }>;
  transfer(ref: JobRef): Promise<TransferReport>;
  shipBack(ref: JobRef, options?: { trackingNumber?: string }): Promise<JobState>;
  /** receivePackage + transfer + shipBack. */
  process(ref: JobRef, drives: ArrivingDrive[]): Promise<TransferReport & { finalState: JobState }>;
}

/** Drive statuses that mean the drive could not be processed at all. */
export function isDriveFailure(status: string | undefined): boolean {
  return status !== undefined && !['Completed', 'CompletedWithWarnings', 'CompletedWithErrors', 'InProgress'].includes(status);
}

function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex').toUpperCase();
}

function normalizeFilePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\/+/, '');
}

/** A reader that applies the corrupt-byte faults to what it returns. */
async function readChunk(handle: FileHandle, filePath: string, offset: number, length: number, faults: DriveFaults): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  const data = buffer.subarray(0, got);
  for (const c of faults.corruptBytes ?? []) {
    if (normalizeFilePath(c.filePath) === normalizeFilePath(filePath) && c.offset >= offset && c.offset < offset + got) {
      data[c.offset - offset]! ^= 0xff;
    }
  }
  return data;
}

interface SideFile {
  result: SideFileResult;
  values?: Record<string, string>;
}

/** Reads a metadata or properties file (§3.7), checking its MD5 against the manifest's Hash. */
function readSideFile(root: string, kind: 'Metadata' | 'Properties', globalPath: HashedPath | undefined, path: HashedPath | undefined): SideFile | undefined {
  const effective = path ?? globalPath;
  if (!effective) return undefined;
  const result: SideFileResult = { status: 'Completed', ...(globalPath ? { globalPath } : {}), ...(path ? { path } : {}) };
  const segments = drivePathSegments(effective.path);
  if (!segments) return { result: { ...result, status: 'FileNameInvalid' } };
  const file = join(root, ...segments);
  if (!existsSync(file)) return { result: { ...result, status: 'FileNotFound' } };
  const bytes = readFileSync(file);
  if (md5Hex(bytes) !== effective.hash) return { result: { ...result, status: 'Corrupted' } };
  try {
    const doc = parseXml(bytes.toString('utf8'));
    if (doc.name !== kind) return { result: { ...result, status: 'XmlReadFailed' } };
    const values: Record<string, string> = {};
    for (const child of doc.children) values[child.name] = child.text.trim();
    return { result, values };
  } catch {
    return { result: { ...result, status: 'XmlReadFailed' } };
  }
}

function httpHeaders(properties: Record<string, string> | undefined): BlobHTTPHeaders {
  const p = properties ?? {};
  const headers: BlobHTTPHeaders = {};
  if (p['Content-Type']) headers.blobContentType = p['Content-Type'];
  if (p['Content-Encoding']) headers.blobContentEncoding = p['Content-Encoding'];
  if (p['Content-Language']) headers.blobContentLanguage = p['Content-Language'];
  if (p['Cache-Control']) headers.blobCacheControl = p['Cache-Control'];
  if (p['Content-Disposition']) headers.blobContentDisposition = p['Content-Disposition'];
  if (p['Content-MD5']) headers.blobContentMD5 = Buffer.from(p['Content-MD5'], 'base64');
  return headers;
}

/** Block ids for manifests without Ids: fixed length, as Put Block requires within a blob. */
function generatedBlockId(index: number): string {
  return Buffer.from(`offlineseed-block-${String(index).padStart(6, '0')}`).toString('base64');
}

export interface BlobContext {
  root: string;
  faults: DriveFaults;
  service: BlobServiceClient;
  containers: Map<string, ContainerClient>;
  /** Called with (bytes processed, bytes succeeded) deltas after every chunk. */
  progress: (processed: number, succeeded: number) => void;
}

async function containerFor(ctx: BlobContext, name: string): Promise<ContainerClient> {
  let client = ctx.containers.get(name);
  if (!client) {
    client = ctx.service.getContainerClient(name);
    await client.createIfNotExists();
    ctx.containers.set(name, client);
  }
  return client;
}

function requestFailure(error: unknown): 'BlobRequestFailed' | 'BlobRequestForbidden' {
  if (isRestError(error) && error.statusCode === 403) return 'BlobRequestForbidden';
  if (isRestError(error)) return 'BlobRequestFailed';
  throw error;
}

export async function importBlob(blob: ManifestBlob, list: ManifestBlobList, ctx: BlobContext): Promise<BlobResult> {
  const chunks: ChunkResult[] = blob.chunks.map((c, i) => ({
    offset: c.offset,
    length: c.length,
    ...(blob.kind === 'BlockBlob' ? { id: c.id ?? generatedBlockId(i) } : {}),
    hash: c.hash,
    status: 'Cancelled',
  }));
  const result: BlobResult = {
    status: 'Completed',
    blobPath: blob.blobPath,
    filePath: blob.filePath,
    length: blob.length,
    kind: blob.kind,
    disposition: { value: blob.disposition, status: 'Cancelled' },
    chunks,
    bytesSucceeded: 0,
  };
  const total = blob.chunks.reduce((n, c) => n + c.length, 0);
  const metadata = readSideFile(ctx.root, 'Metadata', list.metadataPath, blob.metadataPath);
  const properties = readSideFile(ctx.root, 'Properties', list.propertiesPath, blob.propertiesPath);
  if (metadata) result.metadata = metadata.result;
  if (properties) result.properties = properties.result;
  const stop = (status: BlobResult['status'], reason: string): BlobResult => {
    result.status = status;
    result.reason = reason;
    if (result.metadata?.status === 'Completed') result.metadata.status = 'Cancelled';
    if (result.properties?.status === 'Completed') result.properties.status = 'Cancelled';
    return result;
  };

  const segments = drivePathSegments(blob.filePath);
  if (!segments) {
    ctx.progress(total, 0);
    return stop('FileNameInvalid', `file name '${blob.filePath}' is invalid`);
  }
  const file = join(ctx.root, ...segments);
  const missing = (ctx.faults.missingFiles ?? []).some((m) => normalizeFilePath(m) === normalizeFilePath(blob.filePath));
  if (missing || !existsSync(file) || !statSync(file).isFile()) {
    ctx.progress(total, 0);
    return stop('FileNotFound', `file '${blob.filePath}' is not on the drive`);
  }

  const slash = blob.blobPath.indexOf('/');
  const containerName = blob.blobPath.slice(0, slash);
  let blobName = blob.blobPath.slice(slash + 1);
  const headers = httpHeaders(properties?.result.status === 'Completed' ? properties.values : undefined);
  const meta = metadata?.result.status === 'Completed' ? metadata.values ?? {} : {};
  let handle: FileHandle | undefined;
  try {
    const container = await containerFor(ctx, containerName);
    if (await container.getBlobClient(blobName).exists()) {
      if (blob.disposition === 'no-overwrite') {
        result.disposition.status = 'Skipped';
        ctx.progress(total, 0);
        return result;
      }
      if (blob.disposition === 'rename') {
        let n = 2;
        while (await container.getBlobClient(renamedBlobName(blobName, n)).exists()) n++;
        blobName = renamedBlobName(blobName, n);
        result.blobPath = `${containerName}/${blobName}`;
        result.disposition.status = 'Renamed';
      } else {
        result.disposition.status = 'Overwritten';
      }
    } else {
      result.disposition.status = 'Created';
    }
    handle = await open(file, 'r');
    let failed = false;
    if (blob.kind === 'PageBlob') await container.getPageBlobClient(blobName).create(blob.length, { blobHTTPHeaders: headers, metadata: meta });
    for (const chunk of chunks) {
      const data = await readChunk(handle, blob.filePath, chunk.offset, chunk.length, ctx.faults);
      if (data.length < chunk.length) {
        chunk.status = 'FileUnexpectedEnd';
        result.reason = `file '${blob.filePath}' ends at ${chunk.offset + data.length}, before the chunk at ${chunk.offset} (+${chunk.length})`;
      } else if (md5Hex(data) !== chunk.hash) {
        chunk.status = 'Corrupted';
        result.reason = `chunk at offset ${chunk.offset} of '${blob.filePath}' does not match its MD5`;
      } else {
        try {
          const md5 = createHash('md5').update(data).digest();
          if (blob.kind === 'BlockBlob') {
            await container.getBlockBlobClient(blobName).stageBlock(chunk.id!, data, data.length, { transactionalContentMD5: md5 });
            chunk.status = 'Uncommitted';
            ctx.progress(chunk.length, 0);
          } else {
            await container.getPageBlobClient(blobName).uploadPages(data, chunk.offset, chunk.length, { transactionalContentMD5: md5 });
            chunk.status = 'Completed';
            result.bytesSucceeded += chunk.length;
            ctx.progress(chunk.length, chunk.length);
          }
          continue;
        } catch (error) {
          chunk.status = 'BlobRequestFailed';
          result.status = requestFailure(error);
          result.reason = `storage request failed: ${(error as Error).message}`;
        }
      }
      failed = true;
      break;
    }
    if (failed) {
      // Count the rest of the blob as processed, so the drive's percentComplete still reaches 100.
      const counted = chunks.filter((c) => c.status === 'Uncommitted' || c.status === 'Completed').reduce((n, c) => n + c.length, 0);
      ctx.progress(total - counted, 0);
      if (result.status === 'Completed') result.status = 'CompletedWithErrors';
      // A block blob is committed only whole; a page blob exists with the ranges written so far.
      if (blob.kind === 'BlockBlob') result.disposition.status = 'Cancelled';
      if (result.metadata?.status === 'Completed' && blob.kind === 'BlockBlob') result.metadata.status = 'Cancelled';
      if (result.properties?.status === 'Completed' && blob.kind === 'BlockBlob') result.properties.status = 'Cancelled';
      return result;
    }
    if (blob.kind === 'BlockBlob') {
      await container.getBlockBlobClient(blobName).commitBlockList(chunks.map((c) => c.id!), { blobHTTPHeaders: headers, metadata: meta });
      for (const c of chunks) c.status = 'Completed';
      result.bytesSucceeded = blob.length;
      ctx.progress(0, blob.length);
    }
    if ((metadata && metadata.result.status !== 'Completed') || (properties && properties.result.status !== 'Completed')) {
      result.status = 'CompletedWithErrors';
      result.reason = 'a metadata or properties file could not be applied';
    }
    return result;
  } catch (error) {
    result.status = requestFailure(error);
    result.reason = `storage request failed: ${(error as Error).message}`;
    result.disposition.status = 'Cancelled';
    return result;
  } finally {
    await handle?.close();
  }
}

function readMarker(root: string, name: string): string | undefined {
  const file = join(root, name);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

export interface DriveCheck {
  status?: DriveStatus;
  reason?: string;
  manifestBytes?: Buffer;
}

/** The drive-level checks; returns the manifest bytes, or the status that stops the drive. */
export function checkDrive(drive: DriveRecord, arriving: ArrivingDrive, requireBitLocker: boolean): DriveCheck {
  const faults = arriving.faults ?? {};
  const lockedWith = arriving.expectedBitLockerKey ?? readMarker(arriving.root, REHEARSAL_BITLOCKER_KEY_FILE);
  if (lockedWith === undefined && !faults.wrongBitLockerKey) {
    if (requireBitLocker) return { status: 'BitLockerVolumeNotFound', reason: `no BitLocker volume: ${REHEARSAL_BITLOCKER_KEY_FILE} is missing and no expected key was given` };
  } else if (faults.wrongBitLockerKey || lockedWith !== drive.bitLockerKey) {
    return { status: 'BitLockerKeyInvalid', reason: "the job's BitLocker key does not unlock the drive" };
  }
  const fileSystem = faults.notNtfs ? 'FAT32' : readMarker(arriving.root, REHEARSAL_FILESYSTEM_FILE) ?? 'NTFS';
  if (fileSystem.toUpperCase() !== 'NTFS') return { status: 'VolumeNotNtfs', reason: `the volume is ${fileSystem}, not NTFS` };
  const segments = drivePathSegments(drive.manifestFile ?? '');
  if (!segments) return { status: 'ManifestNameInvalid', reason: `manifest name '${drive.manifestFile}' is invalid` };
  const file = join(arriving.root, ...segments);
  if (faults.missingManifest || !existsSync(file)) return { status: 'ManifestNotFound', reason: `no manifest at ${drive.manifestFile}` };
  const bytes = readFileSync(file);
  const expected = (drive.manifestHash ?? '').toUpperCase();
  const actual = expected.length === 64 ? createHash('sha256').update(bytes).digest('hex').toUpperCase() : md5Hex(bytes);
  if (actual !== expected) return { status: 'ManifestCorrupted', reason: `manifest hash ${actual} differs from the job's ${expected}` };
  return { manifestBytes: bytes };
}

function refOf(job: JobRecord): JobRef {
  return { subscriptionId: job.subscriptionId, resourceGroupName: job.resourceGroupName, jobName: job.name };
}

export function createDatacenter(options: DatacenterOptions): Datacenter {
  const { emulator } = options;
  const requireBitLocker = options.requireBitLocker ?? true;
  const closeJobOn = options.closeJobOn ?? 'errors';
  const arrived = new Map<string, Map<string, ArrivingDrive>>();
  const keyOf = (ref: JobRef): string => `${ref.subscriptionId}/${ref.resourceGroupName}/${ref.jobName}`.toLowerCase();
  const step = async (s: DatacenterStep): Promise<void> => {
    await options.onStep?.(s);
  };
  const setJob = async (ref: JobRef, state: JobState): Promise<void> => {
    emulator.setJobState(ref, state);
    await step({ kind: 'job', job: ref.jobName, state });
  };
  const setDrive = async (ref: JobRef, driveId: string, state: DriveState, extra: Partial<DriveRecord> = {}): Promise<void> => {
    emulator.setDriveState(ref, driveId, state, extra);
    await step({ kind: 'drive', job: ref.jobName, driveId, state });
  };

  const uploadLog = async (service: BlobServiceClient, job: JobRecord, driveId: string, type: 'error' | 'verbose' | 'manifest', body: string | Buffer): Promise<string> => {
    const path = job.properties.diagnosticsPath.replace(/^\/+|\/+$/g, '');
    const slash = path.indexOf('/');
    const container = slash < 0 ? path : path.slice(0, slash);
    const prefix = slash < 0 ? '' : `${path.slice(slash + 1)}/`;
    const client = service.getContainerClient(container);
    await client.createIfNotExists();
    const name = `${prefix}waies/${job.name}_${driveId}_${logTimestamp(emulator.clock.now())}_${type}.xml`;
    const blob = client.getBlockBlobClient(name);
    await blob.upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/xml' } });
    return blob.url;
  };

  const transferDrive = async (job: JobRecord, drive: DriveRecord, arriving: ArrivingDrive, service: BlobServiceClient): Promise<DriveReport> => {
    const ref = refOf(job);
    await setDrive(ref, drive.driveId, 'Transferring', { copyStatus: 'InProgress', percentComplete: 0, bytesSucceeded: 0 });
    const check = checkDrive(drive, arriving, requireBitLocker);
    let result: DriveResult;
    if (check.status) {
      result = { driveId: drive.driveId, status: check.status, blobs: [], ...(check.reason ? { reason: check.reason } : {}) };
    } else {
      const parsed = parseDriveManifest(check.manifestBytes!.toString('utf8'));
      if ('problem' in parsed) {
        result = { driveId: drive.driveId, status: parsed.problem.status, blobs: [], reason: parsed.problem.message };
      } else if (parsed.ok.driveId.toUpperCase() !== drive.driveId.toUpperCase()) {
        result = { driveId: drive.driveId, status: 'ManifestDriveIdMismatch', blobs: [], reason: `the manifest is for drive ${parsed.ok.driveId}` };
      } else {
        const manifest = parsed.ok;
        const total = manifest.blobLists.reduce((n, l) => n + l.blobs.reduce((m, b) => m + b.chunks.reduce((k, c) => k + c.length, 0), 0), 0);
        let processed = 0;
        let succeeded = 0;
        const ctx: BlobContext = {
          root: arriving.root,
          faults: arriving.faults ?? {},
          service,
          containers: new Map(),
          progress: (p, s) => {
            processed += p;
            succeeded += s;
            const percent = total === 0 ? 100 : Math.min(100, Math.floor((processed * 100) / total));
            emulator.updateDrive(ref, drive.driveId, { percentComplete: percent, bytesSucceeded: succeeded });
          },
        };
        const blobs: BlobResult[] = [];
        for (const list of manifest.blobLists) {
          for (const blob of list.blobs) {
            if (emulator.getJob(ref)?.properties.cancelRequested) {
              blobs.push({
                status: 'Failed', blobPath: blob.blobPath, filePath: blob.filePath, length: blob.length, kind: blob.kind,
                disposition: { value: blob.disposition, status: 'Cancelled' },
                chunks: blob.chunks.map((c) => ({ offset: c.offset, length: c.length, hash: c.hash, status: 'Cancelled' })),
                bytesSucceeded: 0, reason: 'the job was canceled',
              });
              continue;
            }
            const done = await importBlob(blob, list, ctx);
            blobs.push(done);
            await step({ kind: 'blob', job: job.name, driveId: drive.driveId, blob: done, percentComplete: emulator.requireJob(ref).properties.driveList.find((d) => d.driveId === drive.driveId)?.percentComplete ?? 0 });
          }
        }
        result = { driveId: drive.driveId, status: driveStatusFromBlobs(blobs), blobs };
      }
    }
    const uris: Partial<Pick<DriveRecord, 'errorLogUri' | 'verboseLogUri' | 'manifestUri'>> = {};
    if (result.status !== 'Completed') uris.errorLogUri = await uploadLog(service, job, drive.driveId, 'error', writeDriveLog(result, true));
    if (job.properties.logLevel === 'Verbose') uris.verboseLogUri = await uploadLog(service, job, drive.driveId, 'verbose', writeDriveLog(result, false));
    if (job.properties.backupDriveManifest && check.manifestBytes) uris.manifestUri = await uploadLog(service, job, drive.driveId, 'manifest', check.manifestBytes);
    const state: DriveState = result.status === 'Completed' ? 'Completed' : 'CompletedMoreInfo';
    const bytes = result.blobs.reduce((n, b) => n + b.bytesSucceeded, 0);
    const percent = isDriveFailure(result.status) ? 0 : 100;
    await setDrive(ref, drive.driveId, state, { copyStatus: result.status, percentComplete: percent, bytesSucceeded: bytes, ...uris });
    return { ...result, state, ...uris };
  };

  const datacenter: Datacenter = {
    async receivePackage(ref, drives) {
      const job = emulator.requireJob(ref);
      const state = job.properties.state;
      if (state !== 'Shipping' && state !== 'Received') {
        throw new Error(`job ${ref.jobName} is ${state}: the datacenter accepts packages only for jobs in Shipping (or late drives while Received)`);
      }
      const known = new Map(job.properties.driveList.map((d) => [d.driveId.toUpperCase(), d]));
      const store = arrived.get(keyOf(ref)) ?? new Map<string, ArrivingDrive>();
      arrived.set(keyOf(ref), store);
      const received: string[] = [];
      const extra: string[] = [];
      for (const drive of drives) {
        const record = known.get(drive.driveId.toUpperCase());
        if (!record) {
          // Extra drives are returned with the job, unprocessed (§1.7).
          extra.push(drive.driveId);
          continue;
        }
        store.set(record.driveId, drive);
        received.push(record.driveId);
        if (record.state === 'Specified' || record.state === 'NeverReceived') await setDrive(ref, record.driveId, 'Received');
      }
      const neverReceived: string[] = [];
      for (const record of job.properties.driveList) {
        if (record.state === 'Specified' && !store.has(record.driveId)) {
          neverReceived.push(record.driveId);
          await setDrive(ref, record.driveId, 'NeverReceived');
        }
      }
      if (received.length > 0 && state === 'Shipping') await setJob(ref, 'Received');
      return { received, neverReceived, extra };
    },

    async transfer(ref) {
      const job = emulator.requireJob(ref);
      if (job.properties.state !== 'Received') throw new Error(`job ${ref.jobName} is ${job.properties.state}; transfer starts from Received`);
      const report: TransferReport = { job: ref.jobName, drives: [] };
      if (job.properties.cancelRequested) {
        await setJob(ref, 'Packaging');
        return report;
      }
      const account = storageAccountName(job.properties.storageAccountId);
      if (!account) throw new Error(`job ${ref.jobName} has no usable storageAccountId`);
      const service = options.storage(account);
      await setJob(ref, 'Transferring');
      const store = arrived.get(keyOf(ref)) ?? new Map<string, ArrivingDrive>();
      for (const drive of job.properties.driveList) {
        const arriving = store.get(drive.driveId);
        if (drive.state !== 'Received' || !arriving) continue;
        report.drives.push(await transferDrive(emulator.requireJob(ref), drive, arriving, service));
        const drivesNow = emulator.requireJob(ref).properties.driveList.filter((d) => store.has(d.driveId));
        emulator.updateJob(ref, { percentComplete: Math.floor(drivesNow.reduce((n, d) => n + (d.percentComplete ?? 0), 0) / Math.max(1, drivesNow.length)) });
      }
      await setJob(ref, 'Packaging');
      return report;
    },

    async shipBack(ref, shipOptions = {}) {
      const job = emulator.requireJob(ref);
      if (job.properties.state !== 'Packaging') throw new Error(`job ${ref.jobName} is ${job.properties.state}; drives are shipped back from Packaging`);
      const drives = job.properties.driveList;
      const returned = drives.filter((d) => d.state !== 'Specified' && d.state !== 'NeverReceived');
      emulator.updateJob(ref, {
        returnPackage: {
          carrierName: job.properties.returnShipping?.carrierName ?? 'FedEx',
          trackingNumber: shipOptions.trackingNumber ?? `RET${String(emulator.clock.now()).slice(-10)}`,
          driveCount: returned.length,
          shipDate: new Date(emulator.clock.now()).toISOString(),
        },
      });
      let end: JobState;
      if (job.properties.cancelRequested) {
        end = emulator.config.canceledEndState;
        for (const d of returned) if (d.state === 'Received') await setDrive(ref, d.driveId, 'ShippedBack');
      } else {
        const missing = drives.some((d) => d.state === 'NeverReceived' || d.state === 'Specified');
        const driveFailure = drives.some((d) => isDriveFailure(d.copyStatus));
        const blobErrors = drives.some((d) => d.copyStatus === 'CompletedWithErrors');
        end = missing || driveFailure || (closeJobOn === 'errors' && blobErrors) ? 'Closed' : 'Completed';
        if (options.markShippedBack) for (const d of returned) await setDrive(ref, d.driveId, 'ShippedBack');
      }
      emulator.updateJob(ref, { percentComplete: job.properties.cancelRequested ? job.properties.percentComplete ?? 0 : 100 });
      await setJob(ref, end);
      return end;
    },

    async process(ref, drives) {
      await datacenter.receivePackage(ref, drives);
      const report = await datacenter.transfer(ref);
      const finalState = await datacenter.shipBack(ref);
      return { ...report, finalState };
    },
  };
  return datacenter;
}
