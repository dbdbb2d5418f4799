/**
 * The modules used together the way the engine will: parse, validate, resolve
 * parameters and conditions, order, then evaluate each resource's properties
 * with the physical IDs and attributes of the resources created before it.
 * "Creating" a resource here just records invented IDs: no I/O.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  evaluateConditions,
  parameterValues,
  parseTemplate,
  requiredCapabilities,
  resolve,
  resolveOutputs,
  resolveParameters,
  resourceDependencies,
  topologicalLayers,
  validateTemplate,
  type EvaluationScope,
} from '../../../localcloud/services/cloudformation/template/index.js';
import { STACK, expectTemplateError } from './helpers.js';

describe('cfn-template as the engine uses it', () => {
  const template = parseTemplate(readFileSync(new URL('./fixtures/iot-backend.yaml', import.meta.url), 'utf8'));
  validateTemplate(template);

  /** Deploys the fixture in memory and returns what each resource was given. */
  function deploy() {
    const parameters = parameterValues(resolveParameters(template.Parameters, { CodeBucket: 'local-code' }));
    const conditions = evaluateConditions(template.Conditions, { stack: STACK, parameters });
    const physicalIds = new Map<string, string>();
    const properties = new Map<string, unknown>();
    const scope: EvaluationScope = {
      stack: STACK,
      parameters,
      conditions,
      mappings: template.Mappings,
      ref: (id) => {
        const physical = physicalIds.get(id);
        if (physical === undefined) throw new Error(`${id} referenced before it was created`);
        return physical;
      },
      getAtt: (id, attribute) => {
        if (!physicalIds.has(id)) throw new Error(`${id} referenced before it was created`);
        return attribute === 'Outputs.ServiceToken'
          ? 'arn:aws:lambda:us-east-1:000000000000:function:demo-AddConfigSetting'
          : `arn:aws:test:::${physicalIds.get(id)}/${attribute}`;
      },
    };
    for (const layer of topologicalLayers(resourceDependencies(template, { conditions }))) {
      for (const id of layer) {
        properties.set(id, resolve(template.Resources[id]!.Properties ?? {}, scope, { at: ['Resources', id, 'Properties'] }));
        physicalIds.set(id, `demo-${id}-ABC123`);
      }
    }
    return { properties, outputs: resolveOutputs(template.Outputs, scope) };
  }

  it('evaluates every resource after its dependencies, with parameters and defaults applied', () => {
    const { properties } = deploy();
    expect(properties.get('ConfigHelperStack')).to.deep.equal({
      TemplateURL: 'https://s3.amazonaws.com/local-code/iot-backend/config-helper.template',
      Parameters: { ConfigTable: 'demo-ConfigTable-ABC123' },
      TimeoutInMinutes: 2,
    });
    expect(properties.get('SensorDataTableConfig')).to.deep.equal({
      ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:demo-AddConfigSetting',
      Environment: 'demo',
      Key: 'SensorDataTable',
      Value: 'demo-SensorDataTable-ABC123',
    });
    expect(properties.get('ApiFunction')).to.deep.include({
      Role: 'arn:aws:test:::demo-ApiExecutionRole-ABC123/Arn',
      Code: { S3Bucket: 'local-code', S3Key: 'iot-backend/iot_api.zip' },
      Description: '{"sensorDataTable": "demo-SensorDataTable-ABC123"}',
    });
    const policy = properties.get('TestClientPolicy') as { PolicyDocument: { Statement: Array<{ Resource: unknown }> } };
    expect(policy.PolicyDocument.Statement[1]!.Resource).to.equal(
      'arn:aws:kinesis:us-east-1:000000000000:stream/demo-EventStream-ABC123',
    );
  });

  it('evaluates the outputs once everything exists', () => {
    const { outputs } = deploy();
    expect(outputs.find((output) => output.OutputKey === 'Region')).to.deep.equal({ OutputKey: 'Region', OutputValue: 'us-east-1' });
    expect(outputs.find((output) => output.OutputKey === 'SecretAccessKey')!.OutputValue).to.equal(
      'arn:aws:test:::demo-TestClientKeys-ABC123/SecretAccessKey',
    );
    expect(outputs).to.have.length(7);
  });

  it('skips outputs whose condition is false, publishes export names, and refuses list values', () => {
    const scope: EvaluationScope = { stack: STACK, conditions: new Map([['Off', false]]), ref: (id) => `id-${id}` };
    const outputs = resolveOutputs(
      {
        Hidden: { Value: 'x', Condition: 'Off' },
        Shown: { Value: { Ref: 'R' }, Description: 'the R', Export: { Name: { 'Fn::Sub': '${AWS::StackName}-R' } } },
      },
      scope,
    );
    expect(outputs).to.deep.equal([{ OutputKey: 'Shown', OutputValue: 'id-R', Description: 'the R', ExportName: 'demo-R' }]);
    expectTemplateError(
      () => resolveOutputs({ Zones: { Value: { 'Fn::GetAZs': '' } } }, scope),
      '[/Outputs/Zones/Value] The Value of every Outputs member must evaluate to a String',
    );
  });

  it('says which capabilities CreateStack needs', () => {
    expect(requiredCapabilities(template)).to.deep.include({ capabilities: ['CAPABILITY_IAM'] });
    expect(requiredCapabilities(template).resources).to.include.members(['TestClientUser', 'ApiExecutionRole']);
    const named = parseTemplate('Resources:\n  R: { Type: AWS::IAM::Role, Properties: { RoleName: fixed } }\n');
    expect(requiredCapabilities(named).capabilities).to.deep.equal(['CAPABILITY_NAMED_IAM']);
    expect(requiredCapabilities(parseTemplate('Resources:\n  B: { Type: AWS::S3::Bucket }\n')).capabilities).to.deep.equal([]);
  });
});
