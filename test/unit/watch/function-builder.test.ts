/**
 * The watch's incremental builds: the same zip bytes as `make build` for the
 * same sources (so a hot-reloaded function and a deployed one are the same
 * code), only the functions a file belongs to rebuilt, and a build error as
 * file:line:column while the last good zip stays in place.
 */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_NAMES, REPO_ROOT, buildFunctions, functionBuildOptions, zipSingleFile } from '../../../harness/build/build.js';
import { FunctionBuilder } from '../../../harness/watch/function-builder.js';

describe('watch: incremental function builds', function () {
  this.timeout(60_000);
  let project: string;
  let builder: FunctionBuilder | undefined;

  beforeEach(() => {
    project = mkdtempSync(path.join(os.tmpdir(), 'iot-watch-build-'));
    cpSync(path.join(REPO_ROOT, 'functions'), path.join(project, 'functions'), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'tsconfig.json'), path.join(project, 'tsconfig.json'));
  });
  afterEach(async () => {
    await builder?.dispose();
    builder = undefined;
    rmSync(project, { recursive: true, force: true });
  });

  it('makes the same zip bytes as make build, before and after an edit', async () => {
    const outDir = path.join(project, 'dist', 'functions');
    builder = await FunctionBuilder.start(project, outDir);
    const reference = await buildFunctions({ outDir: path.join(project, 'reference') });
    for (const built of reference) {
      const incremental = await builder.rebuild(built.name);
      expect(incremental.ok, built.name).to.equal(true);
      if (incremental.ok) expect(incremental.sha256, built.name).to.equal(built.sha256);
    }

    const source = path.join(project, 'functions', 'iot_api.ts');
    writeFileSync(source, readFileSync(source, 'utf8').replace('return response;', "return { ...response, edited: true };"));
    const edited = await builder.rebuild('iot_api');
    expect(edited.ok && edited.changed).to.equal(true);
    // make build's bundle of the edited copy (buildFunctions builds this repository's sources).
    const fresh = await build(functionBuildOptions('iot_api', project));
    const freshZip = await zipSingleFile('iot_api.js', Buffer.from(fresh.outputFiles[0]!.contents));
    expect(readFileSync(path.join(outDir, 'iot_api.zip')).equals(freshZip)).to.equal(true);
    expect(edited.ok && edited.zip.equals(freshZip)).to.equal(true);
  });

  it('knows which functions a file belongs to', async () => {
    builder = await FunctionBuilder.start(project, path.join(project, 'dist', 'functions'));
    expect(builder.affectedBy(['functions/iot_api.ts'])).to.deep.equal(['iot_api']);
    expect(builder.affectedBy(['functions/api/query.ts'])).to.deep.equal(['iot_api']);
    expect(builder.affectedBy(['functions/archiver/archive.ts'])).to.deep.equal(['iot_s3_eventprocessor']);
    expect(builder.affectedBy(['functions/shared/log.ts'])).to.have.members([...FUNCTION_NAMES]);
    expect(builder.affectedBy(['functions/not-imported.ts'])).to.deep.equal([]);
  });

  it('reports a syntax error as file:line:column and keeps the last good zip', async () => {
    const outDir = path.join(project, 'dist', 'functions');
    builder = await FunctionBuilder.start(project, outDir);
    const source = path.join(project, 'functions', 'api', 'query.ts');
    writeFileSync(source, readFileSync(source, 'utf8').replace('return { operation, sensorId };', 'return { operation, sensorId ;'));
    const broken = await builder.rebuild('iot_api');
    expect(broken.ok).to.equal(false);
    if (broken.ok) return;
    const line = readFileSync(source, 'utf8').split('\n').findIndex((l) => l.includes('sensorId ;')) + 1;
    expect(broken.errors[0]).to.match(new RegExp(`^functions/api/query\\.ts:${line}:\\d+: Expected "}" but found ";"$`));
    // A broken function is rebuilt on any save, since the save may be its fix.
    expect(builder.affectedBy(['functions/iot_s3_eventprocessor.ts'])).to.include('iot_api');
  });

  it('releases its esbuild contexts on dispose', async () => {
    builder = await FunctionBuilder.start(project, path.join(project, 'dist', 'functions'));
    await builder.dispose();
    let error: unknown;
    await builder.rebuild('iot_api').catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/closed/);
    builder = undefined;
  });
});
