import path from 'node:path';
import type { Credentials } from '@aws-sdk/client-sts';
import { evaluate } from '../../auth/policy/index.js';
import { AwsError } from '../../core/errors.js';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import type { IamProvider, RoleInfo } from '../iam/index.js';
import { queryProtocol } from '../../protocols/query.js';
import { stsOperations, stsParameterChecks } from './operations.js';
import { issueSession, SessionStore, sessionPrincipal } from './sessions.js';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface StsProvider extends ServiceProvider {
  /**
   * What an AWS service does to act as a role (Lambda running a function): a
   * session of the role, which its trust policy must grant to the service
   * principal (e.g. `lambda.amazonaws.com`).
   */
  assumeRoleForService(input: { roleArn: string; sessionName: string; servicePrincipal: string; durationSeconds?: number }): Credentials;
  /**
   * The check assumeRoleForService makes, without issuing anything: whether
   * the role exists and its trust policy lets the service principal assume it
   * (whatever the IAM mode; callers decide what a refusal means). Lambda asks
   * this when a function is given a role, as AWS does.
   */
  canAssume(input: { roleArn: string; servicePrincipal: string }): AssumeCheck;
}

/** Why a service may not assume a role, if it may not. */
export type AssumeCheck =
  | { allowed: true }
  | { allowed: false; reason: 'NoSuchRole' | 'TrustPolicy'; message: string };


const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]{1,64})$/;

/**
 * STS (query protocol): GetCallerIdentity, AssumeRole (roles from localcloud's
 * IAM), GetSessionToken, GetAccessKeyInfo. The temporary credentials it issues
 * resolve to their account at the gateway like any other key.
 */
export function createStsService(ctx: CloudContext): StsProvider {
  const sessions = new SessionStore(ctx.stateDir ? path.join(ctx.stateDir, 'sts') : undefined);
  const operations = stsOperations(ctx, sessions);
  ctx.trust?.credentials.addSource((accessKeyId) => {
    const session = sessions.get(accessKeyId);
    if (!session) return undefined;
    return {
      principal: sessionPrincipal(session),
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiration: new Date(session.expiration),
      active: true,
    };
  });
  /** Whether `servicePrincipal` may assume the role: it must exist, and its trust policy must allow the service. */
  function checkAssume(roleArn: string, servicePrincipal: string): { check: AssumeCheck; role?: RoleInfo; accountId?: string } {
    const match = ROLE_ARN.exec(roleArn);
    const role = match ? ctx.service<IamProvider>('iam')?.role(match[1], match[2]) : undefined;
    if (!match || !role) {
      return { check: { allowed: false, reason: 'NoSuchRole', message: `${servicePrincipal} cannot assume ${roleArn}: the role does not exist` } };
    }
    const decision = evaluate({
      principal: { kind: 'service', service: servicePrincipal, arn: servicePrincipal },
      action: 'sts:AssumeRole',
      resource: role.arn,
      resourceAccountId: match[1],
      context: { 'aws:principalservicename': servicePrincipal },
      identityPolicies: [],
      resourcePolicy: { id: `trust:${role.arn}`, kind: 'resource', document: JSON.stringify(role.trustPolicy) },
    });
    if (decision.effect !== 'Allow') {
      const message = `The role ${role.arn} cannot be assumed by ${servicePrincipal}: its trust policy does not allow it`;
      return { check: { allowed: false, reason: 'TrustPolicy', message }, role, accountId: match[1] };
    }
    return { check: { allowed: true }, role, accountId: match[1] };
  }

  return {
    name: 'sts',
    routes: { signingNames: ['sts'], queryActions: Object.keys(operations) },
    async start() {
      sessions.load();
    },
    handle: queryProtocol({ xmlns: XMLNS, operations, validate: stsParameterChecks }),

    canAssume({ roleArn, servicePrincipal }) {
      return checkAssume(roleArn, servicePrincipal).check;
    },

    assumeRoleForService({ roleArn, sessionName, servicePrincipal, durationSeconds = 3600 }) {
      const { check, role, accountId } = checkAssume(roleArn, servicePrincipal);
      if (!check.allowed) {
        if (check.reason === 'NoSuchRole' || !role) throw new AwsError('AccessDenied', check.message, 403);
        if (ctx.trust && ctx.trust.mode === 'enforce') throw new AwsError('AccessDenied', check.message, 403);
        if (ctx.trust && ctx.trust.mode === 'report') ctx.log(`iam report: would deny sts:AssumeRole on ${role.arn} to ${servicePrincipal}: ${check.message}`);
      }
      const name = sessionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
      const assumedArn = `arn:aws:sts::${accountId}:assumed-role/${role!.name}/${name}`;
      return issueSession(sessions, { accountId: accountId!, arn: assumedArn, userId: `${role!.id}:${name}`, roleArn: role!.arn }, durationSeconds);
    },
  };
}
