import path from 'node:path';
import type { Credentials } from '@aws-sdk/client-sts';
import { evaluate } from '../../auth/policy/index.js';
import { AwsError } from '../../core/errors.js';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import type { IamProvider } from '../iam/index.js';
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
}

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]{1,64})$/;

/**
 * STS (query protocol): GetCallerIdentity, AssumeRole (roles from localcloud's
 * IAM), GetSessionToken, GetAccessKeyInfo. The temporary credentials it issues
 * resolve to their account at the gateway like any other key.
 */
export function createStsService(ctx: CloudContext): StsProvider {
  const sessions = new SessionStore(ctx.stateDir ? path.join(ctx.stateDir, 'sts') : undefined);
  const operations = stsOperations(ctx, sessions);
  ctx.addAccessKeyResolver?.((accessKeyId) => sessions.get(accessKeyId)?.accountId);
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
  return {
    name: 'sts',
    routes: { signingNames: ['sts'], queryActions: Object.keys(operations) },
    async start() {
      sessions.load();
    },
    handle: queryProtocol({ xmlns: XMLNS, operations, validate: stsParameterChecks }),

    assumeRoleForService({ roleArn, sessionName, servicePrincipal, durationSeconds = 3600 }) {
      const match = ROLE_ARN.exec(roleArn);
      const role = match ? ctx.service<IamProvider>('iam')?.role(match[1], match[2]) : undefined;
      if (!match || !role) throw new AwsError('AccessDenied', `${servicePrincipal} cannot assume ${roleArn}: the role does not exist`, 403);
      if (ctx.trust && ctx.trust.mode !== 'off') {
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
          if (ctx.trust.mode === 'enforce') throw new AwsError('AccessDenied', message, 403);
          ctx.log(`iam report: would deny sts:AssumeRole on ${role.arn} to ${servicePrincipal}: ${message}`);
        }
      }
      const name = sessionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
      const assumedArn = `arn:aws:sts::${match[1]}:assumed-role/${role.name}/${name}`;
      return issueSession(sessions, { accountId: match[1], arn: assumedArn, userId: `${role.id}:${name}`, roleArn: role.arn }, durationSeconds);
    },
  };
}
