/**
 * Lambda's REST-JSON API with hostile input: wrong member types on each
 * route that takes a body, function names no path should hold, and
 * deployment packages that try to write outside the function's code folder
 * (a symlink entry followed by an entry through it, `..` paths, absolute
 * paths). The escape attempts aim at a folder the soak owns and checks.
 */
import path from 'node:path';
import yazl from 'yazl';
import { INVALID_UTF8, nested, signAs, type FuzzCase, type FuzzClass, type FuzzRequest } from './case.js';

import { ensureSoakRole, SOAK_ROLE_ARN as ROLE } from '../role.js';

function lambdaCall(method: string, urlPath: string, body?: string | Buffer): FuzzRequest {
  return { kind: 'http', method, path: urlPath, headers: { 'content-type': 'application/json' }, body, sign: signAs('lambda') };
}

const WRONG: [string, unknown][] = [
  ['number', 7],
  ['boolean', false],
  ['array', ['a']],
  ['object', { a: 1 }],
  ['null', null],
];

const BODY_ROUTES: { method: string; path: string; members: string[]; mustFail: boolean }[] = [
  { method: 'POST', path: '/2015-03-31/functions', members: ['FunctionName', 'Runtime', 'Role', 'Handler', 'Code', 'Timeout', 'MemorySize', 'Environment', 'Description', 'Publish'], mustFail: true },
  { method: 'PUT', path: '/2015-03-31/functions/soak-missing/configuration', members: ['Timeout', 'MemorySize', 'Environment', 'Handler', 'Runtime', 'Description', 'Role'], mustFail: true },
  { method: 'PUT', path: '/2015-03-31/functions/soak-missing/code', members: ['ZipFile', 'S3Bucket', 'S3Key', 'Publish'], mustFail: true },
  { method: 'POST', path: '/2015-03-31/event-source-mappings', members: ['FunctionName', 'EventSourceArn', 'BatchSize', 'StartingPosition', 'Enabled'], mustFail: true },
  { method: 'PUT', path: '/2017-10-31/functions/soak-missing/concurrency', members: ['ReservedConcurrentExecutions'], mustFail: true },
  { method: 'POST', path: '/2015-03-31/functions/soak-missing/policy', members: ['StatementId', 'Action', 'Principal', 'SourceArn'], mustFail: true },
];

const NAMES: [string, string][] = [
  ['a NUL', '%00'],
  ['a path escape', '..%2F..%2F..%2Fetc%2Fpasswd'],
  ['10,000 characters', 'a'.repeat(10_000)],
  ['bad percent-encoding', '%E0%A4%A'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['an ARN of another partition', 'arn:aws-soak:lambda:xx-soak-1:123456789012:function:f'],
  ['an ARN with a made-up region', 'arn:aws:lambda:xx-soak-1:123456789012:function:f'],
];

export function lambdaRest(): FuzzClass {
  const cases: FuzzCase[] = [];
  for (const route of BODY_ROUTES) {
    for (const [label, value] of WRONG) {
      const body = JSON.stringify(Object.fromEntries(route.members.map((m) => [m, value])));
      cases.push({ label: `${route.method} ${route.path}: every member a ${label}`, request: lambdaCall(route.method, route.path, body), expect: route.mustFail ? 'error' : 'any', essential: route.path === '/2015-03-31/functions' });
    }
    cases.push({ label: `${route.method} ${route.path}: a body nested 5,000 deep`, request: lambdaCall(route.method, route.path, nested('{"a":', '}', '1', 5000)), expect: 'error' });
    cases.push({ label: `${route.method} ${route.path}: invalid UTF-8`, request: lambdaCall(route.method, route.path, INVALID_UTF8), expect: 'error' });
    cases.push({ label: `${route.method} ${route.path}: not JSON`, request: lambdaCall(route.method, route.path, '{"FunctionName":'), expect: 'error' });
  }
  cases.push({ label: 'CreateFunction: FunctionName a number', request: lambdaCall('POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 7, Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: '' } })), expect: 'error', essential: true });
  for (const [label, name] of NAMES) {
    cases.push({ label: `Invoke a function named with ${label}`, request: lambdaCall('POST', `/2015-03-31/functions/${name}/invocations`, '{}'), expect: 'error', essential: label === '__proto__' });
    cases.push({ label: `GetFunction of a name with ${label}`, request: lambdaCall('GET', `/2015-03-31/functions/${name}`), expect: 'error' });
  }
  cases.push({ label: 'ListFunctions with MaxItems=-1', request: lambdaCall('GET', '/2015-03-31/functions?MaxItems=-1'), expect: 'error' });
  cases.push({ label: 'ListFunctions with a garbage Marker', request: lambdaCall('GET', '/2015-03-31/functions?Marker=%00%FF'), expect: 'any' });
  cases.push({ label: 'an unknown Lambda route', request: lambdaCall('DELETE', '/2015-03-31/soak'), expect: 'error' });
  return { name: 'Lambda REST: wrong types and hostile names', cases };
}

/**
 * CreateFunction with deployment packages that try to escape. `escapeDir` is
 * an absolute folder of the soak's: after the class, anything in it is an
 * escape. Each case has its own function name, so each zip is extracted.
 */
export async function hostileZips(escapeDir: string, runId: string): Promise<FuzzClass> {
  const handler = Buffer.from('exports.handler = async () => "ok";\n');
  const up = '../'.repeat(24);
  const packages: [label: string, build: (zip: yazl.ZipFile) => void][] = [
    ['a symlink to the escape folder, then a file through it', (zip) => {
      zip.addBuffer(Buffer.from(escapeDir), 'link', { mode: 0o120777 });
      zip.addBuffer(Buffer.from('escaped'), 'link/through-symlink.txt');
      zip.addBuffer(handler, 'index.js');
    }],
    ['a symlink to a parent, then a file through it', (zip) => {
      zip.addBuffer(Buffer.from(up + escapeDir.slice(1)), 'up', { mode: 0o120777 });
      zip.addBuffer(Buffer.from('escaped'), 'up/through-relative-symlink.txt');
      zip.addBuffer(handler, 'index.js');
    }],
    ['a symlink named like the handler pointing outside', (zip) => {
      zip.addBuffer(Buffer.from('/etc/passwd'), 'index.js', { mode: 0o120777 });
    }],
  ];
  const rawNames: [label: string, name: string][] = [
    ['a .. path', `${up}${escapeDir.slice(1)}/dotdot.txt`],
    ['an absolute path', `${escapeDir}/absolute.txt`],
    ['a .. path behind a folder', `a/b/${up}${escapeDir.slice(1)}/behind-folder.txt`],
    ['a backslash .. path', `..\\..\\..\\..\\${path.basename(escapeDir)}\\backslash.txt`],
  ];
  const cases: FuzzCase[] = [];
  let n = 0;
  const create = async (label: string, zipFile: Buffer, expect: FuzzCase['expect']) => {
    const body = JSON.stringify({ FunctionName: `soak-zip-${runId}-${++n}`, Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zipFile.toString('base64') } });
    cases.push({ label: `CreateFunction with ${label}`, request: lambdaCall('POST', '/2015-03-31/functions', body), expect, essential: true });
    cases.push({ label: `Invoke the function made of ${label}`, request: lambdaCall('POST', `/2015-03-31/functions/soak-zip-${runId}-${n}/invocations`, '{}'), expect: 'any', essential: true });
  };
  for (const [label, build] of packages) await create(label, await zipOf(build), 'any');
  // yazl refuses names with `..` or a leading `/`, as a careful zip writer
  // should; the hostile names are patched into the finished archive instead.
  for (const [label, name] of rawNames) await create(label, await zipWithRawName(name, Buffer.from('escaped')), 'any');
  await create('bytes that are not a zip', Buffer.from('PK\u0003\u0004 this is not a zip'), 'error');
  await create('a truncated zip', (await zipOf((zip) => zip.addBuffer(handler, 'index.js'))).subarray(0, 40), 'error');
  await create('an empty zip', await zipOf(() => undefined), 'any');
  // The functions must be able to run: their role exists before the first CreateFunction.
  return { name: 'Lambda: hostile deployment packages', cases, prepare: async (url) => void (await ensureSoakRole(url)) };
}

function zipOf(build: (zip: yazl.ZipFile) => void): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  build(zip);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/**
 * A zip with one entry named `name` verbatim. It is written under a
 * placeholder of the same length, then the placeholder is replaced in both
 * the local header and the central directory (no CRC covers names).
 */
async function zipWithRawName(name: string, content: Buffer): Promise<Buffer> {
  const nameBytes = Buffer.from(name, 'utf8');
  const placeholder = 'p'.repeat(nameBytes.length);
  const zip = await zipOf((z) => {
    z.addBuffer(content, placeholder, { compress: false });
    z.addBuffer(Buffer.from('exports.handler = async () => "ok";\n'), 'index.js');
  });
  const needle = Buffer.from(placeholder);
  let at = zip.indexOf(needle);
  while (at >= 0) {
    nameBytes.copy(zip, at);
    at = zip.indexOf(needle, at + needle.length);
  }
  return zip;
}
