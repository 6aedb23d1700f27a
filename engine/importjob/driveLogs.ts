/**
 * The causes of a CompletedMoreInfo drive, read from the error log the service wrote into the job's
 * storage account (errorLogUri: <diagnosticsPath>/waies/<job>_<drive>_<time>_error.xml, DriveLog
 * 2014-11-01 / 2018-10-01, reference §3.9). The error log holds the drive's status and only the blobs
 * that did not import cleanly; each becomes one FailedBlob with the first block, page range, metadata
 * or properties file that went wrong.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { azureCloud, blobEndpoint } from '../azure/azureCloud.ts';
import { child, children, parseXml, type XmlElement } from '../drive/xml.ts';
import type { AzureAccessParams } from '../repo/repositoryLocation.ts';
import { openAzureBackend } from '../blob/openAzureBackend.ts';
import type { EventSink } from '../protocol/eventSink.ts';
import { failuresFromDriveLog } from '../seed/serviceLogs.ts';

export interface FailedBlob {
  driveId: string;
  blobPath: string;
  filePath?: string;
  /** The blob's Status (CompletedWithErrors, FileNotFound, …), or Completed for a warning. */
  status: string;
  /** Created, Renamed, Skipped, Overwritten or Cancelled. */
  disposition?: string;
  /** The first part that failed, e.g. "Block at offset 4194304 (4194304 bytes): Corrupted". */
  detail?: string;
  severity: 'Error' | 'Warning';
  /** The log it came from (container/blob). */
  log: string;
}

export interface DriveLogReport {
  driveId: string;
  /** The drive status the log ends with (Completed, CompletedWithErrors, BitLockerKeyInvalid, …). */
  driveStatus?: string;
  blobs: FailedBlob[];
}

function text(element: XmlElement | undefined): string | undefined {
  const t = element?.text.trim();
  return t === undefined || t === '' ? undefined : t;
}

/** Parses an error (or verbose) DriveLog; unknown shapes fall back to the tolerant scanner of seed.complete. */
export function parseErrorLog(xml: string, driveId: string, log: string): DriveLogReport {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    return { driveId, blobs: failuresFromDriveLog(xml, log).map((f) => ({ driveId, blobPath: f.blobPath, status: f.status, severity: 'Error', log })) };
  }
  const blobs: FailedBlob[] = [];
  for (const blob of children(root, 'Blob')) {
    const status = blob.attributes['Status'] ?? 'Unknown';
    const dispositionElement = child(blob, 'ImportDisposition');
    const disposition = dispositionElement?.attributes['Status'];
    const chunks = [...children(child(blob, 'BlockList') ?? { name: '', attributes: {}, children: [], text: '' }, 'Block'),
      ...children(child(blob, 'PageRangeList') ?? { name: '', attributes: {}, children: [], text: '' }, 'PageRange')];
    const bad = chunks.find((c) => !['Completed', 'Committed', 'Cancelled', 'Uncommitted'].includes(c.attributes['Status'] ?? 'Completed'));
    const sideFiles = ['Metadata', 'Properties'].map((n) => child(blob, n)).filter((e): e is XmlElement => e !== undefined && (e.attributes['Status'] ?? 'Completed') !== 'Completed' && e.attributes['Status'] !== 'Cancelled');
    let detail: string | undefined;
    if (bad !== undefined) {
      detail = `${bad.name === 'Block' ? 'Block' : 'Page range'} at offset ${bad.attributes['Offset'] ?? '?'} (${bad.attributes['Length'] ?? '?'} bytes): ${bad.attributes['Status']}`;
    } else if (sideFiles.length > 0) {
      detail = sideFiles.map((e) => `${e.name} file: ${e.attributes['Status']}`).join('; ');
    } else if (disposition === 'Renamed' || disposition === 'Skipped') {
      detail = disposition === 'Renamed' ? 'the blob existed already; imported under a new name' : 'the blob existed already; not overwritten';
    }
    const clean = status === 'Completed' && bad === undefined && sideFiles.length === 0;
    blobs.push({
      driveId,
      blobPath: text(child(blob, 'BlobPath')) ?? '',
      ...(text(child(blob, 'FilePath')) === undefined ? {} : { filePath: text(child(blob, 'FilePath'))! }),
      status,
      ...(disposition === undefined ? {} : { disposition }),
      ...(detail === undefined ? {} : { detail }),
      severity: clean ? 'Warning' : 'Error',
      log,
    });
  }
  const driveStatus = text(child(root, 'Status'));
  return { driveId: text(child(root, 'DriveId')) ?? driveId, ...(driveStatus === undefined ? {} : { driveStatus }), blobs };
}

/** container and blob name of a log URI of this account (path-style emulator URLs included). */
export function splitLogUri(uri: string, accountEndpoint: string): { container: string; blob: string } | undefined {
  let rest: string;
  const base = accountEndpoint.replace(/\/+$/, '');
  if (uri.startsWith(`${base}/`)) rest = uri.slice(base.length + 1);
  else {
    try {
      rest = new URL(uri).pathname.replace(/^\/+/, '');
    } catch {
      return undefined;
    }
  }
  rest = rest.split('?')[0]!;
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const decode = (s: string): string => s.split('/').map((p) => decodeURIComponent(p)).join('/');
  return { container: decode(rest.slice(0, slash)), blob: decode(rest.slice(slash + 1)) };
}

export interface LogReadOutcome {
  reports: DriveLogReport[];
  logsRead: number;
  problems: string[];
}

/** Downloads and parses the error logs; a log that cannot be read is a problem, not a failure of the status. */
export async function readErrorLogs(account: string, logs: readonly { driveId: string; uri: string }[], access: AzureAccessParams, parse: (xml: string, driveId: string, log: string) => DriveLogReport = parseErrorLog): Promise<LogReadOutcome> {
  const outcome: LogReadOutcome = { reports: [], logsRead: 0, problems: [] };
  if (logs.length === 0) return outcome;
  const endpoint = blobEndpoint(azureCloud(access.environment), account);
  const backend = openAzureBackend({ account, container: 'waimportexport', prefix: '' }, access);
  const containers = new Map<string, ContainerClient>();
  for (const { driveId, uri } of logs) {
    const where = splitLogUri(uri, endpoint);
    if (where === undefined) {
      outcome.problems.push(`the error log of drive ${driveId} has an address this engine cannot read: ${uri}`);
      continue;
    }
    let container = containers.get(where.container);
    if (container === undefined) {
      container = backend.containerClient(where.container);
      containers.set(where.container, container);
    }
    try {
      const xml = (await container.getBlobClient(where.blob).downloadToBuffer()).toString('utf8');
      outcome.reports.push(parse(xml, driveId, `${where.container}/${where.blob}`));
      outcome.logsRead++;
    } catch (error) {
      const e = error as { statusCode?: number; code?: string; message?: string };
      outcome.problems.push(`the error log of drive ${driveId} (${where.container}/${where.blob}) could not be read: ${e.statusCode ?? ''} ${e.code ?? ''} ${String(e.message ?? error).split('\n')[0]}`.replace(/\s+/g, ' '));
    }
  }
  return outcome;
}

export interface FailureCauses {
  /** Blobs the logs name (an empty blob path, a drive-level line, is left out). */
  failedBlobs: FailedBlob[];
  /** The drive status each log reports, by drive id in capitals. */
  driveStatus: Map<string, string>;
  logsRead: number;
  logProblems: string[];
}

/**
 * The causes job.status reports for drives that did not copy cleanly, on either control plane: their
 * logs read from the job's storage account (unless readLogs is false), a warning for each log that
 * could not be read, and one for each of the first 20 blobs that did not import.
 */
export async function readFailureCauses(
  account: string | undefined, noAccount: string, logs: readonly { driveId: string; uri: string }[], access: AzureAccessParams & { readLogs?: boolean },
  events: EventSink, parse: (xml: string, driveId: string, log: string) => DriveLogReport, describe: (b: FailedBlob) => string,
): Promise<FailureCauses> {
  let failedBlobs: FailedBlob[] = [];
  const driveStatus = new Map<string, string>();
  const logProblems: string[] = [];
  let logsRead = 0;
  if (logs.length > 0 && access.readLogs !== false) {
    if (account === undefined) logProblems.push(noAccount);
    else {
      const read = await readErrorLogs(account, logs, access, parse);
      logsRead = read.logsRead;
      logProblems.push(...read.problems);
      for (const report of read.reports) {
        if (report.driveStatus !== undefined) driveStatus.set(report.driveId.toUpperCase(), report.driveStatus);
        failedBlobs.push(...report.blobs);
      }
    }
    for (const problem of logProblems) events.log('warning', `${problem}. Give a storage credential (-StorageAccountKey, -SasToken, -StorageAccessToken, or an identity with Storage Blob Data Reader) to see the causes.`);
  }
  failedBlobs = failedBlobs.filter((b) => b.blobPath !== '');
  const errors = failedBlobs.filter((b) => b.severity === 'Error');
  for (const b of errors.slice(0, 20)) events.log('warning', `Drive ${b.driveId}: ${b.blobPath} did not import: ${describe(b)}.`);
  if (errors.length > 20) events.log('warning', `… and ${errors.length - 20} more that did not import (see FailedBlobs).`);
  return { failedBlobs, driveStatus, logsRead, logProblems };
}
