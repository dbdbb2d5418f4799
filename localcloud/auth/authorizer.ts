import { AwsError } from '../core/errors.js';
import type { CloudContext, ServiceRequest } from '../core/types.js';
import type { IamProvider, PrincipalPolicyTexts } from '../services/iam/index.js';
import { requiredPermissions } from './actions/index.js';
import { serviceLookups } from './actions/lookups.js';
import type { IamMode } from './mode.js';
import { denialMessage, evaluate, type Decision, type EvaluationInput, type NamedPolicy } from './policy/index.js';
import type { Principal, RequiredPermission } from './types.js';
import type { UsageRecorder } from './usage.js';

/** A service that holds resource-based policies (Lambda function policies, S3 bucket policies, SQS queue policies). */
export interface ResourcePolicyHolder {
  resourcePolicy(accountId: string, region: string, resourceArn: string): Promise<string | undefined>;
}

const ALLOW_ALL: NamedPolicy = { id: 'trust-check', kind: 'identity', document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' };

const isAssumeRole = (permission: RequiredPermission) => permission.action.toLowerCase() === 'sts:assumerole';

/** Services whose resource-based policies take part in decisions, by the IAM prefix of their ARNs. */
const RESOURCE_POLICY_SERVICES: Record<string, string> = { lambda: 'lambda', s3: 's3', sqs: 'sqs', sns: 'sns' };

/**
 * Decides whether a principal may do what an operation needs, as AWS's
 * policy evaluation logic does, and records the decision for the report.
 * In `report` mode a denial is logged and let through.
 */
export class Authorizer {
  private readonly identityCache = new Map<string, { generation: number; policies: NamedPolicy[]; boundary?: NamedPolicy }>();
  private readonly lookups: ReturnType<typeof serviceLookups>;

  constructor(
    private readonly ctx: CloudContext,
    private readonly mode: IamMode,
    private readonly usage: UsageRecorder,
  ) {
    this.lookups = serviceLookups(ctx);
  }

  /** Checks every permission `operation` needs; throws the service's AccessDenied at the first one denied. */
  async authorize(principal: Principal, service: string, operation: string, input: unknown, req: ServiceRequest): Promise<void> {
    if (this.mode === 'off') return;
    const permissions = requiredPermissions(service, operation, input, req, this.lookups);
    for (const permission of permissions) await this.check(principal, service, permission, req);
  }

  /** One permission; also what in-process callers (event source mappings) use. */
  async check(principal: Principal, service: string, permission: RequiredPermission, req: Pick<ServiceRequest, 'region'> & Partial<ServiceRequest>): Promise<void> {
    if (this.mode === 'off') return;
    const input = await this.evaluationInput(principal, permission, req.region);
    const decision = isAssumeRole(permission) ? this.evaluateAssumeRole(input) : evaluate(input);
    if (decision.effect === 'Allow') {
      this.usage.allowed(principal, permission, decision.statement);
      return;
    }
    const message = denialMessage(input, decision);
    this.usage.denied(principal, permission, message);
    if (this.mode === 'report') {
      this.ctx.log(`iam report: would deny ${permission.action} on ${permission.resource} to ${principal.arn}: ${message}`);
      return;
    }
    throw accessDenied(service, message);
  }

  /**
   * A role's trust policy is a resource policy with one extra rule: it must
   * cover the caller (by name, or through its account, in which case the
   * caller's identity policies must allow sts:AssumeRole too). An identity
   * policy alone never lets anyone into a role.
   */
  private evaluateAssumeRole(input: EvaluationInput): Decision {
    if (!input.resourcePolicy) return { effect: 'ImplicitDeny', decidedBy: 'resource' };
    const trustCovers = evaluate({ ...input, identityPolicies: [ALLOW_ALL], permissionsBoundary: undefined, sessionPolicies: undefined });
    if (trustCovers.effect !== 'Allow') return trustCovers.effect === 'ExplicitDeny' ? trustCovers : { effect: 'ImplicitDeny', decidedBy: 'resource' };
    return evaluate(input);
  }

  private async evaluationInput(principal: Principal, permission: RequiredPermission, region: string): Promise<EvaluationInput> {
    const identity = this.identityPolicies(principal);
    const resourcePolicy = await this.resourcePolicy(permission, region);
    const now = new Date();
    const context: EvaluationInput['context'] = {
      'aws:currenttime': now.toISOString(),
      'aws:epochtime': String(Math.floor(now.getTime() / 1000)),
      'aws:requestedregion': region,
      'aws:securetransport': 'false',
      'aws:sourceip': '127.0.0.1',
      ...principalContext(principal),
      ...lowerCaseKeys(permission.context),
    };
    return {
      principal,
      action: permission.action,
      resource: permission.resource,
      resourceAccountId: accountOfArn(permission.resource),
      context,
      identityPolicies: identity?.policies ?? [],
      permissionsBoundary: identity?.boundary,
      resourcePolicy,
      sessionPolicies:
        principal.kind === 'assumed-role' && principal.sessionPolicy
          ? [{ id: `session:${principal.arn}`, kind: 'session', document: principal.sessionPolicy }]
          : undefined,
    };
  }

  /** A user's or role's identity policies, parsed once per IAM change. */
  private identityPolicies(principal: Principal): { policies: NamedPolicy[]; boundary?: NamedPolicy } | undefined {
    if (principal.kind !== 'user' && principal.kind !== 'assumed-role') return undefined;
    const iam = this.ctx.service<IamProvider>('iam');
    if (!iam) return undefined;
    const key = principal.kind === 'user' ? principal.arn : principal.roleArn;
    const generation = iam.generation();
    const cached = this.identityCache.get(key);
    if (cached && cached.generation === generation) return cached;
    const texts: PrincipalPolicyTexts | undefined =
      principal.kind === 'user'
        ? iam.policyTexts(principal.accountId, { type: 'user', name: principal.userName })
        : iam.policyTexts(principal.accountId, { type: 'role', name: principal.roleName });
    const entry = {
      generation,
      policies: (texts?.policies ?? []).map((p): NamedPolicy => ({ id: p.id, kind: 'identity', document: p.document })),
      boundary: texts?.permissionsBoundary && { id: texts.permissionsBoundary.id, kind: 'boundary' as const, document: texts.permissionsBoundary.document },
    };
    if (this.identityCache.size > 1000) this.identityCache.clear();
    this.identityCache.set(key, entry);
    return entry;
  }

  private async resourcePolicy(permission: RequiredPermission, region: string): Promise<NamedPolicy | undefined> {
    const arn = permission.resource;
    if (arn === '*') return undefined;
    const [, , arnService, arnRegion, account] = arn.split(':');
    if (permission.action.toLowerCase() === 'sts:assumerole' && arnService === 'iam') {
      const roleName = arn.slice(arn.lastIndexOf('/') + 1);
      const role = this.ctx.service<IamProvider>('iam')?.role(account ?? '', roleName);
      return role ? { id: `trust:${role.arn}`, kind: 'resource', document: JSON.stringify(role.trustPolicy) } : undefined;
    }
    const serviceName = RESOURCE_POLICY_SERVICES[arnService ?? ''];
    if (!serviceName) return undefined;
    const holder = this.ctx.service(serviceName) as unknown as Partial<ResourcePolicyHolder> | undefined;
    const document = await holder?.resourcePolicy?.(account || '', arnRegion || region, arn);
    return document ? { id: `resource:${arn}`, kind: 'resource', document } : undefined;
  }
}

/** The global condition keys that describe the principal. */
function principalContext(principal: Principal): Record<string, string> {
  switch (principal.kind) {
    case 'root':
      return { 'aws:principalarn': principal.arn, 'aws:principalaccount': principal.accountId, 'aws:principaltype': 'Account', 'aws:userid': principal.accountId };
    case 'user':
      return {
        'aws:principalarn': principal.arn,
        'aws:principalaccount': principal.accountId,
        'aws:principaltype': 'User',
        'aws:userid': principal.userId,
        'aws:username': principal.userName,
      };
    case 'assumed-role':
      return {
        'aws:principalarn': principal.roleArn,
        'aws:principalaccount': principal.accountId,
        'aws:principaltype': 'AssumedRole',
        'aws:userid': principal.userId,
        'aws:rolesessionname': principal.sessionName,
      };
    default:
      return { 'aws:principaltype': 'Anonymous' };
  }
}

function lowerCaseKeys(context: Record<string, string | string[]> | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(context ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** Each service's AccessDenied, in its protocol's code and status. */
const ACCESS_DENIED: Record<string, { code: string; status: number }> = {
  dynamodb: { code: 'AccessDeniedException', status: 400 },
  kinesis: { code: 'AccessDeniedException', status: 400 },
  logs: { code: 'AccessDeniedException', status: 400 },
  ssm: { code: 'AccessDeniedException', status: 400 },
  lambda: { code: 'AccessDeniedException', status: 403 },
  cloudwatch: { code: 'AccessDenied', status: 403 },
  s3: { code: 'AccessDenied', status: 403 },
  iam: { code: 'AccessDenied', status: 403 },
  sts: { code: 'AccessDenied', status: 403 },
  cloudformation: { code: 'AccessDenied', status: 403 },
  sns: { code: 'AuthorizationError', status: 403 },
};

export function accessDenied(service: string, message: string): AwsError {
  const { code, status } = ACCESS_DENIED[service] ?? { code: 'AccessDenied', status: 403 };
  return new AwsError(code, message, status);
}
