import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { AwsError } from '../../../core/errors.js';

/**
 * A bounded parser for the PartiQL subset DynamoDB's PartiQL API serves:
 *
 *   SELECT * | path, ... FROM table[."index"] [WHERE condition]
 *   INSERT INTO table VALUE {'attr': value, ...}
 *   UPDATE table SET path = value [+|- value], ... | REMOVE path, ... WHERE condition
 *   DELETE FROM table WHERE condition
 *
 * Values are PartiQL's Ion-like literals ('string', numbers, TRUE/FALSE,
 * NULL, <<set>>, {map}, [list]) or `?` parameters. Conditions combine
 * comparisons, BETWEEN, IN, IS [NOT] MISSING and the functions begins_with,
 * contains, attribute_exists, attribute_not_exists with AND, OR, NOT and
 * parentheses. It is a hand-written recursive descent over a token list,
 * with caps on statement length and nesting: no eval, no backtracking.
 * Anything outside the subset is refused with a ValidationException.
 */

/** DynamoDB's limit on a statement's length. */
export const MAX_STATEMENT_LENGTH = 8192;
const MAX_NESTING = 32;

export type PathStep = { name: string } | { index: number };
export type Path = PathStep[];
export type Operand = { path: Path } | { value: AttributeValue };
export type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; operand: Condition }
  | { op: 'compare'; comparator: '=' | '<>' | '<' | '<=' | '>' | '>='; left: Operand; right: Operand }
  | { op: 'between'; subject: Operand; low: Operand; high: Operand }
  | { op: 'in'; subject: Operand; options: Operand[] }
  | { op: 'missing'; path: Path; negated: boolean }
  | { op: 'function'; name: 'begins_with' | 'contains' | 'attribute_exists' | 'attribute_not_exists'; args: Operand[] };

export type UpdateAction =
  | { kind: 'set'; path: Path; value: Operand; arithmetic?: { op: '+' | '-'; operand: Operand } }
  | { kind: 'remove'; path: Path };

export type Statement =
  | { verb: 'SELECT'; table: string; index?: string; projection?: Path[]; where?: Condition }
  | { verb: 'INSERT'; table: string; item: AttributeValue }
  | { verb: 'UPDATE'; table: string; actions: UpdateAction[]; where: Condition }
  | { verb: 'DELETE'; table: string; where: Condition };

type TokenType = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'symbol';
interface Token {
  type: TokenType;
  text: string;
  at: number;
}

export const malformed = (detail: string) => new AwsError('ValidationException', `Statement wasn't well formed, can't be processed: ${detail}`);
const unsupported = (what: string) => new AwsError('ValidationException', `Unsupported statement: ${what} is not supported by localcloud's PartiQL`);

const SYMBOLS = ['<<', '>>', '<>', '!=', '<=', '>=', '=', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', '.', '*', '?', '+', '-'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      // '' and "" escape the quote inside a literal or a quoted name.
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw malformed(`unterminated ${c === "'" ? 'string' : 'quoted name'} at ${i}`);
        if (text[j] === c) {
          if (text[j + 1] === c) {
            value += c;
            j += 2;
            continue;
          }
          break;
        }
        value += text[j++];
      }
      tokens.push({ type: c === "'" ? 'string' : 'quoted', text: value, at: i });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i))!;
      tokens.push({ type: 'number', text: match[0], at: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ type: 'word', text: match[0], at: i });
      i += match[0].length;
    } else {
      const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
      if (!symbol) throw malformed(`unexpected character '${c}' at ${i}`);
      tokens.push({ type: symbol === '?' ? 'param' : 'symbol', text: symbol, at: i });
      i += symbol.length;
    }
  }
  return tokens;
}

export function parseStatement(text: unknown, parameters: AttributeValue[] = []): Statement {
  if (typeof text !== 'string' || text.length === 0) {
    throw new AwsError('ValidationException', "1 validation error detected: Value null at 'statement' failed to satisfy constraint: Member must not be null");
  }
  if (text.length > MAX_STATEMENT_LENGTH) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at 'statement' failed to satisfy constraint: Member must have length less than or equal to ${MAX_STATEMENT_LENGTH}`);
  }
  const parser = new Parser(tokenize(text), parameters);
  const statement = parser.statement();
  parser.end();
  return statement;
}

class Parser {
  private position = 0;
  private depth = 0;
  private nextParameter = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly parameters: AttributeValue[],
  ) {}

  statement(): Statement {
    const verb = this.word();
    switch (verb) {
      case 'SELECT':
        return this.select();
      case 'INSERT':
        this.keyword('INTO');
        return this.insert();
      case 'UPDATE':
        return this.update();
      case 'DELETE':
        this.keyword('FROM');
        return { verb: 'DELETE', table: this.name(), where: this.where(true)! };
      case 'EXISTS':
        throw unsupported('EXISTS');
      default:
        throw malformed(`expected SELECT, INSERT, UPDATE or DELETE, found '${verb}'`);
    }
  }

  end(): void {
    if (this.position < this.tokens.length) throw malformed(`unexpected '${this.tokens[this.position].text}' at ${this.tokens[this.position].at}`);
    if (this.nextParameter !== this.parameters.length) {
      throw new AwsError('ValidationException', `Number of parameters in request and statement don't match.`);
    }
  }

  private select(): Statement {
    let projection: Path[] | undefined;
    if (this.accept('*')) projection = undefined;
    else {
      projection = [this.path()];
      while (this.accept(',')) projection.push(this.path());
    }
    this.keyword('FROM');
    const table = this.name();
    let index: string | undefined;
    if (this.accept('.')) index = this.name();
    const where = this.where(false);
    for (const word of ['ORDER', 'LIMIT', 'GROUP', 'JOIN']) if (this.peekWord(word)) throw unsupported(word);
    return { verb: 'SELECT', table, index, projection, where };
  }

  private insert(): Statement {
    const table = this.name();
    this.keyword('VALUE');
    const item = this.value();
    if (!item.M) throw malformed('INSERT takes one map: VALUE {...}');
    return { verb: 'INSERT', table, item };
  }

  private update(): Statement {
    const table = this.name();
    const actions: UpdateAction[] = [];
    while (this.peekWord('SET') || this.peekWord('REMOVE')) {
      if (this.word() === 'SET') {
        do {
          const path = this.path();
          this.expect('=');
          const value = this.operand();
          const op = this.accept('+') ? '+' : this.accept('-') ? '-' : undefined;
          actions.push(op ? { kind: 'set', path, value, arithmetic: { op, operand: this.operand() } } : { kind: 'set', path, value });
        } while (this.accept(','));
      } else {
        do actions.push({ kind: 'remove', path: this.path() });
        while (this.accept(','));
      }
    }
    if (actions.length === 0) throw malformed('UPDATE needs SET or REMOVE');
    return { verb: 'UPDATE', table, actions, where: this.where(true)! };
  }

  private where(required: boolean): Condition | undefined {
    if (!this.peekWord('WHERE')) {
      if (required) throw malformed('a WHERE clause naming the item is required');
      return undefined;
    }
    this.word();
    return this.or();
  }

  private or(): Condition {
    let left = this.and();
    while (this.acceptWord('OR')) left = { op: 'or', left, right: this.and() };
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.acceptWord('AND')) left = { op: 'and', left, right: this.not() };
    return left;
  }

  private not(): Condition {
    if (this.acceptWord('NOT')) return this.nested(() => ({ op: 'not', operand: this.not() }));
    return this.predicate();
  }

  private predicate(): Condition {
    if (this.accept('(')) {
      const inner = this.nested(() => this.or());
      this.expect(')');
      return inner;
    }
    const token = this.peek();
    const fn = token?.type === 'word' ? token.text.toLowerCase() : '';
    if (['begins_with', 'contains', 'attribute_exists', 'attribute_not_exists'].includes(fn) && this.tokens[this.position + 1]?.text === '(') {
      this.position += 2;
      const args = [this.operand()];
      while (this.accept(',')) args.push(this.operand());
      this.expect(')');
      return { op: 'function', name: fn as 'contains', args };
    }
    const subject = this.operand();
    if (this.acceptWord('IS')) {
      const negated = this.acceptWord('NOT');
      this.keyword('MISSING');
      if (!('path' in subject)) throw malformed('IS MISSING applies to an attribute');
      return { op: 'missing', path: subject.path, negated };
    }
    if (this.acceptWord('BETWEEN')) {
      const low = this.operand();
      this.keyword('AND');
      return { op: 'between', subject, low, high: this.operand() };
    }
    if (this.acceptWord('IN')) {
      const close = this.accept('[') ? ']' : (this.expect('('), ')');
      const options = [this.operand()];
      while (this.accept(',')) options.push(this.operand());
      this.expect(close);
      return { op: 'in', subject, options };
    }
    const comparator = this.next('a comparison').text;
    if (!['=', '<>', '!=', '<', '<=', '>', '>='].includes(comparator)) throw malformed(`expected a comparison, found '${comparator}'`);
    return { op: 'compare', comparator: comparator === '!=' ? '<>' : (comparator as '='), left: subject, right: this.operand() };
  }

  private operand(): Operand {
    const token = this.peek();
    if (token && (token.type === 'word' || token.type === 'quoted') && !['TRUE', 'FALSE', 'NULL'].includes(token.text.toUpperCase())) {
      return { path: this.path() };
    }
    return { value: this.value() };
  }

  private path(): Path {
    const steps: Path = [{ name: this.name() }];
    for (;;) {
      if (this.peek()?.text === '.' && ['word', 'quoted'].includes(this.tokens[this.position + 1]?.type)) {
        this.position++;
        steps.push({ name: this.name() });
      } else if (this.accept('[')) {
        const index = this.next('a list index');
        if (index.type !== 'number' || !/^\d+$/.test(index.text)) throw malformed(`list index must be a whole number, found '${index.text}'`);
        steps.push({ index: Number(index.text) });
        this.expect(']');
      } else {
        return steps;
      }
    }
  }

  private value(): AttributeValue {
    const token = this.next('a value');
    switch (token.type) {
      case 'string':
        return { S: token.text };
      case 'number':
        return { N: token.text };
      case 'param': {
        const value = this.parameters[this.nextParameter++];
        if (!value) throw new AwsError('ValidationException', `Number of parameters in request and statement don't match.`);
        return value;
      }
      case 'word': {
        const word = token.text.toUpperCase();
        if (word === 'TRUE' || word === 'FALSE') return { BOOL: word === 'TRUE' };
        if (word === 'NULL') return { NULL: true };
        throw malformed(`unexpected '${token.text}' at ${token.at}`);
      }
      case 'symbol':
        if (token.text === '-') {
          const number = this.next('a number');
          if (number.type !== 'number') throw malformed(`unexpected '-' at ${token.at}`);
          return { N: `-${number.text}` };
        }
        return this.nested(() => this.collection(token));
      default:
        throw malformed(`unexpected '${token.text}' at ${token.at}`);
    }
  }

  private collection(open: Token): AttributeValue {
    if (open.text === '{') {
      const map: Record<string, AttributeValue> = {};
      if (!this.accept('}')) {
        do {
          const key = this.next('a map key');
          if (key.type !== 'string') throw malformed(`map keys are 'strings', found '${key.text}' at ${key.at}`);
          this.expect(':');
          map[key.text] = this.value();
        } while (this.accept(','));
        this.expect('}');
      }
      return { M: map };
    }
    if (open.text === '[') {
      const list: AttributeValue[] = [];
      if (!this.accept(']')) {
        do list.push(this.value());
        while (this.accept(','));
        this.expect(']');
      }
      return { L: list };
    }
    if (open.text === '<<') {
      const members: AttributeValue[] = [];
      do members.push(this.value());
      while (this.accept(','));
      this.expect('>>');
      if (members.every((m) => m.S !== undefined)) return { SS: members.map((m) => m.S!) };
      if (members.every((m) => m.N !== undefined)) return { NS: members.map((m) => m.N!) };
      if (members.every((m) => m.B !== undefined)) return { BS: members.map((m) => m.B!) };
      throw malformed('a set holds strings, numbers or binaries, all of one type');
    }
    throw malformed(`unexpected '${open.text}' at ${open.at}`);
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) throw malformed(`nested deeper than ${MAX_NESTING} levels`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** A table, index or attribute name: an identifier or a "quoted name". */
  private name(): string {
    const token = this.next('a name');
    if (token.type !== 'word' && token.type !== 'quoted') throw malformed(`expected a name, found '${token.text}' at ${token.at}`);
    return token.text;
  }

  private word(): string {
    const token = this.next('a keyword');
    if (token.type !== 'word') throw malformed(`expected a keyword, found '${token.text}' at ${token.at}`);
    return token.text.toUpperCase();
  }

  private keyword(expected: string): void {
    const found = this.word();
    if (found !== expected) throw malformed(`expected ${expected}, found '${found}'`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private peekWord(word: string): boolean {
    const token = this.peek();
    return token?.type === 'word' && token.text.toUpperCase() === word;
  }

  private acceptWord(word: string): boolean {
    if (!this.peekWord(word)) return false;
    this.position++;
    return true;
  }

  private accept(symbol: string): boolean {
    const token = this.peek();
    if (!token || (token.type !== 'symbol' && token.type !== 'param') || token.text !== symbol) return false;
    this.position++;
    return true;
  }

  private expect(symbol: string): void {
    const token = this.next(`'${symbol}'`);
    if (token.text !== symbol || token.type === 'string' || token.type === 'quoted') throw malformed(`expected '${symbol}', found '${token.text}' at ${token.at}`);
  }

  private next(what: string): Token {
    const token = this.tokens[this.position++];
    if (!token) throw malformed(`unexpected end of statement, expected ${what}`);
    return token;
  }
}
