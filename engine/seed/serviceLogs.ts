/**
 * The import service's own account of what went wrong: DriveLog error/verbose logs (versions
 * 2014-11-01 and 2018-10-01, in <diagnostics container>/waies/<job>_<drive>_<time>_error.xml) and the
 * Data Box era CopyLog and VerboseLog (container databoxcopylog, <order>_<serial>_CopyLog_<job>.xml and
 * _VerboseLog_; paths written with backslashes in the service's samples). The blob paths reported as
 * failed, and those a verbose log does not list as copied whole, are verified (and repaired) first.
 */
import type { ContainerClient } from '@azure/storage-blob';

export interface ReportedFailure {
  blobPath: string;
  status: string;
  log: string;
}

/** A blob a Data Box VerboseLog lists as copied (Path is container/blob; crc64 is decimal). */
export interface CopiedBlob {
  blobPath: string;
  size: number;
  log: string;
}

/** The service's paths use backslashes (Path="iso\\file.iso"); blob names use slashes. */
function blobPathOf(raw: string): string {
  return decodeXml(raw.trim()).replace(/\\/g, '/');
}

function decodeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** Blobs whose Status is not Completed in a DriveLog (error logs list only failures; verbose logs all). */
export function failuresFromDriveLog(xml: string, log: string): ReportedFailure[] {
  const out: ReportedFailure[] = [];
  for (const m of xml.matchAll(/<Blob\b([^>]*)>([\s\S]*?)<\/Blob>/g)) {
    const status = /\bStatus="([^"]*)"/.exec(m[1]!)?.[1] ?? 'Unknown';
    const path = /<BlobPath>([\s\S]*?)<\/BlobPath>/.exec(m[2]!)?.[1];
    if (path !== undefined && status !== 'Completed') out.push({ blobPath: decodeXml(path.trim()), status, log });
  }
  return out;
}

/** ErroredEntity elements of a CopyLog (their Path is container/blob). */
export function failuresFromCopyLog(xml: string, log: string): ReportedFailure[] {
  const out: ReportedFailure[] = [];
  for (const m of xml.matchAll(/<ErroredEntity\b([^>]*)>([\s\S]*?)<\/ErroredEntity>/g)) {
    const path = /\bPath="([^"]*)"/.exec(m[1]!)?.[1];
    const code = /<ErrorCode>([\s\S]*?)<\/ErrorCode>/.exec(m[2]!)?.[1] ?? /<Category>([\s\S]*?)<\/Category>/.exec(m[2]!)?.[1] ?? 'Error';
    if (path !== undefined) out.push({ blobPath: blobPathOf(path), status: decodeXml(code.trim()), log });
  }
  return out;
}

/** File elements of a Data Box VerboseLog: one per file copied, no root, no summary. */
export function copiedFromVerboseLog(xml: string, log: string): CopiedBlob[] {
  const out: CopiedBlob[] = [];
  for (const m of xml.matchAll(/<File\b([^>]*)>/g)) {
    const path = /\bPath="([^"]*)"/.exec(m[1]!)?.[1];
    const size = /\bSize="(\d+)"/.exec(m[1]!)?.[1];
    if (path !== undefined && size !== undefined) out.push({ blobPath: blobPathOf(path), size: Number(size), log });
  }
  return out;
}

/**
 * The blobs to verify first, as container-relative names: those a log reports as failed, and, once a
 * Data Box verbose log was read, every expected blob no verbose log lists with its expected size (the
 * service did not say it copied it whole). Never fewer than the failures; without verbose logs, just them.
 */
export function blobsToVerifyFirst(failures: readonly ReportedFailure[], copied: readonly CopiedBlob[], expected: readonly { blobPath: string; length: number }[], containerPrefix: string): Set<string> {
  const relative = (path: string): string => (path.startsWith(containerPrefix) ? path.slice(containerPrefix.length) : path);
  const out = new Set(failures.map((f) => relative(f.blobPath)));
  if (copied.length === 0) return out;
  const sizes = new Map(copied.map((c) => [relative(c.blobPath), c.size]));
  for (const e of expected) if (sizes.get(relative(e.blobPath)) !== e.length) out.add(relative(e.blobPath));
  return out;
}

/** Reads every log of this job it can find; a missing diagnostics container just means no reports. */
/**
 * A credential for the seed's container only (a container SAS) cannot read the diagnostics container:
 * that is reported in `unreadable`, and the verification of every blob stands in for the logs.
 */
/** A job's diagnosticsPath, "container" or "container/folder": where its waies/ logs are. */
export function diagnosticsLocation(diagnosticsPath: string): { container: string; folder: string } {
  const [container, ...rest] = diagnosticsPath.replace(/^\/+|\/+$/g, '').split('/');
  return { container: container ?? '', folder: rest.length === 0 ? '' : `${rest.join('/')}/` };
}

export async function readServiceLogs(diagnostics: ContainerClient, copyLogs: ContainerClient, jobName: string, diagnosticsFolder = ''): Promise<{ failures: ReportedFailure[]; copied: CopiedBlob[]; logsRead: number; unreadable: string[] }> {
  const failures: ReportedFailure[] = [];
  const copied: CopiedBlob[] = [];
  const unreadable: string[] = [];
  let logsRead = 0;
  const read = async (container: ContainerClient, prefix: string, match: (name: string) => boolean, parse: (xml: string, log: string) => void): Promise<void> => {
    try {
      for await (const blob of container.listBlobsFlat({ prefix })) {
        if (!match(blob.name)) continue;
        const xml = (await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
        parse(xml, `${container.containerName}/${blob.name}`);
        logsRead++;
      }
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 401 || status === 403) unreadable.push(`${container.containerName} (${status})`);
      else if (status !== 404) throw error;
    }
  };
  await read(diagnostics, `${diagnosticsFolder}waies/${jobName}_`, (n) => /_(error|verbose)\.xml$/.test(n), (xml, log) => failures.push(...failuresFromDriveLog(xml, log)));
  // One listing of the job's copy logs; each kind goes to its own reader.
  await read(copyLogs, `${jobName}_`, (n) => n.includes('_CopyLog_') || n.includes('_VerboseLog_'), (xml, log) => {
    if (log.includes('_CopyLog_')) failures.push(...failuresFromCopyLog(xml, log));
    else copied.push(...copiedFromVerboseLog(xml, log));
  });
  return { failures, copied, logsRead, unreadable };
}
