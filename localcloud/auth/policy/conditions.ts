/**
 * The Condition element, compiled once per policy and evaluated per request,
 * following IAM's documented rules:
 *
 * - Every operator in a block, and every key under an operator, must hold
 *   (AND); the values listed for one key are alternatives (OR).
 * - A key absent from the request fails a positive operator and satisfies a
 *   negated one (`StringNotEquals`, `StringNotLike`, `NotIpAddress`,
 *   `ArnNotLike`, …). `…IfExists` makes an absent key satisfy any operator.
 * - A negated operator holds when the request value matches none of the
 *   listed values.
 * - `ForAllValues:` holds when every request value matches (vacuously when the
 *   key is absent or empty); `ForAnyValue:` when at least one does (never when
 *   absent). Without a set operator, a multivalued key matches when any of
 *   its values does (a negated operator: when none does).
 * - `Null`: `true` holds when the key is absent, `false` when present.
 * - An operator IAM does not know makes its statement match nothing; the
 *   parser records a warning.
 */
import { cidrContains, parseCidr } from './cidr.js';
import type { RequestContext } from './context.js';
import type { ConditionValue } from './types.js';
import { parseTemplate, resolveTemplate, type Template } from './variables.js';
import { cachedGlob, compileGlob, escapeBackslashes, type Matcher } from './wildcard.js';

export interface CompiledCondition {
  /** The operator as written, for reports. */
  operator: string;
  key: string;
  test(context: RequestContext): boolean;
}

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn';
type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

interface OperatorSpec {
  family: Family | 'null';
  negated: boolean;
  comparison: Comparison;
}

const spec = (family: OperatorSpec['family'], negated = false, comparison: Comparison = 'eq'): OperatorSpec => ({ family, negated, comparison });

const OPERATORS = new Map<string, OperatorSpec>([
  ['stringequals', spec('string')],
  ['stringnotequals', spec('string', true)],
  ['stringequalsignorecase', spec('stringIgnoreCase')],
  ['stringnotequalsignorecase', spec('stringIgnoreCase', true)],
  ['stringlike', spec('stringLike')],
  ['stringnotlike', spec('stringLike', true)],
  ['numericequals', spec('numeric')],
  ['numericnotequals', spec('numeric', true)],
  ['numericlessthan', spec('numeric', false, 'lt')],
  ['numericlessthanequals', spec('numeric', false, 'lte')],
  ['numericgreaterthan', spec('numeric', false, 'gt')],
  ['numericgreaterthanequals', spec('numeric', false, 'gte')],
  ['dateequals', spec('date')],
  ['datenotequals', spec('date', true)],
  ['datelessthan', spec('date', false, 'lt')],
  ['datelessthanequals', spec('date', false, 'lte')],
  ['dategreaterthan', spec('date', false, 'gt')],
  ['dategreaterthanequals', spec('date', false, 'gte')],
  ['bool', spec('bool')],
  ['binaryequals', spec('binary')],
  ['ipaddress', spec('ip')],
  ['notipaddress', spec('ip', true)],
  ['arnequals', spec('arn')],
  ['arnlike', spec('arn')],
  ['arnnotequals', spec('arn', true)],
  ['arnnotlike', spec('arn', true)],
  ['null', spec('null')],
]);

interface ParsedOperator extends OperatorSpec {
  set?: 'all' | 'any';
  ifExists: boolean;
}

/** `ForAnyValue:StringLikeIfExists` → its parts; undefined for an operator IAM does not know. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name.toLowerCase();
  let set: ParsedOperator['set'];
  if (rest.startsWith('forallvalues:')) {
    set = 'all';
    rest = rest.slice('forallvalues:'.length);
  } else if (rest.startsWith('foranyvalue:')) {
    set = 'any';
    rest = rest.slice('foranyvalue:'.length);
  }
  const ifExists = rest.endsWith('ifexists');
  if (ifExists) rest = rest.slice(0, -'ifexists'.length);
  const found = OPERATORS.get(rest);
  if (found === undefined || (found.family === 'null' && (ifExists || set))) return undefined;
  return { ...found, set, ifExists };
}

/** One listed value's test against one request value. */
type ValueTest = (requestValue: string, context: RequestContext) => boolean;

/**
 * Compiles a statement's Condition block. Returns undefined (and adds a
 * warning) when an operator is unknown: that statement then never applies.
 */
export function compileConditions(
  block: Record<string, Record<string, ConditionValue | ConditionValue[]>>,
  variables: boolean,
  warnings: string[],
  where: string,
): CompiledCondition[] | undefined {
  const compiled: CompiledCondition[] = [];
  let usable = true;
  for (const [operatorName, keys] of Object.entries(block)) {
    const operator = parseOperator(operatorName);
    if (operator === undefined) {
      warnings.push(`${where}: unknown condition operator ${operatorName}; the statement never applies`);
      usable = false;
      continue;
    }
    for (const [key, raw] of Object.entries(keys ?? {})) {
      const values = (Array.isArray(raw) ? raw : [raw]).map(String);
      compiled.push(compileOne(operatorName, operator, key, values, variables));
    }
  }
  return usable ? compiled : undefined;
}

function compileOne(operatorName: string, operator: ParsedOperator, asWritten: string, values: string[], variables: boolean): CompiledCondition {
  const key = asWritten.toLowerCase();
  if (operator.family === 'null') {
    const wantsAbsent = values.map((v) => v.toLowerCase() === 'true');
    return {
      operator: operatorName,
      key,
      test: (context) => {
        const value = context.get(key, asWritten);
        const absent = value === undefined || (Array.isArray(value) && value.length === 0);
        return wantsAbsent.includes(absent);
      },
    };
  }
  const tests = values.map((value) => valueTest(operator.family as Family, operator.comparison, value, variables));
  const { negated, set, ifExists } = operator;
  return {
    operator: operatorName,
    key,
    test: (context) => {
      const value = context.get(key, asWritten);
      if (typeof value === 'string') {
        // A single value: every set operator reduces to the plain comparison.
        return matchesAny(tests, value, context) !== negated;
      }
      if (value === undefined || value.length === 0) {
        if (ifExists || set === 'all') return true;
        if (set === 'any') return false;
        return negated;
      }
      if (set === 'all') {
        for (const v of value) if (matchesAny(tests, v, context) === negated) return false;
        return true;
      }
      if (set === 'any') {
        for (const v of value) if (matchesAny(tests, v, context) !== negated) return true;
        return false;
      }
      for (const v of value) if (matchesAny(tests, v, context)) return !negated;
      return negated;
    },
  };
}

/** Whether one request value matches any of the listed values (they are alternatives). */
function matchesAny(tests: ValueTest[], requestValue: string, context: RequestContext): boolean {
  for (const test of tests) if (test(requestValue, context)) return true;
  return false;
}

const GLOB_FAMILIES = new Set<Family>(['stringLike', 'arn']);

function valueTest(family: Family, comparison: Comparison, value: string, variables: boolean): ValueTest {
  const template: Template | undefined = variables ? parseTemplate(value) : undefined;
  const forGlob = GLOB_FAMILIES.has(family);
  if (template === undefined) {
    const test = staticTest(family, comparison, forGlob ? escapeBackslashes(value) : value, false);
    return (requestValue) => test(requestValue);
  }
  return (requestValue, context) => {
    const resolved = resolveTemplate(template, context, forGlob);
    return resolved !== undefined && staticTest(family, comparison, resolved, true)(requestValue);
  };
}

/** The test for one (resolved) policy value. `dynamic`: built per request, so glob matchers come from the bounded cache. */
function staticTest(family: Family, comparison: Comparison, value: string, dynamic: boolean): Matcher {
  switch (family) {
    case 'string':
    case 'binary':
      return (v) => v === value;
    case 'stringIgnoreCase': {
      const lower = value.toLowerCase();
      return (v) => v.toLowerCase() === lower;
    }
    case 'bool': {
      const lower = value.toLowerCase();
      return (v) => v.toLowerCase() === lower;
    }
    case 'stringLike':
      return dynamic ? cachedGlob(value, 'string') : compileGlob(value, 'string');
    case 'arn':
      return arnMatcher(value, dynamic);
    case 'numeric':
      return comparer(parseNumber(value), parseNumber, comparison);
    case 'date':
      return comparer(parseDate(value), parseDate, comparison);
    case 'ip': {
      const range = parseCidr(value);
      return range === undefined ? () => false : (v) => cidrContains(range, v);
    }
  }
}

function comparer(expected: number, parse: (text: string) => number, comparison: Comparison): Matcher {
  if (Number.isNaN(expected)) return () => false;
  return (text) => {
    const actual = parse(text);
    switch (comparison) {
      case 'eq':
        return actual === expected;
      case 'lt':
        return actual < expected;
      case 'lte':
        return actual <= expected;
      case 'gt':
        return actual > expected;
      case 'gte':
        return actual >= expected;
    }
  };
}

function parseNumber(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? NaN : Number(trimmed);
}

/** ISO 8601 (`2026-01-01T00:00:00Z`, `2026-01-01`) or epoch seconds, as IAM accepts both. */
function parseDate(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  return trimmed === '' ? NaN : Date.parse(trimmed);
}

/**
 * ArnEquals and ArnLike (the same operator on AWS): each of the six
 * colon-delimited components is matched on its own, with wildcards; the last
 * component (the resource) may hold further colons. `*` alone matches any
 * ARN; any other pattern that is not a six-component ARN matches nothing.
 */
function arnMatcher(pattern: string, dynamic: boolean): Matcher {
  const glob = dynamic ? cachedGlob : compileGlob;
  if (pattern === '*') return (value) => splitArn(value) !== undefined;
  const components = splitArn(pattern);
  if (components === undefined) return () => false;
  const matchers = components.map((component) => glob(component, 'string'));
  return (value) => {
    const parts = splitArn(value);
    return parts !== undefined && matchers.every((matcher, i) => matcher(parts[i]!));
  };
}

function splitArn(text: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = text.indexOf(':', start);
    if (colon < 0) return undefined;
    parts.push(text.slice(start, colon));
    start = colon + 1;
  }
  parts.push(text.slice(start));
  return parts;
}
