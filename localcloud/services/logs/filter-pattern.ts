import { invalidParameter } from './errors.js';

/**
 * CloudWatch Logs filter patterns, compiled once into a predicate over event
 * messages. Supported, as the Logs documentation describes them:
 *
 * - terms: `ERROR` (all terms must occur), `"quoted phrase"`, `-term` (must
 *   not occur), `?a ?b` (at least one must occur); matching is case sensitive;
 * - JSON patterns: `{ $.level = "error" }`, `{ $.user.id != 7 }`, numeric
 *   `< <= > >=`, `*` wildcards in strings, `&&`, `||`, parentheses,
 *   `IS NULL`, `IS TRUE`, `IS FALSE`, `EXISTS`, `NOT EXISTS`, `$.list[0]`;
 * - regular expressions: `%ERROR|WARN%`.
 *
 * Space-delimited patterns (`[ip, user, ...]`) are answered with a clear error.
 */
export type MessagePredicate = (message: string) => boolean;

export function compileFilterPattern(pattern: string | undefined): MessagePredicate {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJsonPattern(text);
  if (text.startsWith('[')) {
    throw invalidParameter('Space-delimited filter patterns ([w1, w2, ...]) are not supported by localcloud; use terms or a JSON pattern.');
  }
  if (text.length >= 2 && text.startsWith('%') && text.endsWith('%')) {
    let regex: RegExp;
    try {
      regex = new RegExp(text.slice(1, -1));
    } catch {
      throw invalidParameter(`Invalid filter pattern: ${text}`);
    }
    return (message) => regex.test(message);
  }
  return compileTerms(text);
}

// ---- terms ---------------------------------------------------------------------

function compileTerms(text: string): MessagePredicate {
  const all: string[] = [];
  const none: string[] = [];
  const any: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    let kind: 'all' | 'none' | 'any' = 'all';
    if (text[i] === '?' || text[i] === '-') {
      kind = text[i] === '?' ? 'any' : 'none';
      i++;
    }
    let term: string;
    if (text[i] === '"') {
      const { value, end } = readQuoted(text, i);
      term = value;
      i = end;
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i])) i++;
      term = text.slice(start, i);
    }
    if (term === '') throw invalidParameter(`Invalid filter pattern: ${text}`);
    (kind === 'all' ? all : kind === 'none' ? none : any).push(term);
  }
  return (message) =>
    all.every((t) => message.includes(t)) && none.every((t) => !message.includes(t)) && (any.length === 0 || any.some((t) => message.includes(t)));
}

function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i++];
  }
  if (i >= text.length) throw invalidParameter(`Invalid filter pattern: unterminated quote in ${text}`);
  return { value, end: i + 1 };
}

// ---- JSON patterns -----------------------------------------------------------------

type Token =
  | { kind: 'punct'; value: '(' | ')' | '&&' | '||' }
  | { kind: 'op'; value: '=' | '!=' | '<' | '<=' | '>' | '>=' }
  | { kind: 'selector'; path: (string | number)[] }
  | { kind: 'string'; value: string }
  | { kind: 'word'; value: string };

type JsonPredicate = (document: unknown) => boolean;

function compileJsonPattern(text: string): MessagePredicate {
  if (!text.endsWith('}')) throw invalidParameter(`Invalid filter pattern: ${text}`);
  const tokens = tokenize(text.slice(1, -1), text);
  const parser = new JsonPatternParser(tokens, text);
  const predicate = parser.parse();
  return (message) => {
    let document: unknown;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    return document !== null && typeof document === 'object' && predicate(document);
  };
}

function tokenize(body: string, pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = () => invalidParameter(`Invalid filter pattern: ${pattern}`);
  while (i < body.length) {
    const c = body[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else if (body.startsWith('&&', i) || body.startsWith('||', i)) {
      tokens.push({ kind: 'punct', value: body.slice(i, i + 2) as '&&' | '||' });
      i += 2;
    } else if (body.startsWith('!=', i) || body.startsWith('<=', i) || body.startsWith('>=', i)) {
      tokens.push({ kind: 'op', value: body.slice(i, i + 2) as '!=' | '<=' | '>=' });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', value: c });
      i += body[i + 1] === '=' && c === '=' ? 2 : 1; // `==` reads as `=`
    } else if (c === '$') {
      const path: (string | number)[] = [];
      i++;
      while (i < body.length && (body[i] === '.' || body[i] === '[')) {
        if (body[i] === '.') {
          const start = ++i;
          while (i < body.length && /[^\s.[\]()=!<>&|]/.test(body[i])) i++;
          if (i === start) throw fail();
          path.push(body.slice(start, i));
        } else {
          const close = body.indexOf(']', i);
          if (close < 0) throw fail();
          const index = body.slice(i + 1, close).trim();
          if (!/^\d+$/.test(index)) throw fail();
          path.push(Number(index));
          i = close + 1;
        }
      }
      tokens.push({ kind: 'selector', path });
    } else if (c === '"') {
      const { value, end } = readQuoted(body, i);
      tokens.push({ kind: 'string', value });
      i = end;
    } else {
      const start = i;
      while (i < body.length && /[^\s()=!<>&|]/.test(body[i])) i++;
      if (i === start) throw fail();
      tokens.push({ kind: 'word', value: body.slice(start, i) });
    }
  }
  return tokens;
}

class JsonPatternParser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly pattern: string,
  ) {}

  parse(): JsonPredicate {
    const predicate = this.or();
    if (this.position !== this.tokens.length) throw this.fail();
    return predicate;
  }

  private or(): JsonPredicate {
    const parts = [this.and()];
    while (this.punct('||')) parts.push(this.and());
    return parts.length === 1 ? parts[0] : (doc) => parts.some((p) => p(doc));
  }

  private and(): JsonPredicate {
    const parts = [this.unary()];
    while (this.punct('&&')) parts.push(this.unary());
    return parts.length === 1 ? parts[0] : (doc) => parts.every((p) => p(doc));
  }

  private unary(): JsonPredicate {
    if (this.punct('(')) {
      const inner = this.or();
      if (!this.punct(')')) throw this.fail();
      return inner;
    }
    const selector = this.tokens[this.position++];
    if (selector?.kind !== 'selector') throw this.fail();
    const select = (doc: unknown) => resolve(doc, selector.path);
    const next = this.tokens[this.position];
    if (next?.kind === 'word') return this.keywordTest(select);
    if (next?.kind !== 'op') throw this.fail();
    this.position++;
    const operand = this.tokens[this.position++];
    if (operand?.kind !== 'string' && operand?.kind !== 'word') throw this.fail();
    return comparison(select, next.value, operand.value, operand.kind === 'string');
  }

  /** `IS NULL`, `IS TRUE`, `IS FALSE`, `EXISTS`, `NOT EXISTS`. */
  private keywordTest(select: (doc: unknown) => { found: boolean; value?: unknown }): JsonPredicate {
    const word = (this.tokens[this.position++] as { value: string }).value.toUpperCase();
    if (word === 'EXISTS') return (doc) => select(doc).found;
    if (word === 'NOT') {
      const second = this.tokens[this.position++];
      if (second?.kind !== 'word' || second.value.toUpperCase() !== 'EXISTS') throw this.fail();
      return (doc) => !select(doc).found;
    }
    if (word === 'IS') {
      const second = this.tokens[this.position++];
      const what = second?.kind === 'word' ? second.value.toUpperCase() : '';
      if (what === 'NULL') return (doc) => select(doc).found && select(doc).value === null;
      if (what === 'TRUE') return (doc) => select(doc).value === true;
      if (what === 'FALSE') return (doc) => select(doc).value === false;
    }
    throw this.fail();
  }

  private punct(value: string): boolean {
    const token = this.tokens[this.position];
    if (token?.kind === 'punct' && token.value === value) {
      this.position++;
      return true;
    }
    return false;
  }

  private fail() {
    return invalidParameter(`Invalid filter pattern: ${this.pattern}`);
  }
}

function resolve(document: unknown, path: (string | number)[]): { found: boolean; value?: unknown } {
  let node: unknown = document;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return { found: false };
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment >= node.length) return { found: false };
      node = node[segment];
    } else {
      if (!Object.hasOwn(node, segment)) return { found: false };
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: node };
}

function comparison(
  select: (doc: unknown) => { found: boolean; value?: unknown },
  op: '=' | '!=' | '<' | '<=' | '>' | '>=',
  operand: string,
  quoted: boolean,
): JsonPredicate {
  const number = !quoted && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(operand) ? Number(operand) : undefined;
  if (op !== '=' && op !== '!=') {
    if (number === undefined) throw invalidParameter(`Invalid filter pattern: ${op} needs a number, got ${operand}`);
    return (doc) => {
      const { found, value } = select(doc);
      if (!found || typeof value !== 'number') return false;
      return op === '<' ? value < number : op === '<=' ? value <= number : op === '>' ? value > number : value >= number;
    };
  }
  const matches = stringMatcher(operand);
  const equal = (value: unknown): boolean => {
    if (number !== undefined && typeof value === 'number') return value === number;
    if (typeof value === 'string') return matches(value);
    if (!quoted && (typeof value === 'boolean' || value === null)) return String(value) === operand;
    return false;
  };
  return op === '='
    ? (doc) => {
        const { found, value } = select(doc);
        return found && equal(value);
      }
    : (doc) => {
        const { found, value } = select(doc);
        return found && !equal(value);
      };
}

/** Exact match, with `*` standing for any run of characters. */
function stringMatcher(operand: string): (value: string) => boolean {
  if (!operand.includes('*')) return (value) => value === operand;
  const regex = new RegExp(`^${operand.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return (value) => regex.test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
