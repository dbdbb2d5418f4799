import { expect } from 'chai';
import {
  describeParameters,
  parameterTypeInfo,
  parameterValues,
  resolveParameters,
  type ParameterDeclaration,
} from '../../../localcloud/services/cloudformation/template/index.js';
import { expectTemplateError } from './helpers.js';

type Declarations = Record<string, ParameterDeclaration>;

describe('cfn-template parameters', () => {
  const declarations: Declarations = {
    CodeBucket: { Type: 'String', Default: 'awslambda-reference-architectures' },
    CodeKeyPrefix: { Type: 'String', Default: 'iot-backend' },
  };

  it('uses defaults and supplied values, marking which is which', () => {
    const resolved = resolveParameters(declarations, { CodeBucket: 'my-code' });
    expect(resolved.get('CodeBucket')).to.include({ value: 'my-code', fromDefault: false });
    expect(resolved.get('CodeKeyPrefix')).to.include({ value: 'iot-backend', fromDefault: true });
    expect(parameterValues(resolved)).to.deep.equal(
      new Map([
        ['CodeBucket', 'my-code'],
        ['CodeKeyPrefix', 'iot-backend'],
      ]),
    );
  });

  it('accepts an empty string as a value and an empty Default', () => {
    const resolved = resolveParameters({ A: { Type: 'String', Default: '' }, B: { Type: 'String' } }, { B: '' });
    expect(parameterValues(resolved)).to.deep.equal(
      new Map([
        ['A', ''],
        ['B', ''],
      ]),
    );
  });

  it('reports every parameter without a value', () => {
    expectTemplateError(
      () => resolveParameters({ A: { Type: 'String' }, B: { Type: 'Number' }, C: { Type: 'String', Default: 'c' } }, {}),
      'Parameters: [A, B] must have values',
    );
  });

  it('reports supplied parameters the template does not declare', () => {
    expectTemplateError(
      () => resolveParameters(declarations, { Nope: 'x', Other: 'y' }),
      'Parameters: [Nope, Other] do not exist in the template',
    );
    expectTemplateError(() => resolveParameters(undefined, { Nope: 'x' }), 'Parameters: [Nope] do not exist in the template');
  });

  describe('types', () => {
    it('Number is checked as a number but Refs as a string', () => {
      const resolved = resolveParameters({ Size: { Type: 'Number', Default: 10 } }, {});
      expect(resolved.get('Size')!.value).to.equal('10');
      expect(resolveParameters({ Size: { Type: 'Number' } }, { Size: '-2.5e3' }).get('Size')!.value).to.equal('-2.5e3');
      expectTemplateError(() => resolveParameters({ Size: { Type: 'Number' } }, { Size: 'ten' }), "Parameter 'Size' must be a number");
    });

    it('List<Number> and CommaDelimitedList split on commas and trim each element', () => {
      const resolved = resolveParameters(
        { Ports: { Type: 'List<Number>' }, Names: { Type: 'CommaDelimitedList', Default: 'a, b ,c' } },
        { Ports: '80,443' },
      );
      expect(resolved.get('Ports')!.value).to.deep.equal(['80', '443']);
      expect(resolved.get('Names')!.value).to.deep.equal(['a', 'b', 'c']);
      expectTemplateError(() => resolveParameters({ Ports: { Type: 'List<Number>' } }, { Ports: '80,http' }), 'must be a number');
    });

    it('a YAML list Default for a list type is accepted', () => {
      const resolved = resolveParameters({ Names: { Type: 'CommaDelimitedList', Default: ['x', 'y'] } }, {});
      expect(resolved.get('Names')!.value).to.deep.equal(['x', 'y']);
    });

    it('AWS-specific types behave as strings and lists of strings', () => {
      const resolved = resolveParameters(
        { Vpc: { Type: 'AWS::EC2::VPC::Id' }, Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' } },
        { Vpc: 'vpc-1', Subnets: 'subnet-1,subnet-2' },
      );
      expect(resolved.get('Vpc')!.value).to.equal('vpc-1');
      expect(resolved.get('Subnets')!.value).to.deep.equal(['subnet-1', 'subnet-2']);
    });

    it('SSM parameter types need a Parameter Store, and say so', () => {
      const declarations: Declarations = { Ami: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>' } };
      expectTemplateError(
        () => resolveParameters(declarations, { Ami: '/aws/service/ami' }),
        "Parameter 'Ami'",
        'SSM Parameter Store',
      );
      const resolved = resolveParameters(declarations, { Ami: '/aws/service/ami' }, { ssmParameterValue: () => 'ami-123' });
      expect(resolved.get('Ami')!.value).to.equal('ami-123');
      expect(describeParameters(resolved)).to.deep.equal([
        { ParameterKey: 'Ami', ParameterValue: '/aws/service/ami', ResolvedValue: 'ami-123' },
      ]);
    });

    it('knows which types exist', () => {
      expect(parameterTypeInfo('String')).to.deep.equal({ list: false, element: 'string', ssm: false });
      expect(parameterTypeInfo('AWS::SSM::Parameter::Value<List<String>>')).to.deep.equal({ list: true, element: 'string', ssm: true });
      expect(parameterTypeInfo('Strin')).to.equal(undefined);
      expect(parameterTypeInfo('List<String>')).to.equal(undefined);
      expect(parameterTypeInfo('List<AWS::SSM::Parameter::Name>')).to.equal(undefined);
      expectTemplateError(() => resolveParameters({ A: { Type: 'Strin' } }, { A: 'x' }), 'Unrecognized parameter type: Strin');
    });
  });

  describe('constraints', () => {
    const env: ParameterDeclaration = { Type: 'String', AllowedValues: ['dev', 'prod'] };

    it('AllowedValues', () => {
      expect(resolveParameters({ Env: env }, { Env: 'prod' }).get('Env')!.value).to.equal('prod');
      expectTemplateError(() => resolveParameters({ Env: env }, { Env: 'test' }), "Parameter 'Env' must be one of AllowedValues");
    });

    it('AllowedValues apply to each element of a list, and compare numbers by value', () => {
      const zones: ParameterDeclaration = { Type: 'CommaDelimitedList', AllowedValues: ['a', 'b'] };
      expect(resolveParameters({ Z: zones }, { Z: 'a,b' }).get('Z')!.value).to.deep.equal(['a', 'b']);
      expectTemplateError(() => resolveParameters({ Z: zones }, { Z: 'a,c' }), "Parameter 'Z' must be one of AllowedValues");
      const size: ParameterDeclaration = { Type: 'Number', AllowedValues: [1, 2] };
      expect(resolveParameters({ S: size }, { S: '2.0' }).get('S')!.value).to.equal('2.0');
    });

    it('AllowedPattern must match the whole value', () => {
      const name: ParameterDeclaration = { Type: 'String', AllowedPattern: '[a-z]+' };
      expect(resolveParameters({ N: name }, { N: 'abc' }).get('N')!.value).to.equal('abc');
      expectTemplateError(() => resolveParameters({ N: name }, { N: 'abc1' }), "Parameter 'N' must match pattern [a-z]+");
      expectTemplateError(() => resolveParameters({ N: { Type: 'String', AllowedPattern: '([' } }, { N: 'x' }), 'Invalid AllowedPattern');
    });

    it('MinLength and MaxLength', () => {
      const name: ParameterDeclaration = { Type: 'String', MinLength: 2, MaxLength: '4' };
      expectTemplateError(() => resolveParameters({ N: name }, { N: 'a' }), "Parameter 'N' must contain at least 2 characters");
      expectTemplateError(() => resolveParameters({ N: name }, { N: 'abcde' }), "Parameter 'N' must contain at most 4 characters");
      expect(resolveParameters({ N: name }, { N: 'abcd' }).get('N')!.value).to.equal('abcd');
    });

    it('MinValue and MaxValue', () => {
      const count: ParameterDeclaration = { Type: 'Number', MinValue: 1, MaxValue: 10 };
      expectTemplateError(() => resolveParameters({ C: count }, { C: '0' }), "Parameter 'C' must be a number not less than 1");
      expectTemplateError(() => resolveParameters({ C: count }, { C: '11' }), "Parameter 'C' must be a number not greater than 10");
      expect(resolveParameters({ C: count }, { C: '10' }).get('C')!.value).to.equal('10');
    });

    it('ConstraintDescription replaces the generic explanation', () => {
      const declaration: ParameterDeclaration = {
        Type: 'String',
        AllowedPattern: '[a-z0-9-]+',
        ConstraintDescription: 'must be lower case, as the bucket name derives from it',
      };
      expectTemplateError(
        () => resolveParameters({ StackLabel: declaration }, { StackLabel: 'MyStack' }),
        "Parameter 'StackLabel' failed to satisfy constraint: must be lower case, as the bucket name derives from it",
      );
    });

    it('a Default that breaks a constraint is reported when it is used', () => {
      expectTemplateError(
        () => resolveParameters({ Env: { ...env, Default: 'staging' } }, {}),
        "Parameter 'Env' must be one of AllowedValues",
      );
    });
  });

  it('masks NoEcho values when described', () => {
    const resolved = resolveParameters(
      { Password: { Type: 'String', NoEcho: true }, Token: { Type: 'String', NoEcho: 'true' }, User: { Type: 'String' } },
      { Password: 'secret', Token: 't0k3n', User: 'admin' },
    );
    expect(resolved.get('Password')!.value).to.equal('secret');
    expect(describeParameters(resolved)).to.deep.equal([
      { ParameterKey: 'Password', ParameterValue: '****' },
      { ParameterKey: 'Token', ParameterValue: '****' },
      { ParameterKey: 'User', ParameterValue: 'admin' },
    ]);
  });
});
