import { expect } from 'chai';
import { evaluate, type Decision, type EvaluationInput } from '../../../localcloud/auth/policy/index.js';
import {
  ACCOUNT,
  OTHER_ACCOUNT,
  OTHER_TABLE,
  ROLE_ARN,
  TABLE,
  alice,
  allow,
  anonymous,
  bob,
  boundary,
  deny,
  identity,
  lambdaService,
  named,
  otherRoot,
  request,
  resourcePolicy,
  root,
  session,
  sessionPolicy,
} from './policy-fixtures.js';

interface Case {
  rule: string;
  input: EvaluationInput;
  effect: Decision['effect'];
  decidedBy?: Decision['decidedBy'];
}

const scanTable = allow('dynamodb:Scan', TABLE);
const aliceArn = { AWS: alice.arn };

/** Each case is named by the rule of AWS's policy evaluation logic it checks. */
const cases: Case[] = [
  // Default deny, explicit allow, explicit deny
  { rule: 'requests are implicitly denied when no policy applies', input: request(), effect: 'ImplicitDeny', decidedBy: 'identity' },
  { rule: 'an identity policy Allow for the action and resource allows', input: request({ identityPolicies: [identity(scanTable)] }), effect: 'Allow', decidedBy: 'identity' },
  {
    rule: 'an Allow for another action does not apply',
    input: request({ identityPolicies: [identity(allow('dynamodb:Query', TABLE))] }),
    effect: 'ImplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'an Allow for another resource does not apply',
    input: request({ identityPolicies: [identity(allow('dynamodb:Scan', OTHER_TABLE))] }),
    effect: 'ImplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'an explicit Deny overrides an Allow in the same policy',
    input: request({ identityPolicies: [identity(allow('dynamodb:*'), deny('dynamodb:Scan', TABLE))] }),
    effect: 'ExplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'an explicit Deny in one identity policy overrides an Allow in another',
    input: request({ identityPolicies: [identity(allow('*')), identity(deny('dynamodb:*'))] }),
    effect: 'ExplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'an explicit Deny in the resource policy overrides an identity Allow',
    input: request({ identityPolicies: [identity(scanTable)], resourcePolicy: resourcePolicy(deny('dynamodb:Scan', '*', { Principal: '*' })) }),
    effect: 'ExplicitDeny',
    decidedBy: 'resource',
  },
  {
    rule: 'an explicit Deny in the permissions boundary overrides an identity Allow',
    input: request({ identityPolicies: [identity(scanTable)], permissionsBoundary: boundary(allow('*'), deny('dynamodb:Scan')) }),
    effect: 'ExplicitDeny',
    decidedBy: 'boundary',
  },
  {
    rule: 'an explicit Deny in a session policy overrides the role’s Allow',
    input: request({ principal: session, identityPolicies: [identity(scanTable)], sessionPolicies: [sessionPolicy(allow('*'), deny('dynamodb:Scan'))] }),
    effect: 'ExplicitDeny',
    decidedBy: 'session',
  },
  {
    rule: 'an explicit Deny overrides a resource policy grant to the user',
    input: request({ identityPolicies: [identity(deny('dynamodb:Scan'))], resourcePolicy: resourcePolicy(allow('dynamodb:Scan', '*', { Principal: aliceArn })) }),
    effect: 'ExplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'a Deny whose condition does not hold does not apply',
    input: request({
      identityPolicies: [identity(allow('*'), deny('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }))],
      context: { 'aws:SecureTransport': 'true' },
    }),
    effect: 'Allow',
  },

  // NotAction / NotResource
  {
    rule: 'NotAction with Allow allows every action not listed',
    input: request({ identityPolicies: [identity({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] }),
    effect: 'Allow',
  },
  {
    rule: 'NotAction with Allow does not allow a listed action',
    input: request({ action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/eve`, identityPolicies: [identity({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] }),
    effect: 'ImplicitDeny',
  },
  {
    rule: 'NotAction with Deny denies every action not listed',
    input: request({ identityPolicies: [identity(allow('*'), { Effect: 'Deny', NotAction: ['s3:*', 'kinesis:*'], Resource: '*' })] }),
    effect: 'ExplicitDeny',
  },
  {
    rule: 'NotAction with Deny leaves listed actions to the Allow',
    input: request({ action: 'kinesis:PutRecords', identityPolicies: [identity(allow('*'), { Effect: 'Deny', NotAction: ['s3:*', 'kinesis:*'], Resource: '*' })] }),
    effect: 'Allow',
  },
  {
    rule: 'NotResource with Allow allows every resource not listed',
    input: request({ identityPolicies: [identity({ Effect: 'Allow', Action: 'dynamodb:*', NotResource: OTHER_TABLE })] }),
    effect: 'Allow',
  },
  {
    rule: 'NotResource with Allow does not allow a listed resource',
    input: request({ resource: OTHER_TABLE, identityPolicies: [identity({ Effect: 'Allow', Action: 'dynamodb:*', NotResource: OTHER_TABLE })] }),
    effect: 'ImplicitDeny',
  },
  {
    rule: 'NotResource with Deny denies everything outside the listed resources',
    input: request({ resource: OTHER_TABLE, identityPolicies: [identity(allow('*'), { Effect: 'Deny', Action: '*', NotResource: TABLE })] }),
    effect: 'ExplicitDeny',
  },

  // Resource-based policies within one account
  {
    rule: 'same account: a resource policy naming the user allows without an identity policy',
    input: request({ resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: aliceArn })) }),
    effect: 'Allow',
    decidedBy: 'resource',
  },
  {
    rule: 'same account: a resource policy naming the user is not limited by the permissions boundary',
    input: request({ resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: aliceArn })), permissionsBoundary: boundary(allow('s3:*')) }),
    effect: 'Allow',
    decidedBy: 'resource',
  },
  {
    rule: 'same account: a resource policy naming only the account delegates to identity policies',
    input: request({ resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: ACCOUNT } })) }),
    effect: 'ImplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'same account: an account grant plus an identity Allow allows',
    input: request({
      identityPolicies: [identity(scanTable)],
      resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })),
    }),
    effect: 'Allow',
  },
  {
    rule: 'same account: a resource policy naming someone else grants nothing',
    input: request({ resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: bob.arn } })) }),
    effect: 'ImplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'same account: Principal "*" grants to every caller',
    input: request({ resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: '*' })) }),
    effect: 'Allow',
    decidedBy: 'resource',
  },
  {
    rule: 'same account: Principal {"AWS": "*"} is the same as "*"',
    input: request({ resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: '*' } })) }),
    effect: 'Allow',
  },
  {
    rule: 'role session: a resource policy naming the session ARN grants directly, despite the boundary',
    input: request({
      principal: session,
      resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: session.arn } })),
      permissionsBoundary: boundary(allow('s3:*')),
      sessionPolicies: [sessionPolicy(allow('s3:*'))],
    }),
    effect: 'Allow',
    decidedBy: 'resource',
  },
  {
    rule: 'role session: a resource policy naming the role ARN allows without an identity policy',
    input: request({ principal: session, resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: ROLE_ARN } })) }),
    effect: 'Allow',
    decidedBy: 'resource',
  },
  {
    rule: 'role session: a resource policy naming the role ARN is limited by the permissions boundary',
    input: request({
      principal: session,
      resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: ROLE_ARN } })),
      permissionsBoundary: boundary(allow('s3:*')),
    }),
    effect: 'ImplicitDeny',
    decidedBy: 'boundary',
  },
  {
    rule: 'role session: a resource policy naming the role ARN is limited by session policies',
    input: request({
      principal: session,
      resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: ROLE_ARN } })),
      sessionPolicies: [sessionPolicy(allow('s3:*'))],
    }),
    effect: 'ImplicitDeny',
    decidedBy: 'session',
  },
  {
    rule: 'role session: a role ARN grant within the boundary and session policy allows',
    input: request({
      principal: session,
      resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: ROLE_ARN } })),
      permissionsBoundary: boundary(allow('dynamodb:*')),
      sessionPolicies: [sessionPolicy(allow('dynamodb:Scan'))],
    }),
    effect: 'Allow',
  },

  // Permissions boundaries and session policies
  {
    rule: 'boundary: effective permissions are the intersection of identity policy and boundary',
    input: request({ identityPolicies: [identity(allow('dynamodb:*'))], permissionsBoundary: boundary(allow('dynamodb:Scan')) }),
    effect: 'Allow',
    decidedBy: 'identity',
  },
  {
    rule: 'boundary: an action the boundary does not allow is implicitly denied',
    input: request({ identityPolicies: [identity(allow('dynamodb:*'))], permissionsBoundary: boundary(allow('s3:*')) }),
    effect: 'ImplicitDeny',
    decidedBy: 'boundary',
  },
  {
    rule: 'boundary: a boundary alone grants nothing',
    input: request({ permissionsBoundary: boundary(allow('*')) }),
    effect: 'ImplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'session policy: the session gets the intersection of the role’s policies and the session policy',
    input: request({ principal: session, identityPolicies: [identity(allow('dynamodb:*'))], sessionPolicies: [sessionPolicy(allow('dynamodb:Scan'))] }),
    effect: 'Allow',
  },
  {
    rule: 'session policy: an action outside the session policy is implicitly denied',
    input: request({ principal: session, identityPolicies: [identity(allow('dynamodb:*'))], sessionPolicies: [sessionPolicy(allow('dynamodb:GetItem'))] }),
    effect: 'ImplicitDeny',
    decidedBy: 'session',
  },
  {
    rule: 'session policy: a session policy alone grants nothing',
    input: request({ principal: session, sessionPolicies: [sessionPolicy(allow('*'))] }),
    effect: 'ImplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'session policy: the assumed-role principal’s own sessionPolicy applies by default',
    input: request({
      principal: { ...session, sessionPolicy: JSON.stringify({ Version: '2012-10-17', Statement: allow('s3:GetObject') }) } as typeof session,
      identityPolicies: [identity(allow('dynamodb:*'))],
    }),
    effect: 'ImplicitDeny',
    decidedBy: 'session',
  },
  {
    rule: 'session policy: several session policies are alternatives',
    input: request({ principal: session, identityPolicies: [identity(allow('*'))], sessionPolicies: [sessionPolicy(allow('s3:*')), sessionPolicy(allow('dynamodb:Scan'))] }),
    effect: 'Allow',
  },

  // Cross-account
  {
    rule: 'cross-account: the identity policy alone is not enough',
    input: request({ principal: bob, resourceAccountId: ACCOUNT, identityPolicies: [identity(scanTable)] }),
    effect: 'ImplicitDeny',
    decidedBy: 'resource',
  },
  {
    rule: 'cross-account: the resource policy alone is not enough',
    input: request({ principal: bob, resourceAccountId: ACCOUNT, resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: bob.arn } })) }),
    effect: 'ImplicitDeny',
    decidedBy: 'identity',
  },
  {
    rule: 'cross-account: identity policy and resource policy naming the user together allow',
    input: request({
      principal: bob,
      resourceAccountId: ACCOUNT,
      identityPolicies: [identity(scanTable)],
      resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: bob.arn } })),
    }),
    effect: 'Allow',
  },
  {
    rule: 'cross-account: a resource policy naming the caller’s account suffices for the resource side',
    input: request({
      principal: bob,
      resourceAccountId: ACCOUNT,
      identityPolicies: [identity(scanTable)],
      resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: OTHER_ACCOUNT } })),
    }),
    effect: 'Allow',
  },
  {
    rule: 'cross-account: the caller’s permissions boundary still limits',
    input: request({
      principal: bob,
      resourceAccountId: ACCOUNT,
      identityPolicies: [identity(scanTable)],
      resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: bob.arn } })),
      permissionsBoundary: boundary(allow('s3:*')),
    }),
    effect: 'ImplicitDeny',
    decidedBy: 'boundary',
  },
  {
    rule: 'cross-account: the other account’s root needs the resource policy',
    input: request({ principal: otherRoot, resourceAccountId: ACCOUNT }),
    effect: 'ImplicitDeny',
    decidedBy: 'resource',
  },
  {
    rule: 'cross-account: the other account’s root is allowed when the resource policy names its account',
    input: request({ principal: otherRoot, resourceAccountId: ACCOUNT, resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: OTHER_ACCOUNT } })) }),
    effect: 'Allow',
  },

  // Root, anonymous and service principals
  { rule: 'root: the account root is allowed without any policy', input: request({ principal: root }), effect: 'Allow' },
  {
    rule: 'root: identity policies do not apply to the root',
    input: request({ principal: root, identityPolicies: [identity(deny('*'))] }),
    effect: 'Allow',
  },
  {
    rule: 'root: an explicit Deny in a resource policy applies to the root',
    input: request({ principal: root, resourcePolicy: resourcePolicy(deny('dynamodb:Scan', '*', { Principal: { AWS: ACCOUNT } })) }),
    effect: 'ExplicitDeny',
    decidedBy: 'resource',
  },
  { rule: 'anonymous: denied without a resource policy', input: request({ principal: anonymous }), effect: 'ImplicitDeny', decidedBy: 'resource' },
  {
    rule: 'anonymous: allowed by a resource policy granting "*"',
    input: request({ principal: anonymous, action: 's3:GetObject', resource: 'arn:aws:s3:::site/index.html', resourcePolicy: resourcePolicy(allow('s3:GetObject', 'arn:aws:s3:::site/*', { Principal: '*' })) }),
    effect: 'Allow',
  },
  {
    rule: 'anonymous: a resource policy naming an account does not grant anonymous callers',
    input: request({ principal: anonymous, resourcePolicy: resourcePolicy(allow('dynamodb:Scan', TABLE, { Principal: { AWS: ACCOUNT } })) }),
    effect: 'ImplicitDeny',
  },
  {
    rule: 'service principal: a trust policy naming lambda.amazonaws.com lets Lambda assume the role',
    input: request({
      principal: lambdaService,
      action: 'sts:AssumeRole',
      resource: ROLE_ARN,
      resourcePolicy: resourcePolicy({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    }),
    effect: 'Allow',
  },
  {
    rule: 'service principal: a trust policy naming another service does not',
    input: request({
      principal: lambdaService,
      action: 'sts:AssumeRole',
      resource: ROLE_ARN,
      resourcePolicy: resourcePolicy({ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'states.amazonaws.com'] }, Action: 'sts:AssumeRole' }),
    }),
    effect: 'ImplicitDeny',
    decidedBy: 'resource',
  },
  {
    rule: 'service principal: a function policy grant is scoped by aws:SourceArn',
    input: request({
      principal: { kind: 'service', service: 's3.amazonaws.com', arn: 's3.amazonaws.com' },
      action: 'lambda:InvokeFunction',
      resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`,
      context: { 'aws:SourceArn': 'arn:aws:s3:::other-bucket' },
      resourcePolicy: resourcePolicy(
        allow('lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`, {
          Principal: { Service: 's3.amazonaws.com' },
          Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::uploads' } },
        }),
      ),
    }),
    effect: 'ImplicitDeny',
  },
  {
    rule: 'sts:AssumeRole in one account: a trust policy naming the user grants directly',
    input: request({ action: 'sts:AssumeRole', resource: ROLE_ARN, resourcePolicy: resourcePolicy({ Effect: 'Allow', Principal: aliceArn, Action: 'sts:AssumeRole' }) }),
    effect: 'Allow',
  },
  {
    rule: 'sts:AssumeRole across accounts: a trust policy naming the account needs the caller’s identity Allow',
    input: request({
      principal: bob,
      action: 'sts:AssumeRole',
      resource: ROLE_ARN,
      resourceAccountId: ACCOUNT,
      identityPolicies: [identity(allow('sts:AssumeRole', ROLE_ARN))],
      resourcePolicy: resourcePolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }),
    }),
    effect: 'Allow',
  },

  // NotPrincipal
  {
    rule: 'NotPrincipal with Deny exempts a user listed together with the account',
    input: request({ identityPolicies: [identity(allow('*'))], resourcePolicy: resourcePolicy(deny('*', '*', { NotPrincipal: { AWS: [alice.arn, ACCOUNT] } })) }),
    effect: 'Allow',
  },
  {
    rule: 'NotPrincipal with Deny still denies a user listed without the account',
    input: request({ identityPolicies: [identity(allow('*'))], resourcePolicy: resourcePolicy(deny('*', '*', { NotPrincipal: { AWS: alice.arn } })) }),
    effect: 'ExplicitDeny',
  },
  {
    rule: 'NotPrincipal with Deny exempts a role session only when role and session ARNs are listed',
    input: request({
      principal: session,
      identityPolicies: [identity(allow('*'))],
      resourcePolicy: resourcePolicy(deny('*', '*', { NotPrincipal: { AWS: [ROLE_ARN, `arn:aws:iam::${ACCOUNT}:root`] } })),
    }),
    effect: 'ExplicitDeny',
  },
  {
    rule: 'NotPrincipal with Deny denies everyone not listed',
    input: request({ principal: bob, resourceAccountId: ACCOUNT, identityPolicies: [identity(allow('*'))], resourcePolicy: resourcePolicy(allow('*', '*', { Principal: '*' }), deny('*', '*', { NotPrincipal: { AWS: [alice.arn, ACCOUNT] } })) }),
    effect: 'ExplicitDeny',
  },

  // Documents
  {
    rule: 'an invalid policy document grants nothing instead of failing the request',
    input: request({ identityPolicies: [{ id: 'broken', kind: 'identity', document: '{"Statement": [' }, identity(allow('s3:*'))] }),
    effect: 'ImplicitDeny',
  },
  {
    rule: 'a statement with an unknown condition operator never applies',
    input: request({ identityPolicies: [identity(allow('*', '*', { Condition: { StringEqualz: { 'aws:username': 'alice' } } }))] }),
    effect: 'ImplicitDeny',
  },
  {
    rule: 'Statement may be a single object rather than a list',
    input: request({ identityPolicies: [{ id: 'p', kind: 'identity', document: JSON.stringify({ Version: '2012-10-17', Statement: scanTable }) }] }),
    effect: 'Allow',
  },
  {
    rule: 'a policy given as an object (not text) is evaluated the same way',
    input: request({ identityPolicies: [{ id: 'p', kind: 'identity', document: { Version: '2012-10-17', Statement: [scanTable] } }] }),
    effect: 'Allow',
  },
  {
    rule: 'Version 2008-10-17 has no policy variables: ${aws:username} is literal text',
    input: request({
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::home/alice/notes.txt',
      identityPolicies: [named('p', 'identity', [allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*')], '2008-10-17')],
    }),
    effect: 'ImplicitDeny',
  },
  {
    rule: 'a document without Version defaults to 2008-10-17 (no variables)',
    input: request({
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::home/alice/notes.txt',
      identityPolicies: [named('p', 'identity', [allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*')], null)],
    }),
    effect: 'ImplicitDeny',
  },
];

describe('policy evaluation logic', () => {
  for (const c of cases) {
    it(c.rule, () => {
      const decision = evaluate(c.input);
      expect(decision.effect).to.equal(c.effect);
      if (c.decidedBy) expect(decision.decidedBy).to.equal(c.decidedBy);
    });
  }

  it('reports the statement that allowed: policy id, Sid and index', () => {
    const policy = named('arn:aws:iam::111122223333:policy/Reader', 'identity', [allow('s3:*'), { ...scanTable, Sid: 'ScanSensors' }]);
    expect(evaluate(request({ identityPolicies: [policy] })).statement).to.deep.equal({ policyId: 'arn:aws:iam::111122223333:policy/Reader', sid: 'ScanSensors', index: 1 });
  });

  it('reports the statement that denied, even when an Allow came first', () => {
    const policy = named('inline:user/alice/guard', 'identity', [allow('*'), deny('dynamodb:Scan')]);
    expect(evaluate(request({ identityPolicies: [policy] }))).to.deep.equal({
      effect: 'ExplicitDeny',
      decidedBy: 'identity',
      statement: { policyId: 'inline:user/alice/guard', index: 1 },
    });
  });
});
