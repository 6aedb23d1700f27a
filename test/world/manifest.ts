/**
 * Reading a WAImportExport drive manifest (reference §3.6) the way the datacenter does: the XML must
 * parse and have the DriveManifest shape (else drive status ManifestFormatInvalid), and every blob
 * list must follow the layout rules (else BlobListFormatInvalid):
 * - BlobPath starts with a container name or $root, then a blob name;
 * - blocks are ordered, contiguous, cover the whole Length, are 1 byte..4 MiB, at most 50,000, with
 *   Ids on all blocks or none (all of one decoded length, as Put Block requires);
 * - page ranges are ordered, non-overlapping, 512-aligned in offset and length, at most 4 MiB, inside
 *   Length, which is a multiple of 512; holes are allowed;
 * - hashes are uppercase Base16 MD5 (32 digits); dispositions are rename, no-overwrite or overwrite.
 */
import { childElement, childElements, childText, parseXml, XmlError, type XmlElement } from './xml.ts';

export const MANIFEST_VERSIONS = ['2014-11-01', '2011-10-01'];
export const MAX_BLOCK = 4 * 1024 * 1024;
export const MAX_BLOCKS = 50_000;
export const PAGE = 512;

export type Disposition = 'rename' | 'no-overwrite' | 'overwrite';

export interface HashedPath {
  path: string;
  hash: string;
}

export interface ManifestChunk {
  offset: number;
  length: number;
  /** Base64 block id (block blobs only, optional). */
  id?: string;
  hash: string;
}

export interface ManifestBlob {
  blobPath: string;
  filePath: string;
  length: number;
  disposition: Disposition;
  kind: 'BlockBlob' | 'PageBlob';
  /** Blocks of a block blob, or page ranges of a page blob. */
  chunks: ManifestChunk[];
  metadataPath?: HashedPath;
  propertiesPath?: HashedPath;
}

export interface ManifestBlobList {
  id?: string;
  metadataPath?: HashedPath;
  propertiesPath?: HashedPath;
  blobs: ManifestBlob[];
}

export interface DriveManifest {
  version: string;
  driveId: string;
  blobLists: ManifestBlobList[];
}

export type ManifestProblem = { status: 'ManifestFormatInvalid' | 'BlobListFormatInvalid'; message: string };

const HASH = /^[0-9A-F]{32}$/;
const CONTAINER = /^(\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$/;

class LayoutError extends Error {}

function integer(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new LayoutError(`${what} must be a non-negative integer, got '${value ?? ''}'`);
  return Number(value);
}

function hashedPath(element: XmlElement | undefined, what: string): HashedPath | undefined {
  if (!element) return undefined;
  const hash = element.attributes.Hash ?? '';
  if (!HASH.test(hash)) throw new LayoutError(`${what} Hash must be an uppercase Base16 MD5, got '${hash}'`);
  const path = element.text.trim();
  if (path === '') throw new LayoutError(`${what} is empty`);
  return { path, hash };
}

function checkBlobPath(blobPath: string): void {
  const slash = blobPath.indexOf('/');
  const container = slash < 0 ? '' : blobPath.slice(0, slash);
  const name = slash < 0 ? '' : blobPath.slice(slash + 1);
  if (!CONTAINER.test(container)) throw new LayoutError(`BlobPath '${blobPath}' must start with a container name or $root`);
  if (name === '' || name.length > 1024 || name.endsWith('/')) throw new LayoutError(`BlobPath '${blobPath}' needs a blob name of 1 to 1024 characters`);
  if (container === '$root' && name.includes('/')) throw new LayoutError(`BlobPath '${blobPath}': blobs in $root cannot have a virtual directory`);
}

function readBlocks(list: XmlElement, length: number, blobPath: string): ManifestChunk[] {
  const blocks = childElements(list, 'Block').map((b, i) => {
    const chunk: ManifestChunk = {
      offset: integer(b.attributes.Offset, `${blobPath} block ${i} Offset`),
      length: integer(b.attributes.Length, `${blobPath} block ${i} Length`),
      hash: b.attributes.Hash ?? '',
    };
    if (b.attributes.Id !== undefined) chunk.id = b.attributes.Id;
    return chunk;
  });
  if (blocks.length > MAX_BLOCKS) throw new LayoutError(`${blobPath} has ${blocks.length} blocks; at most ${MAX_BLOCKS} are allowed`);
  let expected = 0;
  for (const [i, block] of blocks.entries()) {
    if (block.offset !== expected) throw new LayoutError(`${blobPath} block ${i} starts at ${block.offset}, expected ${expected}: blocks must be ordered and contiguous`);
    if (block.length < 1 || block.length > MAX_BLOCK) throw new LayoutError(`${blobPath} block ${i} is ${block.length} bytes; blocks are 1 byte to 4 MiB`);
    if (!HASH.test(block.hash)) throw new LayoutError(`${blobPath} block ${i} Hash must be an uppercase Base16 MD5, got '${block.hash}'`);
    expected += block.length;
  }
  if (expected !== length) throw new LayoutError(`${blobPath} blocks cover ${expected} bytes but Length is ${length}`);
  const ids = blocks.filter((b) => b.id !== undefined);
  if (ids.length !== 0 && ids.length !== blocks.length) throw new LayoutError(`${blobPath}: block Ids must be given for all blocks or none`);
  const idLengths = new Set(ids.map((b) => Buffer.from(b.id!, 'base64').length));
  if (ids.some((b) => !/^[A-Za-z0-9+/]+={0,2}$/.test(b.id!)) || idLengths.size > 1) {
    throw new LayoutError(`${blobPath}: block Ids must be base64 strings of one decoded length`);
  }
  return blocks;
}

function readPages(list: XmlElement, length: number, blobPath: string): ManifestChunk[] {
  if (length % PAGE !== 0) throw new LayoutError(`${blobPath}: a page blob's Length must be a multiple of 512, got ${length}`);
  const ranges = childElements(list, 'PageRange').map((r, i) => ({
    offset: integer(r.attributes.Offset, `${blobPath} page range ${i} Offset`),
    length: integer(r.attributes.Length, `${blobPath} page range ${i} Length`),
    hash: r.attributes.Hash ?? '',
  }));
  let end = 0;
  for (const [i, range] of ranges.entries()) {
    if (range.offset % PAGE !== 0 || range.length % PAGE !== 0) throw new LayoutError(`${blobPath} page range ${i} is not 512-aligned`);
    if (range.length < PAGE || range.length > MAX_BLOCK) throw new LayoutError(`${blobPath} page range ${i} is ${range.length} bytes; ranges are 512 bytes to 4 MiB`);
    if (range.offset < end) throw new LayoutError(`${blobPath} page range ${i} overlaps or is out of order`);
    if (range.offset + range.length > length) throw new LayoutError(`${blobPath} page range ${i} ends beyond Length ${length}`);
    if (!HASH.test(range.hash)) throw new LayoutError(`${blobPath} page range ${i} Hash must be an uppercase Base16 MD5, got '${range.hash}'`);
    end = range.offset + range.length;
  }
  return ranges;
}

function readBlob(element: XmlElement): ManifestBlob {
  const blobPath = childText(element, 'BlobPath') ?? '';
  checkBlobPath(blobPath);
  const filePath = childText(element, 'FilePath');
  if (!filePath) throw new LayoutError(`${blobPath} has no FilePath`);
  const length = integer(childText(element, 'Length'), `${blobPath} Length`);
  const dispositionText = childText(element, 'ImportDisposition') ?? 'rename';
  if (dispositionText !== 'rename' && dispositionText !== 'no-overwrite' && dispositionText !== 'overwrite') {
    throw new LayoutError(`${blobPath} ImportDisposition must be rename, no-overwrite or overwrite (case-sensitive), got '${dispositionText}'`);
  }
  const blockList = childElement(element, 'BlockList');
  const pageList = childElement(element, 'PageRangeList');
  if ((blockList ? 1 : 0) + (pageList ? 1 : 0) !== 1) throw new LayoutError(`${blobPath} needs exactly one of BlockList or PageRangeList`);
  const blob: ManifestBlob = {
    blobPath,
    filePath,
    length,
    disposition: dispositionText,
    kind: blockList ? 'BlockBlob' : 'PageBlob',
    chunks: blockList ? readBlocks(blockList, length, blobPath) : readPages(pageList!, length, blobPath),
  };
  const metadata = hashedPath(childElement(element, 'MetadataPath'), `${blobPath} MetadataPath`);
  const properties = hashedPath(childElement(element, 'PropertiesPath'), `${blobPath} PropertiesPath`);
  if (metadata) blob.metadataPath = metadata;
  if (properties) blob.propertiesPath = properties;
  return blob;
}

export function parseDriveManifest(text: string): { ok: DriveManifest } | { problem: ManifestProblem } {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    return { problem: { status: 'ManifestFormatInvalid', message: `the manifest is not well-formed XML: ${(error as XmlError).message}` } };
  }
  if (root.name !== 'DriveManifest') return { problem: { status: 'ManifestFormatInvalid', message: `the root element is <${root.name}>, not <DriveManifest>` } };
  const version = root.attributes.Version ?? '';
  if (!MANIFEST_VERSIONS.includes(version)) return { problem: { status: 'ManifestFormatInvalid', message: `unsupported manifest Version '${version}'` } };
  const drive = childElement(root, 'Drive');
  const first = drive?.children[0];
  if (!drive || first?.name !== 'DriveId' || first.text.trim() === '') {
    return { problem: { status: 'ManifestFormatInvalid', message: '<Drive> must start with a non-empty <DriveId>' } };
  }
  if (childElements(drive, 'StorageAccountKey').length + childElements(drive, 'ContainerSas').length > 1) {
    return { problem: { status: 'ManifestFormatInvalid', message: 'at most one of StorageAccountKey and ContainerSas may be given' } };
  }
  try {
    const blobLists = childElements(drive, 'BlobList').map((list): ManifestBlobList => {
      const out: ManifestBlobList = { blobs: childElements(list, 'Blob').map(readBlob) };
      if (list.attributes.Id !== undefined) out.id = list.attributes.Id;
      const metadata = hashedPath(childElement(list, 'MetadataPath'), 'BlobList MetadataPath');
      const properties = hashedPath(childElement(list, 'PropertiesPath'), 'BlobList PropertiesPath');
      if (metadata) out.metadataPath = metadata;
      if (properties) out.propertiesPath = properties;
      return out;
    });
    return { ok: { version, driveId: first.text.trim(), blobLists } };
  } catch (error) {
    if (error instanceof LayoutError) return { problem: { status: 'BlobListFormatInvalid', message: error.message } };
    throw error;
  }
}

/**
 * Maps a manifest path (`\dir\file`, drive-root relative; a leading backslash is optional) to path
 * segments; undefined for names the service would call FileNameInvalid (empty segments, `.`/`..`,
 * drive letters, characters NTFS forbids).
 */
export function drivePathSegments(path: string): string[] | undefined {
  const segments = path.replace(/^\\/, '').split('\\');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /[<>:"|?*\u0000-\u001f/]/.test(s))) return undefined;
  return segments;
}

/** `name (n).ext` for the rename disposition: ` (n)` goes before the last dot of the last path segment. */
export function renamedBlobName(blobName: string, n: number): string {
  const slash = blobName.lastIndexOf('/');
  const dir = blobName.slice(0, slash + 1);
  const leaf = blobName.slice(slash + 1);
  const dot = leaf.lastIndexOf('.');
  // A leading dot (".profile") starts the name rather than an extension.
  return dot > 0 ? `${dir}${leaf.slice(0, dot)} (${n})${leaf.slice(dot)}` : `${dir}${leaf} (${n})`;
}
