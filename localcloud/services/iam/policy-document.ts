import { limitExceeded, malformedPolicy, validationError } from './errors.js';

/** A parsed IAM policy document: what a policy evaluator reads. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * `identity`: attached to a user, group or role (inline or managed) — needs
 * actions and resources, must not name a principal. `trust`: a role's
 * AssumeRolePolicyDocument — needs a principal, must not name resources.
 */
export type PolicyKind = 'identity' | 'trust';

const VERSIONS = ['2012-10-17', '2008-10-17'];
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

/**
 * Checks a policy document the way IAM does on write and returns it parsed.
 * The original text is what IAM stores and returns; this only validates.
 * As on AWS, `Version` may be omitted (it then means 2008-10-17).
 */
export function parsePolicyDocument(text: unknown, kind: PolicyKind, field = 'policyDocument'): PolicyDocument {
  if (typeof text !== 'string' || text.length === 0) {
    throw validationError(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformedPolicy('This policy contains invalid Json');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw malformedPolicy('Syntax errors in policy.');
  const document = parsed as Record<string, unknown>;
  for (const key of Object.keys(document)) {
    if (!['Version', 'Id', 'Statement'].includes(key)) throw malformedPolicy(`Syntax errors in policy. Unknown field ${key}`);
  }
  if (document.Version !== undefined && !VERSIONS.includes(document.Version as string)) {
    throw malformedPolicy('The policy failed legacy parsing');
  }
  if (document.Statement === undefined) throw malformedPolicy('Missing required field Statement');
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  if (statements.length === 0) throw malformedPolicy('Syntax errors in policy.');
  for (const statement of statements) checkStatement(statement, kind);
  return { ...(document as object), Statement: statements } as PolicyDocument;
}

function checkStatement(statement: unknown, kind: PolicyKind): void {
  if (statement === null || typeof statement !== 'object' || Array.isArray(statement)) throw malformedPolicy('Syntax errors in policy.');
  const s = statement as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!STATEMENT_KEYS.has(key)) throw malformedPolicy(`Syntax errors in policy. Unknown field ${key}`);
  }
  if (s.Effect === undefined) throw malformedPolicy('Missing required field Effect');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformedPolicy(`Invalid effect: ${String(s.Effect)}`);
  if (s.Action === undefined && s.NotAction === undefined) throw malformedPolicy('Policy statement must contain actions.');
  for (const action of [...strings(s.Action, 'Action'), ...strings(s.NotAction, 'NotAction')]) {
    if (action !== '*' && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]*$/.test(action)) {
      throw malformedPolicy('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    }
  }
  if (kind === 'identity') {
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) throw malformedPolicy('Policy document should not specify a principal.');
    if (s.Resource === undefined && s.NotResource === undefined) throw malformedPolicy('Policy statement must contain resources.');
    strings(s.Resource, 'Resource');
    strings(s.NotResource, 'NotResource');
  } else {
    if (s.Principal === undefined && s.NotPrincipal === undefined) throw malformedPolicy('Missing required field Principal');
    if (s.Resource !== undefined || s.NotResource !== undefined) throw malformedPolicy('Has prohibited field Resource');
  }
  if (s.Condition !== undefined && (s.Condition === null || typeof s.Condition !== 'object' || Array.isArray(s.Condition))) {
    throw malformedPolicy('Syntax errors in policy.');
  }
}

/** A string-or-list field as a list; anything else is a syntax error. */
function strings(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string')) throw malformedPolicy(`Syntax errors in policy. ${field} must be a string or a list of strings.`);
  return list as string[];
}

/** IAM counts policy sizes without whitespace. */
export function checkPolicySize(text: string, limit: number, what: string): void {
  const size = text.replace(/\s/g, '').length;
  if (size > limit) throw limitExceeded(`Maximum policy size of ${limit} bytes exceeded for ${what}.`);
}
