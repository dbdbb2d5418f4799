import { expect } from 'chai';
import { denialMessage, evaluate, type EvaluationInput } from '../../../localcloud/auth/policy/index.js';
import { ACCOUNT, TABLE, alice, allow, anonymous, bob, boundary, deny, identity, request, resourcePolicy, session, sessionPolicy } from './policy-fixtures.js';

/** The message AWS would answer with for this request. */
const messageFor = (input: EvaluationInput) => denialMessage(input, evaluate(input));
const aliceArn = `arn:aws:iam::${ACCOUNT}:user/alice`;

describe('policy denial messages (AWS wording)', () => {
  it('implicit deny by identity policies', () => {
    expect(messageFor(request())).to.equal(
      `User: ${aliceArn} is not authorized to perform: dynamodb:Scan on resource: ${TABLE} because no identity-based policy allows the dynamodb:Scan action`,
    );
  });

  it('explicit deny in an identity-based policy', () => {
    expect(messageFor(request({ identityPolicies: [identity(allow('*'), deny('dynamodb:Scan'))] }))).to.equal(
      `User: ${aliceArn} is not authorized to perform: dynamodb:Scan on resource: ${TABLE} with an explicit deny in an identity-based policy`,
    );
  });

  it('explicit deny in a resource-based policy', () => {
    const input = request({ identityPolicies: [identity(allow('*'))], resourcePolicy: resourcePolicy(deny('*', '*', { Principal: '*' })) });
    expect(messageFor(input)).to.match(/ with an explicit deny in a resource-based policy$/);
  });

  it('implicit deny across accounts by the resource policy', () => {
    const input = request({ principal: bob, resourceAccountId: ACCOUNT, identityPolicies: [identity(allow('*'))] });
    expect(messageFor(input)).to.equal(
      `User: ${bob.arn} is not authorized to perform: dynamodb:Scan on resource: ${TABLE} because no resource-based policy allows the dynamodb:Scan action`,
    );
  });

  it('implicit deny by a session policy names the assumed-role session', () => {
    const input = request({ principal: session, identityPolicies: [identity(allow('*'))], sessionPolicies: [sessionPolicy(allow('s3:*'))] });
    expect(messageFor(input)).to.equal(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/Worker/job-1 is not authorized to perform: dynamodb:Scan on resource: ${TABLE} because no session policy allows the dynamodb:Scan action`,
    );
  });

  it('implicit deny by the permissions boundary', () => {
    const input = request({ identityPolicies: [identity(allow('*'))], permissionsBoundary: boundary(allow('s3:*')) });
    expect(messageFor(input)).to.match(/ because no permissions boundary allows the dynamodb:Scan action$/);
  });

  it('explicit deny in a permissions boundary and in a session policy', () => {
    const byBoundary = request({ identityPolicies: [identity(allow('*'))], permissionsBoundary: boundary(deny('*')) });
    const bySession = request({ principal: session, identityPolicies: [identity(allow('*'))], sessionPolicies: [sessionPolicy(deny('*'))] });
    expect(messageFor(byBoundary)).to.match(/ with an explicit deny in a permissions boundary$/);
    expect(messageFor(bySession)).to.match(/ with an explicit deny in a session policy$/);
  });

  it('an action that names no resource leaves out "on resource"', () => {
    expect(messageFor(request({ action: 'cloudwatch:PutMetricData', resource: '*' }))).to.equal(
      `User: ${aliceArn} is not authorized to perform: cloudwatch:PutMetricData because no identity-based policy allows the cloudwatch:PutMetricData action`,
    );
  });

  it('an anonymous caller is named "anonymous"', () => {
    expect(messageFor(request({ principal: anonymous, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }))).to.equal(
      'User: anonymous is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no resource-based policy allows the s3:GetObject action',
    );
  });

  it('refuses to word an Allow as a denial', () => {
    const input = request({ principal: alice, identityPolicies: [identity(allow('*'))] });
    expect(() => messageFor(input)).to.throw(/was allowed/);
  });
});
