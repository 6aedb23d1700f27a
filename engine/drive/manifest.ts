/**
 * DriveManifest.xml, Version 2014-11-01: what the Import/Export service reads from the root of every
 * drive to know which file becomes which blob, and the MD5 of every block or page range it must check.
 *
 *   <DriveManifest Version="2014-11-01"><Drive>
 *     <DriveId>…</DriveId>                 (first, before any BlobList)
 *     <ClientCreator>OfflineSeed x.y.z</ClientCreator>
 *     <BlobList Id="<sessionId>#<driveNumber>">
 *       [<MetadataPath Hash="MD5">\…</MetadataPath>] [<PropertiesPath Hash="MD5">\…</PropertiesPath>]
 *       <Blob><BlobPath>container/…</BlobPath><FilePath>\<sessionId>\…</FilePath><Length>n</Length>
 *         <ImportDisposition>rename|no-overwrite|overwrite</ImportDisposition>
 *         <BlockList><Block Offset Length Hash/>…</BlockList>   (block blobs)
 *         | <PageRangeList><PageRange Offset Length Hash/>…</PageRangeList>   (page blobs)
 *       </Blob>…
 *     </BlobList>
 *   </Drive></DriveManifest>
 *
 * No StorageAccountKey and no ContainerSas, ever: the manifest travels on the drive, and the service
 * takes its credentials from the import job (the job's storage account and its managed access), so a
 * secret written here would only be a secret shipped in a parcel.
 *
 * Blocks and page ranges are the file cut at every 4 MiB (the last one shorter): ordered, contiguous,
 * covering the whole file, at most 50,000 per block blob; page blob lengths are multiples of 512, so
 * every range is too. Hashes are upper-case hex MD5. The text is deterministic (no timestamps), so a
 * manifest written again from the same journal has the same bytes and the same MD5, and it is written
 * to a temporary file and renamed into place. manifestSize() gives the exact size before writing, so a
 * drive's budget reserves room for its manifest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { BLOCK_SIZE, MANIFEST_FILE_NAME, type BlobType, type Disposition } from './driveNames.ts';
import { child, children, escapeAttribute, escapeText, parseXml, XmlError, type XmlElement } from './xml.ts';

export const MANIFEST_VERSION = '2014-11-01';
const EOL = '\r\n';

export interface ManifestBlob {
  blobPath: string;
  /** Relative to the drive root, with backslashes: \<sessionId>\data\ab\ab12… */
  filePath: string;
  length: number;
  blobType: BlobType;
  disposition: Disposition;
  /** Upper-case hex MD5 of each 4 MiB piece, in order. */
  hashes: readonly string[];
}

export interface ManifestFileReference {
  /** Relative to the drive root, with backslashes. */
  path: string;
  hash: string;
}

export interface ManifestBlobList {
  id: string;
  metadata?: ManifestFileReference;
  properties?: ManifestFileReference;
  blobs: readonly ManifestBlob[];
}

export interface DriveManifest {
  driveId: string;
  clientCreator: string;
  blobLists: readonly ManifestBlobList[];
}

/** Offsets and lengths of the pieces (blocks or page ranges) of a file of this length. */
export function pieces(length: number): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  for (let offset = 0; offset < length; offset += BLOCK_SIZE) out.push({ offset, length: Math.min(BLOCK_SIZE, length - offset) });
  return out;
}

export function pieceCount(length: number): number {
  return Math.ceil(length / BLOCK_SIZE);
}

function head(manifest: Pick<DriveManifest, 'driveId' | 'clientCreator'>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${EOL}<DriveManifest Version="${MANIFEST_VERSION}">${EOL}  <Drive>${EOL}`
    + `    <DriveId>${escapeText(manifest.driveId)}</DriveId>${EOL}`
    + `    <ClientCreator>${escapeText(manifest.clientCreator)}</ClientCreator>${EOL}`;
}

const TAIL = `  </Drive>${EOL}</DriveManifest>${EOL}`;

function listHead(list: Omit<ManifestBlobList, 'blobs'>): string {
  let out = `    <BlobList Id="${escapeAttribute(list.id)}">${EOL}`;
  if (list.metadata !== undefined) out += `      <MetadataPath Hash="${list.metadata.hash}">${escapeText(list.metadata.path)}</MetadataPath>${EOL}`;
  if (list.properties !== undefined) out += `      <PropertiesPath Hash="${list.properties.hash}">${escapeText(list.properties.path)}</PropertiesPath>${EOL}`;
  return out;
}

const LIST_TAIL = `    </BlobList>${EOL}`;

export function blobXml(blob: ManifestBlob): string {
  const page = blob.blobType === 'PageBlob';
  const parts = pieces(blob.length);
  if (parts.length !== blob.hashes.length) throw new Error(`${blob.filePath}: ${blob.hashes.length} hashes for ${parts.length} pieces`);
  let out = `      <Blob>${EOL}        <BlobPath>${escapeText(blob.blobPath)}</BlobPath>${EOL}        <FilePath>${escapeText(blob.filePath)}</FilePath>${EOL}`
    + `        <Length>${blob.length}</Length>${EOL}        <ImportDisposition>${blob.disposition}</ImportDisposition>${EOL}`;
  if (parts.length === 0) {
    out += page ? `        <PageRangeList />${EOL}` : `        <BlockList />${EOL}`;
  } else {
    out += page ? `        <PageRangeList>${EOL}` : `        <BlockList>${EOL}`;
    const tag = page ? 'PageRange' : 'Block';
    for (let i = 0; i < parts.length; i++) {
      out += `          <${tag} Offset="${parts[i]!.offset}" Length="${parts[i]!.length}" Hash="${blob.hashes[i]}" />${EOL}`;
    }
    out += page ? `        </PageRangeList>${EOL}` : `        </BlockList>${EOL}`;
  }
  return out + `      </Blob>${EOL}`;
}

const PLACEHOLDER_HASH = '0'.repeat(32);

/** Exact bytes a blob adds to a manifest (hashes are fixed-width, so their values do not matter). */
export function blobXmlSize(blob: Omit<ManifestBlob, 'hashes'>): number {
  return Buffer.byteLength(blobXml({ ...blob, hashes: new Array<string>(pieceCount(blob.length)).fill(PLACEHOLDER_HASH) }), 'utf8');
}

/** Exact bytes of a manifest without blobs (add blobXmlSize of each blob). */
export function manifestFrameSize(manifest: Pick<DriveManifest, 'driveId' | 'clientCreator'>, lists: readonly Omit<ManifestBlobList, 'blobs'>[]): number {
  let n = Buffer.byteLength(head(manifest) + TAIL, 'utf8');
  for (const list of lists) n += Buffer.byteLength(listHead(list) + LIST_TAIL, 'utf8');
  return n;
}

/** The manifest text in pieces, so a manifest of a million blobs never becomes one string. */
export function* manifestChunks(manifest: DriveManifest): Generator<string> {
  yield head(manifest);
  for (const list of manifest.blobLists) {
    yield listHead(list);
    let batch = '';
    for (const blob of list.blobs) {
      batch += blobXml(blob);
      if (batch.length > 1 << 20) {
        yield batch;
        batch = '';
      }
    }
    if (batch !== '') yield batch;
    yield LIST_TAIL;
  }
  yield TAIL;
}

export interface WrittenManifest {
  path: string;
  /** Upper-case hex MD5 of the file's bytes: the job's manifestHash. */
  hash: string;
  bytes: number;
}

/** Writes <driveRoot>/DriveManifest.xml through a temporary file (fsync, rename, fsync the folder). */
export async function writeManifest(driveRoot: string, manifest: DriveManifest): Promise<WrittenManifest> {
  const path = join(driveRoot, MANIFEST_FILE_NAME);
  const temp = join(driveRoot, `${MANIFEST_FILE_NAME}.${randomBytes(4).toString('hex')}.tmp`);
  const md5 = createHash('md5');
  let bytes = 0;
  const fh = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      await fh.write(data, 0, data.length);
      pending = [];
      pendingBytes = 0;
    };
    for (const chunk of manifestChunks(manifest)) {
      const data = Buffer.from(chunk, 'utf8');
      md5.update(data);
      bytes += data.length;
      pending.push(data);
      pendingBytes += data.length;
      if (pendingBytes >= 4 << 20) await flush();
    }
    await flush();
    await fh.sync();
  } catch (error) {
    await fh.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fh.close();
  await fs.rename(temp, path);
  await syncDirectory(driveRoot);
  return { path, hash: md5.digest('hex').toUpperCase(), bytes };
}

/** fsync of a folder, so a rename inside it is durable; a no-op where folders cannot be opened (Windows). */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on folders; the data itself was synced.
  } finally {
    await fh?.close();
  }
}

/** Removes temporary manifests left by an interrupted run. */
export async function removeTemporaryManifests(driveRoot: string): Promise<void> {
  let names: string[] = [];
  try {
    names = await fs.readdir(driveRoot);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(`${MANIFEST_FILE_NAME}.`) && name.endsWith('.tmp')) await fs.rm(join(driveRoot, name), { force: true });
}

// ---------------------------------------------------------------------------------------------------
// Reading a manifest back (drive.verify, and a drive that already holds one).

export class ManifestFormatError extends Error {}

/** Parses a manifest written by any tool, checking the §3.6 structure; throws ManifestFormatError. */
export function parseManifest(text: string): DriveManifest {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    throw new ManifestFormatError(`not well-formed XML (${(error as XmlError).message})`);
  }
  const fail = (message: string): never => {
    throw new ManifestFormatError(message);
  };
  if (root.name !== 'DriveManifest') fail(`the root element is <${root.name}>, not <DriveManifest>`);
  const drive = child(root, 'Drive') ?? fail('no <Drive> element');
  if (drive.children[0]?.name !== 'DriveId') fail('<DriveId> is not the first element of <Drive>');
  const driveId = drive.children[0]!.text.trim();
  const blobLists: ManifestBlobList[] = children(drive, 'BlobList').map((list) => {
    const reference = (name: string): ManifestFileReference | undefined => {
      const e = child(list, name);
      return e === undefined ? undefined : { path: e.text.trim(), hash: e.attributes['Hash'] ?? '' };
    };
    const blobs = children(list, 'Blob').map((blob): ManifestBlob => {
      const text = (name: string): string => (child(blob, name) ?? fail(`a <Blob> has no <${name}>`)).text.trim();
      const blockList = child(blob, 'BlockList');
      const pageList = child(blob, 'PageRangeList');
      if ((blockList === undefined) === (pageList === undefined)) fail(`blob ${text('BlobPath')}: needs exactly one of <BlockList> and <PageRangeList>`);
      const entries = blockList !== undefined ? children(blockList, 'Block') : children(pageList!, 'PageRange');
      const length = Number(text('Length'));
      const expected = pieces(length);
      // Our own layout (4 MiB pieces); other tools' layouts are read by readPieces.
      const hashes = entries.map((e) => e.attributes['Hash'] ?? '');
      const sameLayout = expected.length === entries.length && entries.every((e, i) => Number(e.attributes['Offset']) === expected[i]!.offset && Number(e.attributes['Length']) === expected[i]!.length);
      if (!sameLayout) fail(`blob ${text('BlobPath')}: its blocks are not the 4 MiB layout this engine verifies`);
      const disposition = (child(blob, 'ImportDisposition')?.text.trim() ?? 'rename') as Disposition;
      return { blobPath: text('BlobPath'), filePath: text('FilePath'), length, blobType: pageList !== undefined ? 'PageBlob' : 'BlockBlob', disposition, hashes };
    });
    const metadata = reference('MetadataPath');
    const properties = reference('PropertiesPath');
    return { id: list.attributes['Id'] ?? '', ...(metadata === undefined ? {} : { metadata }), ...(properties === undefined ? {} : { properties }), blobs };
  });
  return { driveId, clientCreator: child(drive, 'ClientCreator')?.text.trim() ?? '', blobLists };
}

/** The DriveId of the manifest at a drive root, or undefined when there is none or it is unreadable. */
export async function manifestDriveId(driveRoot: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(join(driveRoot, MANIFEST_FILE_NAME), 'utf8');
  } catch {
    return undefined;
  }
  return /<DriveId>([^<]*)<\/DriveId>/.exec(text)?.[1]?.trim();
}
