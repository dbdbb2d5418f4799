/**
 * `make build`: each Lambda handler bundled by esbuild into one CommonJS file
 * and zipped, deterministically — the same sources give byte-identical zips,
 * so a zip's sha256 identifies its code and a redeploy of unchanged code is a
 * no-op.
 *
 * `@aws-sdk/*` and `@smithy/*` stay external: the nodejs22.x runtime ships
 * AWS SDK v3 (and the local cloud makes it resolvable the same way), which
 * keeps each zip a few kilobytes and uses the SDK build AWS maintains for the
 * runtime. The price: the code runs against the runtime's SDK version, not
 * the one in package-lock.json.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions as EsbuildOptions } from 'esbuild';
import yazl from 'yazl';

/** Names the template's Handler and S3Key expect: `<name>.handler` in `<CodeKeyPrefix>/<name>.zip`. */
export const FUNCTION_NAMES = ['iot_api', 'iot_ddb_cw_eventprocessor', 'iot_s3_eventprocessor'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The earliest time a zip can store; any fixed value would do, this one is conventional.
const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);
// Regular file, rw-r--r--: readable by the runtime's user whatever uid it runs as.
const ZIP_MODE = 0o100644;

export interface BuildOptions {
  /** Where the zips go; relative paths are resolved against the repository root. */
  outDir?: string;
}

export interface BuiltFunction {
  name: FunctionName;
  /** Absolute path of the zip. */
  zipPath: string;
  size: number;
  sha256: string;
}

export async function buildFunctions({ outDir = 'dist/functions' }: BuildOptions = {}): Promise<BuiltFunction[]> {
  const target = path.resolve(REPO_ROOT, outDir);
  await mkdir(target, { recursive: true });
  return Promise.all(FUNCTION_NAMES.map((name) => buildFunction(name, target)));
}

async function buildFunction(name: FunctionName, outDir: string): Promise<BuiltFunction> {
  const code = await bundle(name);
  const zip = await zipSingleFile(`${name}.js`, code);
  const zipPath = path.join(outDir, `${name}.zip`);
  await writeFile(zipPath, zip);
  return { name, zipPath, size: zip.length, sha256: createHash('sha256').update(zip).digest('hex') };
}

/** The handler and everything it imports except the SDK, as one CommonJS file exporting `handler`. */
export async function bundle(name: FunctionName): Promise<Buffer> {
  const result = await build(functionBuildOptions(name));
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${name}`);
  return Buffer.from(output.contents);
}

/**
 * How one function is bundled. Shared with the incremental builds of `make up`'s
 * watch (harness/watch/), so a hot-reloaded zip is byte for byte the zip `make
 * build` makes from the same sources. `root` is the project holding `functions/`.
 */
export function functionBuildOptions(name: FunctionName, root: string = REPO_ROOT) {
  return {
    absWorkingDir: root, // paths in the output's comments are relative to this, not to the caller's cwd
    entryPoints: [`functions/${name}.ts`],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*', '@smithy/*'],
    // Unminified, so a stack trace names real functions even without the map.
    // The source map is inline (the zip stays one file) with the TypeScript
    // sources in it, their paths relative to the bundle (functions/iot_api.ts),
    // so the build stays reproducible: under --enable-source-maps (NODE_OPTIONS
    // in the template; localcloud's debug mode) stack traces name .ts lines, and
    // a debugger binds breakpoints set in functions/*.ts.
    minify: false,
    sourcemap: 'inline',
    sourcesContent: true,
    legalComments: 'none',
    write: false,
    outfile: `${name}.js`,
    logLevel: 'silent',
  } satisfies EsbuildOptions & { write: false };
}

/** A zip holding one file, with everything that could vary between builds fixed. */
export function zipSingleFile(entryName: string, contents: Buffer): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(contents, entryName, {
    mtime: ZIP_MTIME,
    mode: ZIP_MODE,
    compress: true,
    forceDosTimestamp: true, // no "UT" extra field: only the DOS time, which we fix above
  });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}
