#!/usr/bin/env node
/**
 * `npx localcloud`: runs localcloud/cli.ts from one esbuild bundle of it and
 * the packages it uses (localcloud/bundle.ts says how and why), cached in
 * node_modules/.cache/localcloud/ — inside the project, so what the bundle
 * leaves to Node (dynalite, kinesalite) resolves from node_modules. The
 * bundle's file name is a fingerprint of what it was built from (every file
 * under localcloud/ by path, size and mtime, the installed packages,
 * tsconfig.json, the project's path): after any change the name differs, so
 * a stale bundle is never run. Building takes one to two seconds, once per
 * change; if it fails, the sources run through tsx as they always could, with
 * one warning line.
 *
 *   node bin/localcloud.js --prepare   builds the bundle if needed, and exits
 *
 * Plain JavaScript, so the common case needs neither tsx nor esbuild.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = path.join(PROJECT, 'localcloud');
const ENTRY = path.join(SOURCES, 'cli.ts');
const CACHE = path.join(PROJECT, 'node_modules', '.cache', 'localcloud');
/** Besides the sources, what the bundle is built from: the installed packages (npm rewrites its hidden lockfile on every install) and the compiler settings. */
const BUILD_INPUTS = ['node_modules/.package-lock.json', 'package-lock.json', 'package.json', 'tsconfig.json'];
const BUNDLE_NAME = /^cli-[0-9a-f]+\.mjs(\.map)?$/;

if (process.argv[2] === '--prepare') await prepare();
else await start();

async function start() {
  let bundle = currentBundle();
  if (!existsSync(bundle)) {
    // Built by `--prepare` in a process of its own, so tsx's loader and esbuild's
    // service never weigh on the cloud's.
    const build = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--prepare'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    bundle = currentBundle();
    if (!existsSync(bundle)) {
      const why = build.status === 0 ? 'localcloud: the sources changed while they were bundled' : firstLine(build.stderr || build.error || `localcloud: bundling exited with ${build.status}`);
      return runFromSources(why);
    }
  }
  try {
    await import(pathToFileURL(bundle).href);
  } catch (error) {
    // The cli's work starts once the import has settled (main() is not awaited
    // at its top level), so this is the bundle failing to parse, link or initialize.
    await runFromSources(`localcloud: could not load ${path.relative(process.cwd(), bundle)}: ${firstLine(error)}`);
  }
}

/** Builds the bundle of the current sources unless it exists; says which, or why not (exit 1). */
async function prepare() {
  const bundle = currentBundle();
  if (existsSync(bundle)) {
    console.log(`localcloud: ${path.relative(process.cwd(), bundle)} is up to date`);
    return;
  }
  const started = performance.now();
  try {
    // tsx for bundle.ts, and esbuild: a start from an existing bundle loads neither.
    const { tsImport } = await import('tsx/esm/api');
    const { bundleCli } = await tsImport('../localcloud/bundle.ts', import.meta.url);
    await bundleCli({ entry: ENTRY, outfile: bundle });
    removeOlderBundles(bundle);
  } catch (error) {
    console.error(`localcloud: could not bundle the sources: ${firstLine(error)}`);
    process.exitCode = 1;
    return;
  }
  console.log(`localcloud: built ${path.relative(process.cwd(), bundle)} in ${(performance.now() - started).toFixed(0)} ms`);
}

/** Where the bundle of the sources as they are now is, or would be. */
function currentBundle() {
  return path.join(CACHE, `cli-${fingerprint()}.mjs`);
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

/** What `npx localcloud` always did, and does when the bundle fails: `why`, on one line, says so. */
async function runFromSources(why) {
  console.error(`${why} — running the sources through tsx, which starts slower`);
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(ENTRY).href);
}

function firstLine(error) {
  return String(error instanceof Error ? error.message : error).trim().split('\n')[0];
}
