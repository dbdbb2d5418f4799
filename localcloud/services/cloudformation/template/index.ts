/**
 * The CloudFormation template language, without I/O: parse, validate,
 * resolve parameters, evaluate conditions and intrinsic functions, order
 * resources. The engine (API, stack lifecycle, providers) builds on this.
 */
export { TemplateError } from './errors.js';
export type { TemplatePath } from './errors.js';
export type {
  Template,
  ParameterDeclaration,
  ResourceDeclaration,
  OutputDeclaration,
  Mappings,
  ParameterValue,
} from './types.js';

export { parseTemplate } from './parse.js';
export { validateTemplate } from './validate.js';
export type { ValidateOptions } from './validate.js';

export {
  resolveParameters,
  parameterValues,
  describeParameters,
  parameterTypeInfo,
  NO_ECHO_MASK,
} from './parameters.js';
export type {
  ResolvedParameter,
  ResolveParametersOptions,
  DescribedParameter,
  ParameterTypeInfo,
} from './parameters.js';

export { PSEUDO_PARAMETER_NAMES, isPseudoParameter, partitionForRegion, urlSuffixForRegion } from './pseudo.js';
export type { StackContext } from './pseudo.js';

export { getAttArguments } from './syntax.js';

export { resolve, defaultAvailabilityZones } from './intrinsics.js';
export type { EvaluationScope, ResolveOptions } from './intrinsics.js';
export { evaluateConditions } from './conditions.js';
export { checkRulesSection, enforceRules, RULE_FUNCTIONS } from './rules.js';
export type { RuleScope } from './rules.js';
export type { ConditionScope } from './conditions.js';
export { resolveOutputs } from './outputs.js';
export type { ResolvedOutput } from './outputs.js';

export {
  resourceDependencies,
  includedResourceIds,
  referencedNames,
  dependents,
  findCycles,
  assertAcyclic,
  topologicalLayers,
  deletionLayers,
  readyToCreate,
  readyToDelete,
} from './graph.js';
export type { DependencyGraph, GraphOptions } from './graph.js';

export { requiredCapabilities } from './capabilities.js';
export type { Capability, CapabilityRequirement } from './capabilities.js';

export { resolveDynamicReferences, literalReferences, checkReferenceSite } from './dynamic-references.js';
export type { ParameterStoreRead, DynamicReferenceSite } from './dynamic-references.js';
