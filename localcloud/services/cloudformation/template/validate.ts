/**
 * Static validation: everything CloudFormation rejects before it creates a
 * single resource — unknown sections, resources without a Type, references to
 * nothing, malformed function calls, undefined conditions, unsupported types
 * and dependency cycles. Messages follow CloudFormation's wording and, where
 * AWS's own message does not name it, a `[/Resources/Id/...]` pointer names
 * the place.
 */
import {
  TemplateError,
  circularDependency,
  evaluationError,
  formatError,
  resourceInConditions,
  undefinedCondition,
  unresolvedGetAtt,
  unresolvedResourceDependencies,
  type TemplatePath,
} from './errors.js';
import { assertAcyclic, dependsOnList, findCycles, resourceDependencies } from './graph.js';
import { parameterTypeInfo } from './parameters.js';
import { isPseudoParameter } from './pseudo.js';
import { checkRulesSection } from './rules.js';
import { parseSubString, subVariableTarget } from './sub-string.js';
import {
  CONDITION_FUNCTIONS,
  USAGE,
  asFunctionCall,
  getAttArguments,
  isSupportedFunction,
  listArguments,
  subArguments,
  unsupportedFunctionMessage,
  type FunctionName,
} from './syntax.js';
import { isPlainObject, type JsonObject, type Template } from './types.js';

export interface ValidateOptions {
  /**
   * Whether the engine has a provider for a resource type. Every type is
   * asked, Custom::* included. Without it every type is accepted.
   */
  isSupportedType?: (type: string) => boolean;
}

const TOP_LEVEL_SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);
const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'CreationPolicy',
  'DeletionPolicy',
  'UpdatePolicy',
  'UpdateReplacePolicy',
  'Version',
]);
const PARAMETER_ATTRIBUTES = new Set([
  'Type',
  'Default',
  'AllowedValues',
  'AllowedPattern',
  'MinLength',
  'MaxLength',
  'MinValue',
  'MaxValue',
  'NoEcho',
  'Description',
  'ConstraintDescription',
]);
const OUTPUT_ATTRIBUTES = new Set(['Value', 'Description', 'Condition', 'Export']);
const SUPPORTED_VERSION = '2010-09-09';
const ALPHANUMERIC = /^[A-Za-z0-9]+$/;

/** Throws the first problem found as a TemplateError; returns normally for a valid template. */
export function validateTemplate(template: unknown, options: ValidateOptions = {}): asserts template is Template {
  if (!isPlainObject(template)) throw formatError('The template must be a JSON object or a YAML mapping');
  new TemplateValidator(template, options).run();
}

/** Which section a value sits in decides what its functions may name. */
type Section = 'Resources' | 'Outputs' | 'Conditions';

class TemplateValidator {
  private readonly parameters: JsonObject;
  private readonly resources: JsonObject;
  private readonly conditions: JsonObject;
  private readonly mappings: JsonObject;
  /** Refs to nothing are gathered per section and reported together, as AWS does. */
  /** Names referenced but not defined, per section, with the resources/outputs that reference them. */
  private readonly unresolved = new Map<Section, Map<string, Set<string>>>();
  /** The resource or output being checked, to name it when one of its references leads nowhere. */
  private referrer?: string;

  constructor(
    private readonly template: JsonObject,
    private readonly options: ValidateOptions,
  ) {
    this.parameters = sectionObject(template, 'Parameters');
    this.resources = sectionObject(template, 'Resources');
    this.conditions = sectionObject(template, 'Conditions');
    this.mappings = sectionObject(template, 'Mappings');
  }

  run(): void {
    this.checkTopLevel();
    this.checkParameters();
    this.checkMappings();
    checkRulesSection(this.template.Rules, new Set(Object.keys(this.parameters)));
    this.checkConditions();
    this.checkResources();
    this.checkOutputs();
    this.reportUnresolved();
    assertAcyclic(resourceDependencies(this.template as unknown as Template));
  }

  private checkTopLevel(): void {
    const unknown = Object.keys(this.template).filter((key) => !TOP_LEVEL_SECTIONS.has(key));
    if (unknown.length > 0) throw formatError(`Invalid template property or properties [${unknown.join(', ')}]`);
    const version = this.template.AWSTemplateFormatVersion;
    if (version !== undefined && String(version) !== SUPPORTED_VERSION) {
      throw formatError(`Unsupported AWSTemplateFormatVersion ${String(version)}: the only valid version is ${SUPPORTED_VERSION}`);
    }
    if (this.template.Description !== undefined && typeof this.template.Description !== 'string') {
      throw formatError('Description must be a string', ['Description']);
    }
    if (this.template.Transform !== undefined) {
      // Transforms are macros run by AWS (AWS::Serverless, AWS::Include); nothing here can expand them.
      throw formatError(`Transform ${JSON.stringify(this.template.Transform)} is not supported by this local cloud`);
    }
    for (const section of ['Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs']) {
      const value = this.template[section];
      if (value !== undefined && value !== null && !isPlainObject(value)) {
        throw formatError(`The ${section} section must be an object`, [section]);
      }
    }
  }

  private checkParameters(): void {
    for (const [name, declaration] of Object.entries(this.parameters)) {
      if (!ALPHANUMERIC.test(name)) throw formatError(`Parameter name ${name} is non alphanumeric.`);
      if (!isPlainObject(declaration) || declaration.Type === undefined) {
        throw formatError('Every Parameters object must contain a Type member.', ['Parameters', name]);
      }
      const unknown = Object.keys(declaration).find((key) => !PARAMETER_ATTRIBUTES.has(key));
      if (unknown) throw formatError(`Invalid template parameter property '${unknown}'`, ['Parameters', name]);
      if (typeof declaration.Type !== 'string' || !parameterTypeInfo(declaration.Type)) {
        throw formatError(`Unrecognized parameter type: ${String(declaration.Type)}`, ['Parameters', name, 'Type']);
      }
      if (declaration.AllowedValues !== undefined && !Array.isArray(declaration.AllowedValues)) {
        throw formatError('AllowedValues must be a list', ['Parameters', name, 'AllowedValues']);
      }
    }
  }

  private checkMappings(): void {
    for (const [mapName, mapping] of Object.entries(this.mappings)) {
      if (!ALPHANUMERIC.test(mapName)) throw formatError(`Mapping name ${mapName} is non alphanumeric.`);
      if (!isPlainObject(mapping)) throw formatError(`Every Mappings member ${mapName} must be a map`, ['Mappings', mapName]);
      for (const [key, attributes] of Object.entries(mapping)) {
        if (!isPlainObject(attributes)) {
          throw formatError(`Every Mappings member ${key} must be a map`, ['Mappings', mapName, key]);
        }
        for (const [attribute, value] of Object.entries(attributes)) {
          if (!isMappingValue(value)) {
            throw formatError('Every Mappings attribute must be a String or a List.', ['Mappings', mapName, key, attribute]);
          }
        }
      }
    }
  }

  private checkConditions(): void {
    const uses = new Map<string, Set<string>>();
    for (const [name, definition] of Object.entries(this.conditions)) {
      const call = asFunctionCall(definition, { conditionKey: true });
      if (!call || !CONDITION_FUNCTIONS.includes(call.name)) {
        throw formatError(
          `Condition ${name} must be a condition function (${CONDITION_FUNCTIONS.join(', ')})`,
          ['Conditions', name],
        );
      }
      const used = new Set<string>();
      this.checkValue(definition, 'Conditions', ['Conditions', name], true, used);
      uses.set(name, used);
    }
    const cycles = findCycles(uses);
    if (cycles.length > 0) throw circularDependency('conditions', cycles.flat());
    const named = this.unresolved.get('Conditions');
    if (named?.size) throw resourceInConditions([...named.keys()]);
  }

  private checkResources(): void {
    const entries = Object.entries(this.resources);
    if (entries.length === 0) throw formatError('At least one Resources member must be defined.');
    const unsupportedTypes = new Set<string>();
    for (const [logicalId, resource] of entries) {
      const at = ['Resources', logicalId];
      if (!ALPHANUMERIC.test(logicalId)) throw formatError(`Resource name ${logicalId} is non alphanumeric.`);
      if (Object.hasOwn(this.parameters, logicalId)) {
        throw formatError(`Resource ${logicalId} has the same logical ID as a parameter`, at);
      }
      if (!isPlainObject(resource) || resource.Type === undefined) {
        throw formatError('Every Resources object must contain a Type member.', at);
      }
      if (typeof resource.Type !== 'string' || resource.Type === '') {
        throw formatError('The Type of a resource must be a non-empty string', [...at, 'Type']);
      }
      const unknown = Object.keys(resource).find((key) => !RESOURCE_ATTRIBUTES.has(key));
      if (unknown) throw formatError(`Invalid template resource property '${unknown}'`, at);
      if (resource.Properties !== undefined && resource.Properties !== null && !isPlainObject(resource.Properties)) {
        throw formatError('Properties must be an object', [...at, 'Properties']);
      }
      this.checkConditionName(resource.Condition, `resource ${logicalId}`, [...at, 'Condition']);
      this.referrer = logicalId;
      this.checkDependsOn(resource.DependsOn, [...at, 'DependsOn']);
      if (this.options.isSupportedType && !this.options.isSupportedType(resource.Type)) {
        unsupportedTypes.add(resource.Type);
      }
    }
    if (unsupportedTypes.size > 0) {
      throw formatError(`Unrecognized resource types: [${[...unsupportedTypes].join(', ')}]`);
    }
    for (const [logicalId, resource] of entries) {
      const { Type: _type, Condition: _condition, DependsOn: _dependsOn, ...rest } = resource as JsonObject;
      this.referrer = logicalId;
      for (const [attribute, value] of Object.entries(rest)) {
        this.checkValue(value, 'Resources', ['Resources', logicalId, attribute], false);
      }
    }
  }

  private checkDependsOn(dependsOn: unknown, at: TemplatePath): void {
    if (dependsOn === undefined) return;
    const valid = typeof dependsOn === 'string' || (Array.isArray(dependsOn) && dependsOn.every((d) => typeof d === 'string'));
    if (!valid) throw formatError('DependsOn must be a resource logical ID or a list of them', at);
    for (const name of dependsOnList(dependsOn)) {
      if (!Object.hasOwn(this.resources, name)) this.addUnresolved('Resources', name);
    }
  }

  private checkOutputs(): void {
    for (const [name, output] of Object.entries(sectionObject(this.template, 'Outputs'))) {
      const at = ['Outputs', name];
      if (!ALPHANUMERIC.test(name)) throw formatError(`Output name ${name} is non alphanumeric.`);
      if (!isPlainObject(output) || output.Value === undefined) {
        throw formatError('Every Outputs member must contain a Value object', at);
      }
      const unknown = Object.keys(output).find((key) => !OUTPUT_ATTRIBUTES.has(key));
      if (unknown) throw formatError(`Invalid template output property '${unknown}'`, at);
      this.checkConditionName(output.Condition, `output ${name}`, [...at, 'Condition']);
      this.referrer = name;
      this.checkValue(output.Value, 'Outputs', [...at, 'Value'], false);
      if (output.Export !== undefined) {
        if (!isPlainObject(output.Export) || output.Export.Name === undefined) {
          throw formatError('Every Export object must contain a Name member', [...at, 'Export']);
        }
        this.checkValue(output.Export.Name, 'Outputs', [...at, 'Export', 'Name'], false);
      }
    }
  }

  private checkConditionName(name: unknown, usedBy: string, at: TemplatePath): void {
    if (name === undefined) return;
    if (typeof name !== 'string') throw formatError('Condition must be the name of a condition', at);
    if (!Object.hasOwn(this.conditions, name)) throw undefinedCondition(name, usedBy);
  }

  private addUnresolved(section: Section, name: string): void {
    const names = this.unresolved.get(section) ?? new Map<string, Set<string>>();
    const referrers = names.get(name) ?? new Set<string>();
    if (this.referrer && section !== 'Conditions') referrers.add(this.referrer);
    names.set(name, referrers);
    this.unresolved.set(section, names);
  }

  private reportUnresolved(): void {
    for (const section of ['Resources', 'Outputs'] as const) {
      const names = this.unresolved.get(section);
      if (names?.size) {
        const inTemplateOrder = [...Object.keys(this.resources), ...Object.keys(sectionObject(this.template, 'Outputs'))];
        const referrers = new Set([...names.values()].flatMap((r) => [...r]));
        throw unresolvedResourceDependencies([...names.keys()], section, inTemplateOrder.filter((id) => referrers.has(id)));
      }
    }
  }

  /**
   * Walks a value, checking every function call in it. `conditionPosition`
   * is true where `{"Condition": name}` is a function (inside Fn::And/Or/Not
   * and at the top of a condition). `conditionsUsed` collects the conditions
   * a condition names, to find cycles between conditions.
   */
  private checkValue(
    value: unknown,
    section: Section,
    at: TemplatePath,
    conditionPosition: boolean,
    conditionsUsed?: Set<string>,
  ): void {
    if (Array.isArray(value)) {
      value.forEach((element, index) => this.checkValue(element, section, [...at, index], false, conditionsUsed));
      return;
    }
    if (!isPlainObject(value)) return;
    const call = asFunctionCall(value, { conditionKey: conditionPosition });
    if (!call) {
      for (const [key, property] of Object.entries(value)) {
        this.checkValue(property, section, [...at, key], false, conditionsUsed);
      }
      return;
    }
    const { name, argument } = call;
    if (!isSupportedFunction(name)) throw formatError(unsupportedFunctionMessage(name), at);
    const here = [...at, name];
    const usage = (): TemplateError => evaluationError(USAGE[name as FunctionName], here);
    /** Checks an argument; `index` is its place in the argument list, absent for a single argument. */
    const check = (inner: unknown, index?: number | string, asCondition = false) =>
      this.checkValue(inner, section, index === undefined ? here : [...here, index], asCondition, conditionsUsed);
    /** The argument's elements, when the function takes a list (of the length it takes). */
    const list = (): unknown[] => {
      const elements = listArguments(name, argument);
      if (!elements) throw usage();
      return elements;
    };

    switch (name) {
      case 'Ref':
        if (typeof argument !== 'string' || argument === '') throw usage();
        this.checkRefTarget(argument, section);
        return;
      case 'Fn::GetAtt': {
        const parts = getAttArguments(argument);
        if (!parts) throw usage();
        this.checkGetAttTarget(parts.logicalId, section, here);
        if (typeof parts.attribute !== 'string') check(parts.attribute, 1);
        return;
      }
      case 'Fn::Sub':
        return this.checkSub(argument, section, here, usage, conditionsUsed);
      case 'Fn::Join': {
        const [delimiter, elements] = list();
        if (typeof delimiter !== 'string' || !isListOrCall(elements)) throw usage();
        return check(elements, 1);
      }
      case 'Fn::Select': {
        const [index, elements] = list();
        if (!(isIndexLiteral(index) || asFunctionCall(index)) || !isListOrCall(elements)) throw usage();
        check(index, 0);
        return check(elements, 1);
      }
      case 'Fn::Split': {
        const [delimiter, source] = list();
        if (typeof delimiter !== 'string' || delimiter === '' || !(typeof source === 'string' || asFunctionCall(source))) {
          throw usage();
        }
        return check(source, 1);
      }
      case 'Fn::If': {
        const [conditionName, whenTrue, whenFalse] = list();
        if (typeof conditionName !== 'string') throw usage();
        this.useCondition(conditionName, 'Fn::If', conditionsUsed);
        check(whenTrue, 1);
        return check(whenFalse, 2);
      }
      case 'Fn::Equals':
        list().forEach((operand, index) => check(operand, index));
        return;
      case 'Fn::And':
      case 'Fn::Or':
        list().forEach((operand, index) => this.checkConditionOperand(operand, usage, () => check(operand, index, true)));
        return;
      case 'Fn::Not': {
        const [operand] = list();
        return this.checkConditionOperand(operand, usage, () => check(operand, 0, true));
      }
      case 'Condition':
        if (typeof argument !== 'string') throw usage();
        this.useCondition(argument, section === 'Conditions' ? `condition ${String(at[1])}` : 'Condition', conditionsUsed);
        return;
      case 'Fn::FindInMap': {
        const keys = list();
        if (keys.some((key) => !isScalar(key) && !asFunctionCall(key))) throw usage();
        const [mapName] = keys;
        if (typeof mapName === 'string' && !Object.hasOwn(this.mappings, mapName)) {
          throw evaluationError(`Mapping named '${mapName}' is not present in the 'Mappings' section of template.`, here);
        }
        keys.forEach((key, index) => check(key, index));
        return;
      }
      case 'Fn::GetAZs':
      case 'Fn::ImportValue':
      case 'Fn::Base64':
        if (!isScalar(argument) && !asFunctionCall(argument)) throw usage();
        if (name === 'Fn::ImportValue' && argument === '') throw usage();
        return check(argument);
      case 'Fn::Cidr':
        list().forEach((part, index) => {
          if (!isScalar(part) && !asFunctionCall(part)) throw usage();
          check(part, index);
        });
        return;
    }
  }

  private checkRefTarget(name: string, section: Section): void {
    if (isPseudoParameter(name) || Object.hasOwn(this.parameters, name)) return;
    if (section === 'Conditions' || !Object.hasOwn(this.resources, name)) this.addUnresolved(section, name);
  }

  private checkGetAttTarget(logicalId: string, section: Section, at: TemplatePath): void {
    if (section === 'Conditions') throw resourceInConditions([logicalId]);
    if (!Object.hasOwn(this.resources, logicalId)) throw unresolvedGetAtt(logicalId, at);
  }

  private checkSub(
    argument: unknown,
    section: Section,
    at: TemplatePath,
    usage: () => TemplateError,
    conditionsUsed: Set<string> | undefined,
  ): void {
    const parts = subArguments(argument);
    if (!parts) throw usage();
    let segments;
    try {
      segments = parseSubString(parts.text);
    } catch (error) {
      if (error instanceof TemplateError) throw evaluationError(error.message.replace(/^Template error: /, ''), at);
      throw error;
    }
    for (const segment of segments) {
      if (segment.kind !== 'variable' || Object.hasOwn(parts.variables, segment.name)) continue;
      const target = subVariableTarget(segment.name);
      if (target.kind === 'ref') this.checkRefTarget(target.name, section);
      else this.checkGetAttTarget(target.logicalId, section, at);
    }
    for (const [name, value] of Object.entries(parts.variables)) {
      this.checkValue(value, section, [...at, 1, name], false, conditionsUsed);
    }
  }

  /** Operands of Fn::And/Or/Not must themselves be condition functions. */
  private checkConditionOperand(operand: unknown, usage: () => TemplateError, checkIt: () => void): void {
    const call = asFunctionCall(operand, { conditionKey: true });
    if (!call || !CONDITION_FUNCTIONS.includes(call.name)) throw usage();
    checkIt();
  }

  private useCondition(name: string, usedBy: string, conditionsUsed: Set<string> | undefined): void {
    if (!Object.hasOwn(this.conditions, name)) throw undefinedCondition(name, usedBy);
    conditionsUsed?.add(name);
  }
}

/** A section that is absent (or `null`, as an empty YAML key gives) reads as empty. */
function sectionObject(template: JsonObject, section: string): JsonObject {
  const value = template[section];
  return isPlainObject(value) ? value : {};
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isListOrCall(value: unknown): boolean {
  return Array.isArray(value) || asFunctionCall(value) !== undefined;
}

function isIndexLiteral(value: unknown): boolean {
  return (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && /^\d+$/.test(value));
}

function isMappingValue(value: unknown): boolean {
  return isScalar(value) || (Array.isArray(value) && value.every(isScalar));
}
