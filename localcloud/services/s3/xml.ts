import { isUtf8 } from 'node:buffer';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ServiceResponse } from '../../core/types.js';
import { xmlContent } from '../../protocols/xml.js';
import { S3Error } from './errors.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/**
 * A REST-XML document: S3 lists are "flattened" (repeated elements named
 * after the member, e.g. one `<Contents>` per object), so arrays repeat their
 * parent's name. Undefined fields are left out.
 */
export function xmlResponse(root: string, content: Record<string, unknown>, headers: Record<string, string> = {}): ServiceResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${xmlContent(content, 'flat')}</${root}>`,
  };
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false, // keys such as "007" or "true" must stay strings
  trimValues: false, // and so must keys with leading or trailing spaces
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Only XML's predefined entities (&amp; &lt; ...) and character references; DOCTYPEs are refused before parsing.
  processEntities: true,
  htmlEntities: false,
});

export type XmlNode = Record<string, unknown>;

/**
 * A document type declaration: S3's schemas have none, and its internal
 * subset is where entities (and so billion-laughs expansion) are declared.
 */
const DOCTYPE = /<!DOCTYPE/i;

/**
 * Parses a request body whose root element must be `root`; anything else is
 * MalformedXML, as S3 answers: a DOCTYPE (so no entity is ever declared or
 * expanded), and any document the parser refuses, such as elements named
 * `__proto__`, which fast-xml-parser rejects rather than let them reach an
 * object's prototype.
 */
export function parseXmlBody(body: Buffer, root: string): XmlNode {
  // XML documents are UTF-8 here; bytes that are not (which toString would quietly turn into U+FFFD) are malformed.
  if (!isUtf8(body)) throw S3Error.malformedXml();
  const text = body.toString('utf8').trim();
  if (!text || DOCTYPE.test(text) || XMLValidator.validate(text) !== true) throw S3Error.malformedXml();
  let document: XmlNode;
  try {
    document = parser.parse(text) as XmlNode;
  } catch {
    throw S3Error.malformedXml();
  }
  const rootNames = Object.keys(document).filter((k) => k !== '#text');
  if (rootNames.length !== 1 || rootNames[0] !== root) throw S3Error.malformedXml();
  const node = document[root];
  return typeof node === 'object' && node !== null ? (node as XmlNode) : {};
}

/** The child elements called `name`, as a list whether there was one or many. */
export function children(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': v }));
}

/** Text content of child `name`; undefined when it is absent. */
export function childText(node: XmlNode, name: string): string | undefined {
  const value = node[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) throw S3Error.malformedXml();
  if (typeof value === 'object' && value !== null) {
    const text = (value as XmlNode)['#text'];
    return typeof text === 'string' ? text : '';
  }
  return String(value);
}
