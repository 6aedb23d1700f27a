/**
 * A small XML reader and writer for the WAImportExport formats (drive manifests, metadata and
 * properties files, DriveLog). Those files use elements, attributes, text, the five predefined
 * entities and numeric references, an XML declaration and comments; nothing else (no DTDs, no
 * namespaces that matter). A hand-written reader keeps the test world free of transitive packages.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (CDATA included). */
  text: string;
}

export class XmlError extends Error {
  override name = 'XmlError';
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

function decodeEntities(raw: string, at: number): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g, (match, body: string | undefined) => {
    if (body === undefined) throw new XmlError(`bare "&" near offset ${at}`);
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    const value = named[body];
    if (value === undefined) throw new XmlError(`unknown entity ${match} near offset ${at}`);
    return value;
  });
}

/** Parses a document and returns its root element; throws XmlError on anything malformed. */
export function parseXml(source: string): XmlElement {
  let pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const skipSpace = (): void => {
    while (pos < source.length && /\s/.test(source[pos]!)) pos++;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(source);
    if (!m) throw new XmlError(`expected a name at offset ${pos}`);
    pos += m[0].length;
    return m[0];
  };

  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt === -1 ? source.length : lt;
    if (textEnd > pos) {
      const text = source.slice(pos, textEnd);
      const top = stack.at(-1);
      if (top) top.text += decodeEntities(text, pos);
      else if (text.trim() !== '') throw new XmlError(`text outside the root element at offset ${pos}`);
      pos = textEnd;
      continue;
    }
    if (source.startsWith('<?', pos)) {
      const end = source.indexOf('?>', pos);
      if (end === -1) throw new XmlError('unterminated processing instruction');
      pos = end + 2;
    } else if (source.startsWith('<!--', pos)) {
      const end = source.indexOf('-->', pos);
      if (end === -1) throw new XmlError('unterminated comment');
      pos = end + 3;
    } else if (source.startsWith('<![CDATA[', pos)) {
      const end = source.indexOf(']]>', pos);
      const top = stack.at(-1);
      if (end === -1 || !top) throw new XmlError(`misplaced or unterminated CDATA at offset ${pos}`);
      top.text += source.slice(pos + 9, end);
      pos = end + 3;
    } else if (source.startsWith('<!', pos)) {
      throw new XmlError(`declarations are not supported (offset ${pos})`);
    } else if (source.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (source[pos] !== '>') throw new XmlError(`expected ">" at offset ${pos}`);
      pos++;
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`closing tag </${name}> does not match <${open?.name ?? ''}>`);
    } else {
      pos++;
      const element: XmlElement = { name: readName(), attributes: {}, children: [], text: '' };
      for (;;) {
        skipSpace();
        if (source.startsWith('/>', pos) || source[pos] === '>') break;
        const attr = readName();
        skipSpace();
        if (source[pos] !== '=') throw new XmlError(`expected "=" after attribute ${attr}`);
        pos++;
        skipSpace();
        const quote = source[pos];
        if (quote !== '"' && quote !== "'") throw new XmlError(`expected a quoted value for attribute ${attr}`);
        const end = source.indexOf(quote, pos + 1);
        if (end === -1) throw new XmlError(`unterminated value of attribute ${attr}`);
        if (attr in element.attributes) throw new XmlError(`duplicate attribute ${attr}`);
        element.attributes[attr] = decodeEntities(source.slice(pos + 1, end), pos);
        pos = end + 1;
      }
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) throw new XmlError('more than one root element');
      else root = element;
      if (source.startsWith('/>', pos)) pos += 2;
      else {
        pos++;
        stack.push(element);
      }
    }
  }
  if (stack.length > 0) throw new XmlError(`element <${stack.at(-1)!.name}> is not closed`);
  if (!root) throw new XmlError('no root element');
  return root;
}

export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Text of the named child, trimmed; undefined when the child is absent. */
export function childText(element: XmlElement, name: string): string | undefined {
  return childElement(element, name)?.text.trim();
}

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A node for the writer: an element with attributes and either text or children. */
export interface XmlNode {
  name: string;
  attributes?: Record<string, string | number | undefined>;
  text?: string;
  children?: XmlNode[];
}

function writeNode(node: XmlNode, indent: string, out: string[]): void {
  const attrs = Object.entries(node.attributes ?? {})
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  const children = node.children ?? [];
  if (children.length > 0) {
    out.push(`${indent}<${node.name}${attrs}>`);
    for (const child of children) writeNode(child, `${indent}  `, out);
    out.push(`${indent}</${node.name}>`);
  } else if (node.text !== undefined && node.text !== '') {
    out.push(`${indent}<${node.name}${attrs}>${escapeXml(node.text)}</${node.name}>`);
  } else {
    out.push(`${indent}<${node.name}${attrs} />`);
  }
}

/** Serializes with an XML declaration, two-space indentation and CRLF line ends (Windows tools' style). */
export function writeXml(root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>'];
  writeNode(root, '', out);
  return out.join('\r\n') + '\r\n';
}
