/**
 * The evaluator: replaces every intrinsic function in a value with its result.
 * It knows nothing about resources — the engine answers Ref/GetAtt on
 * resources through callbacks in the scope, so the same evaluator serves
 * resource properties, outputs and (through conditions.ts) the Conditions
 * section.
 */
import { cidrSubnets } from './cidr.js';
import {
  TemplateError,
  evaluationError,
  formatError,
  undefinedCondition,
  unresolvedGetAtt,
  unresolvedResourceDependencies,
  type TemplatePath,
} from './errors.js';
import { NO_VALUE_NAME, isPseudoParameter, pseudoParameterValue, type StackContext } from './pseudo.js';
import { parseSubString, subVariableTarget } from './sub-string.js';
import {
  USAGE,
  asFunctionCall,
  getAttArguments,
  isSupportedFunction,
  listArguments,
  subArguments,
  unsupportedFunctionMessage,
  type FunctionName,
} from './syntax.js';
import { isPlainObject, type Mappings, type ParameterValue } from './types.js';

/**
 * What `Ref: AWS::NoValue` evaluates to while evaluation is under way: a
 * property holding it disappears from its object, an element from its list.
 * `resolve` never returns it; a value that is wholly NoValue comes back as
 * `undefined`.
 */
export const NO_VALUE: unique symbol = Symbol(NO_VALUE_NAME);
type Evaluated = unknown;

export interface EvaluationScope {
  /** Supplies the pseudo parameters (AWS::Region, AWS::StackName, ...). */
  stack: StackContext;
  /** Parameter values as Ref returns them (see parameters.ts `parameterValues`). */
  parameters?: ReadonlyMap<string, ParameterValue>;
  /** Results of the Conditions section (see conditions.ts `evaluateConditions`). */
  conditions?: ReadonlyMap<string, boolean>;
  mappings?: Mappings;
  /** Ref of a resource: its physical ID. Called only for names that are not parameters. */
  ref?: (logicalId: string) => unknown;
  getAtt?: (logicalId: string, attribute: string) => unknown;
  /** Fn::ImportValue: the value another stack exported under this name. */
  importValue?: (exportName: string) => unknown;
  /** Fn::GetAZs; defaults to `defaultAvailabilityZones`. */
  availabilityZones?: (region: string) => string[];
}

export interface ResolveOptions {
  /** Where `value` sits in the template, e.g. ['Resources', 'MyBucket', 'Properties']; errors name it. */
  at?: TemplatePath;
}

/** Three zones, a to c, as a fresh local region would have. */
export function defaultAvailabilityZones(region: string): string[] {
  return ['a', 'b', 'c'].map((letter) => `${region}${letter}`);
}

/** Evaluates every intrinsic function in `value`. Returns undefined when the value is AWS::NoValue. */
export function resolve(value: unknown, scope: EvaluationScope, options: ResolveOptions = {}): unknown {
  const lookupCondition = (name: string): boolean => {
    const result = scope.conditions?.get(name);
    if (result === undefined) throw undefinedCondition(name, 'Fn::If');
    return result;
  };
  const result = new Evaluator(scope, lookupCondition).evaluate(value, [...(options.at ?? [])]);
  return result === NO_VALUE ? undefined : result;
}

/**
 * Evaluates one entry of the Conditions section (or any condition function),
 * looking other conditions up through `condition`: conditions.ts passes a
 * lookup that evaluates them on demand and detects cycles.
 */
export function evaluateConditionFunction(
  value: unknown,
  scope: EvaluationScope,
  condition: (name: string) => boolean,
  at: TemplatePath,
): boolean {
  return new Evaluator(scope, condition).condition(value, [...at]);
}

class Evaluator {
  constructor(
    private readonly scope: EvaluationScope,
    private readonly conditionValue: (name: string) => boolean,
  ) {}

  evaluate(value: unknown, path: (string | number)[]): Evaluated {
    if (Array.isArray(value)) {
      return value.map((element, index) => this.evaluate(element, [...path, index])).filter((e) => e !== NO_VALUE);
    }
    if (!isPlainObject(value)) return value;
    const call = asFunctionCall(value);
    if (call) return this.call(call.name, call.argument, [...path, call.name]);
    const result: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(value)) {
      const evaluated = this.evaluate(property, [...path, key]);
      if (evaluated !== NO_VALUE) result[key] = evaluated;
    }
    return result;
  }

  /** A value in condition position: a condition function, or `{"Condition": name}`. */
  condition(value: unknown, path: (string | number)[]): boolean {
    const call = asFunctionCall(value, { conditionKey: true });
    if (call?.name === 'Condition') {
      if (typeof call.argument !== 'string') throw evaluationError(USAGE.Condition, path);
      return this.conditionValue(call.argument);
    }
    const result = this.evaluate(value, path);
    if (typeof result !== 'boolean') {
      throw evaluationError('a condition must be a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition)', path);
    }
    return result;
  }

  private call(name: string, argument: unknown, path: (string | number)[]): Evaluated {
    if (!isSupportedFunction(name) || name === 'Condition') {
      throw formatError(unsupportedFunctionMessage(name), path.slice(0, -1));
    }
    const usage = (): TemplateError => evaluationError(USAGE[name as FunctionName], path);
    switch (name) {
      case 'Ref':
        if (typeof argument !== 'string') throw usage();
        return this.ref(argument);
      case 'Fn::GetAtt':
        return this.getAtt(argument, path, usage);
      case 'Fn::Join':
        return this.join(argument, path, usage);
      case 'Fn::Sub':
        return this.sub(argument, path, usage);
      case 'Fn::Select':
        return this.select(argument, path, usage);
      case 'Fn::Split': {
        const [delimiter, source] = this.listArguments(name, argument, usage);
        const text = this.evaluate(source, [...path, 1]);
        if (typeof delimiter !== 'string' || delimiter === '' || typeof text !== 'string') throw usage();
        return text.split(delimiter);
      }
      case 'Fn::If': {
        const [conditionName, whenTrue, whenFalse] = this.listArguments(name, argument, usage);
        if (typeof conditionName !== 'string') throw usage();
        // Only the chosen branch is evaluated: the other may name a resource that was not created.
        return this.conditionValue(conditionName)
          ? this.evaluate(whenTrue, [...path, 1])
          : this.evaluate(whenFalse, [...path, 2]);
      }
      case 'Fn::Equals': {
        const [left, right] = this.listArguments(name, argument, usage);
        return sameValue(this.evaluate(left, [...path, 0]), this.evaluate(right, [...path, 1]));
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const operands = this.listArguments(name, argument, usage);
        const results = operands.map((operand, index) => this.condition(operand, [...path, index]));
        return name === 'Fn::And' ? results.every(Boolean) : results.some(Boolean);
      }
      case 'Fn::Not': {
        const [operand] = this.listArguments(name, argument, usage);
        return !this.condition(operand, [...path, 0]);
      }
      case 'Fn::FindInMap':
        return this.findInMap(argument, path, usage);
      case 'Fn::GetAZs': {
        const region = this.evaluate(argument, path);
        if (typeof region !== 'string') throw usage();
        const effectiveRegion = region === '' ? this.scope.stack.region : region;
        return (this.scope.availabilityZones ?? defaultAvailabilityZones)(effectiveRegion);
      }
      case 'Fn::Base64': {
        const text = scalarText(this.evaluate(argument, path));
        if (text === undefined) throw usage();
        return Buffer.from(text, 'utf8').toString('base64');
      }
      case 'Fn::ImportValue': {
        const exportName = this.evaluate(argument, path);
        if (typeof exportName !== 'string' || exportName === '') throw usage();
        if (!this.scope.importValue) throw new TemplateError(`No export named ${exportName} found`);
        return this.scope.importValue(exportName);
      }
      case 'Fn::Cidr': {
        const [block, count, bits] = this.listArguments(name, argument, usage).map((part, index) =>
          this.evaluate(part, [...path, index]),
        );
        if (typeof block !== 'string' || integerOf(count) === undefined || integerOf(bits) === undefined) throw usage();
        return cidrSubnets(block, integerOf(count)!, integerOf(bits)!);
      }
    }
  }

  private ref(name: string): Evaluated {
    if (name === NO_VALUE_NAME) return NO_VALUE;
    if (isPseudoParameter(name)) return pseudoParameterValue(name, this.scope.stack);
    const parameter = this.scope.parameters?.get(name);
    if (parameter !== undefined) return Array.isArray(parameter) ? [...parameter] : parameter;
    if (!this.scope.ref) throw unresolvedResourceDependencies([name], 'Resources');
    return this.scope.ref(name);
  }

  private getAtt(argument: unknown, path: (string | number)[], usage: () => TemplateError): Evaluated {
    const parts = getAttArguments(argument);
    if (!parts) throw usage();
    const attribute = typeof parts.attribute === 'string' ? parts.attribute : this.evaluate(parts.attribute, [...path, 1]);
    if (typeof attribute !== 'string' || attribute === '') throw usage();
    if (!this.scope.getAtt) throw unresolvedGetAtt(parts.logicalId, path);
    return this.scope.getAtt(parts.logicalId, attribute);
  }

  private join(argument: unknown, path: (string | number)[], usage: () => TemplateError): string {
    const [delimiter, list] = this.listArguments('Fn::Join', argument, usage);
    const elements = this.evaluate(list, [...path, 1]);
    if (typeof delimiter !== 'string' || !Array.isArray(elements)) throw usage();
    return elements
      .map((element) => {
        const text = scalarText(element);
        if (text === undefined) throw usage();
        return text;
      })
      .join(delimiter);
  }

  private sub(argument: unknown, path: (string | number)[], usage: () => TemplateError): string {
    const parts = subArguments(argument);
    if (!parts) throw usage();
    const variableValues = new Map<string, Evaluated>();
    const variable = (name: string): Evaluated => {
      if (Object.hasOwn(parts.variables, name)) {
        if (!variableValues.has(name)) {
          variableValues.set(name, this.evaluate(parts.variables[name], [...path, 1, name]));
        }
        return variableValues.get(name);
      }
      const target = subVariableTarget(name);
      return target.kind === 'ref'
        ? this.ref(target.name)
        : this.getAtt([target.logicalId, target.attribute], path, usage);
    };
    return parseSubString(parts.text)
      .map((segment) => {
        if (segment.kind === 'text') return segment.text;
        const text = scalarText(variable(segment.name));
        if (text === undefined) {
          throw evaluationError(`variable \${${segment.name}} in Fn::Sub does not resolve to a string`, path);
        }
        return text;
      })
      .join('');
  }

  private select(argument: unknown, path: (string | number)[], usage: () => TemplateError): Evaluated {
    const [indexArgument, listArgument] = this.listArguments('Fn::Select', argument, usage);
    const index = integerOf(this.evaluate(indexArgument, [...path, 0]));
    const list = this.evaluate(listArgument, [...path, 1]);
    if (index === undefined || !Array.isArray(list)) throw usage();
    if (index < 0 || index >= list.length) {
      throw evaluationError(`Fn::Select cannot select nonexistent value at index ${index}`, path);
    }
    return list[index];
  }

  private findInMap(argument: unknown, path: (string | number)[], usage: () => TemplateError): Evaluated {
    const keys = this.listArguments('Fn::FindInMap', argument, usage).map((part, index) => scalarText(this.evaluate(part, [...path, index])));
    if (keys.some((key) => key === undefined)) throw usage();
    const [mapName, topKey, secondKey] = keys as [string, string, string];
    const value = this.scope.mappings?.[mapName]?.[topKey]?.[secondKey];
    if (value === undefined) throw evaluationError(`Unable to get mapping for ${mapName}::${topKey}::${secondKey}`, path);
    return value;
  }

  /** A list-taking function's argument, checked to be a list of the right length. */
  private listArguments(name: FunctionName, argument: unknown, usage: () => TemplateError): unknown[] {
    const list = listArguments(name, argument);
    if (!list) throw usage();
    return list;
  }
}

/** Strings, and numbers or booleans written without quotes in YAML, as the string CloudFormation sees. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function integerOf(value: unknown): number | undefined {
  const text = scalarText(value);
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Fn::Equals compares as CloudFormation does, on string forms: a Number
 * parameter Refs as "3" and must equal a literal 3 in the template.
 */
export function sameValue(left: unknown, right: unknown): boolean {
  const leftText = scalarText(left);
  const rightText = scalarText(right);
  if (leftText !== undefined || rightText !== undefined) return leftText === rightText;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((element, index) => sameValue(element, right[index]));
  }
  if (isPlainObject(left) && isPlainObject(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.hasOwn(right, key) && sameValue(left[key], right[key]))
    );
  }
  return left === right;
}
