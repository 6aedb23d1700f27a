/**
 * restic tree blobs: `{"nodes":[node,…]}` + "\n", byte-identical to restic 0.14 (Go 1.19)
 * json.Marshal of its Node struct. A tree's id is the sha256 of exactly these bytes, so any
 * difference in key order, omitempty, escaping, time text or node order gives a different tree.
 */
import { createHash } from 'node:crypto';
import { quote, unquote } from './goQuote.ts';
import { jsonBytes, jsonString, jsonStringFromBytes, jsonUint } from './goJson.ts';
import { formatGoTime, GO_ZERO_TIME, parseGoTime } from './goTime.ts';
import type { GoTime } from './goTime.ts';
import { JsonReader, parseJson } from './jsonValue.ts';
import type { JsonEntry, JsonValue } from './jsonValue.ts';
import { compareNames, emptyNode, nameText } from './treeNode.ts';
import type { ExtendedAttribute, TreeNode } from './treeNode.ts';
import { decodeRune } from './goUtf8.ts';

export class TreeEncodingError extends Error {
  override name = 'TreeEncodingError';
}

export class TreeDecodingError extends Error {
  override name = 'TreeDecodingError';
}

const ID_PATTERN = /^[0-9a-f]{64}$/;

function checkId(id: string, what: string, node: TreeNode): string {
  if (!ID_PATTERN.test(id)) throw new TreeEncodingError(`${what} of ${JSON.stringify(nameText(node))} is not a 64-digit lowercase hex id: ${JSON.stringify(id)}`);
  return `"${id}"`;
}

function timeJson(t: GoTime): string {
  return `"${formatGoTime(t)}"`;
}

function xattrsJson(attrs: readonly ExtendedAttribute[]): string {
  return `[${attrs.map((a) => `{"name":${jsonString(a.name)},"value":${jsonBytes(a.value)}}`).join(',')}]`;
}

/**
 * json.Marshal's treatment of a json.RawMessage: insignificant whitespace removed and, as with every
 * string it writes, `<` `>` `&` U+2028 U+2029 escaped.
 */
export function compactJson(text: string): string {
  const src = Buffer.from(text, 'utf8');
  parseJson(src);
  let out = '';
  let inString = false;
  for (let i = 0; i < src.length; ) {
    const b = src[i]!;
    if (!inString && (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)) {
      i++;
      continue;
    }
    if (b === 0x3c || b === 0x3e || b === 0x26) {
      out += `\\u00${b.toString(16)}`;
      i++;
      continue;
    }
    if (inString && b === 0x5c) {
      out += String.fromCharCode(b, src[i + 1]!);
      i += 2;
      continue;
    }
    if (b === 0x22) inString = !inString;
    const { rune, width } = decodeRune(src, i);
    out += rune === 0x2028 || rune === 0x2029 ? `\\u${rune.toString(16)}` : src.toString('utf8', i, i + width);
    i += width;
  }
  return out;
}

function genericAttributesJson(attrs: Record<string, string>): string {
  const keys = Object.keys(attrs).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  return `{${keys.map((k) => `${jsonString(k)}:${compactJson(attrs[k]!)}`).join(',')}}`;
}

/** One node as restic 0.14 writes it: Node.MarshalJSON (quoted name, FixTime) through json.Marshal. */
export function encodeNode(node: TreeNode): string {
  const parts: string[] = [];
  const add = (key: string, json: string): void => {
    parts.push(`"${key}":${json}`);
  };
  add('name', jsonString(quote(node.name).slice(1, -1)));
  add('type', jsonString(node.type));
  if (node.mode !== 0) add('mode', jsonUint(node.mode));
  add('mtime', timeJson(node.mtime));
  add('atime', timeJson(node.atime));
  add('ctime', timeJson(node.ctime));
  add('uid', jsonUint(node.uid));
  add('gid', jsonUint(node.gid));
  if (node.user !== '') add('user', jsonString(node.user));
  if (node.group !== '') add('group', jsonString(node.group));
  if (node.inode !== 0n) add('inode', jsonUint(node.inode));
  if (node.deviceId !== 0n) add('device_id', jsonUint(node.deviceId));
  if (node.size !== 0n) add('size', jsonUint(node.size));
  if (node.links !== 0n) add('links', jsonUint(node.links));
  if (node.linkTarget.length > 0) add('linktarget', jsonStringFromBytes(node.linkTarget));
  if (node.extendedAttributes.length > 0) add('extended_attributes', xattrsJson(node.extendedAttributes));
  if (Object.keys(node.genericAttributes).length > 0) add('generic_attributes', genericAttributesJson(node.genericAttributes));
  if (node.device !== 0n) add('device', jsonUint(node.device));
  add('content', node.content === null ? 'null' : `[${node.content.map((id) => checkId(id, 'content', node)).join(',')}]`);
  if (node.subtree !== null) add('subtree', checkId(node.subtree, 'subtree', node));
  if (node.error !== '') add('error', jsonString(node.error));
  for (const extra of node.extraFields) parts.push(`${jsonString(extra.key)}:${compactJson(extra.json)}`);
  return `{${parts.join(',')}}`;
}

/** The node's source JSON while it still describes the node, else the canonical encoding. */
function nodeJson(node: TreeNode): Buffer {
  if (node.sourceIsCurrent === true && node.sourceJson !== undefined) return node.sourceJson;
  const canonical = Buffer.from(encodeNode(node), 'utf8');
  const source = node.sourceJson;
  if (source === undefined || source.equals(canonical)) return canonical;
  try {
    if (Buffer.from(encodeNode(decodeNode(source)), 'utf8').equals(canonical)) return source;
  } catch {
    // A source that no longer decodes cannot stand for the node.
  }
  return canonical;
}

/**
 * The tree blob for these nodes, sorted by raw name bytes as restic's TreeJSONBuilder requires.
 * Throws on an empty or duplicate name (restic: "nodes are not ordered").
 */
export function encodeTree(nodes: readonly TreeNode[]): Buffer {
  const sorted = [...nodes].sort(compareNames);
  const chunks: Buffer[] = [Buffer.from('{"nodes":[')];
  sorted.forEach((node, i) => {
    if (node.name.length === 0) throw new TreeEncodingError('a tree node has an empty name');
    if (i > 0 && compareNames(sorted[i - 1]!, node) === 0) throw new TreeEncodingError(`duplicate node name ${JSON.stringify(nameText(node))}`);
    if (i > 0) chunks.push(Buffer.from(','));
    chunks.push(nodeJson(node));
  });
  chunks.push(Buffer.from(']}\n'));
  return Buffer.concat(chunks);
}

/** A tree's id: sha256 of its blob bytes, lowercase hex. */
export function treeId(blob: Uint8Array): string {
  return createHash('sha256').update(blob).digest('hex');
}

class NodeReader {
  readonly node = emptyNode('', '');
  linkTargetRaw: Buffer | undefined;
  key = '';

  fail(what: string): never {
    throw new TreeDecodingError(`node ${JSON.stringify(nameText(this.node))}, field ${JSON.stringify(this.key)}: ${what}`);
  }

  string(v: JsonValue): Buffer | undefined {
    if (v.kind === 'null') return undefined;
    if (v.kind !== 'string') this.fail(`expected a string, got ${v.kind}`);
    return v.bytes;
  }

  uint(v: JsonValue, bits: 32 | 64): bigint | undefined {
    if (v.kind === 'null') return undefined;
    if (v.kind !== 'number' || !/^\d+$/.test(v.text)) this.fail(`expected an unsigned integer, got ${v.kind === 'number' ? v.text : v.kind}`);
    const n = BigInt(v.text);
    if (n >= 1n << BigInt(bits)) this.fail(`${v.text} overflows uint${bits}`);
    return n;
  }

  time(v: JsonValue, fallback: GoTime): GoTime {
    const text = this.string(v);
    if (text === undefined) return fallback;
    try {
      return parseGoTime(text.toString('utf8'));
    } catch (error) {
      return this.fail((error as Error).message);
    }
  }

  id(v: JsonValue): string {
    const text = this.string(v)?.toString('utf8').toLowerCase();
    if (text === undefined || !ID_PATTERN.test(text)) this.fail('expected a 64-digit hex id');
    return text;
  }

  base64(v: JsonValue): Buffer {
    return Buffer.from(this.string(v)?.toString('latin1') ?? '', 'base64');
  }

  xattrs(v: JsonValue): ExtendedAttribute[] {
    if (v.kind === 'null') return [];
    if (v.kind !== 'array') this.fail('expected an array');
    return v.items.map((item) => {
      if (item.kind !== 'object') this.fail('expected an object');
      const attr: ExtendedAttribute = { name: '', value: Buffer.alloc(0) };
      for (const { key, value } of item.entries) {
        if (key === 'name') attr.name = this.string(value)?.toString('utf8') ?? '';
        else if (key === 'value') attr.value = this.base64(value);
      }
      return attr;
    });
  }

  genericAttributes(v: JsonValue, src: Uint8Array): Record<string, string> {
    if (v.kind === 'null') return {};
    if (v.kind !== 'object') this.fail('expected an object');
    const attrs: Record<string, string> = {};
    for (const { key, value } of v.entries) attrs[key] = Buffer.from(src.subarray(value.start, value.end)).toString('utf8');
    return attrs;
  }

  member({ key, value }: JsonEntry, src: Uint8Array): void {
    this.key = key;
    const n = this.node;
    switch (key) {
      case 'name':
        try {
          n.name = unquote(this.string(value) ?? Buffer.alloc(0));
        } catch (error) {
          this.fail((error as Error).message);
        }
        return;
      case 'type':
        n.type = this.string(value)?.toString('utf8') ?? n.type;
        return;
      case 'mode':
        n.mode = Number(this.uint(value, 32) ?? BigInt(n.mode));
        return;
      case 'mtime':
        n.mtime = this.time(value, n.mtime);
        return;
      case 'atime':
        n.atime = this.time(value, n.atime);
        return;
      case 'ctime':
        n.ctime = this.time(value, n.ctime);
        return;
      case 'uid':
        n.uid = Number(this.uint(value, 32) ?? BigInt(n.uid));
        return;
      case 'gid':
        n.gid = Number(this.uint(value, 32) ?? BigInt(n.gid));
        return;
      case 'user':
        n.user = this.string(value)?.toString('utf8') ?? n.user;
        return;
      case 'group':
        n.group = this.string(value)?.toString('utf8') ?? n.group;
        return;
      case 'inode':
        n.inode = this.uint(value, 64) ?? n.inode;
        return;
      case 'device_id':
        n.deviceId = this.uint(value, 64) ?? n.deviceId;
        return;
      case 'size':
        n.size = this.uint(value, 64) ?? n.size;
        return;
      case 'links':
        n.links = this.uint(value, 64) ?? n.links;
        return;
      case 'linktarget':
        n.linkTarget = this.string(value) ?? n.linkTarget;
        return;
      case 'linktarget_raw':
        // restic 0.16+ adds the exact bytes when the target is not UTF-8; they win over "linktarget".
        this.linkTargetRaw = value.kind === 'null' ? undefined : this.base64(value);
        return;
      case 'extended_attributes':
        n.extendedAttributes = this.xattrs(value);
        return;
      case 'generic_attributes':
        n.genericAttributes = this.genericAttributes(value, src);
        return;
      case 'device':
        n.device = this.uint(value, 64) ?? n.device;
        return;
      case 'content':
        if (value.kind === 'null') n.content = null;
        else if (value.kind === 'array') n.content = value.items.map((item) => this.id(item));
        else this.fail('expected an array of ids');
        return;
      case 'subtree':
        n.subtree = value.kind === 'null' ? null : this.id(value);
        return;
      case 'error':
        n.error = this.string(value)?.toString('utf8') ?? n.error;
        return;
      default:
        n.extraFields = n.extraFields.filter((f) => f.key !== key);
        n.extraFields.push({ key, json: Buffer.from(src.subarray(value.start, value.end)).toString('utf8') });
    }
  }
}

function nodeFromJson(value: JsonValue, src: Uint8Array): TreeNode {
  if (value.kind !== 'object') throw new TreeDecodingError(`a tree node must be an object, got ${value.kind}`);
  const reader = new NodeReader();
  for (const entry of value.entries) reader.member(entry, src);
  if (reader.linkTargetRaw !== undefined) reader.node.linkTarget = reader.linkTargetRaw;
  reader.node.sourceJson = Buffer.from(src.subarray(value.start, value.end));
  return reader.node;
}

/** One node from its JSON object text. */
export function decodeNode(json: Uint8Array): TreeNode {
  return nodeFromJson(parseJson(json), json);
}

/**
 * The nodes of a tree blob, in stored order. Each node keeps its exact source text (sourceJson), so
 * encodeTree(decodeTree(blob)) reproduces any restic version's tree byte for byte.
 * Trees as restic 0.14 (and we) write them are read member by member (a backup reads every tree of its
 * parent); anything else, errors included, by the general reading, which decides the result.
 */
export function decodeTree(blob: Uint8Array): TreeNode[] {
  try {
    return decodeCommonTree(blob);
  } catch {
    return decodeTreeGeneric(blob);
  }
}

/** Thrown where the common reading stops: not the common shape (not necessarily an error). */
const UNCOMMON = new Error('not the common tree shape');

/** `{"nodes":[node,…]}` with the members restic 0.14 writes, each of the type it writes; throws UNCOMMON otherwise. */
function decodeCommonTree(blob: Uint8Array): TreeNode[] {
  const r = new JsonReader(blob);
  r.expect(0x7b);
  r.skipSpace();
  if (r.src[r.pos] !== 0x22 || r.key() !== 'nodes') throw UNCOMMON;
  r.expect(0x3a);
  r.skipSpace();
  const nodes = commonArray(r, commonNode);
  r.expect(0x7d);
  r.skipSpace();
  if (r.pos !== r.src.length) throw UNCOMMON;
  return nodes;
}

/** `[item,…]`, each item read by `item`; throws UNCOMMON if it is not an array. */
function commonArray<T>(r: JsonReader, item: (r: JsonReader) => T): T[] {
  if (r.src[r.pos] !== 0x5b) throw UNCOMMON;
  return r.items(item, uncommon);
}

function uncommon(): never {
  throw UNCOMMON;
}

const NO_BYTES = Buffer.alloc(0);

function commonNode(r: JsonReader): TreeNode {
  const start = r.pos;
  if (r.src[r.pos] !== 0x7b) throw UNCOMMON;
  r.pos++;
  // emptyNode('', ''), with one shared empty Buffer (a zero-length Buffer cannot be changed).
  const n: TreeNode = {
    name: NO_BYTES, type: '', mode: 0, mtime: GO_ZERO_TIME, atime: GO_ZERO_TIME, ctime: GO_ZERO_TIME, uid: 0, gid: 0, user: '', group: '',
    inode: 0n, deviceId: 0n, size: 0n, links: 0n, linkTarget: NO_BYTES, extendedAttributes: [], genericAttributes: {}, device: 0n,
    content: null, subtree: null, error: '', extraFields: [],
  };
  r.skipSpace();
  if (r.src[r.pos] === 0x7d) r.pos++;
  else {
    for (;;) {
      r.skipSpace();
      if (r.src[r.pos] !== 0x22) throw UNCOMMON;
      const key = r.key();
      r.expect(0x3a);
      r.skipSpace();
      commonMember(r, n, key);
      r.skipSpace();
      const b = r.src[r.pos++];
      if (b === 0x7d) break;
      if (b !== 0x2c) throw UNCOMMON;
    }
  }
  n.sourceJson = r.src.subarray(start, r.pos);
  return n;
}

function commonString(r: JsonReader): Buffer {
  if (r.src[r.pos] !== 0x22) throw UNCOMMON;
  return r.string();
}

/** A string as UTF-8 text: a plain one straight from the source bytes. */
function commonText(r: JsonReader): string {
  return r.plainText() ?? commonString(r).toString('utf8');
}

const UINT32_LIMIT = 2n ** 32n;
const UINT64_LIMIT = 2n ** 64n;

/**
 * An unsigned integer as the general reading's uint() accepts it (digits only, no leading zero, no
 * fraction or exponent): up to 15 digits read in place, longer ones through their text.
 */
function commonDigits(r: JsonReader): number | string {
  const src = r.src;
  const start = r.pos;
  let p = start;
  let value = 0;
  while (p < src.length && src[p]! >= 0x30 && src[p]! <= 0x39) value = value * 10 + src[p++]! - 0x30;
  const digits = p - start;
  const next = src[p];
  if (digits === 0 || (digits > 1 && src[start] === 0x30) || next === 0x2e || next === 0x65 || next === 0x45) throw UNCOMMON;
  if (digits <= 15) {
    r.pos = p;
    return value;
  }
  const text = r.number();
  if (!/^\d+$/.test(text)) throw UNCOMMON;
  return text;
}

function commonUint32(r: JsonReader): number {
  const value = commonDigits(r);
  if (typeof value === 'string' ? BigInt(value) >= UINT32_LIMIT : value >= 2 ** 32) throw UNCOMMON;
  return Number(value);
}

function commonUint64(r: JsonReader): bigint {
  const value = BigInt(commonDigits(r));
  if (value >= UINT64_LIMIT) throw UNCOMMON;
  return value;
}

function commonId(r: JsonReader): string {
  const id = commonText(r).toLowerCase();
  if (!ID_PATTERN.test(id)) throw UNCOMMON;
  return id;
}

function commonNull(r: JsonReader): boolean {
  if (r.src[r.pos] !== 0x6e) return false;
  r.literal('null');
  return true;
}

function commonMember(r: JsonReader, n: TreeNode, key: string): void {
  switch (key) {
    case 'name':
      n.name = unquote(commonString(r));
      return;
    case 'type':
      n.type = commonText(r);
      return;
    case 'mode':
      n.mode = commonUint32(r);
      return;
    case 'mtime':
      n.mtime = parseGoTime(commonText(r));
      return;
    case 'atime':
      n.atime = parseGoTime(commonText(r));
      return;
    case 'ctime':
      n.ctime = parseGoTime(commonText(r));
      return;
    case 'uid':
      n.uid = commonUint32(r);
      return;
    case 'gid':
      n.gid = commonUint32(r);
      return;
    case 'user':
      n.user = commonText(r);
      return;
    case 'group':
      n.group = commonText(r);
      return;
    case 'inode':
      n.inode = commonUint64(r);
      return;
    case 'device_id':
      n.deviceId = commonUint64(r);
      return;
    case 'size':
      n.size = commonUint64(r);
      return;
    case 'links':
      n.links = commonUint64(r);
      return;
    case 'linktarget':
      n.linkTarget = commonString(r);
      return;
    case 'device':
      n.device = commonUint64(r);
      return;
    case 'content': {
      if (commonNull(r)) {
        n.content = null;
        return;
      }
      n.content = commonArray(r, commonId);
      return;
    }
    case 'subtree':
      n.subtree = commonNull(r) ? null : commonId(r);
      return;
    case 'error':
      n.error = commonText(r);
      return;
    default:
      throw UNCOMMON;
  }
}

/** The general reading: every valid tree, and the error for an invalid one. */
export function decodeTreeGeneric(blob: Uint8Array): TreeNode[] {
  const doc = parseJson(blob);
  if (doc.kind !== 'object') throw new TreeDecodingError(`a tree must be a JSON object, got ${doc.kind}`);
  const nodes = doc.entries.filter((e) => e.key === 'nodes').at(-1)?.value;
  if (nodes === undefined || nodes.kind === 'null') return [];
  if (nodes.kind !== 'array') throw new TreeDecodingError(`"nodes" must be an array, got ${nodes.kind}`);
  return nodes.items.map((item) => nodeFromJson(item, blob));
}
