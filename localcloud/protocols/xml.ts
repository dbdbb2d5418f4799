/**
 * A small XML writer for AWS responses. AWS's XML is simple (no attributes
 * besides xmlns, lists as repeated elements), so a recursive writer is clearer
 * than configuring a general-purpose builder.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

export type XmlListStyle = 'member' | 'flat';

/**
 * A map-typed member (CloudWatch's `ExtendedStatistics`, SQS attributes): plain
 * objects serialise as structures, so maps are marked with `xmlMap()` to come
 * out as `<entry><key>k</key><value>v</value></entry>` elements.
 */
export class XmlMap {
  constructor(readonly entries: Record<string, unknown>) {}
}

export const xmlMap = (entries: Record<string, unknown>) => new XmlMap(entries);

/**
 * Serialises a plain value. Arrays become `<member>` children (query protocol)
 * or repeated elements named after their parent (REST-XML "flattened" lists).
 */
export function toXml(name: string, value: unknown, listStyle: XmlListStyle = 'member'): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (listStyle === 'flat') return value.map((v) => toXml(name, v, listStyle)).join('');
    return `<${name}>${value.map((v) => toXml('member', v, listStyle)).join('')}</${name}>`;
  }
  return `<${name}>${xmlContent(value, listStyle)}</${name}>`;
}

export function xmlContent(value: unknown, listStyle: XmlListStyle = 'member'): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof XmlMap) {
    return Object.entries(value.entries)
      .map(([k, v]) => `<entry><key>${escapeXml(k)}</key>${toXml('value', v, listStyle)}</entry>`)
      .join('');
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v, listStyle))
      .join('');
  }
  return escapeXml(String(value));
}
