/**
 * How intrinsic functions look in a template, shared by the validator, the
 * evaluator and the dependency graph so that all three agree on what counts as
 * a function call.
 */
import { isPlainObject } from './types.js';

/** Every function this implementation evaluates, in the order AWS lists them. */
export const SUPPORTED_FUNCTIONS = [
  'Fn::Base64',
  'Fn::GetAtt',
  'Fn::GetAZs',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Split',
  'Fn::FindInMap',
  'Fn::Select',
  'Ref',
  'Fn::Equals',
  'Fn::If',
  'Fn::Not',
  'Condition',
  'Fn::And',
  'Fn::Or',
  'Fn::Sub',
  'Fn::Cidr',
] as const;

export type FunctionName = (typeof SUPPORTED_FUNCTIONS)[number];

/** The functions allowed at the top of a condition, or as an argument of Fn::And/Or/Not. */
export const CONDITION_FUNCTIONS: readonly string[] = ['Fn::And', 'Fn::Equals', 'Fn::Not', 'Fn::Or', 'Condition'];

export interface FunctionCall {
  name: string;
  argument: unknown;
}

/**
 * Recognises `{"Ref": ...}` and `{"Fn::X": ...}`: an object with exactly one key
 * that names a function. `Condition` only counts as a function where the caller
 * says so (inside Fn::And/Or/Not and the Conditions section), because elsewhere
 * `Condition` is an ordinary key — an IAM policy statement has one.
 *
 * Unknown `Fn::` names are returned too, so the caller can report them.
 */
export function asFunctionCall(value: unknown, options: { conditionKey?: boolean } = {}): FunctionCall | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const name = keys[0]!;
  if (name === 'Ref' || name.startsWith('Fn::') || (name === 'Condition' && options.conditionKey)) {
    return { name, argument: value[name] };
  }
  return undefined;
}

export function isSupportedFunction(name: string): name is FunctionName {
  return (SUPPORTED_FUNCTIONS as readonly string[]).includes(name);
}

export function unsupportedFunctionMessage(name: string): string {
  return `Encountered unsupported function: ${name} Supported functions are: [${SUPPORTED_FUNCTIONS.join(', ')}]`;
}

/**
 * What each function expects, worded after CloudFormation's own messages, used
 * both when the validator sees a malformed call and when evaluation finds an
 * argument of the wrong kind.
 */
export const USAGE: Record<FunctionName, string> = {
  'Fn::Base64': 'every Fn::Base64 object requires a single String parameter or a function that returns a String',
  'Fn::GetAtt':
    'every Fn::GetAtt object requires two non-empty parameters, (1) the logical ID of a resource and (2) the name of one of its attributes',
  'Fn::GetAZs': 'every Fn::GetAZs object requires a single String parameter (a Region name, or an empty string)',
  'Fn::ImportValue': 'every Fn::ImportValue object requires a single String parameter (the name of an exported output)',
  'Fn::Join':
    'every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined',
  'Fn::Split':
    'every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split',
  'Fn::FindInMap':
    'every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value',
  'Fn::Select': 'Fn::Select requires a list argument with two elements: an integer index and a list',
  Ref: 'every Ref object must have a single String value',
  'Fn::Equals': 'Fn::Equals requires a list argument with two elements',
  'Fn::If':
    'Fn::If requires a list argument with three elements: a condition name, the value if true and the value if false',
  'Fn::Not': 'Fn::Not requires a list argument with one condition function',
  Condition: 'every Condition object must have a single String value naming a condition',
  'Fn::And': 'Fn::And requires a list argument with between 2 and 10 condition functions',
  'Fn::Or': 'Fn::Or requires a list argument with between 2 and 10 condition functions',
  'Fn::Sub':
    'every Fn::Sub object requires either a String, or a list of two parameters, (1) a String and (2) a map of variable names to values',
  'Fn::Cidr':
    'Fn::Cidr requires a list argument with three elements: an address block, the number of subnets and the number of subnet bits',
};

/** The number of elements, least and most, in the list argument of each function that takes a list. */
const LIST_LENGTHS: Partial<Record<FunctionName, readonly [number, number]>> = {
  'Fn::Join': [2, 2],
  'Fn::Split': [2, 2],
  'Fn::Select': [2, 2],
  'Fn::FindInMap': [3, 3],
  'Fn::Cidr': [3, 3],
  'Fn::If': [3, 3],
  'Fn::Equals': [2, 2],
  'Fn::Not': [1, 1],
  'Fn::And': [2, 10],
  'Fn::Or': [2, 10],
};

/** The elements of a list-taking function's argument; undefined when it is not a list of the right length. */
export function listArguments(name: FunctionName, argument: unknown): unknown[] | undefined {
  const lengths = LIST_LENGTHS[name];
  if (!lengths || !Array.isArray(argument) || argument.length < lengths[0] || argument.length > lengths[1]) return undefined;
  return argument;
}

/**
 * Normalises the two spellings of Fn::GetAtt. The string form "A.b.c" splits on
 * the FIRST dot only, because attribute names may contain dots (a nested
 * stack's `Outputs.ServiceToken`). Returns undefined when the shape is wrong;
 * the attribute may still be an unevaluated function (e.g. a Ref).
 */
export function getAttArguments(argument: unknown): { logicalId: string; attribute: unknown } | undefined {
  if (typeof argument === 'string') {
    const dot = argument.indexOf('.');
    if (dot <= 0 || dot === argument.length - 1) return undefined;
    return { logicalId: argument.slice(0, dot), attribute: argument.slice(dot + 1) };
  }
  if (Array.isArray(argument) && argument.length === 2 && typeof argument[0] === 'string' && argument[0] !== '') {
    const attribute = argument[1];
    if (typeof attribute === 'string' && attribute === '') return undefined;
    if (typeof attribute !== 'string' && !asFunctionCall(attribute)) return undefined;
    return { logicalId: argument[0], attribute };
  }
  return undefined;
}

/** The shape of Fn::Sub's argument: a string, or [string, {variables}]. */
export function subArguments(argument: unknown): { text: string; variables: Record<string, unknown> } | undefined {
  if (typeof argument === 'string') return { text: argument, variables: {} };
  if (
    Array.isArray(argument) &&
    argument.length === 2 &&
    typeof argument[0] === 'string' &&
    isPlainObject(argument[1])
  ) {
    return { text: argument[0], variables: argument[1] };
  }
  return undefined;
}
