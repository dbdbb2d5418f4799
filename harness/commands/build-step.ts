/** The build step `up` and `deploy` run first, so what is deployed is what is in the working tree. */
import { errorMessage, UserError } from '../support/errors.js';
import { formatDuration, type Reporter } from '../support/terminal.js';
import type { OptionSpec } from '../cli/options.js';

export const SKIP_BUILD_OPTION: OptionSpec = {
  flag: 'skip-build',
  type: 'boolean',
  env: 'SKIP_BUILD',
  default: false,
  description: 'deploy the zips already in dist/functions instead of building them',
};

export async function buildStep(reporter: Reporter): Promise<void> {
  const started = Date.now();
  let built;
  try {
    // esbuild loads only when a command builds.
    const { buildFunctions } = await import('../build/build.js');
    built = await buildFunctions({ outDir: 'dist/functions' });
  } catch (error) {
    throw new UserError(`building the functions failed: ${errorMessage(error)} (make build shows the details)`);
  }
  const size = built.reduce((sum, f) => sum + f.size, 0);
  reporter.info(`Built ${built.length} function zips (${(size / 1024).toFixed(0)} KiB) in ${formatDuration(Date.now() - started)}`);
}
