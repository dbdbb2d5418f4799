import { expect } from 'chai';
import { resolve } from '../../../localcloud/services/cloudformation/template/index.js';
import { STACK, expectTemplateError, testScope } from './helpers.js';

const scope = testScope();
const evaluate = (value: unknown) => resolve(value, scope);

describe('cfn-template intrinsics', () => {
  describe('Ref', () => {
    it('returns parameter values, lists as fresh copies', () => {
      expect(evaluate({ Ref: 'Env' })).to.equal('prod');
      const subnets = evaluate({ Ref: 'Subnets' }) as string[];
      expect(subnets).to.deep.equal(['subnet-a', 'subnet-b']);
      subnets.push('mutated');
      expect(evaluate({ Ref: 'Subnets' })).to.deep.equal(['subnet-a', 'subnet-b']);
    });

    it('returns every pseudo parameter', () => {
      expect(evaluate({ Ref: 'AWS::AccountId' })).to.equal('000000000000');
      expect(evaluate({ Ref: 'AWS::Region' })).to.equal('us-east-1');
      expect(evaluate({ Ref: 'AWS::StackId' })).to.equal(STACK.stackId);
      expect(evaluate({ Ref: 'AWS::StackName' })).to.equal('demo');
      expect(evaluate({ Ref: 'AWS::Partition' })).to.equal('aws');
      expect(evaluate({ Ref: 'AWS::URLSuffix' })).to.equal('amazonaws.com');
      expect(evaluate({ Ref: 'AWS::NotificationARNs' })).to.deep.equal([]);
    });

    it('derives partition and URL suffix from the region', () => {
      const china = testScope({ stack: { ...STACK, region: 'cn-north-1' } });
      expect(resolve({ Ref: 'AWS::Partition' }, china)).to.equal('aws-cn');
      expect(resolve({ Ref: 'AWS::URLSuffix' }, china)).to.equal('amazonaws.com.cn');
      const govCloud = testScope({ stack: { ...STACK, region: 'us-gov-west-1' } });
      expect(resolve({ Ref: 'AWS::Partition' }, govCloud)).to.equal('aws-us-gov');
    });

    it('asks the engine for resources', () => {
      expect(evaluate({ Ref: 'Bucket' })).to.equal('physical-Bucket');
    });

    it('reports a name that is neither parameter nor resource when the engine has no resources', () => {
      expectTemplateError(
        () => resolve({ Ref: 'Missing' }, { stack: STACK }),
        'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template',
      );
    });

    it('rejects a non-string argument, naming where it is', () => {
      expectTemplateError(
        () => resolve({ Ref: ['Env'] }, scope, { at: ['Resources', 'Topic', 'Properties', 'Name'] }),
        'every Ref object must have a single String value',
        '[/Resources/Topic/Properties/Name/Ref]',
      );
    });
  });

  describe('Fn::GetAtt', () => {
    it('accepts the list form and the string form', () => {
      expect(evaluate({ 'Fn::GetAtt': ['Bucket', 'Arn'] })).to.equal('Bucket#Arn');
      expect(evaluate({ 'Fn::GetAtt': 'Bucket.Arn' })).to.equal('Bucket#Arn');
    });

    it('splits the string form on the first dot only (nested stack outputs)', () => {
      expect(evaluate({ 'Fn::GetAtt': 'ConfigHelperStack.Outputs.ServiceToken' })).to.equal(
        'ConfigHelperStack#Outputs.ServiceToken',
      );
      expect(evaluate({ 'Fn::GetAtt': ['ConfigHelperStack', 'Outputs.ServiceToken'] })).to.equal(
        'ConfigHelperStack#Outputs.ServiceToken',
      );
    });

    it('evaluates an attribute name given by a Ref', () => {
      expect(evaluate({ 'Fn::GetAtt': ['Bucket', { Ref: 'Attr' }] })).to.equal('Bucket#Arn');
    });

    it('rejects malformed arguments', () => {
      for (const argument of ['NoDot', 'Trailing.', ['Bucket'], ['Bucket', ''], [1, 'Arn'], { Bucket: 'Arn' }]) {
        expectTemplateError(() => evaluate({ 'Fn::GetAtt': argument }), 'Fn::GetAtt object requires two non-empty parameters');
      }
    });
  });

  describe('Fn::Join', () => {
    it('joins literal and evaluated elements', () => {
      expect(evaluate({ 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 's3', '', '', { Ref: 'Bucket' }]] })).to.equal(
        'arn:aws:s3:::physical-Bucket',
      );
    });

    it('joins a list returned by a function, and stringifies numbers', () => {
      expect(evaluate({ 'Fn::Join': [',', { Ref: 'Subnets' }] })).to.equal('subnet-a,subnet-b');
      expect(evaluate({ 'Fn::Join': ['-', ['port', 8080, true]] })).to.equal('port-8080-true');
    });

    it('drops AWS::NoValue elements', () => {
      const value = { 'Fn::Join': ['/', ['a', { 'Fn::If': ['IsDev', 'dev', { Ref: 'AWS::NoValue' }] }, 'b']] };
      expect(evaluate(value)).to.equal('a/b');
    });

    it('rejects a non-list, a missing delimiter, and nested lists', () => {
      expectTemplateError(() => evaluate({ 'Fn::Join': [',', 'not-a-list'] }), 'every Fn::Join object requires two parameters');
      expectTemplateError(() => evaluate({ 'Fn::Join': [['a', 'b']] }), 'every Fn::Join object requires two parameters');
      expectTemplateError(() => evaluate({ 'Fn::Join': [',', [['nested']]] }), 'Fn::Join');
    });
  });

  describe('Fn::Sub', () => {
    it('substitutes parameters, resources, attributes and pseudo parameters', () => {
      expect(evaluate({ 'Fn::Sub': '${Env}/${Bucket}/${Bucket.Arn}/${AWS::Region}/${AWS::AccountId}' })).to.equal(
        'prod/physical-Bucket/Bucket#Arn/us-east-1/000000000000',
      );
    });

    it('keeps attribute names with dots whole', () => {
      expect(evaluate({ 'Fn::Sub': 'token=${ConfigHelperStack.Outputs.ServiceToken}' })).to.equal(
        'token=ConfigHelperStack#Outputs.ServiceToken',
      );
    });

    it('writes ${!Literal} as ${Literal}', () => {
      expect(evaluate({ 'Fn::Sub': 'echo ${!HOME} in ${Env} costs $5 and ${!Env}' })).to.equal(
        'echo ${HOME} in prod costs $5 and ${Env}',
      );
    });

    it('keeps text that only looks like a variable', () => {
      expect(evaluate({ 'Fn::Sub': 'price: $ {Env} ${unclosed' })).to.equal('price: $ {Env} ${unclosed');
    });

    it('uses the variable map of the list form, which shadows template names', () => {
      const value = {
        'Fn::Sub': [
          '${Env}-${Name}-${Arn}-${AWS::Region}',
          { Env: 'shadowed', Name: { 'Fn::Join': ['.', ['a', 'b']] }, Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
        ],
      };
      expect(evaluate(value)).to.equal('shadowed-a.b-Queue#Arn-us-east-1');
    });

    it('evaluates only the variables the string uses', () => {
      let calls = 0;
      const counting = testScope({
        getAtt: () => {
          calls++;
          return 'x';
        },
      });
      resolve({ 'Fn::Sub': ['${Used}', { Used: { 'Fn::GetAtt': ['Bucket', 'Arn'] }, Unused: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] }, counting);
      expect(calls).to.equal(1);
    });

    it('rejects a list value, an empty variable and a malformed argument', () => {
      expectTemplateError(() => evaluate({ 'Fn::Sub': 'ids=${Subnets}' }), 'variable ${Subnets} in Fn::Sub does not resolve to a string');
      expectTemplateError(() => evaluate({ 'Fn::Sub': 'a${}b' }), 'empty variable');
      expectTemplateError(() => evaluate({ 'Fn::Sub': ['x', 'y'] }), 'every Fn::Sub object requires');
      expectTemplateError(() => evaluate({ 'Fn::Sub': 42 }), 'every Fn::Sub object requires');
    });
  });

  describe('Fn::Select and Fn::Split', () => {
    it('selects by numeric or string index, from literal lists and function results', () => {
      expect(evaluate({ 'Fn::Select': [1, ['a', 'b', 'c']] })).to.equal('b');
      expect(evaluate({ 'Fn::Select': ['0', { Ref: 'Subnets' }] })).to.equal('subnet-a');
      expect(evaluate({ 'Fn::Select': [2, { 'Fn::Split': [',', 'x,y,z'] }] })).to.equal('z');
    });

    it('rejects an index out of range or not an integer', () => {
      expectTemplateError(() => evaluate({ 'Fn::Select': [5, ['a']] }), 'Fn::Select cannot select nonexistent value at index 5');
      expectTemplateError(() => evaluate({ 'Fn::Select': ['first', ['a']] }), 'Fn::Select requires a list argument');
      expectTemplateError(() => evaluate({ 'Fn::Select': [-1, ['a']] }), 'Fn::Select requires a list argument');
      expectTemplateError(() => evaluate({ 'Fn::Select': [0, 'abc'] }), 'Fn::Select requires a list argument');
    });

    it('splits evaluated strings, keeping empty parts', () => {
      expect(evaluate({ 'Fn::Split': ['|', 'a||b'] })).to.deep.equal(['a', '', 'b']);
      expect(evaluate({ 'Fn::Split': [':', { 'Fn::GetAtt': ['Bucket', 'Arn'] }] })).to.deep.equal(['Bucket#Arn']);
      expect(evaluate({ 'Fn::Split': ['/', { 'Fn::Sub': '${Env}/x' }] })).to.deep.equal(['prod', 'x']);
    });

    it('rejects a split of a non-string', () => {
      expectTemplateError(() => evaluate({ 'Fn::Split': [',', { Ref: 'Subnets' }] }), 'every Fn::Split object requires two parameters');
    });
  });

  describe('Fn::If and AWS::NoValue', () => {
    it('chooses by the named condition, nested', () => {
      expect(evaluate({ 'Fn::If': ['IsProd', 'big', 'small'] })).to.equal('big');
      expect(evaluate({ 'Fn::If': ['IsDev', 'small', { 'Fn::If': ['IsProd', { Ref: 'Env' }, 'none'] }] })).to.equal('prod');
    });

    it('evaluates only the chosen branch', () => {
      const value = { 'Fn::If': ['IsProd', 'kept', { 'Fn::GetAtt': ['NeverCreated', 'Arn'] }] };
      expect(evaluate(value)).to.equal('kept');
    });

    it('removes properties and list elements that evaluate to AWS::NoValue', () => {
      const properties = {
        BucketName: { 'Fn::If': ['IsDev', 'dev-bucket', { Ref: 'AWS::NoValue' }] },
        Tags: [
          { Key: 'env', Value: { Ref: 'Env' } },
          { 'Fn::If': ['IsDev', { Key: 'debug', Value: 'on' }, { Ref: 'AWS::NoValue' }] },
        ],
        Nested: { Deep: { Ref: 'AWS::NoValue' }, Kept: 1 },
      };
      expect(evaluate(properties)).to.deep.equal({
        Tags: [{ Key: 'env', Value: 'prod' }],
        Nested: { Kept: 1 },
      });
    });

    it('returns undefined when the whole value is AWS::NoValue', () => {
      expect(evaluate({ Ref: 'AWS::NoValue' })).to.equal(undefined);
      expect(evaluate({ 'Fn::If': ['IsDev', { A: 1 }, { Ref: 'AWS::NoValue' }] })).to.equal(undefined);
    });

    it('rejects an undefined condition and a wrong arity', () => {
      expectTemplateError(() => evaluate({ 'Fn::If': ['Nope', 1, 2] }), 'Unresolved condition dependency Nope in Fn::If');
      expectTemplateError(() => evaluate({ 'Fn::If': ['IsProd', 1] }), 'Fn::If requires a list argument with three elements');
    });
  });

  describe('condition functions', () => {
    it('Fn::Equals compares string forms, lists and objects', () => {
      expect(evaluate({ 'Fn::Equals': [{ Ref: 'Count' }, 3] })).to.equal(true);
      expect(evaluate({ 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] })).to.equal(false);
      expect(evaluate({ 'Fn::Equals': [{ Ref: 'Subnets' }, ['subnet-a', 'subnet-b']] })).to.equal(true);
      expect(evaluate({ 'Fn::Equals': [{ a: [1] }, { a: ['1'] }] })).to.equal(true);
      expect(evaluate({ 'Fn::Equals': [{ a: 1 }, { b: 1 }] })).to.equal(false);
    });

    it('Fn::And, Fn::Or and Fn::Not take condition functions and Condition references', () => {
      const isProd = { Condition: 'IsProd' };
      const isDev = { Condition: 'IsDev' };
      expect(evaluate({ 'Fn::And': [isProd, { 'Fn::Equals': ['a', 'a'] }] })).to.equal(true);
      expect(evaluate({ 'Fn::And': [isProd, isDev] })).to.equal(false);
      expect(evaluate({ 'Fn::Or': [isDev, { 'Fn::Not': [isDev] }] })).to.equal(true);
      expect(evaluate({ 'Fn::Or': [isDev, isDev, isDev] })).to.equal(false);
      expect(evaluate({ 'Fn::Not': [{ 'Fn::And': [isProd, { 'Fn::Or': [isDev, isProd] }] }] })).to.equal(false);
    });

    it('rejects wrong arities and operands that are not conditions', () => {
      expectTemplateError(() => evaluate({ 'Fn::And': [{ Condition: 'IsProd' }] }), 'between 2 and 10');
      expectTemplateError(() => evaluate({ 'Fn::Or': Array(11).fill({ Condition: 'IsProd' }) }), 'between 2 and 10');
      expectTemplateError(() => evaluate({ 'Fn::Not': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] }), 'Fn::Not requires');
      expectTemplateError(() => evaluate({ 'Fn::Not': ['true'] }), 'must be a condition function');
      expectTemplateError(() => evaluate({ 'Fn::Equals': ['a'] }), 'Fn::Equals requires a list argument with two elements');
    });

    it('leaves a literal Condition key alone outside condition functions (IAM policies have one)', () => {
      const statement = { Effect: 'Allow', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } };
      expect(evaluate(statement)).to.deep.equal({
        Effect: 'Allow',
        Condition: { StringEquals: { 'aws:SourceAccount': '000000000000' } },
      });
      expect(evaluate({ Condition: 'IsProd' })).to.deep.equal({ Condition: 'IsProd' });
    });
  });

  describe('Fn::FindInMap', () => {
    it('looks up literal and evaluated keys, returning strings or lists', () => {
      expect(evaluate({ 'Fn::FindInMap': ['RegionMap', { Ref: 'AWS::Region' }, 'Ami'] })).to.equal('ami-east');
      expect(evaluate({ 'Fn::FindInMap': ['RegionMap', 'us-east-1', 'Zones'] })).to.deep.equal(['z1', 'z2']);
    });

    it('names the missing path', () => {
      expectTemplateError(
        () => evaluate({ 'Fn::FindInMap': ['RegionMap', 'eu-west-1', 'Zones'] }),
        'Unable to get mapping for RegionMap::eu-west-1::Zones',
      );
      expectTemplateError(() => evaluate({ 'Fn::FindInMap': ['RegionMap', 'x'] }), 'requires three parameters');
    });
  });

  describe('Fn::GetAZs, Fn::Base64, Fn::ImportValue, Fn::Cidr', () => {
    it('Fn::GetAZs lists the zones of the stack region for "" and of a named region', () => {
      expect(evaluate({ 'Fn::GetAZs': '' })).to.deep.equal(['us-east-1a', 'us-east-1b', 'us-east-1c']);
      expect(evaluate({ 'Fn::GetAZs': { Ref: 'AWS::Region' } })).to.deep.equal(['us-east-1a', 'us-east-1b', 'us-east-1c']);
      expect(evaluate({ 'Fn::Select': [1, { 'Fn::GetAZs': 'eu-west-1' }] })).to.equal('eu-west-1b');
      const custom = testScope({ availabilityZones: (region) => [`${region}-only`] });
      expect(resolve({ 'Fn::GetAZs': '' }, custom)).to.deep.equal(['us-east-1-only']);
    });

    it('Fn::Base64 encodes UTF-8 text, including a nested Fn::Sub', () => {
      expect(evaluate({ 'Fn::Base64': 'héllo' })).to.equal(Buffer.from('héllo').toString('base64'));
      expect(evaluate({ 'Fn::Base64': { 'Fn::Sub': '#!/bin/sh\necho ${Env}' } })).to.equal(
        Buffer.from('#!/bin/sh\necho prod').toString('base64'),
      );
      expectTemplateError(() => evaluate({ 'Fn::Base64': { Ref: 'Subnets' } }), 'Fn::Base64');
    });

    it('Fn::ImportValue asks the engine for the export, with an evaluated name', () => {
      expect(evaluate({ 'Fn::ImportValue': { 'Fn::Sub': '${Env}-VpcId' } })).to.equal('imported:prod-VpcId');
      expectTemplateError(() => resolve({ 'Fn::ImportValue': 'Shared' }, { stack: STACK }), 'No export named Shared found');
    });

    it('Fn::Cidr carves IPv4 and IPv6 blocks', () => {
      expect(evaluate({ 'Fn::Cidr': ['10.0.0.0/16', 3, 8] })).to.deep.equal(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
      expect(evaluate({ 'Fn::Cidr': ['192.168.1.77/24', '2', '6'] })).to.deep.equal(['192.168.1.0/26', '192.168.1.64/26']);
      expect(evaluate({ 'Fn::Cidr': ['2001:db8::/56', 2, 64] })).to.deep.equal(['2001:db8::/64', '2001:db8:0:1::/64']);
      expectTemplateError(() => evaluate({ 'Fn::Cidr': ['10.0.0.0/24', 5, 7] }), 'holds only 2 subnets');
      expectTemplateError(() => evaluate({ 'Fn::Cidr': ['10.0.0/16', 1, 8] }), 'not a valid CIDR block');
    });
  });

  it('rejects unsupported functions, naming them', () => {
    expectTemplateError(
      () => resolve({ Value: { 'Fn::Length': [1, 2] } }, scope, { at: ['Outputs', 'Count'] }),
      'Template format error: [/Outputs/Count/Value] Encountered unsupported function: Fn::Length',
    );
  });

  it('evaluates deeply nested combinations', () => {
    const value = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':s3:::',
          { 'Fn::Select': [0, { 'Fn::Split': ['/', { 'Fn::Sub': ['${B}/rest', { B: { Ref: 'Bucket' } }] }] }] },
          { 'Fn::If': ['IsProd', '/*', ''] },
        ],
      ],
    };
    expect(evaluate(value)).to.equal('arn:aws:s3:::physical-Bucket/*');
  });
});
