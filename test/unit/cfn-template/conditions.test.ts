import { expect } from 'chai';
import { evaluateConditions, parseTemplate } from '../../../localcloud/services/cloudformation/template/index.js';
import { STACK, expectTemplateError } from './helpers.js';

const scope = {
  stack: STACK,
  parameters: new Map<string, string | string[]>([
    ['Env', 'prod'],
    ['Replicas', '3'],
  ]),
  mappings: { EnvMap: { prod: { Monitoring: 'on' }, dev: { Monitoring: 'off' } } },
};

describe('cfn-template conditions', () => {
  it('evaluates every condition, including ones that name conditions defined later', () => {
    const template = parseTemplate(`
Conditions:
  IsProdInUsEast: !And [!Condition IsProd, !Equals [!Ref 'AWS::Region', us-east-1]]
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Replicated: !Equals [!Ref Replicas, 3]
  Monitored: !Equals [!FindInMap [EnvMap, !Ref Env, Monitoring], 'on']
  Either: !Or [!Condition IsDev, !Condition Monitored]
Resources:
  R: { Type: Test::Thing }
`);
    expect(Object.fromEntries(evaluateConditions(template.Conditions, scope))).to.deep.equal({
      IsProdInUsEast: true,
      IsProd: true,
      IsDev: false,
      Replicated: true,
      Monitored: true,
      Either: true,
    });
  });

  it('returns an empty map for a template without conditions', () => {
    expect(evaluateConditions(undefined, scope).size).to.equal(0);
  });

  it('reports a cycle between conditions with its members', () => {
    const conditions = {
      A: { 'Fn::Not': [{ Condition: 'B' }] },
      B: { 'Fn::And': [{ Condition: 'C' }, { 'Fn::Equals': ['x', 'x'] }] },
      C: { 'Fn::Not': [{ Condition: 'A' }] },
    };
    expectTemplateError(() => evaluateConditions(conditions, scope), 'Circular dependency between conditions: [A, B, C]');
  });

  it('reports a condition that names an undefined condition', () => {
    expectTemplateError(
      () => evaluateConditions({ A: { 'Fn::Not': [{ Condition: 'Missing' }] } }, scope),
      'Unresolved condition dependency Missing in condition A',
    );
  });

  it('refuses resources in conditions', () => {
    expectTemplateError(
      () => evaluateConditions({ A: { 'Fn::Equals': [{ Ref: 'Bucket' }, 'x'] } }, scope),
      'Unresolved dependencies [Bucket]. Cannot reference resources in the Conditions block of the template',
    );
  });

  it('reports a condition that is not a condition function, naming it', () => {
    expectTemplateError(() => evaluateConditions({ A: 'yes' }, scope), '[/Conditions/A]', 'must be a condition function');
  });
});
