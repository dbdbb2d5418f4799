/**
 * `make build`: real esbuild, real zips, read back with yauzl and loaded with
 * `require` the way the nodejs22.x runtime loads a handler.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import { buildFunctions, FUNCTION_NAMES, REPO_ROOT, type BuiltFunction } from '../../../harness/build/build.js';

interface ZipEntry {
  fileName: string;
  mode: number;
  lastModified: Date;
  extraFieldLength: number;
  contents: Buffer;
}

function readZip(zipPath: string): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError);
      const entries: ZipEntry[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push({
              fileName: entry.fileName,
              mode: entry.externalFileAttributes >>> 16,
              lastModified: entry.getLastModDate(),
              extraFieldLength: entry.extraFieldLength,
              contents: Buffer.concat(chunks),
            });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('function build', function () {
  this.timeout(30_000);

  const scratch: string[] = [];
  const tempDir = async (label: string) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `iot-build-${label}-`));
    scratch.push(dir);
    return dir;
  };
  let first: BuiltFunction[];
  let second: BuiltFunction[];

  before(async () => {
    first = await buildFunctions({ outDir: await tempDir('a') });
    second = await buildFunctions({ outDir: await tempDir('b') });
  });

  after(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('builds one zip per function, named as the template expects', () => {
    expect(first.map((f) => path.basename(f.zipPath))).to.deep.equal(FUNCTION_NAMES.map((name) => `${name}.zip`));
  });

  it('is deterministic: two builds give byte-identical zips', async () => {
    for (const [index, built] of first.entries()) {
      const again = second[index]!;
      expect(again.sha256, built.name).to.equal(built.sha256);
      const bytes = await readFile(built.zipPath);
      expect(createHash('sha256').update(bytes).digest('hex')).to.equal(built.sha256);
      expect(bytes.length).to.equal(built.size);
    }
  });

  for (const name of FUNCTION_NAMES) {
    describe(`${name}.zip`, () => {
      let entries: ZipEntry[];
      let dir: string;
      let bundled: Record<string, unknown>;

      before(async () => {
        entries = await readZip(first.find((f) => f.name === name)!.zipPath);
        // Lambda resolves the SDK from the runtime; here it comes from the repository's node_modules.
        dir = await tempDir(`load-${name}`);
        await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
        for (const entry of entries) await writeFile(path.join(dir, entry.fileName), entry.contents);
        bundled = createRequire(import.meta.url)(path.join(dir, `${name}.js`));
      });

      it(`holds exactly ${name}.js, mode 0644, dated 1980-01-01, no extra fields`, () => {
        expect(entries.map((e) => e.fileName)).to.deep.equal([`${name}.js`]);
        const [entry] = entries;
        expect(entry!.mode).to.equal(0o100644);
        expect(entry!.lastModified.getFullYear()).to.equal(1980);
        expect(entry!.extraFieldLength).to.equal(0);
      });

      it('is one CommonJS file that requires nothing but the AWS SDK and Node built-ins', () => {
        const source = entries[0]!.contents.toString('utf8');
        const required = [...source.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
        expect(required).to.not.be.empty;
        for (const specifier of required) {
          const ok = /^@aws-sdk\//.test(specifier) || builtinModules.includes(specifier.replace(/^node:/, ''));
          expect(ok, `requires ${specifier}`).to.equal(true);
        }
        expect(source).to.not.match(/^\s*(import|export)\s/m);
      });

      it('carries an inline source map of its TypeScript sources, by paths relative to the bundle', () => {
        const source = entries[0]!.contents.toString('utf8');
        const inline = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(source);
        expect(inline, 'sourceMappingURL comment at the end').to.not.equal(null);
        const map = JSON.parse(Buffer.from(inline![1]!, 'base64').toString('utf8')) as { sources: string[]; sourcesContent: string[] };
        expect(map.sources).to.include(`functions/${name}.ts`);
        for (const file of map.sources) expect(file, 'relative to the bundle: no build-machine paths').to.match(/^functions\/[\w/-]+\.ts$/);
        expect(map.sourcesContent[map.sources.indexOf(`functions/${name}.ts`)]).to.equal(readFileSync(path.join(REPO_ROOT, 'functions', `${name}.ts`), 'utf8'));
      });

      it(`loads with require and exposes handler (${name}.handler)`, () => {
        expect(bundled.handler).to.be.a('function');
      });
    });
  }

  it('the bundled API rejects a bad request with InvalidRequestError before any AWS call', async () => {
    const dir = await tempDir('api');
    await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const [entry] = await readZip(first.find((f) => f.name === 'iot_api')!.zipPath);
    await writeFile(path.join(dir, entry!.fileName), entry!.contents);
    const { handler } = createRequire(import.meta.url)(path.join(dir, 'iot_api.js')) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const context = { functionName: 'iot-backend-ApiFunction-XYZ', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 };
    const quiet = process.stdout.write;
    process.stdout.write = () => true; // the handler logs the failure as a JSON line
    try {
      const error = await handler({ operation: 'drop-table' }, context).then(
        () => expect.fail('should have thrown'),
        (e: unknown) => e as Error,
      );
      expect(error.name).to.equal('InvalidRequestError');
      expect(error.message).to.match(/the only operation is "query"/);
    } finally {
      process.stdout.write = quiet;
    }
  });
});
