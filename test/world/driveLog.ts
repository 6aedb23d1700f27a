/**
 * The classic DriveLog (Version 2014-11-01, reference §3.9) the datacenter writes to
 * `<diagnosticsPath>/waies/<job>_<driveId>_<yyyyMMdd-HHmmss-fff>_<error|verbose>.xml`.
 * The verbose log lists everything; the error log is the same document with successful items
 * filtered out: blobs that completed without a Renamed/Skipped disposition are dropped, and inside
 * the remaining blobs only the blocks/ranges whose status is not Completed are kept.
 */
import { writeXml, type XmlNode } from './xml.ts';

export const DRIVE_STATUSES = [
  'Completed', 'CompletedWithWarnings', 'CompletedWithErrors', 'DiskNotFound', 'VolumeNotNtfs', 'DiskOperationFailed',
  'BitLockerVolumeNotFound', 'BitLockerNotActivated', 'BitLockerProtectorNotFound', 'BitLockerKeyInvalid', 'BitLockerUnlockVolumeFailed',
  'BitLockerFailed', 'ManifestNameInvalid', 'ManifestNameTooLong', 'ManifestNotFound', 'ManifestAccessDenied', 'ManifestCorrupted',
  'ManifestFormatInvalid', 'ManifestDriveIdMismatch', 'ReadManifestFailed', 'BlobListFormatInvalid', 'BlobRequestForbidden', 'InternalError',
] as const;
export type DriveStatus = (typeof DRIVE_STATUSES)[number];

export type BlobStatus = 'Completed' | 'CompletedWithErrors' | 'FileNameInvalid' | 'FileNameTooLong' | 'FileNotFound' | 'FileAccessDenied'
  | 'BlobRequestFailed' | 'BlobRequestForbidden' | 'RenameFailed' | 'BlobUnexpectedChange' | 'LeasePresent' | 'IOFailed' | 'Failed';
export type DispositionStatus = 'Created' | 'Renamed' | 'Skipped' | 'Overwritten' | 'Cancelled';
export type ChunkStatus = 'Completed' | 'Committed' | 'Uncommitted' | 'Corrupted' | 'FileUnexpectedEnd' | 'BlobUnexpectedEnd'
  | 'BlobRequestFailed' | 'IOFailed' | 'Failed' | 'Cancelled';
export type SideFileStatus = 'Completed' | 'FileNameInvalid' | 'FileNameTooLong' | 'FileNotFound' | 'FileAccessDenied' | 'Corrupted'
  | 'XmlReadFailed' | 'XmlWriteFailed' | 'BlobRequestFailed' | 'IOFailed' | 'Failed' | 'Cancelled';

export interface ChunkResult {
  offset: number;
  length: number;
  id?: string;
  hash: string;
  status: ChunkStatus;
}

export interface SideFileResult {
  status: SideFileStatus;
  /** BlobList-level default file. */
  globalPath?: { path: string; hash: string };
  /** Blob-level file (overrides the default). */
  path?: { path: string; hash: string };
}

export interface BlobResult {
  status: BlobStatus;
  /** Final blob path (the new name when renamed). */
  blobPath: string;
  filePath: string;
  length: number;
  kind: 'BlockBlob' | 'PageBlob';
  disposition: { value: string; status: DispositionStatus };
  chunks: ChunkResult[];
  metadata?: SideFileResult;
  properties?: SideFileResult;
  /** Bytes written and verified. */
  bytesSucceeded: number;
  /** Why, in words (not part of the DriveLog format; kept for test failure messages). */
  reason?: string;
}

export interface DriveResult {
  driveId: string;
  status: DriveStatus;
  blobs: BlobResult[];
  /** Drive-level reason in words (not written to the log). */
  reason?: string;
}

export function isWarningOnly(blob: BlobResult): boolean {
  return blob.status === 'Completed' && (blob.disposition.status === 'Renamed' || blob.disposition.status === 'Skipped');
}

/** The drive status from its blobs: errors beat warnings (renamed or skipped blobs) beat success. */
export function driveStatusFromBlobs(blobs: readonly BlobResult[]): DriveStatus {
  const sideFilesOk = (b: BlobResult): boolean => (b.metadata?.status ?? 'Completed') === 'Completed' && (b.properties?.status ?? 'Completed') === 'Completed';
  if (blobs.some((b) => b.status !== 'Completed' || !sideFilesOk(b))) return 'CompletedWithErrors';
  if (blobs.some(isWarningOnly)) return 'CompletedWithWarnings';
  return 'Completed';
}

function sideFileNode(name: 'Metadata' | 'Properties', result: SideFileResult): XmlNode {
  const children: XmlNode[] = [];
  if (result.globalPath) children.push({ name: 'GlobalPath', attributes: { Hash: result.globalPath.hash }, text: result.globalPath.path });
  if (result.path) children.push({ name: 'Path', attributes: { Hash: result.path.hash }, text: result.path.path });
  return { name, attributes: { Status: result.status }, children };
}

function blobNode(blob: BlobResult, errorsOnly: boolean): XmlNode {
  const chunks = errorsOnly ? blob.chunks.filter((c) => c.status !== 'Completed') : blob.chunks;
  const children: XmlNode[] = [
    { name: 'BlobPath', text: blob.blobPath },
    { name: 'FilePath', text: blob.filePath },
    { name: 'Length', text: String(blob.length) },
    { name: 'ImportDisposition', attributes: { Status: blob.disposition.status }, text: blob.disposition.value },
  ];
  if (chunks.length > 0 || !errorsOnly) {
    const isBlock = blob.kind === 'BlockBlob';
    children.push({
      name: isBlock ? 'BlockList' : 'PageRangeList',
      children: chunks.map((c) => ({
        name: isBlock ? 'Block' : 'PageRange',
        attributes: { Offset: c.offset, Length: c.length, Id: c.id, Hash: c.hash, Status: c.status },
      })),
    });
  }
  if (blob.metadata && (!errorsOnly || blob.metadata.status !== 'Completed')) children.push(sideFileNode('Metadata', blob.metadata));
  if (blob.properties && (!errorsOnly || blob.properties.status !== 'Completed')) children.push(sideFileNode('Properties', blob.properties));
  return { name: 'Blob', attributes: { Status: blob.status }, children };
}

function blobIsClean(blob: BlobResult): boolean {
  return blob.status === 'Completed' && !isWarningOnly(blob)
    && (blob.metadata === undefined || blob.metadata.status === 'Completed')
    && (blob.properties === undefined || blob.properties.status === 'Completed');
}

export function writeDriveLog(result: DriveResult, errorsOnly: boolean): string {
  const blobs = errorsOnly ? result.blobs.filter((b) => !blobIsClean(b)) : result.blobs;
  return writeXml({
    name: 'DriveLog',
    attributes: { Version: '2014-11-01' },
    children: [
      { name: 'DriveId', text: result.driveId },
      ...blobs.map((b) => blobNode(b, errorsOnly)),
      { name: 'Status', text: result.status },
    ],
  });
}

/** yyyyMMdd-HHmmss-fff in UTC, as in the service's log blob names. */
export function logTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${p(d.getUTCMilliseconds(), 3)}`;
}
