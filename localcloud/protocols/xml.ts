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
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v, listStyle))
      .join('');
  }
  return escapeXml(String(value));
}
