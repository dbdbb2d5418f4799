import { expect } from 'chai';
import { evaluate, type ContextValue, type PolicyStatement } from '../../../localcloud/auth/policy/index.js';
import type { Principal } from '../../../localcloud/auth/types.js';
import { alice, allow, identity, request, session } from './policy-fixtures.js';

type ConditionBlock = NonNullable<PolicyStatement['Condition']>;

/** Whether an Allow statement with this Condition block applies to a request with this context. */
function holds(condition: ConditionBlock, context: Record<string, ContextValue>, principal: Principal = alice): boolean {
  return evaluate(request({ principal, context, identityPolicies: [identity(allow('*', '*', { Condition: condition }))] })).effect === 'Allow';
}

interface Case {
  rule: string;
  condition: ConditionBlock;
  context: Record<string, ContextValue>;
  holds: boolean;
  principal?: Principal;
}

const TAGS = 'aws:TagKeys';

/** Each case is named by the documented rule of IAM's condition operators it checks. */
const cases: Case[] = [
  // String
  { rule: 'StringEquals matches exactly', condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } }, context: { 'aws:RequestedRegion': 'us-east-1' }, holds: true },
  { rule: 'StringEquals is case-sensitive in the value', condition: { StringEquals: { 'aws:RequestedRegion': 'US-EAST-1' } }, context: { 'aws:RequestedRegion': 'us-east-1' }, holds: false },
  { rule: 'condition key names are case-insensitive', condition: { StringEquals: { 'AWS:REQUESTEDREGION': 'us-east-1' } }, context: { 'aws:requestedregion': 'us-east-1' }, holds: true },
  { rule: 'several values for one key are OR’ed', condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, context: { 'aws:RequestedRegion': 'us-east-1' }, holds: true },
  {
    rule: 'several keys under one operator are AND’ed',
    condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1', 's3:prefix': 'home/' } },
    context: { 'aws:RequestedRegion': 'us-east-1', 's3:prefix': 'public/' },
    holds: false,
  },
  {
    rule: 'several operators in one block are AND’ed',
    condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' }, Bool: { 'aws:SecureTransport': 'true' } },
    context: { 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'false' },
    holds: false,
  },
  { rule: 'a positive operator on a missing key does not hold', condition: { StringEquals: { 's3:prefix': 'home/' } }, context: {}, holds: false },
  { rule: 'StringNotEquals holds when the value matches none of the listed values', condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } }, context: { 'aws:RequestedRegion': 'us-east-1' }, holds: true },
  { rule: 'StringNotEquals fails when the value matches one listed value', condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, context: { 'aws:RequestedRegion': 'us-east-1' }, holds: false },
  { rule: 'a negated operator on a missing key holds', condition: { StringNotEquals: { 's3:prefix': 'home/' } }, context: {}, holds: true },
  { rule: 'StringEqualsIgnoreCase ignores case', condition: { StringEqualsIgnoreCase: { 'aws:RequestedRegion': 'US-East-1' } }, context: { 'aws:RequestedRegion': 'us-east-1' }, holds: true },
  { rule: 'StringNotEqualsIgnoreCase ignores case', condition: { StringNotEqualsIgnoreCase: { 'aws:RequestedRegion': 'US-East-1' } }, context: { 'aws:RequestedRegion': 'us-east-1' }, holds: false },
  { rule: 'StringLike: * matches any run of characters, including /', condition: { StringLike: { 's3:prefix': 'home/*' } }, context: { 's3:prefix': 'home/alice/docs/' }, holds: true },
  { rule: 'StringLike: ? matches exactly one character', condition: { StringLike: { 's3:prefix': 'log-20??' } }, context: { 's3:prefix': 'log-2026' }, holds: true },
  { rule: 'StringLike: ? does not match two characters', condition: { StringLike: { 's3:prefix': 'log-20?' } }, context: { 's3:prefix': 'log-2026' }, holds: false },
  { rule: 'StringLike is case-sensitive', condition: { StringLike: { 's3:prefix': 'Home/*' } }, context: { 's3:prefix': 'home/x' }, holds: false },
  { rule: 'StringNotLike holds when no pattern matches', condition: { StringNotLike: { 's3:prefix': ['tmp/*', 'cache/*'] } }, context: { 's3:prefix': 'home/x' }, holds: true },
  { rule: 'StringNotLike on a missing key holds', condition: { StringNotLike: { 's3:prefix': 'tmp/*' } }, context: {}, holds: true },

  // Numeric
  { rule: 'NumericLessThan compares numbers, not text', condition: { NumericLessThan: { 's3:max-keys': '100' } }, context: { 's3:max-keys': '20' }, holds: true },
  { rule: 'NumericLessThanEquals includes the bound', condition: { NumericLessThanEquals: { 's3:max-keys': 10 } }, context: { 's3:max-keys': '10' }, holds: true },
  { rule: 'NumericGreaterThan excludes the bound', condition: { NumericGreaterThan: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '10' }, holds: false },
  { rule: 'NumericGreaterThanEquals includes the bound', condition: { NumericGreaterThanEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '10.0' }, holds: true },
  { rule: 'NumericEquals compares values (10 = 10.0)', condition: { NumericEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '10.0' }, holds: true },
  { rule: 'NumericNotEquals holds for another number', condition: { NumericNotEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '11' }, holds: true },
  { rule: 'a numeric operator does not match a value that is not a number', condition: { NumericLessThan: { 's3:max-keys': '100' } }, context: { 's3:max-keys': 'many' }, holds: false },

  // Date
  { rule: 'DateLessThan compares ISO 8601 times', condition: { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, context: { 'aws:CurrentTime': '2026-12-06T10:00:00Z' }, holds: true },
  { rule: 'DateGreaterThan compares ISO 8601 times', condition: { DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, context: { 'aws:CurrentTime': '2026-12-06T10:00:00Z' }, holds: false },
  { rule: 'Date operators accept epoch seconds', condition: { DateGreaterThanEquals: { 'aws:EpochTime': '1700000000' } }, context: { 'aws:EpochTime': '1800000000' }, holds: true },
  { rule: 'DateEquals compares instants across notations', condition: { DateEquals: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, context: { 'aws:CurrentTime': '2026-01-01T01:00:00+01:00' }, holds: true },
  { rule: 'DateNotEquals holds for another instant', condition: { DateNotEquals: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, context: { 'aws:CurrentTime': '2026-01-02T00:00:00Z' }, holds: true },
  { rule: 'aws:CurrentTime defaults to the evaluation time', condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2999-01-01T00:00:00Z' } }, context: {}, holds: true },

  // Bool, Binary
  { rule: 'Bool matches true', condition: { Bool: { 'aws:SecureTransport': 'true' } }, context: { 'aws:SecureTransport': 'true' }, holds: true },
  { rule: 'Bool accepts a JSON boolean in the policy', condition: { Bool: { 'aws:SecureTransport': false } }, context: { 'aws:SecureTransport': 'false' }, holds: true },
  { rule: 'Bool does not match the other value', condition: { Bool: { 'aws:SecureTransport': 'true' } }, context: { 'aws:SecureTransport': 'false' }, holds: false },
  { rule: 'Bool on a missing key does not hold', condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } }, context: {}, holds: false },
  { rule: 'BinaryEquals compares base64 values', condition: { BinaryEquals: { 'x:blob': 'QmluYXJ5VmFsdWU=' } }, context: { 'x:blob': 'QmluYXJ5VmFsdWU=' }, holds: true },

  // IP addresses
  { rule: 'IpAddress matches an address inside the IPv4 CIDR', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, context: { 'aws:SourceIp': '203.0.113.77' }, holds: true },
  { rule: 'IpAddress does not match outside the CIDR', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, context: { 'aws:SourceIp': '203.0.114.1' }, holds: false },
  { rule: 'IpAddress: an address without a prefix is a single host', condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1' } }, context: { 'aws:SourceIp': '127.0.0.1' }, holds: true },
  { rule: 'IpAddress matches IPv6 CIDRs', condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, context: { 'aws:SourceIp': '2001:db8:1234::1' }, holds: true },
  { rule: 'IpAddress: an IPv6 address is not inside an IPv4 range', condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, context: { 'aws:SourceIp': '::1' }, holds: false },
  { rule: 'IpAddress: an IPv4-mapped IPv6 address counts as IPv4', condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, context: { 'aws:SourceIp': '::ffff:10.1.2.3' }, holds: true },
  { rule: 'NotIpAddress holds outside every listed range', condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } }, context: { 'aws:SourceIp': '203.0.113.1' }, holds: true },
  { rule: 'NotIpAddress fails inside a listed range', condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } }, context: { 'aws:SourceIp': '192.168.1.1' }, holds: false },

  // ARN
  { rule: 'ArnEquals matches the same ARN', condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::uploads' } }, context: { 'aws:SourceArn': 'arn:aws:s3:::uploads' }, holds: true },
  { rule: 'ArnLike matches wildcards per component', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:111122223333:alerts-*' } }, context: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:111122223333:alerts-prod' }, holds: true },
  { rule: 'ArnLike: a wildcard does not cross into another component', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:111122223333:alerts' } }, context: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:extra:111122223333:alerts' }, holds: false },
  { rule: 'ArnLike: a pattern that is not a six-component ARN matches nothing', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:eu*:alerts' } }, context: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:111122223333:alerts' }, holds: false },
  { rule: 'ArnLike: "*" alone matches any ARN', condition: { ArnLike: { 'aws:SourceArn': '*' } }, context: { 'aws:SourceArn': 'arn:aws:s3:::uploads' }, holds: true },
  { rule: 'ArnLike: the resource component keeps its colons', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:111122223333:function:f*' } }, context: { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:111122223333:function:f:live' }, holds: true },
  { rule: 'ArnLike does not match a value that is not an ARN', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::*' } }, context: { 'aws:SourceArn': 'uploads' }, holds: false },
  { rule: 'ArnNotLike holds when the ARN matches no pattern', condition: { ArnNotLike: { 'aws:SourceArn': 'arn:aws:s3:::private-*' } }, context: { 'aws:SourceArn': 'arn:aws:s3:::uploads' }, holds: true },
  { rule: 'ArnNotEquals on a missing key holds', condition: { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:s3:::uploads' } }, context: {}, holds: true },

  // Null and IfExists
  { rule: 'Null true holds when the key is absent', condition: { Null: { 'aws:TokenIssueTime': 'true' } }, context: {}, holds: true },
  { rule: 'Null true fails when the key is present', condition: { Null: { 'aws:TokenIssueTime': 'true' } }, context: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' }, holds: false },
  { rule: 'Null false holds when the key is present', condition: { Null: { 'aws:TokenIssueTime': 'false' } }, context: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' }, holds: true },
  { rule: 'Null counts an empty multivalued key as absent', condition: { Null: { [TAGS]: 'true' } }, context: { [TAGS]: [] }, holds: true },
  { rule: '…IfExists holds when the key is absent', condition: { StringEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } }, context: {}, holds: true },
  { rule: '…IfExists still compares when the key is present', condition: { StringEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } }, context: { 'ec2:InstanceType': 'm5.large' }, holds: false },
  { rule: 'a negated …IfExists operator compares when present', condition: { StringNotLikeIfExists: { 's3:prefix': 'tmp/*' } }, context: { 's3:prefix': 'tmp/x' }, holds: false },

  // Set operators and multivalued keys
  { rule: 'ForAllValues holds when every request value matches a listed value', condition: { 'ForAllValues:StringEquals': { [TAGS]: ['env', 'team', 'cost'] } }, context: { [TAGS]: ['env', 'team'] }, holds: true },
  { rule: 'ForAllValues fails when one request value matches nothing', condition: { 'ForAllValues:StringEquals': { [TAGS]: ['env', 'team'] } }, context: { [TAGS]: ['env', 'owner'] }, holds: false },
  { rule: 'ForAllValues holds when the key is absent', condition: { 'ForAllValues:StringEquals': { [TAGS]: ['env'] } }, context: {}, holds: true },
  { rule: 'ForAllValues holds when the key is an empty list', condition: { 'ForAllValues:StringEquals': { [TAGS]: ['env'] } }, context: { [TAGS]: [] }, holds: true },
  { rule: 'ForAnyValue holds when one request value matches', condition: { 'ForAnyValue:StringEquals': { [TAGS]: ['env'] } }, context: { [TAGS]: ['owner', 'env'] }, holds: true },
  { rule: 'ForAnyValue fails when no request value matches', condition: { 'ForAnyValue:StringEquals': { [TAGS]: ['env'] } }, context: { [TAGS]: ['owner'] }, holds: false },
  { rule: 'ForAnyValue fails when the key is absent', condition: { 'ForAnyValue:StringEquals': { [TAGS]: ['env'] } }, context: {}, holds: false },
  { rule: 'ForAnyValue with a negated operator fails when the key is absent', condition: { 'ForAnyValue:StringNotEquals': { [TAGS]: ['env'] } }, context: {}, holds: false },
  { rule: 'ForAllValues with a negated operator: no request value may match', condition: { 'ForAllValues:StringNotLike': { [TAGS]: ['aws:*'] } }, context: { [TAGS]: ['env', 'aws:cloudformation:stack-name'] }, holds: false },
  { rule: 'ForAnyValue with a negated operator: some request value matches no listed value', condition: { 'ForAnyValue:StringNotEquals': { [TAGS]: ['env'] } }, context: { [TAGS]: ['env', 'team'] }, holds: true },
  { rule: 'set operators take wildcards (ForAllValues:StringLike)', condition: { 'ForAllValues:StringLike': { [TAGS]: ['Created*'] } }, context: { [TAGS]: ['CreatedBy', 'CreatedAt'] }, holds: true },
  { rule: 'without a set operator, a multivalued key matches when any value does', condition: { StringEquals: { [TAGS]: 'env' } }, context: { [TAGS]: ['team', 'env'] }, holds: true },

  // Keys IAM derives from the principal
  { rule: 'aws:PrincipalArn of a role session is the role’s ARN', condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/Worker' } }, context: {}, principal: session, holds: true },
  { rule: 'aws:PrincipalAccount is the caller’s account', condition: { StringEquals: { 'aws:PrincipalAccount': '111122223333' } }, context: {}, holds: true },
  { rule: 'aws:PrincipalType of a role session is AssumedRole', condition: { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } }, context: {}, principal: session, holds: true },
  { rule: 'aws:username exists only for IAM users', condition: { Null: { 'aws:username': 'true' } }, context: {}, principal: session, holds: true },
];

describe('policy conditions', () => {
  for (const c of cases) {
    it(c.rule, () => {
      expect(holds(c.condition, c.context, c.principal)).to.equal(c.holds);
    });
  }
});
