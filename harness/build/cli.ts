/**
 * `tsx harness/build/cli.ts [--out-dir DIR]` (what `make build` runs): builds
 * the three function zips and prints each one's size and sha256.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildFunctions, REPO_ROOT } from './build.js';

const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist/functions' } } });

const started = performance.now();
const built = await buildFunctions({ outDir: values['out-dir'] });
for (const { zipPath, size, sha256 } of built) {
  const relative = path.relative(REPO_ROOT, zipPath);
  const shown = relative.startsWith('..') ? zipPath : relative;
  console.log(`${shown.padEnd(44)} ${String(size).padStart(8)} bytes  sha256:${sha256}`);
}
console.log(`built ${built.length} functions in ${Math.round(performance.now() - started)} ms`);
