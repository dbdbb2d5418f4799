/**
 * Everything decided before the first resource is touched: the template
 * parsed and validated, parameters resolved and judged by the Rules section,
 * conditions evaluated, the dependency graph built, capabilities checked. A
 * broken template is refused here, with a ValidationError that names the logical ID and the problem.
 */
import { insufficientCapabilities, validationError } from './errors.js';
import type { ProviderRegistry } from './registry.js';
import {
  checkReferenceSite,
  enforceRules,
  evaluateConditions,
  literalReferences,
  getAttArguments,
  parameterValues,
  parseTemplate,
  requiredCapabilities,
  resolveParameters,
  resourceDependencies,
  TemplateError,
  validateTemplate,
  type DependencyGraph,
  type ResolvedParameter,
  type ParameterStoreRead,
  type StackContext,
  type Template,
} from './template/index.js';

export interface DeploymentPlan {
  /** The template text exactly as submitted. */
  body: string;
  template: Template;
  parameters: Map<string, ResolvedParameter>;
  conditions: Map<string, boolean>;
  /** Included resources (Condition true) -> the resources each depends on. */
  graph: DependencyGraph;
  /** Reads Parameter Store for `{{resolve:ssm:...}}` in resource properties; absent: such references are refused. */
  parameterStore?: ParameterStoreRead;
}

export interface PlanOptions {
  /**
   * The parameters (as DescribeStacks shows them) of the stack's current
   * deployment, when re-planning it as an update's rollback target: Parameter
   * Store entries deleted since fall back to the values resolved then, and
   * literal dynamic references are not re-checked at submission.
   */
  deployed?: ReadonlyArray<{ ParameterValue: string; ResolvedValue?: string }>;
}

/**
 * Parameter Store of an account and region, as CloudFormation reads it: the
 * decrypted value and type a selector (`name`, `name:3`) names, or undefined.
 */
export type ParameterStoreReader = (accountId: string, region: string, selector: string) => { type: string; value: string } | undefined;

/** Parses and validates a template on its own (ValidateTemplate, and the first step of every deployment). */
export function checkTemplate(body: string, registry: ProviderRegistry): Template {
  const template = parseTemplate(body);
  validateTemplate(template, { isSupportedType: (type) => registry.has(type) });
  checkGetAttAttributes(template, registry);
  return template;
}

export function planDeployment(
  body: string,
  supplied: Record<string, string>,
  stack: StackContext,
  registry: ProviderRegistry,
  parameterStoreOf?: ParameterStoreReader,
  options: PlanOptions = {},
): DeploymentPlan {
  const template = checkTemplate(body, registry);
  const parameterStore: ParameterStoreRead | undefined = parameterStoreOf && ((selector) => parameterStoreOf(stack.accountId, stack.region, selector));
  const parameters = resolveParameters(template.Parameters, supplied, parameterStore ? ssmParameterOptions(parameterStore, options.deployed) : {});
  if (!options.deployed) checkLiteralReferences(template, parameterStore);
  // Rules judge the parameter values before anything else is decided, let alone touched.
  enforceRules(template.Rules, { stack, parameters: parameterValues(parameters) });
  const conditions = evaluateConditions(template.Conditions, {
    stack,
    parameters: parameterValues(parameters),
    mappings: template.Mappings,
  });
  const graph = resourceDependencies(template, { conditions });
  return { body, template, parameters, conditions, graph, ...(parameterStore ? { parameterStore } : {}) };
}

/** The message AWS gives when a parameter type names a Parameter Store entry that does not exist. */
const unableToFetch = (name: string) => new TemplateError(`Unable to fetch parameters [${name}] from parameter store for this account.`);

/**
 * AWS::SSM::Parameter::Value<...> reads the entry (String or StringList only);
 * AWS::SSM::Parameter::Name must name one. Re-planning a deployed template
 * falls back to the values it was deployed with, for entries gone since.
 */
function ssmParameterOptions(read: ParameterStoreRead, deployed?: PlanOptions['deployed']) {
  const resolvedBefore = (name: string) => deployed?.find((p) => p.ParameterValue === name && p.ResolvedValue !== undefined)?.ResolvedValue;
  return {
    ssmParameterValue(name: string): string {
      const found = read(name);
      if (!found) {
        const before = resolvedBefore(name);
        if (before !== undefined) return before;
        throw unableToFetch(name);
      }
      if (found.type === 'SecureString') throw new TemplateError(`Parameters [${name}] referenced by template have types not supported by CloudFormation.`);
      return found.value;
    },
    ssmParameterExists(name: string): void {
      if (!read(name) && !deployed) throw unableToFetch(name);
    },
  };
}

/**
 * Literal dynamic references are checked when the template is submitted, as
 * AWS does: the kind of reference must suit its property, and the entry must
 * exist. References assembled by functions are checked at provisioning.
 */
function checkLiteralReferences(template: Template, read: ParameterStoreRead | undefined): void {
  for (const { service, argument, site } of literalReferences(template.Resources)) {
    if (site.path.some((key) => key.startsWith('Fn::') || key === 'Ref') || argument.includes('${')) continue;
    checkReferenceSite(service, argument, site);
    if (!read) throw new TemplateError(`Dynamic reference {{resolve:${service}:${argument}}} needs SSM Parameter Store, which this local cloud does not provide`);
    if (!read(argument)) throw new TemplateError(`Parameters: [${service}:${argument}] cannot be found.`);
  }
}

/** AWS refuses IAM resources unless the caller acknowledges them (InsufficientCapabilitiesException). */
export function checkCapabilities(template: Template, granted: readonly string[]): void {
  const { capabilities } = requiredCapabilities(template);
  for (const capability of capabilities) {
    // CAPABILITY_NAMED_IAM implies CAPABILITY_IAM.
    const ok = granted.includes(capability) || (capability === 'CAPABILITY_IAM' && granted.includes('CAPABILITY_NAMED_IAM'));
    if (!ok) throw insufficientCapabilities(capability);
  }
}

/**
 * `Fn::GetAtt [X, Attr]` must name an attribute X's type has, as AWS checks
 * at submission time. Types whose attributes are open (custom resources,
 * nested stacks' `Outputs.*`) are checked by their provider at evaluation.
 */
function checkGetAttAttributes(template: Template, registry: ProviderRegistry): void {
  const visit = (value: unknown, at: string): void => {
    if (Array.isArray(value)) return value.forEach((element) => visit(element, at));
    if (typeof value !== 'object' || value === null) return;
    const target = getAttTarget(value as Record<string, unknown>);
    const resource = target && template.Resources[target.logicalId];
    if (target && resource) {
      const known = registry.get(resource.Type)?.attributes;
      if (known && !known.includes(target.attribute)) {
        throw new TemplateError(
          `Template error: resource ${target.logicalId} does not support attribute type ${target.attribute} in Fn::GetAtt (at ${at})`,
        );
      }
    }
    for (const inner of Object.values(value)) visit(inner, at);
  };
  for (const [logicalId, resource] of Object.entries(template.Resources)) visit(resource.Properties, `/Resources/${logicalId}`);
  for (const [name, output] of Object.entries(template.Outputs ?? {})) visit(output, `/Outputs/${name}`);
}

/** The target of `{"Fn::GetAtt": ...}` when its attribute is a literal (one given by a function is checked at evaluation). */
function getAttTarget(value: Record<string, unknown>): { logicalId: string; attribute: string } | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'Fn::GetAtt') return undefined;
  const target = getAttArguments(value['Fn::GetAtt']);
  return target && typeof target.attribute === 'string' ? { logicalId: target.logicalId, attribute: target.attribute } : undefined;
}

/** TemplateErrors raised while planning become the API's ValidationError. */
export function asValidationError(err: unknown): unknown {
  return err instanceof TemplateError ? validationError(err.message) : err;
}
