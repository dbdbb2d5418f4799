/**
 * IAM's wildcards: `*` (any run of characters) and `?` (any one character), in
 * the three places they are compared.
 *
 * - `action`: case-insensitive (`S3:getobject` matches `s3:GetObject`).
 * - `string`: case-sensitive, over the whole value (Resource patterns inside a
 *   resource segment, StringLike, each component of ArnLike).
 * - `resource`: case-sensitive and ARN-aware. In the first five
 *   colon-delimited segments (`arn:partition:service:region:account:`) a
 *   wildcard stays within its segment, unless `*` is the segment's last
 *   character, which may expand past colons (`arn:aws:dynamodb:*` matches every
 *   table). In the resource part, which may itself hold colons, `*` matches
 *   anything.
 *
 * Patterns reach this module in an escaped form: `\*`, `\?` and `\\` stand for
 * the literal characters. That is how a policy variable's value (or `${*}`)
 * stays literal after substitution; see variables.ts.
 */

export type GlobMode = 'action' | 'string' | 'resource';
export type Matcher = (value: string) => boolean;

const matchAll: Matcher = () => true;

/** Escapes a literal text so that it matches only itself. */
const NEEDS_ESCAPE = /[\\*?]/;

export function escapeGlob(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\*?]/g, (c) => `\\${c}`) : text;
}

/** Escapes only backslashes: policy text whose `*` and `?` keep their wildcard meaning. */
export function escapeBackslashes(text: string): string {
  return text.includes('\\') ? text.replace(/\\/g, '\\\\') : text;
}

/** A matcher for an escaped pattern, with fast paths for the shapes policies mostly use. */
export function compileGlob(pattern: string, mode: GlobMode): Matcher {
  const ignoreCase = mode === 'action';
  if (pattern === '*') return matchAll;
  const tokens = tokenize(pattern);
  const wildcards = tokens.filter((t) => t !== undefined && typeof t !== 'string').length;
  if (wildcards === 0) {
    const literal = (tokens as string[]).join('');
    if (ignoreCase) {
      const lower = literal.toLowerCase();
      return (value) => value.length === lower.length && value.toLowerCase() === lower;
    }
    return (value) => value === literal;
  }
  // `prefix*`: a trailing `*` is always the last character of its segment, so it crosses colons in every mode.
  const last = tokens[tokens.length - 1];
  if (wildcards === 1 && typeof last === 'object' && last.wildcard === '*') {
    const prefix = (tokens.slice(0, -1) as string[]).join('');
    if (ignoreCase) {
      const lower = prefix.toLowerCase();
      return (value) => value.length >= lower.length && value.slice(0, lower.length).toLowerCase() === lower;
    }
    return (value) => value.startsWith(prefix);
  }
  const regex = new RegExp(`^${toRegexSource(tokens, mode)}$`, ignoreCase ? 'is' : 's');
  return (value) => regex.test(value);
}

/** Compiled matchers for patterns only known at evaluation time (after variable substitution), bounded per mode. */
const dynamicMatchers: Record<GlobMode, Map<string, Matcher>> = { action: new Map(), string: new Map(), resource: new Map() };
const DYNAMIC_MATCHER_LIMIT = 1_000;

export function cachedGlob(pattern: string, mode: GlobMode): Matcher {
  const cache = dynamicMatchers[mode];
  let matcher = cache.get(pattern);
  if (matcher === undefined) {
    if (cache.size >= DYNAMIC_MATCHER_LIMIT) cache.delete(cache.keys().next().value!);
    matcher = compileGlob(pattern, mode);
    cache.set(pattern, matcher);
  }
  return matcher;
}

type Token = string | { wildcard: '*' | '?' };

/** Literal characters as strings (runs merged), wildcards as objects. */
function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      literal += pattern[++i];
    } else if (c === '*' || c === '?') {
      if (literal) tokens.push(literal);
      literal = '';
      tokens.push({ wildcard: c });
    } else {
      literal += c;
    }
  }
  if (literal) tokens.push(literal);
  return tokens;
}

const REGEX_SPECIALS = /[.*+?^${}()|[\]\\/]/g;

function toRegexSource(tokens: Token[], mode: GlobMode): string {
  let source = '';
  let colons = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (typeof token === 'string') {
      source += token.replace(REGEX_SPECIALS, '\\$&');
      for (const c of token) if (c === ':') colons++;
      continue;
    }
    const withinSegment = mode === 'resource' && colons < 5;
    if (token.wildcard === '?') {
      source += withinSegment ? '[^:]' : '.';
    } else {
      const next = tokens[i + 1];
      const endsSegment = next === undefined || (typeof next === 'string' && next.startsWith(':'));
      source += withinSegment && !endsSegment ? '[^:]*' : '.*';
    }
  }
  return source;
}
