/**
 * Cold start: how long until a fresh local cloud answers its health check.
 * The headline figure is the process a user starts (`node bin/localcloud.js
 * start`), timed from spawn() to the first healthy answer, so it includes
 * Node's own start-up and loading the bundled cloud. The bundle is prepared
 * first, as `make build` does: a rebuild after a source change happens once
 * and is not what a start costs. startLocalCloud()
 * in this process is measured next to it: the difference is process start
 * plus module loading.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../support/paths.js';
import { spawnCloud } from '../cloud-process.js';
import type { PhaseContext } from '../context.js';
import { summarize, type Summary } from '../stats.js';

export interface ColdStartResult {
  processMs: Summary;
  inProcessMs: Summary;
  /** The first import of localcloud/localcloud.ts (and everything it loads) in this process. */
  inProcessImportMs: number;
}

export async function measureColdStart({ options, progress }: PhaseContext): Promise<ColdStartResult> {
  const line = progress.phase('cold start');
  try {
    line.update('preparing the bundle');
    execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'localcloud.js'), '--prepare'], { stdio: 'ignore' });
    const processSamples: number[] = [];
    for (let run = 1; run <= options.coldStartRuns; run++) {
      line.update(`process ${run}/${options.coldStartRuns}`);
      const cloud = await spawnCloud();
      processSamples.push(cloud.startMs);
      await cloud.stop();
    }

    line.update('in-process: loading modules');
    const importStarted = performance.now();
    const { startLocalCloud } = await import('../../../localcloud/localcloud.js');
    const inProcessImportMs = performance.now() - importStarted;
    const inProcessSamples: number[] = [];
    for (let run = 1; run <= options.coldStartRuns; run++) {
      line.update(`in-process ${run}/${options.coldStartRuns}`);
      const started = performance.now();
      const cloud = await startLocalCloud({ port: 0, log: () => {} });
      inProcessSamples.push(performance.now() - started);
      await cloud.stop();
    }

    const result = { processMs: summarize(processSamples), inProcessMs: summarize(inProcessSamples), inProcessImportMs };
    line.done(
      `process ${result.processMs.median.toFixed(0)} ms (${result.processMs.min.toFixed(0)}–${result.processMs.max.toFixed(0)}), ` +
        `in-process ${result.inProcessMs.median.toFixed(1)} ms + ${inProcessImportMs.toFixed(0)} ms first import`,
    );
    return result;
  } catch (error) {
    line.fail(String(error));
    throw error;
  }
}
