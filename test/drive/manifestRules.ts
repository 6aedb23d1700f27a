/**
 * An independent checker of drive manifests against every rule of the Import/Export fact sheet §3.6,
 * written without the engine's manifest code: its own small XML reader, its own MD5s of the files.
 * checkManifestFile() returns the broken rules as readable lines (empty when the manifest is valid).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Node {
  name: string;
  attrs: Record<string, string>;
  kids: Node[];
  text: string;
}

/** Strict enough for manifests: elements, attributes, text, entities, comments, the XML declaration. */
export function readXml(source: string): Node {
  const tokens = source.replace(/^\uFEFF/, '').replace(/<\?xml[^?]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const stack: Node[] = [{ name: '#document', attrs: {}, kids: [], text: '' }];
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let consumed = 0;
  for (let m = re.exec(tokens); m !== null; m = re.exec(tokens)) {
    if (m.index !== consumed) throw new Error(`unexpected text at ${consumed}: ${tokens.slice(consumed, consumed + 40)}`);
    consumed = re.lastIndex;
    const top = stack.at(-1)!;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(m[5])) throw new Error(`bare & in text: ${m[5]}`);
      top.text += decode(m[5]);
      continue;
    }
    const [, closing, name, rawAttrs, selfClosing] = m as unknown as [string, string, string, string, string];
    if (closing === '/') {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"/g)) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
      attrs[a[1]!] = decode(a[2]!);
    }
    const node: Node = { name, attrs, kids: [], text: '' };
    top.kids.push(node);
    if (selfClosing !== '/') stack.push(node);
  }
  if (consumed !== tokens.length) throw new Error('trailing garbage');
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is not closed`);
  const roots = stack[0]!.kids;
  if (roots.length !== 1 || stack[0]!.text.trim() !== '') throw new Error('exactly one root element expected');
  return roots[0]!;
}

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)));
}

const MD5HEX = /^[0-9A-F]{32}$/;
const FOUR_MB = 4 * 1024 * 1024;

export interface ManifestExpectations {
  driveRoot: string;
  driveId: string;
  /** Containers the blobs may go to ($root allowed). */
  containers: string[];
  manifestHash?: string;
}

export interface CheckedBlob {
  blobPath: string;
  filePath: string;
  length: number;
  pageBlob: boolean;
}

export function checkManifestFile(expect: ManifestExpectations): { problems: string[]; blobs: CheckedBlob[] } {
  const problems: string[] = [];
  const blobs: CheckedBlob[] = [];
  const bytes = readFileSync(join(expect.driveRoot, 'DriveManifest.xml'));
  const md5 = createHash('md5').update(bytes).digest('hex').toUpperCase();
  if (expect.manifestHash !== undefined && md5 !== expect.manifestHash) problems.push(`manifest MD5 ${md5} is not the manifestHash ${expect.manifestHash}`);
  let root: Node;
  try {
    root = readXml(bytes.toString('utf8'));
  } catch (error) {
    return { problems: [`not well-formed: ${(error as Error).message}`], blobs };
  }
  const text = bytes.toString('utf8');
  if (/StorageAccountKey|ContainerSas/.test(text)) problems.push('the manifest carries a StorageAccountKey or ContainerSas');
  if (root.name !== 'DriveManifest') problems.push(`root is <${root.name}>`);
  if (!['2014-11-01', '2011-10-01'].includes(root.attrs['Version'] ?? '')) problems.push(`Version is ${root.attrs['Version']}`);
  const drives = root.kids.filter((k) => k.name === 'Drive');
  if (drives.length !== 1 || root.kids.length !== 1) problems.push('DriveManifest must hold exactly one <Drive>');
  const drive = drives[0];
  if (drive === undefined) return { problems, blobs };
  if (drive.kids[0]?.name !== 'DriveId') problems.push('DriveId is not the first element of Drive');
  if (drive.kids.filter((k) => k.name === 'DriveId').length !== 1) problems.push('exactly one DriveId expected');
  const driveId = drive.kids.find((k) => k.name === 'DriveId')?.text.trim();
  if (driveId !== expect.driveId) problems.push(`DriveId ${driveId} is not ${expect.driveId}`);
  const firstList = drive.kids.findIndex((k) => k.name === 'BlobList');
  const idAt = drive.kids.findIndex((k) => k.name === 'DriveId');
  if (firstList >= 0 && idAt > firstList) problems.push('a BlobList comes before DriveId');
  for (const k of drive.kids) if (!['DriveId', 'ClientCreator', 'BlobList'].includes(k.name)) problems.push(`unexpected <${k.name}> in Drive`);
  const seenBlobPaths = new Set<string>();
  const seenFilePaths = new Set<string>();
  const checkReference = (ref: Node, where: string): void => {
    if (!MD5HEX.test(ref.attrs['Hash'] ?? '')) problems.push(`${where}: ${ref.name} Hash is not upper-case hex MD5`);
    const path = ref.text.trim();
    if (!path.startsWith('\\')) problems.push(`${where}: ${ref.name} is not drive-relative`);
    try {
      const actual = createHash('md5').update(readFileSync(join(expect.driveRoot, ...path.split('\\').filter(Boolean)))).digest('hex').toUpperCase();
      if (actual !== ref.attrs['Hash']) problems.push(`${where}: ${ref.name} ${path} has MD5 ${actual}, manifest says ${ref.attrs['Hash']}`);
    } catch {
      problems.push(`${where}: ${ref.name} ${path} missing`);
    }
  };
  for (const list of drive.kids.filter((k) => k.name === 'BlobList')) {
    for (const k of list.kids) {
      if (k.name === 'MetadataPath' || k.name === 'PropertiesPath') checkReference(k, `BlobList ${list.attrs['Id']}`);
      else if (k.name !== 'Blob') problems.push(`unexpected <${k.name}> in BlobList`);
    }
    for (const blob of list.kids.filter((k) => k.name === 'Blob')) {
      const names = blob.kids.map((k) => k.name);
      const order = ['BlobPath', 'FilePath', 'ClientData', 'Snapshot', 'Length', 'ImportDisposition', 'BlockList|PageRangeList', 'MetadataPath', 'PropertiesPath'];
      let at = 0;
      for (const n of names) {
        const i = order.findIndex((o, j) => j >= at && o.split('|').includes(n));
        if (i < 0) problems.push(`Blob element <${n}> out of order or unknown (${names.join(',')})`);
        else at = i + 1;
      }
      const get = (n: string): string | undefined => blob.kids.find((k) => k.name === n)?.text.trim();
      const blobPath = get('BlobPath') ?? '';
      const filePath = get('FilePath') ?? '';
      const where = `blob ${blobPath}`;
      const container = blobPath.split('/')[0]!;
      if (!blobPath.includes('/') || !expect.containers.includes(container)) problems.push(`${where}: BlobPath does not start with a container (${expect.containers.join(', ')})`);
      if (container !== '$root' && !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(container)) problems.push(`${where}: container name ${container} is invalid`);
      if (blobPath.length > 1024 + container.length + 1) problems.push(`${where}: blob name too long`);
      if (seenBlobPaths.has(blobPath)) problems.push(`${where}: BlobPath twice`);
      seenBlobPaths.add(blobPath);
      if (!filePath.startsWith('\\') || filePath.includes('/')) problems.push(`${where}: FilePath ${filePath} is not a drive-relative Windows path`);
      if (seenFilePaths.has(filePath)) problems.push(`${where}: FilePath twice`);
      seenFilePaths.add(filePath);
      const lengthText = get('Length') ?? '';
      const length = Number(lengthText);
      if (!/^\d+$/.test(lengthText)) problems.push(`${where}: Length ${lengthText} is not a number`);
      const disposition = get('ImportDisposition');
      if (disposition !== undefined && !['rename', 'no-overwrite', 'overwrite'].includes(disposition)) problems.push(`${where}: ImportDisposition ${disposition}`);
      const full = join(expect.driveRoot, ...filePath.split('\\').filter(Boolean));
      let data: Buffer | undefined;
      try {
        if (statSync(full).size !== length) problems.push(`${where}: file is ${statSync(full).size} bytes, Length says ${length}`);
        data = readFileSync(full);
      } catch {
        problems.push(`${where}: file ${filePath} is missing on the drive`);
      }
      const blockList = blob.kids.find((k) => k.name === 'BlockList');
      const pageList = blob.kids.find((k) => k.name === 'PageRangeList');
      if ((blockList === undefined) === (pageList === undefined)) {
        problems.push(`${where}: needs exactly one of BlockList and PageRangeList`);
        continue;
      }
      const entries = (blockList ?? pageList)!.kids;
      const tag = blockList !== undefined ? 'Block' : 'PageRange';
      if (entries.some((e) => e.name !== tag)) problems.push(`${where}: only <${tag}> inside`);
      if (blockList !== undefined) {
        if (entries.length > 50_000) problems.push(`${where}: ${entries.length} blocks, more than 50,000`);
        const withId = entries.filter((e) => e.attrs['Id'] !== undefined).length;
        if (withId !== 0 && withId !== entries.length) problems.push(`${where}: block Ids must be given for all blocks or none`);
        for (const e of entries) if (e.attrs['Id'] !== undefined && !/^[A-Za-z0-9+/]+=*$/.test(e.attrs['Id'])) problems.push(`${where}: block Id is not base64`);
        let expected = 0;
        for (const e of entries) {
          const offset = Number(e.attrs['Offset']);
          const len = Number(e.attrs['Length']);
          if (offset !== expected) problems.push(`${where}: block at ${offset} is not contiguous (expected ${expected})`);
          if (!(len > 0) || len > FOUR_MB) problems.push(`${where}: block length ${len} not in 1..4 MiB`);
          expected = offset + len;
        }
        if (expected !== length) problems.push(`${where}: blocks cover ${expected} bytes, not ${length}`);
      } else {
        if (length % 512 !== 0) problems.push(`${where}: page blob length ${length} is not a multiple of 512`);
        let end = 0;
        for (const e of entries) {
          const offset = Number(e.attrs['Offset']);
          const len = Number(e.attrs['Length']);
          if (offset % 512 !== 0 || len % 512 !== 0) problems.push(`${where}: page range ${offset}+${len} not 512-aligned`);
          if (offset < end) problems.push(`${where}: page ranges overlap or are out of order at ${offset}`);
          if (!(len > 0) || len > FOUR_MB) problems.push(`${where}: page range length ${len} not in 512..4 MiB`);
          if (offset + len > length) problems.push(`${where}: page range beyond the blob's length`);
          end = offset + len;
        }
      }
      for (const e of entries) {
        const hash = e.attrs['Hash'] ?? '';
        if (!MD5HEX.test(hash)) {
          problems.push(`${where}: hash ${hash} is not upper-case hex MD5`);
          continue;
        }
        if (data !== undefined) {
          const offset = Number(e.attrs['Offset']);
          const actual = createHash('md5').update(data.subarray(offset, offset + Number(e.attrs['Length']))).digest('hex').toUpperCase();
          if (actual !== hash) problems.push(`${where}: ${tag} at ${offset} has MD5 ${actual}, manifest says ${hash}`);
        }
      }
      for (const k of blob.kids.filter((x) => x.name === 'MetadataPath' || x.name === 'PropertiesPath')) checkReference(k, where);
      blobs.push({ blobPath, filePath, length, pageBlob: pageList !== undefined });
    }
  }
  return { problems, blobs };
}
