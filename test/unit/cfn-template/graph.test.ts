import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  deletionLayers,
  dependents,
  findCycles,
  includedResourceIds,
  parseTemplate,
  readyToCreate,
  readyToDelete,
  referencedNames,
  resourceDependencies,
  topologicalLayers,
  type DependencyGraph,
} from '../../../localcloud/services/cloudformation/template/index.js';
import { expectTemplateError } from './helpers.js';

const iotBackend = parseTemplate(readFileSync(new URL('./fixtures/iot-backend.yaml', import.meta.url), 'utf8'));

/** The graph with sets turned into sorted arrays, for deep equality. */
function plain(graph: DependencyGraph): Record<string, string[]> {
  return Object.fromEntries([...graph].map(([id, dependencies]) => [id, [...dependencies].sort()]));
}

describe('cfn-template graph', () => {
  describe('the IoT backend fixture', () => {
    const graph = resourceDependencies(iotBackend);

    it('finds explicit and implicit dependencies, including Sub variables and the nested stack output', () => {
      expect(plain(graph)).to.deep.equal({
        TestClientUser: [],
        TestClientPolicy: ['ApiFunction', 'EventStream', 'TestClientUser'],
        TestClientKeys: ['TestClientUser'],
        EventStream: [],
        ArchiveBucket: [],
        SensorDataTable: [],
        ConfigTable: [],
        ApiFunction: ['ApiExecutionRole', 'SensorDataTable'],
        DdbCloudWatchEventProcessorFunction: ['DdbCloudWatchProcessorRole', 'SensorDataTable'],
        EventArchiverFunction: ['ArchiveBucket', 'EventArchiverRole'],
        ApiExecutionRole: ['ConfigTable', 'SensorDataTable'],
        DdbCloudWatchProcessorRole: ['ConfigTable', 'SensorDataTable'],
        EventArchiverRole: ['ArchiveBucket', 'ConfigTable'],
        DdbCloudWatchProcessorSourceMapping: ['DdbCloudWatchEventProcessorFunction', 'EventStream'],
        EventArchiverSourceMapping: ['EventArchiverFunction', 'EventStream'],
        ConfigHelperStack: ['ConfigTable'],
        SensorDataTableConfig: ['ConfigHelperStack', 'SensorDataTable'],
        ArchiveBucketConfig: ['ArchiveBucket', 'ConfigHelperStack'],
      });
    });

    it('orders creation in layers that can each run in parallel', () => {
      expect(topologicalLayers(graph)).to.deep.equal([
        ['TestClientUser', 'EventStream', 'ArchiveBucket', 'SensorDataTable', 'ConfigTable'],
        ['TestClientKeys', 'ApiExecutionRole', 'DdbCloudWatchProcessorRole', 'EventArchiverRole', 'ConfigHelperStack'],
        ['ApiFunction', 'DdbCloudWatchEventProcessorFunction', 'EventArchiverFunction', 'SensorDataTableConfig', 'ArchiveBucketConfig'],
        ['TestClientPolicy', 'DdbCloudWatchProcessorSourceMapping', 'EventArchiverSourceMapping'],
      ]);
    });

    it('deletes in the reverse order', () => {
      const layers = deletionLayers(graph);
      expect(layers[0]).to.deep.equal(['TestClientPolicy', 'DdbCloudWatchProcessorSourceMapping', 'EventArchiverSourceMapping']);
      const position = new Map(layers.flatMap((layer, index) => layer.map((id) => [id, index] as const)));
      for (const [id, dependencies] of graph) {
        for (const dependency of dependencies) expect(position.get(id)).to.be.lessThan(position.get(dependency)!);
      }
    });

    it('lets an engine start each resource as soon as it is ready', () => {
      const created = new Set<string>();
      const started = new Set(readyToCreate(graph, created));
      expect([...started]).to.include('ConfigTable').and.not.include('ConfigHelperStack');
      // ConfigTable finishing first releases the nested stack while the others still run.
      started.delete('ConfigTable');
      created.add('ConfigTable');
      expect(readyToCreate(graph, created, started)).to.deep.equal(['ConfigHelperStack']);

      const all = new Set(graph.keys());
      while (created.size < all.size) {
        const ready = readyToCreate(graph, created);
        expect(ready, 'progress').to.not.be.empty;
        for (const id of ready) {
          for (const dependency of graph.get(id)!) expect(created.has(dependency), `${id} after ${dependency}`).to.equal(true);
          created.add(id);
        }
      }
    });

    it('lets an engine delete each resource once nothing depends on it', () => {
      const deleted = new Set<string>();
      const first = readyToDelete(graph, deleted);
      expect(first).to.include('SensorDataTableConfig').and.not.include('ConfigHelperStack');
      for (const id of first) deleted.add(id);
      expect(readyToDelete(graph, deleted)).to.include('ConfigHelperStack');
      expect(plain(dependents(graph)).ConfigHelperStack).to.deep.equal(['ArchiveBucketConfig', 'SensorDataTableConfig']);
    });
  });

  it('accepts the repository template too, with the nested stack before the custom resources', function () {
    let body: string;
    try {
      body = readFileSync(new URL('../../../cloudformation/iot-backend.template', import.meta.url), 'utf8');
    } catch {
      this.skip();
    }
    const layers = topologicalLayers(resourceDependencies(parseTemplate(body)));
    const layerOf = (id: string) => layers.findIndex((layer) => layer.includes(id));
    expect(layerOf('ConfigHelperStack')).to.be.lessThan(layerOf('SensorDataTableConfig'));
    expect(layerOf('ConfigTable')).to.be.lessThan(layerOf('ConfigHelperStack'));
  });

  describe('references', () => {
    it('collects Ref, GetAtt (both forms), Sub variables and DependsOn', () => {
      const template = parseTemplate(`
Resources:
  A:
    Type: T::T::T
    DependsOn: B
    Properties:
      X: !Ref C
      Y: !GetAtt D.Arn
      Z: { 'Fn::GetAtt': E.Outputs.Name }
      W: !Sub '\${F}-\${G.Attr}-\${!H}-\${AWS::Region}'
      V: !Sub ['\${Local}', { Local: !Ref I }]
  B: { Type: T::T::T, DependsOn: [C, D] }
  C: { Type: T::T::T }
  D: { Type: T::T::T }
  E: { Type: T::T::T }
  F: { Type: T::T::T }
  G: { Type: T::T::T }
  H: { Type: T::T::T }
  I: { Type: T::T::T }
`);
      const graph = resourceDependencies(template);
      expect([...graph.get('A')!].sort()).to.deep.equal(['B', 'C', 'D', 'E', 'F', 'G', 'I']);
      expect([...graph.get('B')!].sort()).to.deep.equal(['C', 'D']);
    });

    it('leaves parameters and pseudo parameters out of the graph', () => {
      const template = parseTemplate(`
Parameters: { Env: { Type: String } }
Resources:
  A: { Type: T::T::T, Properties: { X: !Sub '\${Env}-\${AWS::StackName}', Y: !Ref Env } }
`);
      expect(plain(resourceDependencies(template))).to.deep.equal({ A: [] });
      expect([...referencedNames(template.Resources.A)].sort()).to.deep.equal(['AWS::StackName', 'Env']);
    });
  });

  describe('conditions', () => {
    const template = parseTemplate(`
Resources:
  Bucket: { Type: AWS::S3::Bucket }
  Replica: { Type: AWS::S3::Bucket, Condition: IsProd }
  Consumer:
    Type: T::T::T
    Properties:
      Target: !If [IsProd, !Ref Replica, !Ref Bucket]
  Strict:
    Type: T::T::T
    Properties:
      Target: !Ref Replica
`);

    it('without results, counts every resource and both branches', () => {
      expect(plain(resourceDependencies(template)).Consumer).to.deep.equal(['Bucket', 'Replica']);
      expect(includedResourceIds(template)).to.have.length(4);
    });

    it('with results, drops resources whose condition is false and follows only the branch taken', () => {
      const withoutStrict = { ...template, Resources: { ...template.Resources } };
      delete withoutStrict.Resources.Strict;
      const conditions = new Map([['IsProd', false]]);
      expect(includedResourceIds(withoutStrict, conditions)).to.deep.equal(['Bucket', 'Consumer']);
      expect(plain(resourceDependencies(withoutStrict, { conditions }))).to.deep.equal({ Bucket: [], Consumer: ['Bucket'] });
      expect(plain(resourceDependencies(withoutStrict, { conditions: new Map([['IsProd', true]]) })).Consumer).to.deep.equal(['Replica']);
    });

    it('reports a resource that needs one left out by its condition', () => {
      expectTemplateError(
        () => resourceDependencies(template, { conditions: new Map([['IsProd', false]]) }),
        'Unresolved resource dependencies [Replica] in the Resources block of the template',
      );
    });
  });

  describe('cycles', () => {
    const graph: DependencyGraph = new Map([
      ['A', new Set(['B'])],
      ['B', new Set(['C'])],
      ['C', new Set(['A'])],
      ['D', new Set(['A'])],
      ['E', new Set(['E'])],
      ['F', new Set<string>()],
    ]);

    it('finds each cycle and only its members', () => {
      expect(findCycles(graph)).to.deep.equal([['A', 'B', 'C'], ['E']]);
    });

    it('refuses to order a graph with a cycle, naming the members', () => {
      expectTemplateError(() => topologicalLayers(graph), 'Circular dependency between resources: [A, B, C, E]');
      expectTemplateError(() => deletionLayers(graph), 'Circular dependency between resources');
    });
  });
});
