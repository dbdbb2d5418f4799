import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseTemplate, validateTemplate, type ValidateOptions } from '../../../localcloud/services/cloudformation/template/index.js';
import { expectTemplateError } from './helpers.js';

const fixture = readFileSync(new URL('./fixtures/iot-backend.yaml', import.meta.url), 'utf8');

/** Validates a YAML template given as text. */
function validateYaml(body: string, options?: ValidateOptions): void {
  validateTemplate(parseTemplate(body), options);
}

/** A template whose single resource `R` has the given YAML properties. */
function withProperties(properties: string, extra = ''): string {
  const indented = properties
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return `${extra}\nResources:\n  Other:\n    Type: Test::Thing\n  R:\n    Type: Test::Thing\n    Properties:\n${indented}\n`;
}

describe('cfn-template validate', () => {
  it('accepts the fixture modelled on the project template', () => {
    const known = new Set([
      'AWS::IAM::User',
      'AWS::IAM::Policy',
      'AWS::IAM::AccessKey',
      'AWS::IAM::Role',
      'AWS::Kinesis::Stream',
      'AWS::S3::Bucket',
      'AWS::DynamoDB::Table',
      'AWS::Lambda::Function',
      'AWS::Lambda::EventSourceMapping',
      'AWS::CloudFormation::Stack',
    ]);
    validateYaml(fixture, { isSupportedType: (type) => known.has(type) || type.startsWith('Custom::') });
  });

  it('accepts a template using conditions, mappings, pseudo parameters and NoValue', () => {
    validateYaml(`
Parameters:
  Env: { Type: String, AllowedValues: [dev, prod], Default: dev }
Mappings:
  Sizes: { dev: { Shards: 1 }, prod: { Shards: 4, Zones: [a, b] } }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: !FindInMap [Sizes, !Ref Env, Shards]
      Name: !If [IsProd, !Sub '\${AWS::StackName}-stream', !Ref 'AWS::NoValue']
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Condition: IsProd
    DependsOn: [Stream]
    Properties:
      Dimensions: [{ Name: StreamName, Value: !Ref Stream }]
      Statement: { Condition: { StringEquals: { a: b } } }
Outputs:
  StreamArn:
    Value: !GetAtt Stream.Arn
    Export: { Name: !Sub '\${AWS::StackName}-StreamArn' }
  AlarmName:
    Condition: IsProd
    Value: !Ref Alarm
`);
  });

  describe('template shape', () => {
    it('requires at least one resource', () => {
      expectTemplateError(() => validateYaml('Description: nothing\n'), 'Template format error: At least one Resources member must be defined.');
      expectTemplateError(() => validateYaml('Resources: {}\n'), 'At least one Resources member must be defined.');
    });

    it('rejects unknown top-level sections, naming them', () => {
      expectTemplateError(
        () => validateYaml('Resource: {}\nOutput: {}\nResources: { A: { Type: T::T::T } }\n'),
        'Template format error: Invalid template property or properties [Resource, Output]',
      );
    });

    it('rejects a resource without a Type, naming it', () => {
      expectTemplateError(
        () => validateYaml('Resources:\n  Bucket:\n    Properties: {}\n'),
        'Template format error: [/Resources/Bucket] Every Resources object must contain a Type member.',
      );
    });

    it('rejects a misspelt resource attribute, naming the resource', () => {
      expectTemplateError(
        () => validateYaml('Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Propertes: {}\n'),
        "[/Resources/Bucket] Invalid template resource property 'Propertes'",
      );
    });

    it('rejects logical IDs that are not alphanumeric', () => {
      expectTemplateError(() => validateYaml('Resources:\n  my-bucket: { Type: AWS::S3::Bucket }\n'), 'Resource name my-bucket is non alphanumeric.');
    });

    it('rejects an unsupported template version and transforms', () => {
      expectTemplateError(
        () => validateYaml("AWSTemplateFormatVersion: '2011-01-01'\nResources: { A: { Type: T::T::T } }\n"),
        'Unsupported AWSTemplateFormatVersion 2011-01-01',
      );
      expectTemplateError(
        () => validateYaml('Transform: AWS::Serverless-2016-10-31\nResources: { A: { Type: T::T::T } }\n'),
        'Transform "AWS::Serverless-2016-10-31" is not supported',
      );
    });

    it('rejects bad parameter declarations, naming the parameter', () => {
      expectTemplateError(
        () => validateYaml('Parameters:\n  Env: { Default: x }\nResources: { A: { Type: T::T::T } }\n'),
        '[/Parameters/Env] Every Parameters object must contain a Type member.',
      );
      expectTemplateError(
        () => validateYaml('Parameters:\n  Env: { Type: Strin }\nResources: { A: { Type: T::T::T } }\n'),
        '[/Parameters/Env/Type] Unrecognized parameter type: Strin',
      );
      expectTemplateError(
        () => validateYaml('Parameters:\n  Env: { Type: String, Allowed: [a] }\nResources: { A: { Type: T::T::T } }\n'),
        "[/Parameters/Env] Invalid template parameter property 'Allowed'",
      );
      expectTemplateError(
        () => validateYaml('Parameters:\n  A: { Type: String }\nResources: { A: { Type: T::T::T } }\n'),
        '[/Resources/A] Resource A has the same logical ID as a parameter',
      );
    });

    it('rejects mappings holding functions or nested maps', () => {
      expectTemplateError(
        () => validateYaml('Mappings:\n  M: { k: { v: !Ref X } }\nResources: { A: { Type: T::T::T } }\n'),
        '[/Mappings/M/k/v] Every Mappings attribute must be a String or a List.',
      );
    });

    it('rejects outputs without a Value', () => {
      expectTemplateError(
        () => validateYaml('Resources: { A: { Type: T::T::T } }\nOutputs:\n  Name: { Description: d }\n'),
        '[/Outputs/Name] Every Outputs member must contain a Value object',
      );
    });
  });

  describe('unsupported resource types', () => {
    it('reports every type the engine does not support', () => {
      expectTemplateError(
        () =>
          validateYaml(
            'Resources:\n  A: { Type: AWS::S3::Bucket }\n  B: { Type: AWS::EC2::Instance }\n  C: { Type: AWS::Foo::Bar }\n  D: { Type: AWS::Foo::Bar }\n',
            { isSupportedType: (type) => type === 'AWS::S3::Bucket' },
          ),
        'Template format error: Unrecognized resource types: [AWS::EC2::Instance, AWS::Foo::Bar]',
      );
    });
  });

  describe('references', () => {
    it('reports a Ref to nothing in the Resources block', () => {
      expectTemplateError(
        () => validateYaml(withProperties('A: !Ref Missing\nB: !Ref AlsoMissing\nC: !Ref Other\nD: !Ref AWS::Region')),
        'Template format error: Unresolved resource dependencies [Missing, AlsoMissing] in the Resources block of the template',
      );
    });

    it('names the resources that hold a reference to nothing', () => {
      const yaml = 'Resources:\n  Queue: { Type: AWS::S3::Bucket, Properties: { Name: !Ref Missing } }\n' +
        '  Waiter: { Type: AWS::S3::Bucket, DependsOn: Missing }\n  Fine: { Type: AWS::S3::Bucket }\n';
      expectTemplateError(() => validateYaml(yaml), 'Unresolved resource dependencies [Missing] in the Resources block of the template (referenced by Queue, Waiter)');
    });

    it('reports a Ref to nothing in the Outputs block', () => {
      expectTemplateError(
        () => validateYaml('Resources: { A: { Type: T::T::T } }\nOutputs:\n  X: { Value: !Ref Gone }\n'),
        'Unresolved resource dependencies [Gone] in the Outputs block of the template',
      );
    });

    it('reports an unknown pseudo parameter as unresolved', () => {
      expectTemplateError(() => validateYaml(withProperties("A: !Ref 'AWS::Bogus'")), 'Unresolved resource dependencies [AWS::Bogus]');
    });

    it('reports Fn::GetAtt of a resource that does not exist, naming both', () => {
      expectTemplateError(
        () => validateYaml(withProperties('Role: !GetAtt MissingRole.Arn')),
        'Template error: [/Resources/R/Properties/Role/Fn::GetAtt] instance of Fn::GetAtt references undefined resource MissingRole',
      );
    });

    it('checks the variables of Fn::Sub, but not the ones in its own map', () => {
      expectTemplateError(() => validateYaml(withProperties("A: !Sub '\${Nope}-\${Other}'")), 'Unresolved resource dependencies [Nope]');
      expectTemplateError(() => validateYaml(withProperties("A: !Sub '\${Gone.Arn}'")), 'references undefined resource Gone');
      validateYaml(withProperties("A: !Sub ['\${Local}-\${!Literal}-\${AWS::Region}', { Local: !Ref Other }]"));
    });

    it('reports DependsOn naming a resource that does not exist', () => {
      expectTemplateError(
        () => validateYaml('Resources:\n  A:\n    Type: T::T::T\n    DependsOn: [B, Ghost]\n  B: { Type: T::T::T }\n'),
        'Unresolved resource dependencies [Ghost] in the Resources block of the template',
      );
    });
  });

  describe('circular dependencies', () => {
    it('lists the resources on the cycle, not those that merely depend on it', () => {
      const body = `
Resources:
  A: { Type: T::T::T, Properties: { X: !GetAtt B.Arn } }
  B: { Type: T::T::T, Properties: { X: !Sub '\${C}' } }
  C: { Type: T::T::T, DependsOn: A }
  D: { Type: T::T::T, Properties: { X: !Ref A } }
`;
      expectTemplateError(() => validateYaml(body), 'Circular dependency between resources: [A, B, C]');
    });

    it('reports a resource that depends on itself', () => {
      expectTemplateError(
        () => validateYaml('Resources:\n  Self: { Type: T::T::T, Properties: { Name: !Ref Self } }\n'),
        'Circular dependency between resources: [Self]',
      );
    });
  });

  describe('malformed functions', () => {
    const cases: Array<[string, string]> = [
      ["A: !Join [',', not-a-list]", '[/Resources/R/Properties/A/Fn::Join] every Fn::Join object requires two parameters'],
      ["A: !Join [',']", 'every Fn::Join object requires two parameters'],
      ['A: !Select [0]', '[/Resources/R/Properties/A/Fn::Select] Fn::Select requires a list argument with two elements'],
      ['A: !Select [first, [a]]', 'Fn::Select requires a list argument'],
      ["A: !Split [',', [a]]", 'every Fn::Split object requires two parameters'],
      ['A: !GetAtt NoAttribute', 'every Fn::GetAtt object requires two non-empty parameters'],
      ['A: !Ref [Other]', 'every Ref object must have a single String value'],
      ['A: !Sub [a, b, c]', 'every Fn::Sub object requires'],
      ['A: !FindInMap [M, k]', 'every Fn::FindInMap object requires three parameters'],
      ['A: !If [C, a]', 'Fn::If requires a list argument with three elements'],
      ['A: !Cidr [10.0.0.0/16, 2]', 'Fn::Cidr requires a list argument with three elements'],
      ['A: !Base64 [a, b]', 'every Fn::Base64 object requires'],
      ['A: { Fn::Length: [1] }', 'Encountered unsupported function: Fn::Length'],
      ['A: !Transform { Name: X }', 'Encountered unsupported function: Fn::Transform'],
    ];
    for (const [properties, message] of cases) {
      it(`${properties} -> ${message.replace(/^\[[^\]]*\] /, '')}`, () => {
        expectTemplateError(() => validateYaml(withProperties(properties, 'Conditions: { C: !Equals [a, a] }')), message);
      });
    }

    it('reports Fn::FindInMap of a mapping that does not exist', () => {
      expectTemplateError(
        () => validateYaml(withProperties('A: !FindInMap [Nope, a, b]')),
        "Mapping named 'Nope' is not present in the 'Mappings' section of template.",
      );
    });

    it('reports operands of Fn::And that are not condition functions', () => {
      expectTemplateError(
        () => validateYaml('Conditions:\n  A: !And [!Equals [a, a], yes]\nResources: { R: { Type: T::T::T } }\n'),
        '[/Conditions/A/Fn::And] Fn::And requires a list argument with between 2 and 10 condition functions',
      );
    });
  });

  describe('conditions', () => {
    it('reports Fn::If naming an undefined condition', () => {
      expectTemplateError(() => validateYaml(withProperties('A: !If [Nope, a, b]')), 'Unresolved condition dependency Nope in Fn::If');
    });

    it('reports a resource Condition that is not defined, naming the resource', () => {
      expectTemplateError(
        () => validateYaml('Resources:\n  Bucket: { Type: AWS::S3::Bucket, Condition: IsProd }\n'),
        'Unresolved condition dependency IsProd in resource Bucket',
      );
    });

    it('reports an output Condition that is not defined, naming the output', () => {
      expectTemplateError(
        () => validateYaml('Resources: { A: { Type: T::T::T } }\nOutputs:\n  Name: { Value: x, Condition: Gone }\n'),
        'Unresolved condition dependency Gone in output Name',
      );
    });

    it('reports conditions naming resources, undefined conditions, and cycles', () => {
      expectTemplateError(
        () => validateYaml('Conditions:\n  A: !Equals [!Ref R, x]\nResources: { R: { Type: T::T::T } }\n'),
        'Unresolved dependencies [R]. Cannot reference resources in the Conditions block of the template',
      );
      expectTemplateError(
        () => validateYaml('Conditions:\n  A: !Not [!Condition B]\nResources: { R: { Type: T::T::T } }\n'),
        'Unresolved condition dependency B in condition A',
      );
      expectTemplateError(
        () => validateYaml('Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\nResources: { R: { Type: T::T::T } }\n'),
        'Circular dependency between conditions: [A, B]',
      );
    });

    it('requires each condition to be a condition function', () => {
      expectTemplateError(
        () => validateYaml('Conditions:\n  A: !Ref Env\nParameters: { Env: { Type: String } }\nResources: { R: { Type: T::T::T } }\n'),
        '[/Conditions/A] Condition A must be a condition function',
      );
    });
  });

  it('accepts the repository templates as they are', function () {
    for (const name of ['iot-backend.template', 'config-helper.template']) {
      let body: string;
      try {
        body = readFileSync(new URL(`../../../cloudformation/${name}`, import.meta.url), 'utf8');
      } catch {
        this.skip();
      }
      expect(() => validateTemplate(parseTemplate(body))).not.to.throw();
    }
  });
});
