/**
 * Hand-made drives for the world's tests: files under the drive folder, metadata/properties files,
 * the rehearsal BitLocker marker, and a DriveManifest.xml (§3.6) with ≤ 4 MiB blocks or 512-aligned
 * page ranges. Independent of the engine's drive preparation on purpose: these tests check the
 * datacenter against the documented format, not against our own writer.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REHEARSAL_BITLOCKER_KEY_FILE } from './datacenter.ts';
import { MAX_BLOCK } from './manifest.ts';
export { recoveryPassword } from './armModel.ts';
import { writeXml, type XmlNode } from './xml.ts';

export interface FixtureFile {
  /** Drive-relative path with backslashes, e.g. `\session1\data\a.bin`. */
  filePath: string;
  /** container/blob */
  blobPath: string;
  content: Buffer;
  kind?: 'BlockBlob' | 'PageBlob';
  /** Block size (≤ 4 MiB; default 4 MiB). */
  blockSize?: number;
  /** Give blocks explicit Ids. */
  blockIds?: boolean;
  disposition?: 'rename' | 'no-overwrite' | 'overwrite';
  metadata?: Record<string, string>;
  properties?: Record<string, string>;
}

export interface FixtureDrive {
  driveId: string;
  /** Written to the rehearsal marker unless undefined. */
  bitLockerKey?: string;
  files: FixtureFile[];
}

export interface WrittenDrive {
  root: string;
  driveId: string;
  manifestFile: string;
  manifestHash: string;
  manifestXml: string;
}

export function md5Upper(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex').toUpperCase();
}

export function toDrivePath(root: string, filePath: string): string {
  return join(root, ...filePath.replace(/^\\/, '').split('\\'));
}

function writeAt(root: string, filePath: string, content: Buffer | string): void {
  const full = toDrivePath(root, filePath);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

/** Page ranges over the non-zero 512-byte pages (zero pages are holes, as the tool writes them). */
function pageRanges(content: Buffer): { offset: number; length: number }[] {
  const ranges: { offset: number; length: number }[] = [];
  for (let offset = 0; offset < content.length; offset += 512) {
    const page = content.subarray(offset, offset + 512);
    if (page.every((b) => b === 0)) continue;
    const last = ranges.at(-1);
    if (last && last.offset + last.length === offset && last.length + 512 <= MAX_BLOCK) last.length += 512;
    else ranges.push({ offset, length: 512 });
  }
  return ranges;
}

export function writeDrive(root: string, drive: FixtureDrive): WrittenDrive {
  mkdirSync(root, { recursive: true });
  if (drive.bitLockerKey !== undefined) writeFileSync(join(root, REHEARSAL_BITLOCKER_KEY_FILE), `${drive.bitLockerKey}\n`);
  const blobs: XmlNode[] = drive.files.map((file, index) => {
    writeAt(root, file.filePath, file.content);
    const kind = file.kind ?? 'BlockBlob';
    const children: XmlNode[] = [
      { name: 'BlobPath', text: file.blobPath },
      { name: 'FilePath', text: file.filePath },
      { name: 'Length', text: String(file.content.length) },
      { name: 'ImportDisposition', text: file.disposition ?? 'rename' },
    ];
    if (kind === 'BlockBlob') {
      const size = file.blockSize ?? MAX_BLOCK;
      const blocks: XmlNode[] = [];
      for (let offset = 0, i = 0; offset < file.content.length; offset += size, i++) {
        const chunk = file.content.subarray(offset, offset + size);
        blocks.push({
          name: 'Block',
          attributes: {
            Offset: offset,
            Length: chunk.length,
            Id: file.blockIds ? Buffer.from(`block-${String(i).padStart(5, '0')}`).toString('base64') : undefined,
            Hash: md5Upper(chunk),
          },
        });
      }
      children.push({ name: 'BlockList', children: blocks });
    } else {
      children.push({
        name: 'PageRangeList',
        children: pageRanges(file.content).map((r) => ({
          name: 'PageRange',
          attributes: { Offset: r.offset, Length: r.length, Hash: md5Upper(file.content.subarray(r.offset, r.offset + r.length)) },
        })),
      });
    }
    for (const [kindName, values] of [['Metadata', file.metadata], ['Properties', file.properties]] as const) {
      if (!values) continue;
      const xml = writeXml({ name: kindName, children: Object.entries(values).map(([k, v]) => ({ name: k, text: v })) });
      const path = `\\meta\\${index}-${kindName.toLowerCase()}.xml`;
      writeAt(root, path, xml);
      children.push({ name: `${kindName}Path`, attributes: { Hash: md5Upper(xml) }, text: path });
    }
    return { name: 'Blob', children };
  });
  const manifestXml = writeXml({
    name: 'DriveManifest',
    attributes: { Version: '2014-11-01' },
    children: [{
      name: 'Drive',
      children: [
        { name: 'DriveId', text: drive.driveId },
        { name: 'ClientCreator', text: 'OfflineSeed test world' },
        { name: 'BlobList', attributes: { Id: 'session#1-0' }, children: blobs },
      ],
    }],
  });
  writeFileSync(join(root, 'DriveManifest.xml'), manifestXml);
  return { root, driveId: drive.driveId, manifestFile: '\\DriveManifest.xml', manifestHash: md5Upper(manifestXml), manifestXml };
}
