/**
 * Metadata and properties files (Import/Export §3.7), applied by the service to every blob of a
 * BlobList. They are checked here, before anything is written, because the service would only report
 * XmlReadFailed for the blob after the drive crossed the world:
 *   <Metadata><name>value</name>…</Metadata>         (names are C# identifiers, values printable ASCII)
 *   <Properties><Content-Type>…</Content-Type>…</Properties>   (the properties an import may set)
 * The file's bytes are copied to the drive unchanged, next to the session folder, and the manifest
 * names it with the MD5 of those bytes.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { OfflineSeedError } from '../protocol/errors.ts';
import { parseXml, type XmlElement } from './xml.ts';

export const IMPORT_PROPERTIES = ['Content-Type', 'Content-MD5', 'Content-Encoding', 'Content-Language', 'Cache-Control'] as const;
const EXPORT_ONLY_PROPERTIES = ['Last-Modified', 'Etag', 'ETag', 'Content-Length'];
const MAX_METADATA_BYTES = 8 * 1024;

export interface MetaFile {
  kind: 'metadata' | 'properties';
  source: string;
  bytes: Buffer;
  /** Upper-case hex MD5 of the bytes. */
  hash: string;
  /** Name on the drive, in the <sessionId>.meta folder. */
  driveName: string;
}

function invalid(kind: 'metadata' | 'properties', source: string, problem: string): OfflineSeedError {
  const id = kind === 'metadata' ? 'OfflineSeed.InvalidMetadataFile' : 'OfflineSeed.InvalidPropertiesFile';
  const param = kind === 'metadata' ? 'metadataFile' : 'propertiesFile';
  return new OfflineSeedError(id, 'InvalidArgument', `params.${param}: ${source} ${problem}`, {
    targetObject: source,
    recommendedAction: kind === 'metadata'
      ? 'Write it as <Metadata><name>value</name></Metadata>, one element per metadata name.'
      : `Write it as <Properties><Content-Type>…</Content-Type></Properties>; an import may set ${IMPORT_PROPERTIES.join(', ')}.`,
  });
}

export async function loadMetaFile(kind: 'metadata' | 'properties', source: string): Promise<MetaFile> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(source);
  } catch {
    throw new OfflineSeedError(kind === 'metadata' ? 'OfflineSeed.MetadataFileNotFound' : 'OfflineSeed.PropertiesFileNotFound', 'ObjectNotFound', `params.${kind === 'metadata' ? 'metadataFile' : 'propertiesFile'}: cannot read ${source}`, { targetObject: source });
  }
  let root: XmlElement;
  try {
    root = parseXml(bytes.toString('utf8'));
  } catch (error) {
    throw invalid(kind, source, `is not well-formed XML (${(error as Error).message})`);
  }
  if (kind === 'metadata') checkMetadata(root, source);
  else checkProperties(root, source);
  return { kind, source, bytes, hash: createHash('md5').update(bytes).digest('hex').toUpperCase(), driveName: kind === 'metadata' ? 'metadata.xml' : 'properties.xml' };
}

function checkMetadata(root: XmlElement, source: string): void {
  if (root.name !== 'Metadata') throw invalid('metadata', source, `has the root element <${root.name}>, not <Metadata>`);
  const seen = new Set<string>();
  let size = 0;
  for (const entry of root.children) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(entry.name)) throw invalid('metadata', source, `names metadata "${entry.name}", which is not a valid metadata name (letters, digits and "_", not starting with a digit)`);
    if (seen.has(entry.name.toLowerCase())) throw invalid('metadata', source, `names metadata "${entry.name}" twice (names are case-insensitive)`);
    seen.add(entry.name.toLowerCase());
    if (entry.children.length > 0) throw invalid('metadata', source, `has nested elements in <${entry.name}>`);
    if (!/^[\x20-\x7e]*$/.test(entry.text)) throw invalid('metadata', source, `has a value for "${entry.name}" that is not printable ASCII`);
    size += entry.name.length + entry.text.length;
  }
  if (size > MAX_METADATA_BYTES) throw invalid('metadata', source, `holds ${size} bytes of metadata; a blob may have at most ${MAX_METADATA_BYTES}`);
}

function checkProperties(root: XmlElement, source: string): void {
  if (root.name !== 'Properties') throw invalid('properties', source, `has the root element <${root.name}>, not <Properties>`);
  const seen = new Set<string>();
  for (const entry of root.children) {
    if (EXPORT_ONLY_PROPERTIES.includes(entry.name)) throw invalid('properties', source, `sets ${entry.name}, which only an export reports`);
    if (!(IMPORT_PROPERTIES as readonly string[]).includes(entry.name)) throw invalid('properties', source, `sets <${entry.name}>, which is not a blob property an import can set`);
    if (seen.has(entry.name)) throw invalid('properties', source, `sets ${entry.name} twice`);
    seen.add(entry.name);
    if (entry.children.length > 0 || !/^[\x20-\x7e]*$/.test(entry.text)) throw invalid('properties', source, `has a value for ${entry.name} that is not printable ASCII text`);
    if (entry.name === 'Content-MD5' && !/^[A-Za-z0-9+/]{22}==$/.test(entry.text.trim())) throw invalid('properties', source, 'has a Content-MD5 that is not a base64 MD5');
  }
}
