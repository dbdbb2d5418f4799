/**
 * Policy variables (`${aws:username}`), in Resource patterns and condition
 * values of `2012-10-17` policies. Earlier versions (and documents without a
 * Version, which default to `2008-10-17`) treat `${…}` as literal text.
 *
 * - `${key}` is replaced by the request context's single value for `key`
 *   (case-insensitive); a key that is absent or multivalued leaves the
 *   variable unresolved, and a pattern with an unresolved variable matches
 *   nothing.
 * - `${key, 'default'}` falls back to the default text.
 * - `${*}`, `${?}` and `${$}` stand for the literal characters, so a pattern
 *   can match a real `*`, `?` or `${`.
 */
import { escapeBackslashes, escapeGlob } from './wildcard.js';

/** Text with variables in it, split once at parse time. */
export interface Template {
  parts: TemplatePart[];
}

type TemplatePart = { text: string } | { literalChar: string } | { key: string; fallback?: string };

export interface VariableLookup {
  variable(key: string): string | undefined;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const KEY_WITH_DEFAULT = /^\s*([A-Za-z0-9:/_.\-]+)\s*(?:,\s*'([^']*)'\s*)?$/;

/** The template for `text`, or undefined when it has no variables (the common case). */
export function parseTemplate(text: string): Template | undefined {
  if (!text.includes('${')) return undefined;
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    const inner = match[1]!.trim();
    let part: TemplatePart | undefined;
    if (inner === '*' || inner === '?' || inner === '$') {
      part = { literalChar: inner };
    } else {
      const key = KEY_WITH_DEFAULT.exec(inner);
      if (key) part = { key: key[1]!.toLowerCase(), ...(key[2] !== undefined ? { fallback: key[2] } : {}) };
    }
    if (part === undefined) continue; // not a variable: stays part of the surrounding text
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push(part);
    last = match.index + match[0].length;
  }
  if (parts.length === 0) return undefined;
  if (last < text.length) parts.push({ text: text.slice(last) });
  return { parts };
}

/**
 * The template's text with its variables substituted. `forGlob`: the result
 * is an escaped wildcard pattern (see wildcard.ts) in which substituted values
 * are literal. Undefined when a variable has no value and no default.
 */
export function resolveTemplate(template: Template, lookup: VariableLookup, forGlob: boolean): string | undefined {
  let out = '';
  for (const part of template.parts) {
    if ('text' in part) {
      out += forGlob ? escapeBackslashes(part.text) : part.text;
    } else {
      const value = 'literalChar' in part ? part.literalChar : (lookup.variable(part.key) ?? part.fallback);
      if (value === undefined) return undefined;
      out += forGlob ? escapeGlob(value) : value;
    }
  }
  return out;
}
