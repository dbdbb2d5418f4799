import { invalidParameter } from './errors.js';

/**
 * SNS subscription filter policies, as AWS documents them
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html):
 * exact strings and numbers, `prefix`, `suffix`, `equals-ignore-case`,
 * `anything-but` (a value, a list, or a prefix/suffix), `numeric` ranges,
 * `exists`, and `$or`; applied to message attributes or, with
 * FilterPolicyScope=MessageBody, to the (JSON) message body with nested keys.
 */
export type FilterScope = 'MessageAttributes' | 'MessageBody';

/** AWS's limits: at most 5 keys and 150 combinations of values per policy. */
export const FILTER_LIMITS = { maxKeys: 5, maxCombinations: 150, maxNumeric: 1e9 } as const;

type Condition = string | number | null | Record<string, unknown>;
type Policy = { [key: string]: Condition[] | Policy | Policy[] };

const fail = (reason: string) => invalidParameter(`FilterPolicy: ${reason}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A parsed, validated filter policy; throws InvalidParameter naming what is wrong. */
export function parseFilterPolicy(text: string, scope: FilterScope): Policy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail('failed to parse JSON.');
  }
  if (!isObject(parsed)) throw fail('Filter policy must be a JSON object');
  const policy = parsed as Policy;
  const { keys, combinations } = measure(policy, scope, 0);
  if (keys > FILTER_LIMITS.maxKeys) throw fail(`Filter policy can not have more than ${FILTER_LIMITS.maxKeys} keys`);
  if (combinations > FILTER_LIMITS.maxCombinations) throw fail('Filter policy is too complex');
  return policy;
}

/**
 * Validates a (sub)policy and counts its leaf keys and combinations: the
 * product of each key's number of values; `$or` branches add up.
 */
function measure(policy: Policy, scope: FilterScope, depth: number): { keys: number; combinations: number } {
  let keys = 0;
  let combinations = 1;
  if (Object.keys(policy).length === 0) throw fail('Filter policy can not be empty');
  for (const [key, value] of Object.entries(policy)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) throw fail('$or must be a list of at least two policies');
      let branches = 0;
      for (const branch of value as Policy[]) {
        const m = measure(branch, scope, depth);
        keys = Math.max(keys, m.keys);
        branches += m.combinations;
      }
      combinations *= branches;
      continue;
    }
    if (isObject(value)) {
      if (scope === 'MessageAttributes') throw fail(`"${key}" must be an array`);
      const m = measure(value as Policy, scope, depth + 1);
      keys += m.keys;
      combinations *= m.combinations;
      continue;
    }
    if (!Array.isArray(value)) throw fail(`"${key}" must be an object or an array`);
    if (value.length === 0) throw fail(`Empty arrays are not allowed`);
    for (const condition of value) validateCondition(key, condition as Condition, scope);
    keys += 1;
    combinations *= value.length;
  }
  return { keys, combinations };
}

const OPERATORS = new Set(['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'equals-ignore-case', 'cidr']);

function validateCondition(key: string, condition: Condition, scope: FilterScope): void {
  if (typeof condition === 'string') return;
  if (typeof condition === 'number') return checkNumber(condition);
  if (condition === null) {
    if (scope === 'MessageAttributes') throw fail(`Match value must be String, number, true, false, or null`);
    return;
  }
  if (typeof condition === 'boolean') {
    if (scope === 'MessageAttributes') throw fail(`Match value must be String, number, true, false, or null`);
    return;
  }
  if (!isObject(condition)) throw fail(`Match value must be String, number, true, false, or null`);
  const names = Object.keys(condition);
  if (names.length !== 1) throw fail(`Only one key allowed in match expression`);
  const [operator] = names;
  const operand = condition[operator];
  if (!OPERATORS.has(operator)) throw fail(`Unrecognized match type ${operator}`);
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw fail(`${operator} match pattern must be a string`);
      return;
    case 'exists':
      if (typeof operand !== 'boolean') throw fail('exists match pattern must be either true or false.');
      return;
    case 'cidr':
      throw fail('cidr matching is not supported by this local cloud');
    case 'numeric':
      return validateNumeric(operand);
    case 'anything-but':
      if (typeof operand === 'string') return;
      if (typeof operand === 'number') return checkNumber(operand);
      if (Array.isArray(operand)) {
        if (operand.length === 0) throw fail('Empty arrays are not allowed');
        const allStrings = operand.every((v) => typeof v === 'string');
        const allNumbers = operand.every((v) => typeof v === 'number');
        if (!allStrings && !allNumbers) throw fail('Inside anything but list, start|null|boolean is not supported.');
        return;
      }
      if (isObject(operand)) {
        const [inner, ...rest] = Object.keys(operand);
        if (rest.length > 0 || !['prefix', 'suffix', 'equals-ignore-case'].includes(inner) || typeof operand[inner] !== 'string') {
          throw fail('Unsupported anything-but pattern');
        }
        return;
      }
      throw fail('Value of anything-but must be an array or single string/number value.');
  }
}

function checkNumber(n: number): void {
  if (!Number.isFinite(n) || Math.abs(n) > FILTER_LIMITS.maxNumeric) throw fail('Value of numeric must be between -1.0E9 and 1.0E9');
}

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

function validateNumeric(operand: unknown): void {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) throw fail('Value of numeric must be an array.');
  for (let i = 0; i < operand.length; i += 2) {
    if (typeof operand[i] !== 'string' || !NUMERIC_OPERATORS.has(operand[i] as string)) throw fail(`Unrecognized numeric range operator: ${String(operand[i])}`);
    if (typeof operand[i + 1] !== 'number') throw fail(`Value of ${String(operand[i])} must be numeric`);
    checkNumber(operand[i + 1] as number);
  }
  if (operand.length === 4) {
    if (operand[0] === '=' || operand[2] === '=') throw fail('Bad numeric range operator: =');
    const lowerFirst = (operand[0] as string).startsWith('>');
    const upperSecond = (operand[2] as string).startsWith('<');
    if (!lowerFirst || !upperSecond) throw fail('Too many elements in numeric expression');
    if ((operand[1] as number) >= (operand[3] as number)) throw fail('Bottom must be less than top');
  }
}

// ---- matching ----

/** The value a condition is matched against: a string, number, boolean, null, or absent (undefined). */
type Value = string | number | boolean | null | undefined;

/** A message attribute as Publish carries it. */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: unknown;
}

/** Whether a message passes `policy` (parsed by parseFilterPolicy). */
export function matchesFilterPolicy(policy: Policy, scope: FilterScope, message: string, attributes: Record<string, MessageAttribute>): boolean {
  if (scope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(message);
    } catch {
      return false;
    }
    if (!isObject(body)) return false;
    return matchBody(policy, body);
  }
  return matchAttributes(policy, attributes);
}

function attributeValues(attribute: MessageAttribute | undefined): Value[] | undefined {
  if (!attribute) return undefined;
  const type = attribute.DataType.split('.')[0];
  if (type === 'Binary') return undefined;
  const text = attribute.StringValue ?? '';
  if (type === 'Number') return [Number(text)];
  if (attribute.DataType === 'String.Array') {
    try {
      const list = JSON.parse(text);
      if (Array.isArray(list)) return list.filter((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)) as Value[];
    } catch {
      // Not a JSON array: matched as the string it is.
    }
  }
  return [text];
}

function matchAttributes(policy: Policy, attributes: Record<string, MessageAttribute>): boolean {
  return Object.entries(policy).every(([key, conditions]) => {
    if (key === '$or') return (conditions as Policy[]).some((branch) => matchAttributes(branch, attributes));
    return matchAny(conditions as Condition[], attributeValues(attributes[key]));
  });
}

function matchBody(policy: Policy, body: Record<string, unknown>): boolean {
  return Object.entries(policy).every(([key, conditions]) => {
    if (key === '$or') return (conditions as Policy[]).some((branch) => matchBody(branch, body));
    const value = Object.hasOwn(body, key) ? body[key] : undefined;
    if (isObject(conditions)) return isObject(value) ? matchBody(conditions as Policy, value) : matchBody(conditions as Policy, {});
    if (value === undefined) return matchAny(conditions as Condition[], undefined);
    const values = (Array.isArray(value) ? value : [value]).filter((v) => !isObject(v) && !Array.isArray(v)) as Value[];
    return matchAny(conditions as Condition[], values);
  });
}

/** Whether any condition matches any value; `values` undefined means the key is absent. */
function matchAny(conditions: Condition[], values: Value[] | undefined): boolean {
  return conditions.some((condition) => {
    if (isObject(condition) && 'exists' in condition) return condition.exists === (values !== undefined);
    if (values === undefined) return false;
    return values.some((value) => matches(condition, value));
  });
}

function matches(condition: Condition, value: Value): boolean {
  if (condition === null || typeof condition !== 'object') {
    // Numbers match numbers only (a Number attribute, a JSON number), strings strings only: "10" is not 10.
    return condition === value;
  }
  const [operator] = Object.keys(condition);
  const operand = condition[operator];
  const text = typeof value === 'string' ? value : undefined;
  switch (operator) {
    case 'prefix':
      return text !== undefined && text.startsWith(operand as string);
    case 'suffix':
      return text !== undefined && text.endsWith(operand as string);
    case 'equals-ignore-case':
      return text !== undefined && text.toLowerCase() === (operand as string).toLowerCase();
    case 'numeric':
      return typeof value === 'number' && numericMatch(operand as (string | number)[], value);
    case 'anything-but':
      return anythingBut(operand, value);
    default:
      return false;
  }
}

function numericMatch(range: (string | number)[], value: number): boolean {
  for (let i = 0; i < range.length; i += 2) {
    const bound = range[i + 1] as number;
    const ok =
      range[i] === '=' ? value === bound : range[i] === '<' ? value < bound : range[i] === '<=' ? value <= bound : range[i] === '>' ? value > bound : value >= bound;
    if (!ok) return false;
  }
  return true;
}

function anythingBut(operand: unknown, value: Value): boolean {
  if (Array.isArray(operand)) return !operand.some((excluded) => excluded === value);
  if (isObject(operand)) {
    const [inner] = Object.keys(operand);
    if (typeof value !== 'string') return false;
    const text = operand[inner] as string;
    if (inner === 'prefix') return !value.startsWith(text);
    if (inner === 'suffix') return !value.endsWith(text);
    return value.toLowerCase() !== text.toLowerCase();
  }
  return operand !== value;
}
