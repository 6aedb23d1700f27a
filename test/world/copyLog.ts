/**
 * The Data Box copy logs of a customer-disk import (reference databox.md §4.2–4.3), written by the
 * simulated datacenter into the `databoxcopylog` container:
 *   CopyLog     one ErroredEntity per file that did not import, then a CopyLog summary
 *               (DriveLogVersion 2021-08-01, DriveId, Status Succeeded|Failed, TotalFiles_Blobs,
 *               FilesErrored, Summary with ValidationErrors/CopyErrors counted by category);
 *   VerboseLog  one File element per file copied (CloudFormat, Path, Size, crc64 in decimal).
 * Neither has an XML declaration or a single root element, as in the service's samples.
 * Categories: UploadErrorWin32 for file-system errors (ErrorCode = Win32 code), UploadErrorDataValidationError
 * for data that did not match the manifest's hash, UploadErrorCloudHttp for refused storage requests.
 */
import type { BlobResult } from './driveLog.ts';
import { escapeXml } from './xml.ts';

export interface CopyLogEntry {
  category: 'UploadErrorWin32' | 'UploadErrorCloudHttp' | 'UploadErrorDataValidationError' | 'UploadErrorUnknownType';
  errorCode: string;
  message: string;
  path: string;
  cloudFormat: 'BlockBlob' | 'PageBlob';
}

const WIN32: Record<string, [string, string]> = {
  FileNotFound: ['2', 'The system cannot find the file specified.'],
  FileNameInvalid: ['123', 'The filename, directory name, or volume label syntax is incorrect.'],
  FileNameTooLong: ['206', 'The filename or extension is too long.'],
  FileAccessDenied: ['5', 'Access is denied.'],
  IOFailed: ['1117', 'The request could not be performed because of an I/O device error.'],
};

/** The copy log entry of a blob that did not import cleanly, or undefined for a clean (or warning-only) one. */
export function copyLogEntry(blob: BlobResult): CopyLogEntry | undefined {
  const sideFilesOk = (blob.metadata?.status ?? 'Completed') === 'Completed' && (blob.properties?.status ?? 'Completed') === 'Completed';
  if (blob.status === 'Completed' && sideFilesOk) return undefined;
  const base = { path: blob.blobPath, cloudFormat: blob.kind };
  const win32 = WIN32[blob.status];
  if (win32 !== undefined) return { ...base, category: 'UploadErrorWin32', errorCode: win32[0], message: win32[1] };
  if (blob.status === 'BlobRequestForbidden') return { ...base, category: 'UploadErrorCloudHttp', errorCode: '403', message: 'This request is not authorized to perform this operation.' };
  if (blob.status === 'BlobRequestFailed' || blob.status === 'LeasePresent') return { ...base, category: 'UploadErrorCloudHttp', errorCode: '409', message: 'There is currently a lease on the blob and no lease ID was specified in the request.' };
  if (blob.chunks.some((c) => c.status === 'Corrupted' || c.status === 'FileUnexpectedEnd')) {
    return { ...base, category: 'UploadErrorDataValidationError', errorCode: '0', message: 'The data read from the disk does not match the checksum in the manifest.' };
  }
  return { ...base, category: 'UploadErrorUnknownType', errorCode: '0', message: blob.reason ?? `The file did not import (${blob.status}).` };
}

export function writeCopyLog(driveId: string, entries: readonly CopyLogEntry[], totalFiles: number, driveFailed: boolean): string {
  const parts = entries.map((e) => `<ErroredEntity CloudFormat="${e.cloudFormat}" Path="${escapeXml(e.path)}">\r\n  <Category>${e.category}</Category>\r\n  <ErrorCode>${e.errorCode}</ErrorCode>\r\n  <ErrorMessage>${escapeXml(e.message)}</ErrorMessage>\r\n  <Type>File</Type>\r\n</ErroredEntity>\r\n`);
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.category, (counts.get(e.category) ?? 0) + 1);
  const copyErrors = [...counts].map(([category, n]) => `      <${category} Count="${n}" />\r\n`).join('');
  const status = driveFailed || entries.length > 0 ? 'Failed' : 'Succeeded';
  parts.push(`<CopyLog Summary="Summary">\r\n  <DriveLogVersion>2021-08-01</DriveLogVersion>\r\n  <DriveId>${escapeXml(driveId)}</DriveId>\r\n  <Status>${status}</Status>\r\n  <TotalFiles_Blobs>${totalFiles}</TotalFiles_Blobs>\r\n  <FilesErrored>${entries.length}</FilesErrored>\r\n  <Summary>\r\n    <ValidationErrors>\r\n      <None Count="${totalFiles - entries.length}" />\r\n    </ValidationErrors>\r\n    <CopyErrors>\r\n${copyErrors}    </CopyErrors>\r\n  </Summary>\r\n</CopyLog>`);
  return parts.join('');
}

export interface VerboseFile {
  cloudFormat: 'BlockBlob' | 'PageBlob';
  path: string;
  size: number;
  crc64: bigint;
}

export function writeVerboseLog(files: readonly VerboseFile[]): string {
  return files.map((f) => `<File CloudFormat="${f.cloudFormat}" Path="${escapeXml(f.path)}" Size="${f.size}" crc64="${f.crc64}">\r\n</File>`).join('');
}

/** CRC-64 as Azure Storage computes it (polynomial 0x9A6C9329AC4BC9B5, reflected, inverted), in two 32-bit halves for speed. */
const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let lo = i >>> 0;
  let hi = 0;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      lo = (lo ^ 0xac4bc9b5) >>> 0;
      hi = (hi ^ 0x9a6c9329) >>> 0;
    }
  }
  TABLE_LO[i] = lo;
  TABLE_HI[i] = hi;
}

export function crc64(data: Uint8Array, previous = 0n): bigint {
  const start = ~previous & 0xffffffffffffffffn;
  let lo = Number(start & 0xffffffffn) >>> 0;
  let hi = Number(start >> 32n) >>> 0;
  for (let i = 0; i < data.length; i++) {
    const index = (lo ^ data[i]!) & 0xff;
    lo = (((lo >>> 8) | ((hi & 0xff) << 24)) ^ TABLE_LO[index]!) >>> 0;
    hi = ((hi >>> 8) ^ TABLE_HI[index]!) >>> 0;
  }
  return ~((BigInt(hi) << 32n) | BigInt(lo)) & 0xffffffffffffffffn;
}
