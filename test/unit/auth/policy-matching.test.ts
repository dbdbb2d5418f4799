import { expect } from 'chai';
import { evaluate, type EvaluationInput, type PolicyStatement } from '../../../localcloud/auth/policy/index.js';
import type { Principal } from '../../../localcloud/auth/types.js';
import { ACCOUNT, ROLE_ARN, alice, allow, deny, identity, request, resourcePolicy, session } from './policy-fixtures.js';

interface Case {
  rule: string;
  statement: PolicyStatement;
  action?: string;
  resource: string;
  principal?: Principal;
  context?: EvaluationInput['context'];
  allowed: boolean;
}

const BUCKET = 'arn:aws:s3:::home';

/** Action and resource matching, wildcards and policy variables; each case names the rule it checks. */
const cases: Case[] = [
  // Actions
  { rule: 'action names match case-insensitively', statement: allow('DynamoDB:scan', '*'), action: 'dynamodb:Scan', resource: '*', allowed: true },
  { rule: 'the request’s action case does not matter either', statement: allow('dynamodb:Scan', '*'), action: 'DYNAMODB:SCAN', resource: '*', allowed: true },
  { rule: '"*" as Action matches every action', statement: allow('*', '*'), action: 'iam:CreateUser', resource: '*', allowed: true },
  { rule: 'service:* matches every action of that service only', statement: allow('s3:*', '*'), action: 's3x:GetObject', resource: '*', allowed: false },
  { rule: 'a * inside an action name matches a run of characters', statement: allow('dynamodb:*Item', '*'), action: 'dynamodb:BatchWriteItem', resource: '*', allowed: true },
  { rule: 'a ? in an action matches one character', statement: allow('s3:GetObjec?', '*'), action: 's3:GetObject', resource: '*', allowed: true },
  { rule: 'an action prefix without wildcard does not match longer actions', statement: allow('s3:Get', '*'), action: 's3:GetObject', resource: '*', allowed: false },
  { rule: 'a list of actions matches any of them', statement: allow(['kinesis:PutRecord', 'kinesis:PutRecords'], '*'), action: 'kinesis:PutRecords', resource: '*', allowed: true },

  // Resources
  { rule: 'resource ARNs match case-sensitively', statement: allow('s3:GetObject', `${BUCKET}/Alice/*`), action: 's3:GetObject', resource: `${BUCKET}/alice/a.txt`, allowed: false },
  { rule: 'a trailing * in the resource part matches any key, slashes included', statement: allow('s3:GetObject', `${BUCKET}/*`), action: 's3:GetObject', resource: `${BUCKET}/a/b/c.txt`, allowed: true },
  { rule: 'a * in the middle of the resource part matches across colons', statement: allow('s3:GetObject', `${BUCKET}/a*.txt`), action: 's3:GetObject', resource: `${BUCKET}/a:b.txt`, allowed: true },
  { rule: 'a bucket ARN does not match its objects', statement: allow('s3:GetObject', BUCKET), action: 's3:GetObject', resource: `${BUCKET}/a.txt`, allowed: false },
  {
    rule: 'a * that ends an ARN segment can expand past colons',
    statement: allow('dynamodb:Scan', 'arn:aws:dynamodb:*'),
    resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/T`,
    allowed: true,
  },
  {
    rule: 'a * inside an ARN segment stays within the segment',
    statement: allow('dynamodb:Scan', `arn:aws:dynamodb:us-*1:${ACCOUNT}:table/T`),
    resource: `arn:aws:dynamodb:us-east:x-1:${ACCOUNT}:table/T`,
    allowed: false,
  },
  { rule: 'wildcards in region and account segments match', statement: allow('dynamodb:Scan', 'arn:aws:dynamodb:*:*:table/Sensors'), resource: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/Sensors`, allowed: true },
  { rule: 'a ? in a resource matches one character', statement: allow('dynamodb:Scan', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/T?`), resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/T1`, allowed: true },
  {
    rule: 'a function ARN without qualifier does not match a qualified invocation',
    statement: allow('lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`),
    action: 'lambda:InvokeFunction',
    resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f:live`,
    allowed: false,
  },
  {
    rule: 'function:f* matches the function and its qualifiers',
    statement: allow('lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f*`),
    action: 'lambda:InvokeFunction',
    resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f:live`,
    allowed: true,
  },
  { rule: 'Resource "*" matches actions that name no resource', statement: allow('cloudwatch:PutMetricData', '*'), action: 'cloudwatch:PutMetricData', resource: '*', allowed: true },
  { rule: 'a specific ARN does not match an action that names no resource', statement: allow('cloudwatch:PutMetricData', 'arn:aws:cloudwatch:*'), action: 'cloudwatch:PutMetricData', resource: '*', allowed: false },

  // Policy variables
  { rule: '${aws:username} is the IAM user’s name', statement: allow('s3:GetObject', `${BUCKET}/\${aws:username}/*`), action: 's3:GetObject', resource: `${BUCKET}/alice/a.txt`, allowed: true },
  { rule: '${aws:username} does not match another user’s folder', statement: allow('s3:GetObject', `${BUCKET}/\${aws:username}/*`), action: 's3:GetObject', resource: `${BUCKET}/bob/a.txt`, allowed: false },
  { rule: 'variable names are case-insensitive', statement: allow('s3:GetObject', `${BUCKET}/\${AWS:UserName}/*`), action: 's3:GetObject', resource: `${BUCKET}/alice/a.txt`, allowed: true },
  {
    rule: 'an unresolved variable (no aws:username for a role session) matches nothing',
    statement: allow('s3:GetObject', `${BUCKET}/\${aws:username}/*`),
    action: 's3:GetObject',
    principal: session,
    resource: `${BUCKET}//a.txt`,
    allowed: false,
  },
  {
    rule: '${aws:userid} of a role session is role id and session name',
    statement: allow('s3:GetObject', `${BUCKET}/\${aws:userid}/*`),
    action: 's3:GetObject',
    principal: session,
    resource: `${BUCKET}/AROAWORKEREXAMPLE:job-1/a.txt`,
    allowed: true,
  },
  { rule: '${aws:PrincipalAccount} is the caller’s account', statement: allow('dynamodb:Scan', `arn:aws:dynamodb:*:\${aws:PrincipalAccount}:table/*`), resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/T`, allowed: true },
  {
    rule: 'a variable with a default uses the default when the key is absent',
    statement: allow('s3:GetObject', `${BUCKET}/\${aws:PrincipalTag/team, 'shared'}/*`),
    action: 's3:GetObject',
    resource: `${BUCKET}/shared/a.txt`,
    allowed: true,
  },
  {
    rule: 'a variable with a default uses the request value when present',
    statement: allow('s3:GetObject', `${BUCKET}/\${aws:PrincipalTag/team, 'shared'}/*`),
    action: 's3:GetObject',
    context: { 'aws:PrincipalTag/team': 'iot' },
    resource: `${BUCKET}/shared/a.txt`,
    allowed: false,
  },
  { rule: '${*} is a literal asterisk, not a wildcard', statement: allow('s3:GetObject', `${BUCKET}/\${*}`), action: 's3:GetObject', resource: `${BUCKET}/anything`, allowed: false },
  { rule: '${*} matches a real asterisk', statement: allow('s3:GetObject', `${BUCKET}/\${*}`), action: 's3:GetObject', resource: `${BUCKET}/*`, allowed: true },
  { rule: '${?} and ${$} are literal characters', statement: allow('s3:GetObject', `${BUCKET}/\${?}\${$}`), action: 's3:GetObject', resource: `${BUCKET}/?$`, allowed: true },
  {
    rule: 'a variable’s value is literal: wildcard characters in it match only themselves',
    statement: allow('s3:GetObject', `${BUCKET}/\${s3:prefix}`),
    action: 's3:GetObject',
    context: { 's3:prefix': '*' },
    resource: `${BUCKET}/secret`,
    allowed: false,
  },
  {
    rule: 'variables are substituted in condition values',
    statement: allow('s3:ListBucket', BUCKET, { Condition: { StringLike: { 's3:prefix': ['${aws:username}/*'] } } }),
    action: 's3:ListBucket',
    context: { 's3:prefix': 'alice/photos/' },
    resource: BUCKET,
    allowed: true,
  },
  {
    rule: 'a multivalued key cannot be a variable',
    statement: allow('s3:GetObject', `${BUCKET}/\${aws:TagKeys}/*`),
    action: 's3:GetObject',
    context: { 'aws:TagKeys': ['a'] },
    resource: `${BUCKET}/a/x`,
    allowed: false,
  },
];

describe('policy matching: actions, resources, wildcards, variables', () => {
  for (const c of cases) {
    it(c.rule, () => {
      const input = request({
        principal: c.principal ?? alice,
        action: c.action ?? 'dynamodb:Scan',
        resource: c.resource,
        context: c.context ?? {},
        identityPolicies: [identity(c.statement)],
      });
      expect(evaluate(input).effect).to.equal(c.allowed ? 'Allow' : 'ImplicitDeny');
    });
  }

  it('a resource policy grant to a service is scoped by aws:SourceArn (matching source)', () => {
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`;
    const input = request({
      principal: { kind: 'service', service: 's3.amazonaws.com', arn: 's3.amazonaws.com' },
      action: 'lambda:InvokeFunction',
      resource: fn,
      context: { 'aws:SourceArn': 'arn:aws:s3:::uploads', 'aws:SourceAccount': ACCOUNT },
      resourcePolicy: resourcePolicy(
        allow('lambda:InvokeFunction', fn, {
          Principal: { Service: 's3.amazonaws.com' },
          Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::uploads' }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        }),
      ),
    });
    expect(evaluate(input)).to.include({ effect: 'Allow', decidedBy: 'resource' });
  });

  it('NotPrincipal with Deny exempts a role session when account, role and session are all listed', () => {
    const input = request({
      principal: session,
      identityPolicies: [identity(allow('*'))],
      resourcePolicy: resourcePolicy(deny('*', '*', { NotPrincipal: { AWS: [ROLE_ARN, session.arn, ACCOUNT] } })),
    });
    expect(evaluate(input).effect).to.equal('Allow');
  });

  it('a variable-bearing pattern evaluates per caller (cached matchers do not leak between principals)', () => {
    const statement = allow('s3:GetObject', `${BUCKET}/\${aws:username}/*`);
    const as = (userName: string) =>
      evaluate(
        request({
          principal: { ...alice, userName, arn: `arn:aws:iam::${ACCOUNT}:user/${userName}` } as Principal,
          action: 's3:GetObject',
          resource: `${BUCKET}/alice/a.txt`,
          identityPolicies: [identity(statement)],
        }),
      ).effect;
    expect([as('alice'), as('bob'), as('alice')]).to.deep.equal(['Allow', 'ImplicitDeny', 'Allow']);
  });
});
