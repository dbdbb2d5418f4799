import type {
  AliasConfiguration,
  AliasRoutingConfiguration,
  CreateAliasRequest,
  ListAliasesResponse,
  UpdateAliasRequest,
} from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import {
  ALIAS_NAME_PATTERN,
  ALIAS_NAME_PATTERN_SHOWN,
  aliasArn,
  toAliasConfiguration,
  type FunctionAlias,
} from '../model/aliases.js';
import { LATEST, findAlias, resolveVersion, type FunctionStore, type LambdaFunction } from '../model/functions.js';
import { conflict, invalidParameter, notFound, preconditionFailed } from './errors.js';
import { paginate, type Caller, type FunctionOperations } from './functions.js';
import { Validator } from './validation.js';

const VERSION_PATTERN = /^(\$LATEST|[0-9]+)$/;
const PUBLISHED_VERSION_PATTERN = /^[0-9]+$/;

/**
 * CreateAlias, GetAlias, ListAliases, UpdateAlias and DeleteAlias. An alias
 * points to `$LATEST` or a published version, and may send a share of its
 * invocations to one more published version (RoutingConfig). Invoke,
 * GetFunction, permissions and event source mappings accept an alias wherever
 * they accept a qualifier (see model/functions.ts `resolveVersion`).
 */
export class AliasOperations {
  constructor(
    private readonly functions: FunctionStore,
    private readonly functionOps: FunctionOperations,
  ) {}

  create(rawName: string, input: CreateAliasRequest, caller: Caller): AliasConfiguration {
    new Validator()
      .required(input.Name, 'name')
      .required(input.FunctionVersion, 'functionVersion')
      .length(input.Name, 'name', 1, 128)
      .pattern(input.Name, 'name', ALIAS_NAME_PATTERN, ALIAS_NAME_PATTERN_SHOWN)
      .length(input.FunctionVersion, 'functionVersion', 1, 1024)
      .pattern(input.FunctionVersion, 'functionVersion', VERSION_PATTERN, '(\\$LATEST|[0-9]+)')
      .length(input.Description, 'description', 0, 256)
      .throwIfInvalid();
    const fn = this.unqualifiedFunction(rawName, caller);
    resolveVersion(fn, input.FunctionVersion);
    const weights = checkedRouting(fn, input.FunctionVersion!, input.RoutingConfig);
    if (findAlias(fn, input.Name!)) throw conflict(`Alias already exists: ${aliasArn(fn, input.Name!)}`);
    const alias: FunctionAlias = {
      name: input.Name!,
      functionVersion: input.FunctionVersion!,
      description: input.Description ?? '',
      revisionId: randomUUID(),
      ...(weights ? { additionalVersionWeights: weights } : {}),
    };
    fn.aliases = [...(fn.aliases ?? []), alias];
    this.functions.save(fn);
    return toAliasConfiguration(fn, alias);
  }

  get(rawName: string, name: string, caller: Caller): AliasConfiguration {
    const fn = this.unqualifiedFunction(rawName, caller);
    return toAliasConfiguration(fn, requireAlias(fn, name));
  }

  list(rawName: string, query: { functionVersion?: string; marker?: string; maxItems?: number }, caller: Caller): ListAliasesResponse {
    new Validator()
      .range(query.maxItems, 'maxItems', 1, 10000)
      .length(query.functionVersion, 'functionVersion', 1, 1024)
      .pattern(query.functionVersion, 'functionVersion', VERSION_PATTERN, '(\\$LATEST|[0-9]+)')
      .throwIfInvalid();
    const fn = this.unqualifiedFunction(rawName, caller);
    const aliases = (fn.aliases ?? [])
      .filter((alias) => query.functionVersion === undefined || pointsTo(alias, query.functionVersion))
      .map((alias) => toAliasConfiguration(fn, alias));
    return paginate(aliases, query.marker, query.maxItems ?? 50, (items, next) => ({ Aliases: items, NextMarker: next }));
  }

  update(rawName: string, name: string, input: UpdateAliasRequest, caller: Caller): AliasConfiguration {
    new Validator()
      .length(input.FunctionVersion, 'functionVersion', 1, 1024)
      .pattern(input.FunctionVersion, 'functionVersion', VERSION_PATTERN, '(\\$LATEST|[0-9]+)')
      .length(input.Description, 'description', 0, 256)
      .throwIfInvalid();
    const fn = this.unqualifiedFunction(rawName, caller);
    const alias = requireAlias(fn, name);
    if (input.RevisionId && input.RevisionId !== alias.revisionId) throw preconditionFailed();
    const functionVersion = input.FunctionVersion ?? alias.functionVersion;
    resolveVersion(fn, functionVersion);
    // RoutingConfig replaces the weights when given (an empty map removes them); otherwise they stay.
    const weights = input.RoutingConfig != null
      ? checkedRouting(fn, functionVersion, input.RoutingConfig)
      : checkedRouting(fn, functionVersion, { AdditionalVersionWeights: alias.additionalVersionWeights });
    alias.functionVersion = functionVersion;
    alias.description = input.Description ?? alias.description;
    alias.revisionId = randomUUID();
    if (weights) alias.additionalVersionWeights = weights;
    else delete alias.additionalVersionWeights;
    this.functions.save(fn);
    return toAliasConfiguration(fn, alias);
  }

  delete(rawName: string, name: string, caller: Caller): void {
    const fn = this.unqualifiedFunction(rawName, caller);
    requireAlias(fn, name);
    fn.aliases = (fn.aliases ?? []).filter((alias) => alias.name !== name);
    // The alias' own resource policy goes with it, as on AWS.
    fn.policy = fn.policy.filter((statement) => statement.Resource !== aliasArn(fn, name));
    this.functions.save(fn);
  }

  /** Alias operations name the function without a qualifier; the alias is a separate member. */
  private unqualifiedFunction(rawName: string, caller: Caller): LambdaFunction {
    const ref = this.functionOps.ref(rawName, caller);
    if (ref.qualifier !== undefined) {
      throw invalidParameter('Alias operations take the function name or ARN without a qualifier; name the alias in the request instead.');
    }
    return this.functions.require(ref);
  }
}

/** The names of the aliases that point to `version`, primary or weighted. */
export function aliasesPointingTo(fn: LambdaFunction, version: string): string[] {
  return (fn.aliases ?? []).filter((alias) => pointsTo(alias, version)).map((alias) => alias.name);
}

function pointsTo(alias: FunctionAlias, version: string): boolean {
  return alias.functionVersion === version || Object.hasOwn(alias.additionalVersionWeights ?? {}, version);
}

function requireAlias(fn: LambdaFunction, name: string): FunctionAlias {
  const alias = findAlias(fn, name);
  if (!alias) throw notFound(`Cannot find alias arn: ${aliasArn(fn, name)}`);
  return alias;
}

/**
 * AdditionalVersionWeights as AWS constrains them: at most one more version,
 * published, not the alias' own, weight between 0 and 1; the alias must then
 * point to a published version too. Returns undefined for no weights.
 */
function checkedRouting(fn: LambdaFunction, primary: string, routing: AliasRoutingConfiguration | undefined): Record<string, number> | undefined {
  const weights = routing?.AdditionalVersionWeights;
  if (weights === undefined || weights === null) return undefined;
  if (typeof weights !== 'object' || Array.isArray(weights)) {
    throw invalidParameter('RoutingConfig.AdditionalVersionWeights must be a map of function version to weight');
  }
  const entries = Object.entries(weights);
  if (entries.length === 0) return undefined;
  const v = new Validator();
  for (const [version, weight] of entries) {
    v.pattern(version, 'routingConfig.additionalVersionWeights', PUBLISHED_VERSION_PATTERN, '[0-9]+');
    const ok = typeof weight === 'number' && Number.isFinite(weight);
    v.check(ok && weight >= 0, 'routingConfig.additionalVersionWeights', weight, 'Member must have value greater than or equal to 0.0');
    v.check(ok && weight <= 1, 'routingConfig.additionalVersionWeights', weight, 'Member must have value less than or equal to 1.0');
  }
  v.check(entries.length <= 1, 'routingConfig.additionalVersionWeights', weights, 'Member must have length less than or equal to 1');
  v.throwIfInvalid();
  if (primary === LATEST) throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
  for (const [version] of entries) {
    if (version === primary) {
      throw invalidParameter(`Invalid function version ${version}. Function version ${version} is already included in routing configuration.`);
    }
    resolveVersion(fn, version);
  }
  return Object.fromEntries(entries);
}
