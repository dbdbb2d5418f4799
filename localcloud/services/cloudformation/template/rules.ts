/**
 * The Rules section: assertions on parameter values that CloudFormation
 * checks before it creates or updates anything. Each rule may have a
 * `RuleCondition`; when it holds (or is absent), every `Assert` must be true,
 * else the operation is refused with the assertion's `AssertDescription`.
 *
 * Rules have their own functions (AWS's "rule functions"): Fn::And, Fn::Or,
 * Fn::Not, Fn::Equals, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn,
 * Fn::RefAll, Fn::ValueOf, Fn::ValueOfAll and Ref (to parameters and pseudo
 * parameters). The last three read attributes of the account's EC2 / Route 53
 * resources, which this local cloud does not serve: they are refused with a
 * message that says so rather than answering an empty list.
 */
import { TemplateError, evaluationError, formatError, type TemplatePath } from './errors.js';
import { sameValue } from './intrinsics.js';
import { isPseudoParameter, pseudoParameterValue, type StackContext } from './pseudo.js';
import { isPlainObject, type ParameterValue } from './types.js';

export const RULE_FUNCTIONS = [
  'Fn::And',
  'Fn::Contains',
  'Fn::EachMemberEquals',
  'Fn::EachMemberIn',
  'Fn::Equals',
  'Fn::Not',
  'Fn::Or',
  'Fn::RefAll',
  'Fn::ValueOf',
  'Fn::ValueOfAll',
  'Ref',
] as const;
type RuleFunction = (typeof RULE_FUNCTIONS)[number];

const RULE_ATTRIBUTES = new Set(['RuleCondition', 'Assertions']);
const ASSERTION_ATTRIBUTES = new Set(['Assert', 'AssertDescription']);

/** The functions that read the account's resources (VPCs, subnets, security groups, ...). */
const ACCOUNT_LOOKUPS = new Set<string>(['Fn::RefAll', 'Fn::ValueOf', 'Fn::ValueOfAll']);

const USAGE: Record<RuleFunction, string> = {
  'Fn::And': 'Fn::And requires a list argument with between 2 and 10 rule functions',
  'Fn::Or': 'Fn::Or requires a list argument with between 2 and 10 rule functions',
  'Fn::Not': 'Fn::Not requires a list argument with one rule function',
  'Fn::Equals': 'Fn::Equals requires a list argument with two elements',
  'Fn::Contains': 'Fn::Contains requires a list argument with two elements: a list of strings and a string',
  'Fn::EachMemberEquals': 'Fn::EachMemberEquals requires a list argument with two elements: a list of strings and a string',
  'Fn::EachMemberIn': 'Fn::EachMemberIn requires a list argument with two elements: two lists of strings',
  'Fn::RefAll': 'Fn::RefAll requires a single String parameter (an AWS-specific parameter type)',
  'Fn::ValueOf': 'Fn::ValueOf requires a list argument with two elements: a parameter name and an attribute',
  'Fn::ValueOfAll': 'Fn::ValueOfAll requires a list argument with two elements: a parameter type and an attribute',
  Ref: 'every Ref object must have a single String value',
};

export interface RuleScope {
  stack: StackContext;
  /** Parameter values as Ref returns them (see parameters.ts `parameterValues`). */
  parameters: ReadonlyMap<string, ParameterValue>;
}

/**
 * Checks the section's shape (ValidateTemplate and every deployment): rule
 * names, the two attributes a rule may have, assertions as a list of
 * `{Assert, AssertDescription}`, and only rule functions inside.
 */
export function checkRulesSection(rules: unknown, parameterNames: ReadonlySet<string>): void {
  if (rules === undefined || rules === null) return;
  if (!isPlainObject(rules)) throw formatError('The Rules section must be an object', ['Rules']);
  for (const [name, rule] of Object.entries(rules)) {
    const at: TemplatePath = ['Rules', name];
    if (!/^[A-Za-z0-9]+$/.test(name)) throw formatError(`Rule name ${name} is non alphanumeric.`);
    if (!isPlainObject(rule)) throw formatError(`Every Rules member ${name} must be an object`, at);
    const unknown = Object.keys(rule).find((key) => !RULE_ATTRIBUTES.has(key));
    if (unknown) throw formatError(`Invalid rule property '${unknown}'`, at);
    if (!Array.isArray(rule.Assertions) || rule.Assertions.length === 0) {
      throw formatError(`Every Rules member ${name} must contain a non-empty Assertions list`, at);
    }
    if (rule.RuleCondition !== undefined) checkFunctions(rule.RuleCondition, [...at, 'RuleCondition'], parameterNames);
    rule.Assertions.forEach((assertion: unknown, index: number) => {
      const assertionAt = [...at, 'Assertions', index];
      if (!isPlainObject(assertion) || assertion.Assert === undefined) {
        throw formatError('Every Assertions member must be an object with an Assert', assertionAt);
      }
      const extra = Object.keys(assertion).find((key) => !ASSERTION_ATTRIBUTES.has(key));
      if (extra) throw formatError(`Invalid assertion property '${extra}'`, assertionAt);
      if (assertion.AssertDescription !== undefined && typeof assertion.AssertDescription !== 'string') {
        throw formatError('AssertDescription must be a string', [...assertionAt, 'AssertDescription']);
      }
      checkFunctions(assertion.Assert, [...assertionAt, 'Assert'], parameterNames);
    });
  }
}

/**
 * Evaluates every rule against the stack's parameter values. The first
 * assertion that does not hold refuses the operation: its AssertDescription is
 * the whole message, as CloudFormation answers.
 */
export function enforceRules(rules: unknown, scope: RuleScope): void {
  if (!isPlainObject(rules)) return;
  const evaluator = new RuleEvaluator(scope);
  for (const [name, rule] of Object.entries(rules)) {
    if (!isPlainObject(rule)) continue;
    const at: TemplatePath = ['Rules', name];
    if (rule.RuleCondition !== undefined && !evaluator.truth(rule.RuleCondition, [...at, 'RuleCondition'])) continue;
    (rule.Assertions as Record<string, unknown>[]).forEach((assertion, index) => {
      if (evaluator.truth(assertion.Assert, [...at, 'Assertions', index, 'Assert'])) return;
      const description = assertion.AssertDescription;
      throw new TemplateError(
        typeof description === 'string' && description !== '' ? description : `Template error: Assertion failed for rule ${name}`,
      );
    });
  }
}

/** Static check of one rule expression: known functions, parameters that exist. */
function checkFunctions(value: unknown, at: TemplatePath, parameterNames: ReadonlySet<string>): void {
  if (Array.isArray(value)) return value.forEach((element, index) => checkFunctions(element, [...at, index], parameterNames));
  if (!isPlainObject(value)) return;
  const call = ruleCall(value);
  if (!call) {
    for (const [key, inner] of Object.entries(value)) checkFunctions(inner, [...at, key], parameterNames);
    return;
  }
  if (!isRuleFunction(call.name)) {
    throw formatError(`Encountered unsupported function in the Rules section: ${call.name} Supported functions are: [${RULE_FUNCTIONS.join(', ')}]`, at);
  }
  if (call.name === 'Ref') {
    if (typeof call.argument !== 'string') throw evaluationError(USAGE.Ref, [...at, 'Ref']);
    if (!parameterNames.has(call.argument) && !isPseudoParameter(call.argument)) {
      throw formatError(`Unresolved dependencies [${call.argument}]. Rules can only reference parameters`, at);
    }
    return;
  }
  checkFunctions(call.argument, [...at, call.name], parameterNames);
}

function ruleCall(value: Record<string, unknown>): { name: string; argument: unknown } | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const name = keys[0]!;
  return name === 'Ref' || name.startsWith('Fn::') ? { name, argument: value[name] } : undefined;
}

function isRuleFunction(name: string): name is RuleFunction {
  return (RULE_FUNCTIONS as readonly string[]).includes(name);
}

class RuleEvaluator {
  constructor(private readonly scope: RuleScope) {}

  /** A value in rule-condition or assertion position: must come out true or false. */
  truth(value: unknown, at: TemplatePath): boolean {
    const result = this.evaluate(value, at);
    if (typeof result === 'boolean') return result;
    if (result === 'true' || result === 'false') return result === 'true';
    throw evaluationError('a rule condition or assertion must be a rule function that returns true or false', at);
  }

  private evaluate(value: unknown, at: TemplatePath): unknown {
    if (Array.isArray(value)) return value.map((element, index) => this.evaluate(element, [...at, index]));
    if (!isPlainObject(value)) return value;
    const call = ruleCall(value);
    if (!call || !isRuleFunction(call.name)) return value;
    return this.call(call.name, call.argument, [...at, call.name]);
  }

  private call(name: RuleFunction, argument: unknown, at: TemplatePath): unknown {
    const usage = (): TemplateError => evaluationError(USAGE[name], at);
    const operands = (least: number, most: number): unknown[] => {
      if (!Array.isArray(argument) || argument.length < least || argument.length > most) throw usage();
      return argument;
    };
    if (ACCOUNT_LOOKUPS.has(name)) {
      throw evaluationError(
        `${name} reads the account's resources of AWS-specific parameter types (EC2, Route 53), which this local cloud does not serve`,
        at,
      );
    }
    switch (name) {
      case 'Ref':
        if (typeof argument !== 'string') throw usage();
        return this.ref(argument, at);
      case 'Fn::And':
      case 'Fn::Or': {
        const results = operands(2, 10).map((operand, index) => this.truth(operand, [...at, index]));
        return name === 'Fn::And' ? results.every(Boolean) : results.some(Boolean);
      }
      case 'Fn::Not':
        return !this.truth(operands(1, 1)[0], [...at, 0]);
      case 'Fn::Equals': {
        const [left, right] = operands(2, 2);
        return sameValue(this.evaluate(left, [...at, 0]), this.evaluate(right, [...at, 1]));
      }
      case 'Fn::Contains':
      case 'Fn::EachMemberEquals': {
        const [listArgument, itemArgument] = operands(2, 2);
        const list = this.stringList(listArgument, [...at, 0], usage);
        const item = this.evaluate(itemArgument, [...at, 1]);
        if (typeof item !== 'string') throw usage();
        return name === 'Fn::Contains' ? list.includes(item) : list.every((member) => member === item);
      }
      case 'Fn::EachMemberIn': {
        const [membersArgument, allowedArgument] = operands(2, 2);
        const members = this.stringList(membersArgument, [...at, 0], usage);
        const allowed = new Set(this.stringList(allowedArgument, [...at, 1], usage));
        return members.every((member) => allowed.has(member));
      }
    }
    throw usage();
  }

  private ref(name: string, at: TemplatePath): unknown {
    if (isPseudoParameter(name)) return pseudoParameterValue(name, this.scope.stack);
    const value = this.scope.parameters.get(name);
    if (value === undefined) throw formatError(`Unresolved dependencies [${name}]. Rules can only reference parameters`, at);
    return Array.isArray(value) ? [...value] : value;
  }

  /** A list of strings; numbers written without quotes count as their text, as CloudFormation compares strings. */
  private stringList(value: unknown, at: TemplatePath, usage: () => TemplateError): string[] {
    const list = this.evaluate(value, at);
    if (!Array.isArray(list)) throw usage();
    return list.map((member) => {
      if (typeof member === 'string') return member;
      if (typeof member === 'number' || typeof member === 'boolean') return String(member);
      throw usage();
    });
  }
}
