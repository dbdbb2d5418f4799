import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseTemplate } from '../../../localcloud/services/cloudformation/template/index.js';
import { expectTemplateError } from './helpers.js';

/** Parses a YAML snippet as the Properties of one resource and returns them. */
function yamlProperties(lines: string): Record<string, unknown> {
  const indented = lines
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  const template = parseTemplate(`Resources:\n  R:\n    Type: Test::Thing\n    Properties:\n${indented}\n`);
  return template.Resources.R!.Properties!;
}

describe('cfn-template parse', () => {
  it('parses JSON templates', () => {
    const template = parseTemplate('{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Ref": "X"}]}}}}');
    expect(template.Resources.B).to.deep.equal({ Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Ref: 'X' }] } });
  });

  it('parses YAML templates in long form, keeping the version a string', () => {
    const template = parseTemplate(
      'AWSTemplateFormatVersion: 2010-09-09\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Name:\n        Fn::Join: ["-", [a, b]]\n',
    );
    expect(template.AWSTemplateFormatVersion).to.equal('2010-09-09');
    expect(template.Resources.B!.Properties).to.deep.equal({ Name: { 'Fn::Join': ['-', ['a', 'b']] } });
  });

  describe('YAML short forms', () => {
    it('!Ref and !Condition', () => {
      expect(yamlProperties('A: !Ref Param\nB: !Condition IsProd')).to.deep.equal({
        A: { Ref: 'Param' },
        B: { Condition: 'IsProd' },
      });
    });

    it('!GetAtt in scalar form splits on the first dot; list form is kept', () => {
      expect(
        yamlProperties('A: !GetAtt Bucket.Arn\nB: !GetAtt ConfigHelperStack.Outputs.ServiceToken\nC: !GetAtt [Stack, Outputs.Name]'),
      ).to.deep.equal({
        A: { 'Fn::GetAtt': ['Bucket', 'Arn'] },
        B: { 'Fn::GetAtt': ['ConfigHelperStack', 'Outputs.ServiceToken'] },
        C: { 'Fn::GetAtt': ['Stack', 'Outputs.Name'] },
      });
    });

    it('!Sub in string and list forms', () => {
      const properties = yamlProperties(`
A: !Sub 'arn:\${AWS::Partition}:s3:::\${Bucket}/*'
B: !Sub
  - '\${Name}-\${!Literal}'
  - Name: !Ref Env`);
      expect(properties).to.deep.equal({
        A: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' },
        B: { 'Fn::Sub': ['${Name}-${!Literal}', { Name: { Ref: 'Env' } }] },
      });
    });

    it('!Join, !Select, !Split, !GetAZs and !FindInMap, nested', () => {
      const properties = yamlProperties(`
A: !Join [',', [!Ref A, !Select [0, !GetAZs '']]]
B: !Select [1, !Split ['/', !Ref Path]]
C: !FindInMap [RegionMap, !Ref 'AWS::Region', Ami]
D: !GetAZs
E: !GetAZs us-west-2`);
      expect(properties).to.deep.equal({
        A: { 'Fn::Join': [',', [{ Ref: 'A' }, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }]] },
        B: { 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: 'Path' }] }] },
        C: { 'Fn::FindInMap': ['RegionMap', { Ref: 'AWS::Region' }, 'Ami'] },
        D: { 'Fn::GetAZs': '' },
        E: { 'Fn::GetAZs': 'us-west-2' },
      });
    });

    it('!If, !Equals, !And, !Or, !Not', () => {
      const properties = yamlProperties(`
A: !If [IsProd, !Ref 'AWS::NoValue', small]
B: !And [!Equals [!Ref Env, prod], !Not [!Condition IsDev]]
C: !Or [!Condition A, !Condition B]`);
      expect(properties).to.deep.equal({
        A: { 'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, 'small'] },
        B: { 'Fn::And': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, { 'Fn::Not': [{ Condition: 'IsDev' }] }] },
        C: { 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] },
      });
    });

    it('!Base64 over a block mapping, !ImportValue, !Cidr', () => {
      const properties = yamlProperties(`
UserData: !Base64
  Fn::Sub: |
    #!/bin/sh
    echo \${Env}
Vpc: !ImportValue SharedVpc
Cidrs: !Cidr [!GetAtt Vpc.CidrBlock, 3, 8]`);
      expect(properties).to.deep.equal({
        UserData: { 'Fn::Base64': { 'Fn::Sub': '#!/bin/sh\necho ${Env}\n' } },
        Vpc: { 'Fn::ImportValue': 'SharedVpc' },
        Cidrs: { 'Fn::Cidr': [{ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, 3, 8] },
      });
    });

    it('keeps anchors and aliases working', () => {
      const properties = yamlProperties(`
A: &trust { Principal: !Ref Who }
B: *trust`);
      expect(properties.B).to.deep.equal({ Principal: { Ref: 'Who' } });
    });

    it('parses the fixture modelled on the project template', () => {
      const template = parseTemplate(readFileSync(new URL('./fixtures/iot-backend.yaml', import.meta.url), 'utf8'));
      expect(Object.keys(template.Resources)).to.have.length(18);
      expect(template.Resources.SensorDataTableConfig!.Properties!.ServiceToken).to.deep.equal({
        'Fn::GetAtt': ['ConfigHelperStack', 'Outputs.ServiceToken'],
      });
    });
  });

  describe('errors', () => {
    it('reports broken JSON with its line and column', () => {
      expectTemplateError(
        () => parseTemplate('{\n  "Resources": {\n    "A": [1,}\n  }\n}'),
        'Template format error: JSON not well-formed.',
        '(line 3, column',
      );
    });

    it('reports broken YAML with its line and column', () => {
      expectTemplateError(
        () => parseTemplate('Resources:\n  A:\n    Type: [unclosed\n'),
        'Template format error: YAML not well-formed.',
        'line',
      );
    });

    it('rejects unknown short-form tags', () => {
      expectTemplateError(() => parseTemplate('Resources:\n  A: !Bogus x\n'), 'YAML not well-formed', 'Unresolved tag: !Bogus');
    });

    it('rejects duplicate keys in YAML', () => {
      expectTemplateError(() => parseTemplate('Resources: {}\nResources: {}\n'), 'Map keys must be unique');
    });

    it('rejects empty bodies and bodies that are not a mapping', () => {
      expectTemplateError(() => parseTemplate('  \n'), 'Template format error', 'empty');
      expectTemplateError(() => parseTemplate('- a\n- b\n'), 'must be a JSON object or a YAML mapping');
      expectTemplateError(() => parseTemplate('just text'), 'must be a JSON object or a YAML mapping');
    });
  });
});
