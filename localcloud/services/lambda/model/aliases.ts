/**
 * Aliases: named pointers to a function version, optionally splitting
 * invocations between that version and one other by weight (routing
 * configuration). An alias is stored with its function.
 */
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { functionArn } from './names.js';

export interface FunctionAlias {
  name: string;
  /** The version it points to: `$LATEST` or a published number. */
  functionVersion: string;
  description: string;
  /** Changes on every update (UpdateAlias' RevisionId precondition). */
  revisionId: string;
  /** RoutingConfig.AdditionalVersionWeights: version → share of invocations (0–1) it receives. */
  additionalVersionWeights?: Record<string, number>;
}

/** Alias names: letters, digits, `-`, `_`, and not only digits (those are versions). */
export const ALIAS_NAME_PATTERN = /^(?!^[0-9]+$)[a-zA-Z0-9_-]+$/;
export const ALIAS_NAME_PATTERN_SHOWN = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';

/** True when a qualifier names an alias rather than `$LATEST` or a version number. */
export function isAliasQualifier(qualifier: string | undefined): qualifier is string {
  return qualifier !== undefined && qualifier !== '$LATEST' && !/^[0-9]+$/.test(qualifier);
}

export function aliasArn(fn: { accountId: string; region: string; name: string }, alias: string): string {
  return functionArn(fn, alias);
}

/**
 * The version one invocation through the alias runs: the additional version
 * with its weight's probability, otherwise the alias' own version. `random`
 * is in [0, 1).
 */
export function versionToInvoke(alias: FunctionAlias, random: number = Math.random()): string {
  let threshold = 0;
  for (const [version, weight] of Object.entries(alias.additionalVersionWeights ?? {})) {
    threshold += weight;
    if (random < threshold) return version;
  }
  return alias.functionVersion;
}

/** The API's view of an alias. */
export function toAliasConfiguration(fn: { accountId: string; region: string; name: string }, alias: FunctionAlias): AliasConfiguration {
  const weights = alias.additionalVersionWeights;
  return {
    AliasArn: aliasArn(fn, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    RevisionId: alias.revisionId,
    ...(weights && Object.keys(weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: { ...weights } } } : {}),
  };
}
