/**
 * The causes of a Data Box disk that did not copy cleanly, from its CopyLog (container databoxcopylog,
 * <job>_<serial>_CopyLog_<id>.xml, DriveLogVersion 2021-08-01, reference databox.md §4.2): one
 * ErroredEntity per file that did not import (Path = container/blob, Category, ErrorCode,
 * ErrorMessage), then a CopyLog summary whose Status (Succeeded or Failed) becomes the drive status.
 * The file has no root element, so it is scanned rather than parsed as one document.
 */
import type { DriveLogReport, FailedBlob } from './driveLogs.ts';

function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&').trim();
}

function element(body: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body);
  return m === null ? undefined : decode(m[1]!);
}

export function parseCopyLog(xml: string, driveId: string, log: string): DriveLogReport {
  const blobs: FailedBlob[] = [];
  for (const m of xml.matchAll(/<ErroredEntity\b([^>]*)>([\s\S]*?)<\/ErroredEntity>/g)) {
    const path = /\bPath="([^"]*)"/.exec(m[1]!)?.[1];
    if (path === undefined) continue;
    const body = m[2]!;
    const category = element(body, 'Category') ?? 'Error';
    const code = element(body, 'ErrorCode');
    const message = element(body, 'ErrorMessage');
    const type = element(body, 'Type');
    const renamed = /Renamed$/.test(category);
    blobs.push({
      driveId,
      blobPath: decode(path).replace(/\\/g, '/'),
      status: category,
      ...(code === undefined && message === undefined ? {} : { detail: [code === undefined ? undefined : `error ${code}`, message].filter((x) => x !== undefined).join(': ') }),
      ...(renamed ? { disposition: 'Renamed' } : {}),
      severity: renamed || type === 'Container' ? 'Warning' : 'Error',
      log,
    });
  }
  const summary = /<CopyLog\b[^>]*>([\s\S]*?)<\/CopyLog>/.exec(xml)?.[1];
  const status = summary === undefined ? undefined : element(summary, 'Status');
  // The log's DriveId may be a GUID of the service's own (§7.4): the disk is known by its serial here.
  return { driveId, ...(status === undefined ? {} : { driveStatus: status }), blobs };
}
