/**
 * The decision, following AWS's "policy evaluation logic":
 *
 * 1. An explicit Deny in any applicable policy — identity-based, resource-based,
 *    permissions boundary, session — decides.
 * 2. The account root is allowed in its own account (SCPs are not modelled);
 *    elsewhere, like anonymous callers and service principals, only a
 *    resource policy can allow it.
 * 3. Users and role sessions, within the resource's account: allowed by an
 *    identity policy, limited by the permissions boundary and session
 *    policies; or by a resource policy, whose grant is limited according to
 *    whom it names (principals.ts): the user's or session's own ARN grants on
 *    its own, the role's ARN stays limited by boundary and session policies,
 *    the account only delegates to identity policies.
 * 4. Across accounts, both sides must allow: the caller's identity policies
 *    (within its boundary and session policies) and the resource policy.
 */
import type { Principal } from '../types.js';
import { RequestContext } from './context.js';
import { compilePolicy, type CompiledStatement } from './parse.js';
import { matchNotPrincipal, matchPrincipal, type PrincipalMatch } from './principals.js';
import type { Decision, DecidingPolicyType, EvaluationInput, NamedPolicy, PolicyKind, StatementRef } from './types.js';

interface Request {
  principal: Principal;
  action: string;
  resource: string;
  context: RequestContext;
}

interface Scan {
  allow?: StatementRef;
  deny?: StatementRef;
  /** For resource policies: how the allowing statement named the caller (the strongest, if several did). */
  grant?: PrincipalMatch;
}

const GRANT_STRENGTH: Record<PrincipalMatch, number> = { account: 1, role: 2, direct: 3 };

export function evaluate(input: EvaluationInput): Decision {
  const { principal } = input;
  const request: Request = { principal, action: input.action, resource: input.resource, context: new RequestContext(principal, input.context) };

  const hasIdentity = principal.kind === 'user' || principal.kind === 'assumed-role';
  const resource = input.resourcePolicy ? scan([input.resourcePolicy], 'resource', request) : NO_MATCH;
  const identity = hasIdentity ? scan(input.identityPolicies, 'identity', request) : NO_MATCH;
  const boundary = hasIdentity && input.permissionsBoundary ? scan([input.permissionsBoundary], 'boundary', request) : undefined;
  const sessionPolicies = hasIdentity ? sessionPoliciesOf(input) : [];
  const session = sessionPolicies.length > 0 ? scan(sessionPolicies, 'session', request) : undefined;

  // 1. Explicit deny. When several policy types deny, AWS names one of them.
  if (identity.deny) return explicitDeny('identity', identity.deny);
  if (resource.deny) return explicitDeny('resource', resource.deny);
  if (boundary?.deny) return explicitDeny('boundary', boundary.deny);
  if (session?.deny) return explicitDeny('session', session.deny);

  const sameAccount = (input.resourceAccountId ?? principal.accountId) === principal.accountId;

  // 2. Callers without identity policies.
  if (principal.kind === 'root' && sameAccount) return { effect: 'Allow' };
  if (!hasIdentity) return resource.allow ? allowedBy('resource', resource.allow) : implicitDeny('resource');

  // 3 and 4. Users and role sessions.
  const limitedBy: DecidingPolicyType | undefined = boundary && !boundary.allow ? 'boundary' : session && !session.allow ? 'session' : undefined;
  if (sameAccount) {
    if (resource.grant === 'direct') return allowedBy('resource', resource.allow);
    if (resource.grant === 'role' && limitedBy === undefined) return allowedBy('resource', resource.allow);
    if (identity.allow && limitedBy === undefined) return allowedBy('identity', identity.allow);
    return implicitDeny(identity.allow || resource.grant === 'role' ? limitedBy! : 'identity');
  }
  if (!identity.allow) return implicitDeny('identity');
  if (limitedBy) return implicitDeny(limitedBy);
  return resource.allow ? allowedBy('resource', resource.allow) : implicitDeny('resource');
}

function explicitDeny(type: DecidingPolicyType, statement: StatementRef): Decision {
  return { effect: 'ExplicitDeny', decidedBy: type, statement };
}

function allowedBy(type: DecidingPolicyType, statement: StatementRef | undefined): Decision {
  return statement ? { effect: 'Allow', decidedBy: type, statement } : { effect: 'Allow', decidedBy: type };
}

function implicitDeny(type: DecidingPolicyType): Decision {
  return { effect: 'ImplicitDeny', decidedBy: type };
}

const NO_MATCH: Scan = Object.freeze({});

/** A role session's own session policy (from AssumeRole) applies unless the caller lists session policies itself. */
function sessionPoliciesOf(input: EvaluationInput): NamedPolicy[] {
  if (input.sessionPolicies) return input.sessionPolicies;
  const { principal } = input;
  if (principal.kind === 'assumed-role' && principal.sessionPolicy) {
    return [{ id: `session:${principal.arn}`, kind: 'session', document: principal.sessionPolicy }];
  }
  return [];
}

/**
 * Every statement of these policies that applies to the request: the first
 * Deny found, and an Allow (for resource policies the one naming the caller
 * most directly). Policies are compiled with the rules of the slot they fill.
 */
function scan(policies: NamedPolicy[], kind: PolicyKind, request: Request): Scan {
  const result: Scan = {};
  for (const policy of policies) {
    const compiled = compilePolicy(policy.document, kind);
    for (const statement of compiled.statements) {
      if (statement.effect === 'Allow' && result.allow && (kind !== 'resource' || result.grant === 'direct')) continue;
      const grant = applies(statement, kind, request);
      if (grant === undefined) continue;
      const ref: StatementRef = { policyId: policy.id, ...(statement.sid !== undefined ? { sid: statement.sid } : {}), index: statement.index };
      if (statement.effect === 'Deny') return { ...result, deny: ref };
      if (kind !== 'resource') {
        result.allow = ref;
      } else if (grant !== true && (result.grant === undefined || GRANT_STRENGTH[grant] > GRANT_STRENGTH[result.grant])) {
        result.allow = ref;
        result.grant = grant;
      }
    }
  }
  return result;
}

/**
 * Whether a statement applies to the request: true, or for statements that
 * name principals, how they name this one. Conditions come last: they are the
 * costliest part.
 */
function applies(statement: CompiledStatement, kind: PolicyKind, request: Request): PrincipalMatch | true | undefined {
  if (statement.inert || !statement.action(request.action)) return undefined;
  if (statement.resource && !statement.resource(request.resource, request.context)) return undefined;
  let grant: PrincipalMatch | true = true;
  if (kind === 'resource') {
    if (statement.principal) {
      const match = matchPrincipal(statement.principal, request.principal);
      if (match === undefined) return undefined;
      grant = match;
    } else if (statement.notPrincipal) {
      if (!matchNotPrincipal(statement.notPrincipal, request.principal)) return undefined;
      grant = 'direct';
    }
  }
  for (const condition of statement.conditions) {
    if (!condition.test(request.context)) return undefined;
  }
  return grant;
}
