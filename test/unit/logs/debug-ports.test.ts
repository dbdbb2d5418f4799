/** `make up DEBUG=…`: a function's inspector port is stable, whichever functions are debugged. */
import { expect } from 'chai';
import { debugPorts, debugSelection } from '../../../harness/debug/ports.js';
import { UserError } from '../../../harness/support/errors.js';

const functions = [
  { logicalPath: 'EventArchiverFunction', logicalId: 'EventArchiverFunction', name: 'stack-EventArchiver-1' },
  { logicalPath: 'ApiFunction', logicalId: 'ApiFunction', name: 'stack-Api-1' },
  { logicalPath: 'ConfigHelperStack/AddConfigSetting', logicalId: 'AddConfigSetting', name: 'nested-Add-1' },
];

describe('make up DEBUG: inspector ports', function () {
  it('reads DEBUG as all, none, or a selection', function () {
    for (const all of ['1', 'true', 'all', 'YES']) expect(debugSelection(all)).to.equal('all');
    for (const none of [undefined, '', '0', 'false', 'off']) expect(debugSelection(none)).to.equal('none');
    expect(debugSelection(' ApiFunction ')).to.equal('ApiFunction');
  });

  it("gives each function the base port plus its place among the stack's sorted functions", function () {
    expect(debugPorts(functions, 'all', 9229).map((f) => [f.logicalPath, f.port])).to.deep.equal([
      ['ApiFunction', 9229],
      ['ConfigHelperStack/AddConfigSetting', 9230],
      ['EventArchiverFunction', 9231],
    ]);
  });

  it('keeps those ports when only some are debugged, named by logical id, path or physical name', function () {
    expect(debugPorts(functions, 'EventArchiverFunction,AddConfigSetting', 9229).map((f) => f.port)).to.deep.equal([9231, 9230]);
    expect(debugPorts(functions, 'stack-Api-1', 9300).map((f) => f.port)).to.deep.equal([9300]);
    expect(debugPorts(functions, 'none')).to.deep.equal([]);
  });

  it('refuses an unknown function, listing the known ones', function () {
    expect(() => debugPorts(functions, 'Nope')).to.throw(UserError, /DEBUG: the stack has no function 'Nope'; its functions are ApiFunction \(stack-Api-1\)/);
  });
});

describe('.vscode/launch.json', function () {
  it("attaches to every function of the template on the port make up DEBUG=1 gives it", async function () {
    const { readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { NESTED_TEMPLATE_PATH, PROJECT_ROOT, TEMPLATE_PATH } = await import('../../../harness/support/paths.js');
    type Template = { Resources: Record<string, { Type: string }> };
    const root = JSON.parse(readFileSync(TEMPLATE_PATH, 'utf8')) as Template;
    const nested = JSON.parse(readFileSync(NESTED_TEMPLATE_PATH, 'utf8')) as Template;
    const lambdas = (t: Template, prefix = '') =>
      Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id]) => ({ logicalPath: `${prefix}${id}`, logicalId: id, name: id }));
    const nestedId = Object.entries(root.Resources).find(([, r]) => r.Type === 'AWS::CloudFormation::Stack')![0];
    const expected = debugPorts([...lambdas(root), ...lambdas(nested, `${nestedId}/`)], 'all').map((f) => `Attach: ${f.logicalPath} (127.0.0.1:${f.port})`);
    const launch = JSON.parse(readFileSync(path.join(PROJECT_ROOT, '.vscode', 'launch.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
      configurations: { name: string; port: number }[];
    };
    expect(launch.configurations.map((c) => c.name)).to.deep.equal(expected);
    for (const c of launch.configurations) expect(c.name).to.contain(`:${c.port})`);
  });
});
