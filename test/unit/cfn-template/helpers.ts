import { expect } from 'chai';
import { TemplateError, type EvaluationScope, type StackContext } from '../../../localcloud/services/cloudformation/template/index.js';

/** Runs `action`, expects a TemplateError, and checks its message contains each fragment. */
export function expectTemplateError(action: () => unknown, ...fragments: string[]): TemplateError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a TemplateError to be thrown').to.be.instanceOf(TemplateError);
  const error = caught as TemplateError;
  expect(error.code).to.equal('ValidationError');
  for (const fragment of fragments) expect(error.message).to.contain(fragment);
  return error;
}

export const STACK: StackContext = {
  accountId: '000000000000',
  region: 'us-east-1',
  stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/demo/0f6e4a90-0000-4000-8000-000000000000',
  stackName: 'demo',
};

/** A scope with a few parameters, conditions and mappings, and resources answered by name. */
export function testScope(overrides: Partial<EvaluationScope> = {}): EvaluationScope {
  const resources = new Set(['Bucket', 'Queue', 'ConfigHelperStack']);
  return {
    stack: STACK,
    parameters: new Map<string, string | string[]>([
      ['Env', 'prod'],
      ['Count', '3'],
      ['Subnets', ['subnet-a', 'subnet-b']],
      ['Attr', 'Arn'],
    ]),
    conditions: new Map([
      ['IsProd', true],
      ['IsDev', false],
    ]),
    mappings: {
      RegionMap: {
        'us-east-1': { Ami: 'ami-east', Zones: ['z1', 'z2'] },
        'eu-west-1': { Ami: 'ami-west' },
      },
    },
    ref: (logicalId) => {
      if (!resources.has(logicalId)) throw new Error(`unexpected ref ${logicalId}`);
      return `physical-${logicalId}`;
    },
    getAtt: (logicalId, attribute) => {
      if (!resources.has(logicalId)) throw new Error(`unexpected getAtt ${logicalId}`);
      return `${logicalId}#${attribute}`;
    },
    importValue: (name) => `imported:${name}`,
    ...overrides,
  };
}
