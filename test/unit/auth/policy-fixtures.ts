/** Principals, policies and requests the policy evaluator's tests share. */
import type { EvaluationInput, NamedPolicy, PolicyStatement } from '../../../localcloud/auth/policy/index.js';
import type { Principal } from '../../../localcloud/auth/types.js';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Sensors`;
export const OTHER_TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Secrets`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Worker`;

export const alice: Principal = {
  kind: 'user',
  accountId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  userName: 'alice',
  userId: 'AIDAALICEEXAMPLE',
};

export const session: Principal = {
  kind: 'assumed-role',
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Worker/job-1`,
  roleArn: ROLE_ARN,
  roleName: 'Worker',
  sessionName: 'job-1',
  userId: 'AROAWORKEREXAMPLE:job-1',
};

export const root: Principal = { kind: 'root', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` };

export const bob: Principal = {
  kind: 'user',
  accountId: OTHER_ACCOUNT,
  arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/bob`,
  userName: 'bob',
  userId: 'AIDABOBEXAMPLE',
};

export const otherRoot: Principal = { kind: 'root', accountId: OTHER_ACCOUNT, arn: `arn:aws:iam::${OTHER_ACCOUNT}:root` };
export const anonymous: Principal = { kind: 'anonymous', arn: '*' };
export const lambdaService: Principal = { kind: 'service', service: 'lambda.amazonaws.com', arn: 'lambda.amazonaws.com' };

export function allow(action: string | string[], resource: string | string[] = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

export function deny(action: string | string[], resource: string | string[] = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement {
  return { Effect: 'Deny', Action: action, Resource: resource, ...extra };
}

/** A policy as JSON text, the way IAM stores it. */
export function named(id: string, kind: NamedPolicy['kind'], statements: PolicyStatement[], version: string | null = '2012-10-17'): NamedPolicy {
  return { id, kind, document: JSON.stringify({ ...(version ? { Version: version } : {}), Statement: statements }) };
}

export const identity = (...statements: PolicyStatement[]) => named(`inline:user/alice/p${statements.length}`, 'identity', statements);
export const resourcePolicy = (...statements: PolicyStatement[]) => named('resource', 'resource', statements);
export const boundary = (...statements: PolicyStatement[]) => named(`arn:aws:iam::${ACCOUNT}:policy/Boundary`, 'boundary', statements);
export const sessionPolicy = (...statements: PolicyStatement[]) => named('session', 'session', statements);

export function request(overrides: Partial<EvaluationInput> = {}): EvaluationInput {
  return { principal: alice, action: 'dynamodb:Scan', resource: TABLE, context: {}, identityPolicies: [], ...overrides };
}
