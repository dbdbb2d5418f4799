/**
 * Policy documents, parsed, validated and compiled once: the evaluator runs
 * on every request, so everything that depends only on the policy text
 * (wildcard matchers, principal sets, condition tests) is prepared here and
 * cached by the text (bounded) or by the document object (weakly).
 */
import { compileConditions, type CompiledCondition } from './conditions.js';
import type { RequestContext } from './context.js';
import { compilePrincipals, type PrincipalSet } from './principals.js';
import type { PolicyDocument, PolicyKind, PolicyStatement } from './types.js';
import { parseTemplate, resolveTemplate } from './variables.js';
import { cachedGlob, compileGlob, escapeBackslashes, type Matcher } from './wildcard.js';

export class PolicyValidationError extends Error {
  override readonly name = 'PolicyValidationError';
}

export interface CompiledPolicy {
  /** The kind whose rules the document was validated against. */
  kind: PolicyKind;
  version: '2012-10-17' | '2008-10-17';
  statements: CompiledStatement[];
  /** Things that parse but cannot apply as written (an unknown condition operator). */
  warnings: string[];
  /** Why the document is invalid; it then has no statements. */
  error?: string;
}

export interface CompiledStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Matches the action (lower case: IAM compares actions case-insensitively). */
  action: (action: string) => boolean;
  /** Matches the resource; absent in policies that name no resource (trust policies). */
  resource?: (resource: string, context: RequestContext) => boolean;
  principal?: PrincipalSet;
  notPrincipal?: PrincipalSet;
  conditions: CompiledCondition[];
  /** An unknown condition operator: the statement never applies. */
  inert: boolean;
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const ACTION = /^[a-z0-9-]+:[a-z0-9*?]*$/i;

/**
 * Keyed by kind, then by the text itself: a policy's text is usually the same
 * string object request after request, and V8 keeps a string's hash, so the
 * lookup does not re-read the text.
 */
const byText = new Map<PolicyKind, Map<string, CompiledPolicy>>();
let textEntries = 0;
const byObject = new WeakMap<object, CompiledPolicy>();
/** Enough for every policy of a busy local account; evicts the oldest entry past it. */
const TEXT_CACHE_LIMIT = 1_000;

/**
 * The compiled form of a document (text or object), from the cache when seen
 * before. Never throws: an invalid document compiles to no statements, with
 * `error` saying why, so a bad stored policy grants nothing instead of
 * failing every request.
 */
export function compilePolicy(document: PolicyDocument | string, kind: PolicyKind): CompiledPolicy {
  if (typeof document === 'string') {
    let ofKind = byText.get(kind);
    if (ofKind === undefined) byText.set(kind, (ofKind = new Map()));
    let compiled = ofKind.get(document);
    if (compiled === undefined) {
      compiled = compileOrReport(() => compileDocument(parseJson(document), kind), kind);
      if (textEntries >= TEXT_CACHE_LIMIT) evictOldest();
      ofKind.set(document, compiled);
      textEntries++;
    }
    return compiled;
  }
  let compiled = byObject.get(document);
  if (compiled === undefined || compiled.kind !== kind) {
    compiled = compileOrReport(() => compileDocument(document, kind), kind);
    byObject.set(document, compiled);
  }
  return compiled;
}

function evictOldest(): void {
  for (const ofKind of byText.values()) {
    const oldest = ofKind.keys().next();
    if (!oldest.done) {
      ofKind.delete(oldest.value);
      textEntries--;
      return;
    }
  }
}

/** Validates and compiles a document for a policy of this kind; throws PolicyValidationError with IAM's wording. */
export function parsePolicy(document: PolicyDocument | string, kind: PolicyKind): CompiledPolicy {
  const compiled = compilePolicy(document, kind);
  if (compiled.error !== undefined) throw new PolicyValidationError(compiled.error);
  return compiled;
}

function compileOrReport(compile: () => CompiledPolicy, kind: PolicyKind): CompiledPolicy {
  try {
    return compile();
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    return { kind, version: '2008-10-17', statements: [], warnings: [`invalid policy: ${error.message}`], error: error.message };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PolicyValidationError('This policy contains invalid Json');
  }
}

function compileDocument(raw: unknown, kind: PolicyKind): CompiledPolicy {
  if (!isObject(raw)) throw new PolicyValidationError('Syntax errors in policy.');
  const version = raw.Version ?? '2008-10-17';
  if (typeof version !== 'string' || !VERSIONS.has(version)) throw new PolicyValidationError('The policy failed legacy parsing');
  if (raw.Statement === undefined) throw new PolicyValidationError('Missing required field Statement');
  const statements = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  if (statements.length === 0) throw new PolicyValidationError('Syntax errors in policy.');
  const policy: CompiledPolicy = { kind, version: version as CompiledPolicy['version'], statements: [], warnings: [] };
  const variables = version === '2012-10-17';
  statements.forEach((statement, index) => policy.statements.push(compileStatement(statement, index, kind, variables, policy.warnings)));
  return policy;
}

function compileStatement(raw: unknown, index: number, kind: PolicyKind, variables: boolean, warnings: string[]): CompiledStatement {
  if (!isObject(raw)) throw new PolicyValidationError('Syntax errors in policy.');
  for (const field of Object.keys(raw)) {
    if (!STATEMENT_FIELDS.has(field)) throw new PolicyValidationError(`Syntax errors in policy. Unknown field ${field}`);
  }
  const s = raw as Partial<Record<keyof PolicyStatement, unknown>>;
  if (s.Effect === undefined) throw new PolicyValidationError('Missing required field Effect');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyValidationError(`Invalid effect: ${String(s.Effect)}`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw new PolicyValidationError('Syntax errors in policy.');
  const sid = s.Sid as string | undefined;
  const where = `statement ${sid ?? index}`;

  const action = compileActions(s.Action, s.NotAction);

  const namesPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
  if (kind === 'resource' && !namesPrincipal) throw new PolicyValidationError('Missing required field Principal');
  if (kind !== 'resource' && namesPrincipal) throw new PolicyValidationError('Policy document should not specify a principal.');
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) throw new PolicyValidationError('Syntax errors in policy. A statement cannot have both Principal and NotPrincipal.');

  const namesResource = s.Resource !== undefined || s.NotResource !== undefined;
  // Resource policies may leave the resource implicit (a role's trust policy never names one).
  if (kind !== 'resource' && !namesResource) throw new PolicyValidationError('Policy statement must contain resources.');
  if (s.Resource !== undefined && s.NotResource !== undefined) throw new PolicyValidationError('Syntax errors in policy. A statement cannot have both Resource and NotResource.');
  const resource = namesResource ? compileResources(s.Resource, s.NotResource, variables) : undefined;

  let conditions: CompiledCondition[] = [];
  let inert = false;
  if (s.Condition !== undefined) {
    if (!isObject(s.Condition) || Object.values(s.Condition).some((block) => !isObject(block))) {
      throw new PolicyValidationError('Syntax errors in policy.');
    }
    const compiled = compileConditions(s.Condition as NonNullable<PolicyStatement['Condition']>, variables, warnings, where);
    if (compiled === undefined) inert = true;
    else conditions = compiled;
  }

  return {
    index,
    ...(sid !== undefined ? { sid } : {}),
    effect: s.Effect,
    action,
    ...(resource ? { resource } : {}),
    ...(s.Principal !== undefined ? { principal: compilePrincipals(principalElement(s.Principal)) } : {}),
    ...(s.NotPrincipal !== undefined ? { notPrincipal: compilePrincipals(principalElement(s.NotPrincipal)) } : {}),
    conditions,
    inert,
  };
}

function compileActions(actions: unknown, notActions: unknown): (action: string) => boolean {
  if (actions === undefined && notActions === undefined) throw new PolicyValidationError('Policy statement must contain actions.');
  if (actions !== undefined && notActions !== undefined) throw new PolicyValidationError('Syntax errors in policy. A statement cannot have both Action and NotAction.');
  const patterns = stringList(actions ?? notActions, actions !== undefined ? 'Action' : 'NotAction');
  for (const pattern of patterns) {
    if (pattern !== '*' && !ACTION.test(pattern)) throw new PolicyValidationError('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  }
  const any = anyOf(patterns.map((pattern) => compileGlob(pattern, 'action')));
  return actions !== undefined ? any : (action) => !any(action);
}

function compileResources(resources: unknown, notResources: unknown, variables: boolean): NonNullable<CompiledStatement['resource']> {
  const patterns = stringList(resources ?? notResources, resources !== undefined ? 'Resource' : 'NotResource');
  const matchers = patterns.map((pattern): ((resource: string, context: RequestContext) => boolean) => {
    const template = variables ? parseTemplate(pattern) : undefined;
    if (template === undefined) {
      const matcher = compileGlob(escapeBackslashes(pattern), 'resource');
      return (resource) => matcher(resource);
    }
    return (resource, context) => {
      const resolved = resolveTemplate(template, context, true);
      return resolved !== undefined && cachedGlob(resolved, 'resource')(resource);
    };
  });
  const any = (resource: string, context: RequestContext) => matchers.some((matcher) => matcher(resource, context));
  return resources !== undefined ? any : (resource, context) => !any(resource, context);
}

function anyOf(matchers: Matcher[]): Matcher {
  if (matchers.length === 1) return matchers[0]!;
  return (value) => matchers.some((matcher) => matcher(value));
}

function principalElement(value: unknown): '*' | Record<string, string | string[]> {
  if (value === '*') return '*';
  const valid =
    isObject(value) &&
    Object.values(value).every((v) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')));
  if (!valid) throw new PolicyValidationError('Invalid principal in policy');
  return value as Record<string, string | string[]>;
}

function stringList(value: unknown, field: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string')) {
    throw new PolicyValidationError(`Syntax errors in policy. ${field} must be a string or a list of strings.`);
  }
  return list as string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
