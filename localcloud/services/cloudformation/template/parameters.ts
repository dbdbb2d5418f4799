/**
 * Turns the values a caller supplies (CreateStack's Parameters) plus the
 * template's defaults into the values `Ref` returns, enforcing each
 * declaration's type and constraints with CloudFormation's messages.
 */
import { TemplateError, formatError } from './errors.js';
import type { ParameterDeclaration, ParameterValue } from './types.js';

/** What a declared Type means for the value. */
export interface ParameterTypeInfo {
  /** Comma-separated input that Refs as a list of strings. */
  list: boolean;
  /** Numbers are checked as numbers but, as in CloudFormation, Ref still returns strings. */
  element: 'string' | 'number';
  /** AWS::SSM::Parameter::Value<...>: the supplied value names a Parameter Store entry. */
  ssm: boolean;
}

/** AWS-specific types: checked by AWS against the account's resources, here simply strings. */
const AWS_SPECIFIC_TYPES = new Set([
  'AWS::EC2::AvailabilityZone::Name',
  'AWS::EC2::Image::Id',
  'AWS::EC2::Instance::Id',
  'AWS::EC2::KeyPair::KeyName',
  'AWS::EC2::SecurityGroup::GroupName',
  'AWS::EC2::SecurityGroup::Id',
  'AWS::EC2::Subnet::Id',
  'AWS::EC2::Volume::Id',
  'AWS::EC2::VPC::Id',
  'AWS::Route53::HostedZone::Id',
  'AWS::SSM::Parameter::Name',
]);

/** Returns undefined for a type CloudFormation does not know. */
export function parameterTypeInfo(type: string): ParameterTypeInfo | undefined {
  const ssmValue = /^AWS::SSM::Parameter::Value<(.+)>$/.exec(type);
  if (ssmValue) {
    const inner = ssmValue[1]!;
    if (inner === 'String') return { list: false, element: 'string', ssm: true };
    if (inner === 'List<String>') return { list: true, element: 'string', ssm: true };
    const innerInfo = inner === 'AWS::SSM::Parameter::Name' ? undefined : parameterTypeInfo(inner);
    return innerInfo && !innerInfo.ssm && innerInfo.element === 'string' ? { ...innerInfo, ssm: true } : undefined;
  }
  if (type === 'String' || AWS_SPECIFIC_TYPES.has(type)) return { list: false, element: 'string', ssm: false };
  if (type === 'Number') return { list: false, element: 'number', ssm: false };
  if (type === 'List<Number>') return { list: true, element: 'number', ssm: false };
  if (type === 'CommaDelimitedList') return { list: true, element: 'string', ssm: false };
  const listOf = /^List<(.+)>$/.exec(type);
  if (listOf && AWS_SPECIFIC_TYPES.has(listOf[1]!) && listOf[1] !== 'AWS::SSM::Parameter::Name') {
    return { list: true, element: 'string', ssm: false };
  }
  return undefined;
}

export interface ResolvedParameter {
  name: string;
  type: string;
  /** What Ref returns. */
  value: ParameterValue;
  /** The string form as supplied or defaulted (before an SSM lookup), for DescribeStacks. */
  rawValue: string;
  noEcho: boolean;
  /** True when no value was supplied and the Default was used. */
  fromDefault: boolean;
  /** For SSM-typed parameters: the value actually resolved from Parameter Store. */
  resolvedValue?: string;
}

export interface ResolveParametersOptions {
  /**
   * Looks up an SSM Parameter Store entry for AWS::SSM::Parameter::Value<...>
   * types. Without it such parameters are rejected with a clear message.
   */
  ssmParameterValue?: (name: string) => string;
  /**
   * Checks that an AWS::SSM::Parameter::Name value names an existing entry
   * (throws when it does not). Without it the value is taken as it is.
   */
  ssmParameterExists?: (name: string) => void;
}

/** The mask CloudFormation shows instead of a NoEcho parameter's value. */
export const NO_ECHO_MASK = '****';

export function resolveParameters(
  declarations: Readonly<Record<string, ParameterDeclaration>> | undefined,
  supplied: Readonly<Record<string, string>>,
  options: ResolveParametersOptions = {},
): Map<string, ResolvedParameter> {
  const declared = declarations ?? {};
  const unknown = Object.keys(supplied).filter((name) => !Object.hasOwn(declared, name));
  if (unknown.length > 0) throw new TemplateError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);

  const missing = Object.entries(declared)
    .filter(([name, declaration]) => supplied[name] === undefined && declaration.Default === undefined)
    .map(([name]) => name);
  if (missing.length > 0) throw new TemplateError(`Parameters: [${missing.join(', ')}] must have values`);

  const resolved = new Map<string, ResolvedParameter>();
  for (const [name, declaration] of Object.entries(declared)) {
    const fromDefault = supplied[name] === undefined;
    const rawValue = fromDefault ? defaultAsString(declaration.Default) : supplied[name]!;
    resolved.set(name, resolveOne(name, declaration, rawValue, fromDefault, options));
  }
  return resolved;
}

function resolveOne(
  name: string,
  declaration: ParameterDeclaration,
  rawValue: string,
  fromDefault: boolean,
  options: ResolveParametersOptions,
): ResolvedParameter {
  const info = parameterTypeInfo(String(declaration.Type));
  if (!info) throw formatError(`Unrecognized parameter type: ${String(declaration.Type)}`);

  let effective = rawValue;
  let resolvedValue: string | undefined;
  if (info.ssm) {
    if (!options.ssmParameterValue) {
      throw new TemplateError(
        `Parameter '${name}' has type ${declaration.Type}, which needs SSM Parameter Store; this local cloud does not provide it. Use a String parameter instead`,
      );
    }
    effective = resolvedValue = options.ssmParameterValue(rawValue);
  }

  if (declaration.Type === 'AWS::SSM::Parameter::Name') options.ssmParameterExists?.(rawValue);

  const elements = info.list ? splitList(effective) : [effective];
  for (const element of elements) checkConstraints(name, declaration, info, element);

  return {
    name,
    type: declaration.Type,
    value: info.list ? elements : effective,
    rawValue,
    noEcho: declaration.NoEcho === true || String(declaration.NoEcho).toLowerCase() === 'true',
    fromDefault,
    ...(resolvedValue !== undefined ? { resolvedValue } : {}),
  };
}

/** YAML turns `Default: 1` into a number and a list default into an array; Ref wants strings. */
function defaultAsString(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}

/** CloudFormation splits on commas and trims the blanks around each element. */
function splitList(value: string): string[] {
  return value.split(',').map((element) => element.trim());
}

function checkConstraints(name: string, declaration: ParameterDeclaration, info: ParameterTypeInfo, value: string) {
  if (info.element === 'number' && !isNumber(value)) {
    throw new TemplateError(`Parameter '${name}' must be a number`);
  }
  const violated = firstViolation(declaration, info, value);
  if (violated === undefined) return;
  const explanation = declaration.ConstraintDescription;
  throw new TemplateError(
    explanation !== undefined
      ? `Parameter '${name}' failed to satisfy constraint: ${String(explanation)}`
      : `Parameter '${name}' ${violated}`,
  );
}

/** Describes the first constraint the value breaks, or undefined when it satisfies them all. */
function firstViolation(declaration: ParameterDeclaration, info: ParameterTypeInfo, value: string): string | undefined {
  const { AllowedValues, AllowedPattern, MinLength, MaxLength, MinValue, MaxValue } = declaration;
  if (Array.isArray(AllowedValues) && !AllowedValues.some((allowed) => sameValue(allowed, value, info))) {
    return 'must be one of AllowedValues';
  }
  if (AllowedPattern !== undefined && !fullMatch(String(AllowedPattern), value)) {
    return `must match pattern ${String(AllowedPattern)}`;
  }
  if (MinLength !== undefined && value.length < Number(MinLength)) {
    return `must contain at least ${Number(MinLength)} characters`;
  }
  if (MaxLength !== undefined && value.length > Number(MaxLength)) {
    return `must contain at most ${Number(MaxLength)} characters`;
  }
  if (info.element === 'number' && MinValue !== undefined && Number(value) < Number(MinValue)) {
    return `must be a number not less than ${Number(MinValue)}`;
  }
  if (info.element === 'number' && MaxValue !== undefined && Number(value) > Number(MaxValue)) {
    return `must be a number not greater than ${Number(MaxValue)}`;
  }
  return undefined;
}

function isNumber(value: string): boolean {
  return /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(value);
}

/** Numbers compare by value, so AllowedValues [1, 2] accepts "1.0" for a Number parameter. */
function sameValue(allowed: unknown, value: string, info: ParameterTypeInfo): boolean {
  if (String(allowed) === value) return true;
  return info.element === 'number' && Number(allowed) === Number(value);
}

/** AllowedPattern must match the whole value, not a part of it. */
function fullMatch(pattern: string, value: string): boolean {
  let expression: RegExp;
  try {
    expression = new RegExp(`^(?:${pattern})$`, 'su');
  } catch {
    throw formatError(`Invalid AllowedPattern ${pattern}`);
  }
  return expression.test(value);
}

/** The values Ref returns, keyed by parameter name: what intrinsics.ts takes as `parameters`. */
export function parameterValues(resolved: ReadonlyMap<string, ResolvedParameter>): Map<string, ParameterValue> {
  return new Map([...resolved].map(([name, parameter]) => [name, parameter.value]));
}

export interface DescribedParameter {
  ParameterKey: string;
  ParameterValue: string;
  ResolvedValue?: string;
}

/** Parameters as DescribeStacks shows them: NoEcho values masked. */
export function describeParameters(resolved: ReadonlyMap<string, ResolvedParameter>): DescribedParameter[] {
  return [...resolved.values()].map((parameter) => ({
    ParameterKey: parameter.name,
    ParameterValue: parameter.noEcho ? NO_ECHO_MASK : parameter.rawValue,
    ...(parameter.resolvedValue !== undefined && !parameter.noEcho ? { ResolvedValue: parameter.resolvedValue } : {}),
  }));
}
