#!/usr/bin/env node
/**
 * `npx localcloud`: runs localcloud/cli.ts from one esbuild bundle
 * (localcloud/bundle.ts says how and why), cached in
 * node_modules/.cache/localcloud/ — inside the project, so the packages it
 * leaves as imports resolve. The bundle's file name is a fingerprint of what
 * it was built from (every file under localcloud/ by path, size and mtime,
 * the installed packages, tsconfig.json, the project's path): after any
 * change the name differs, so a stale bundle is never run. Building takes
 * about a second, once per change; if it fails, the sources run through tsx
 * as they always could.
 *
 *   node bin/localcloud.js --prepare   builds the bundle if needed, and exits
 *
 * Plain JavaScript, so the common case needs neither tsx nor esbuild.
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = path.join(PROJECT, 'localcloud');
const ENTRY = path.join(SOURCES, 'cli.ts');
const CACHE = path.join(PROJECT, 'node_modules', '.cache', 'localcloud');
/** Besides the sources, what the bundle is built from: the installed packages (npm rewrites its hidden lockfile on every install) and the compiler settings. */
const BUILD_INPUTS = ['node_modules/.package-lock.json', 'package-lock.json', 'package.json', 'tsconfig.json'];
const BUNDLE_NAME = /^cli-[0-9a-f]+\.mjs(\.map)?$/;

if (process.argv[2] === '--prepare') {
  try {
    const { bundle, builtMs } = await upToDateBundle();
    const where = path.relative(process.cwd(), bundle);
    console.log(builtMs === undefined ? `localcloud: ${where} is up to date` : `localcloud: built ${where} in ${builtMs.toFixed(0)} ms`);
  } catch (error) {
    console.error(`localcloud: could not bundle the sources: ${firstLine(error)}`);
    process.exitCode = 1;
  }
} else {
  let bundle;
  try {
    ({ bundle } = await upToDateBundle());
  } catch (error) {
    console.error(`localcloud: could not bundle the sources (${firstLine(error)}); running them through tsx, which starts slower`);
  }
  if (!bundle || !(await loaded(bundle))) await runFromSources();
}

/** The bundle of the current sources, built first when there is none. */
async function upToDateBundle() {
  const bundle = path.join(CACHE, `cli-${fingerprint()}.mjs`);
  if (exists(bundle)) return { bundle, builtMs: undefined };
  const started = performance.now();
  // Only now load tsx (for bundle.ts) and esbuild: a start from a fresh bundle needs neither.
  const { tsImport } = await import('tsx/esm/api');
  const { bundleCli } = await tsImport('../localcloud/bundle.ts', import.meta.url);
  await bundleCli({ entry: ENTRY, outfile: bundle });
  removeOlderBundles(bundle);
  return { bundle, builtMs: performance.now() - started };
}

/** A short hash of every build input's path, size and mtime, and of where the project is. */
function fingerprint() {
  const hash = createHash('sha256').update(PROJECT);
  const entries = readdirSync(SOURCES, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  const files = entries.map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
  files.push(...BUILD_INPUTS.map((input) => path.join(PROJECT, input)));
  for (const file of files.sort()) {
    const stat = statSync(file, { throwIfNoEntry: false });
    hash.update(`${file}\0${stat ? `${stat.size}\0${stat.mtimeMs}` : 'absent'}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Bundles of earlier sources, unless younger than this one (another start may have just built and be about to load it). */
function removeOlderBundles(current) {
  const builtAt = statSync(current).mtimeMs;
  for (const name of readdirSync(CACHE)) {
    const file = path.join(CACHE, name);
    if (!BUNDLE_NAME.test(name) || file.startsWith(current)) continue;
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat && stat.mtimeMs < builtAt) rmSync(file, { force: true });
  }
}

/**
 * Runs the bundle; false, with a warning, when it does not load. The cli's
 * work starts as the import settles (its main() is not awaited at top level),
 * so a failed import is the bundle failing to parse, link or initialize.
 */
async function loaded(bundle) {
  try {
    await import(pathToFileURL(bundle).href);
    return true;
  } catch (error) {
    console.error(`localcloud: could not load ${path.relative(process.cwd(), bundle)} (${firstLine(error)}); running the sources through tsx, which starts slower`);
    return false;
  }
}

async function runFromSources() {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(ENTRY).href);
}

function exists(file) {
  return statSync(file, { throwIfNoEntry: false }) !== undefined;
}

function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}
