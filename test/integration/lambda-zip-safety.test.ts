import { CreateFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { extractZip } from '../../localcloud/services/lambda/model/zip-extraction.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';

/**
 * Issue 11: a zip entry that is a symbolic link let a later entry write
 * outside the function's code folder. These packages are hand-made the way
 * an attacker would make them.
 */

const ROLE = 'arn:aws:iam::000000000000:role/lambda-test-role';
const HANDLER = 'exports.handler = async () => ({ ok: true });';
const S_IFLNK = 0o120000;

type ZipItem = { name: string; content?: string; symlinkTo?: string };

/** A zip of files and symbolic links (a link is an entry whose mode says S_IFLNK and whose content is its target). */
function makeZip(items: ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date(Date.UTC(2024, 0, 1));
  for (const item of items) {
    if (item.symlinkTo !== undefined) zip.addBuffer(Buffer.from(item.symlinkTo), item.name, { mtime, mode: S_IFLNK | 0o777 });
    else zip.addBuffer(Buffer.from(item.content ?? ''), item.name, { mtime });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** yazl refuses names such as `../x`: write a harmless name of the same length, then patch its bytes (names are not checksummed). */
function renameEntries(zip: Buffer, from: string, to: string): Buffer {
  expect(from.length).to.equal(to.length);
  const patched = Buffer.from(zip);
  let at = patched.indexOf(from);
  expect(at, `${from} is in the zip`).to.be.at.least(0);
  while (at >= 0) {
    patched.write(to, at, 'latin1');
    at = patched.indexOf(from, at + 1);
  }
  return patched;
}

describe('lambda: deployment packages cannot write outside their code folder', function () {
  this.timeout(60_000);
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let outside: ReturnType<typeof tempDir>;
  let count = 0;

  before(async () => {
    cloud = await startTestCloud();
    lambda = new LambdaClient(cloud.clientConfig());
    await createExecutionRole(cloud.clientConfig(), 'lambda-test-role');
  });
  beforeEach(() => (outside = tempDir('localcloud-outside-')));
  afterEach(() => outside.cleanup());
  after(async () => {
    lambda?.destroy();
    await cloud?.stop();
  });

  const createFunction = (zip: Buffer) =>
    lambda.send(new CreateFunctionCommand({ FunctionName: `zip-safety-${++count}`, Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip } }));

  /** The hostile packages, each with the file it would create outside (under `outside.dir`). */
  const hostile: Array<[string, () => Promise<Buffer>, RegExp]> = [
    [
      'a link to an absolute folder, then a file through it',
      () => makeZip([{ name: 'index.js', content: HANDLER }, { name: 'escape', symlinkTo: outside.dir }, { name: 'escape/pwned.txt', content: 'pwned' }]),
      /symbolic link 'escape' points to '\/.*', outside the function's code folder/,
    ],
    [
      'a relative link climbing out, then a file through it',
      () => makeZip([{ name: 'index.js', content: HANDLER }, { name: 'up', symlinkTo: '../../../../../../../../../../..' + outside.dir }, { name: 'up/pwned.txt', content: 'pwned' }]),
      /symbolic link 'up' points to '(\.\.\/)+.*', outside the function's code folder/,
    ],
    [
      'a file through a link, even one that stays inside',
      () => makeZip([{ name: 'index.js', content: HANDLER }, { name: 'lib', symlinkTo: 'src' }, { name: 'src/a.js', content: '' }, { name: 'lib/b.js', content: '' }]),
      /The entry 'lib\/b\.js' lies under the symbolic link 'lib'/,
    ],
    [
      'a link pointing outside, alone',
      () => makeZip([{ name: 'index.js', content: HANDLER }, { name: 'lib/secrets', symlinkTo: '../../' }]),
      /symbolic link 'lib\/secrets' points to '\.\.\/\.\.\/', outside the function's code folder/,
    ],
    [
      'a link through another link',
      () => makeZip([{ name: 'index.js', content: HANDLER }, { name: 'here', symlinkTo: '.' }, { name: 'parent', symlinkTo: 'here/..' }]),
      /points through another symbolic link \('here'\)/,
    ],
    [
      'an entry named with ".."',
      async () => renameEntries(await makeZip([{ name: 'index.js', content: HANDLER }, { name: 'xx/pwned.txt', content: 'pwned' }]), 'xx/pwned.txt', '../pwned.txt'),
      /The entry '\.\.\/pwned\.txt' would be written outside the function's code folder/,
    ],
    [
      'an absolute entry name',
      async () => renameEntries(await makeZip([{ name: 'index.js', content: HANDLER }, { name: 'xtmp/pwned.txt', content: 'pwned' }]), 'xtmp/pwned.txt', '/tmp/pwned.txt'),
      /The entry '\/tmp\/pwned\.txt' would be written outside/,
    ],
  ];

  for (const [what, build, message] of hostile) {
    it(`refuses ${what}, at CreateFunction and UpdateFunctionCode`, async () => {
      const zip = await build();
      await expectAwsError(createFunction(zip), 'InvalidParameterValueException', 400, message);

      const created = await createFunction(await makeZip([{ name: 'index.js', content: HANDLER }]));
      await expectAwsError(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: created.FunctionName, ZipFile: zip })), 'InvalidParameterValueException', 400, message);
      expect(readdirSync(outside.dir)).to.deep.equal([]);
    });

    it(`extracts nothing outside the folder from ${what}, even if it was stored before these checks`, async () => {
      const into = tempDir();
      try {
        await extractZip(await build(), into.dir).then(
          () => expect.fail('extraction should refuse it'),
          (err: Error) => expect(err.message).to.match(message),
        );
        expect(readdirSync(outside.dir)).to.deep.equal([]);
        expect(existsSync(path.join(path.dirname(into.dir), 'pwned.txt'))).to.equal(false);
      } finally {
        into.cleanup();
      }
    });
  }

  it('keeps symbolic links that stay inside, as AWS Lambda does, and runs the function', async () => {
    const zip = await makeZip([
      { name: 'index.js', content: "exports.handler = async () => require('./node_modules/.bin/greet')();" },
      { name: 'node_modules/greeter/cli.js', content: "module.exports = () => 'hello through a link';" },
      { name: 'node_modules/.bin/greet', symlinkTo: '../greeter/cli.js' },
    ]);
    const created = await createFunction(zip);
    const output = await lambda.send(new InvokeCommand({ FunctionName: created.FunctionName }));
    expect(output.FunctionError, Buffer.from(output.Payload ?? []).toString()).to.equal(undefined);
    expect(JSON.parse(Buffer.from(output.Payload!).toString())).to.equal('hello through a link');

    const into = tempDir();
    try {
      await extractZip(zip, into.dir);
      const link = path.join(into.dir, 'node_modules', '.bin', 'greet');
      expect(lstatSync(link).isSymbolicLink()).to.equal(true);
      expect(readlinkSync(link)).to.equal('../greeter/cli.js');
    } finally {
      into.cleanup();
    }
  });
});
