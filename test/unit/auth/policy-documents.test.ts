import { expect } from 'chai';
import { evaluate, leastPrivilegePolicy, parsePolicy, PolicyValidationError, type PolicyKind } from '../../../localcloud/auth/policy/index.js';
import { ACCOUNT, TABLE, named, request } from './policy-fixtures.js';

const doc = (statement: unknown, extra: Record<string, unknown> = { Version: '2012-10-17' }) => JSON.stringify({ ...extra, Statement: statement });

describe('policy documents: validation', () => {
  const invalid: Array<[string, string, PolicyKind, RegExp]> = [
    ['text that is not JSON', '{"Version":', 'identity', /invalid Json/],
    ['an unknown Version', doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Version: '2020-01-01' }), 'identity', /legacy parsing/],
    ['a document without Statement', JSON.stringify({ Version: '2012-10-17' }), 'identity', /Missing required field Statement/],
    ['a statement without Effect', doc({ Action: '*', Resource: '*' }), 'identity', /Missing required field Effect/],
    ['an Effect other than Allow or Deny', doc({ Effect: 'Permit', Action: '*', Resource: '*' }), 'identity', /Invalid effect/],
    ['an action without a service prefix', doc({ Effect: 'Allow', Action: 'Scan', Resource: '*' }), 'identity', /prefaced by a vendor/],
    ['both Action and NotAction', doc({ Effect: 'Allow', Action: '*', NotAction: 's3:*', Resource: '*' }), 'identity', /both Action and NotAction/],
    ['an identity policy naming a principal', doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'identity', /should not specify a principal/],
    ['an identity policy without Resource', doc({ Effect: 'Allow', Action: '*' }), 'boundary', /must contain resources/],
    ['a resource policy without Principal', doc({ Effect: 'Allow', Action: '*', Resource: '*' }), 'resource', /Missing required field Principal/],
    ['an unknown statement field', doc({ Effect: 'Allow', Action: '*', Resource: '*', Condtion: {} }), 'identity', /Unknown field Condtion/],
  ];
  for (const [what, text, kind, message] of invalid) {
    it(`rejects ${what}`, () => {
      expect(() => parsePolicy(text, kind)).to.throw(PolicyValidationError, message);
    });
  }

  it('accepts a trust policy without Resource', () => {
    const trust = doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
    expect(parsePolicy(trust, 'resource').statements).to.have.length(1);
  });

  it('notes an unknown condition operator as a warning, not an error', () => {
    const text = doc({ Sid: 'Odd', Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { 'aws:username': 'x' } } });
    expect(parsePolicy(text, 'identity').warnings).to.deep.equal(['statement Odd: unknown condition operator StringEqualz; the statement never applies']);
  });

  it('compiles a policy text once and reuses it', () => {
    const text = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    expect(parsePolicy(text, 'identity')).to.equal(parsePolicy(`${text}`, 'identity'));
  });

  it('re-validates the same text for another kind of policy', () => {
    const text = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    expect(() => parsePolicy(text, 'identity')).not.to.throw();
    expect(() => parsePolicy(text, 'resource')).to.throw(PolicyValidationError);
  });
});

describe('leastPrivilegePolicy', () => {
  const table = (name: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`;

  it('groups actions by resource and resources by action set', () => {
    const policy = leastPrivilegePolicy([
      { action: 'dynamodb:PutItem', resource: table('A') },
      { action: 'dynamodb:GetItem', resource: table('A') },
      { action: 'dynamodb:GetItem', resource: table('B') },
      { action: 'dynamodb:PutItem', resource: table('B') },
      { action: 'dynamodb:putitem', resource: table('B') },
      { action: 'cloudwatch:PutMetricData', resource: '*' },
      { action: 'kinesis:PutRecords', resource: 'arn:aws:kinesis:us-east-1:111122223333:stream/S' },
    ]);
    expect(policy).to.deep.equal({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' },
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: [table('A'), table('B')] },
        { Effect: 'Allow', Action: 'kinesis:PutRecords', Resource: 'arn:aws:kinesis:us-east-1:111122223333:stream/S' },
      ],
    });
  });

  it('is a valid identity policy that allows exactly what was used', () => {
    const used = [
      { action: 'dynamodb:PutItem', resource: table('A') },
      { action: 'dynamodb:GetItem', resource: table('B') },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/weird*name?$x' },
    ];
    const policy = named('report', 'identity', leastPrivilegePolicy(used).Statement as never);
    const decide = (action: string, resource: string) => evaluate(request({ action, resource, identityPolicies: [policy] })).effect;
    for (const { action, resource } of used) expect(decide(action, resource), `${action} ${resource}`).to.equal('Allow');
    expect(decide('dynamodb:GetItem', table('A'))).to.equal('ImplicitDeny');
    expect(decide('dynamodb:PutItem', table('B'))).to.equal('ImplicitDeny');
    expect(decide('dynamodb:PutItem', TABLE)).to.equal('ImplicitDeny');
    expect(decide('s3:GetObject', 'arn:aws:s3:::b/weirdXnameY$x')).to.equal('ImplicitDeny');
  });

  it('an empty usage gives a policy with no statements', () => {
    expect(leastPrivilegePolicy([])).to.deep.equal({ Version: '2012-10-17', Statement: [] });
  });
});
