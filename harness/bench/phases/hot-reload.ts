/**
 * Hot reload: `make up`'s watch on the deployed stack, timed from saving an
 * edit of the API function's source to the function answering with the new
 * code. The watch runs on a temporary copy of `functions/` (the project's own
 * sources are never edited), with the same WatchSession `up` starts: debounce,
 * incremental esbuild rebuild, zip, UpdateFunctionCode, wait until Successful.
 * Each sample ends with an Invoke (a cold start: the warm environment of the
 * old code was replaced) whose answer carries the edit's marker.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PROJECT_ROOT } from '../../support/paths.js';
import { collectingReporter } from '../../support/terminal.js';
import type { Connection } from '../../targets/types.js';
import { WatchSession, type ReloadOutcome } from '../../watch/session.js';
import { ADMIN_CREDENTIALS, BENCH_REGION, clientConfig } from '../clients.js';
import { testClientCredentials, type DeployedStack, type PhaseContext } from '../context.js';
import { summarize, type Summary } from '../stats.js';
import { STACK_NAME } from './deploy.js';

/** What the edit replaces in functions/iot_api.ts: the handler's answer gains a marker. */
const ANSWER = 'return response;';
const RELOAD_TIMEOUT_MS = 30_000;

export interface HotReloadResult {
  /** Save → the function answering with the new code (the headline figure). */
  ms: Summary;
  /** Save → the watch's "ready" (UpdateFunctionCode Successful), as its reload line prints it. */
  readyMs: Summary;
  /** The first Invoke after the reload: a cold start, since the old code's warm environment was replaced. */
  firstInvokeMs: Summary;
}

export async function measureHotReload({ options, progress }: PhaseContext, stack: DeployedStack): Promise<HotReloadResult> {
  const line = progress.phase('hot reload');
  const project = mkdtempSync(path.join(os.tmpdir(), 'iot-bench-reload-'));
  const lambda = new LambdaClient(clientConfig(stack.cloud.url, testClientCredentials(stack.outputs)));
  let session: WatchSession | undefined;
  try {
    for (const part of ['functions', 'cloudformation', 'tsconfig.json']) cpSync(path.join(PROJECT_ROOT, part), path.join(project, part), { recursive: true });
    const source = path.join(project, 'functions', 'iot_api.ts');
    const original = readFileSync(source, 'utf8');
    if (!original.includes(ANSWER)) throw new Error(`functions/iot_api.ts no longer contains '${ANSWER}', which this phase edits`);

    line.update('starting the watch');
    session = await WatchSession.start({ root: project, connection: benchConnection(stack), stackName: STACK_NAME, reporter: collectingReporter() });
    const reloads: ReloadOutcome[] = [];
    let reloaded: (() => void) | undefined;
    session.onReload((outcome) => {
      reloads.push(outcome);
      reloaded?.();
    });

    const samples: number[] = [];
    const ready: number[] = [];
    const firstInvoke: number[] = [];
    for (let run = 1; run <= options.hotReloadRuns; run++) {
      line.update(`edit ${run}/${options.hotReloadRuns}`);
      const marker = `bench-${run}-${Date.now()}`;
      const seen = reloads.length;
      const reload = new Promise<ReloadOutcome>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reload within ${RELOAD_TIMEOUT_MS / 1000} s of saving functions/iot_api.ts`)), RELOAD_TIMEOUT_MS);
        reloaded = () => {
          if (reloads.length === seen) return;
          clearTimeout(timer);
          resolve(reloads[seen]!);
        };
      });
      const saved = performance.now();
      writeFileSync(source, original.replace(ANSWER, `return { ...response, benchMarker: ${JSON.stringify(marker)} };`));
      const outcome = await reload;
      if (!outcome.ok || !outcome.updated.includes('iot_api')) throw new Error(`the reload failed: ${describeOutcome(outcome)}`);
      const invoked = performance.now();
      const answer = await invokeApi(lambda, stack.outputs.LambdaAPIFunction);
      samples.push(performance.now() - saved);
      firstInvoke.push(performance.now() - invoked);
      ready.push(outcome.ms);
      if (answer.benchMarker !== marker) throw new Error(`after the reload the function answered ${JSON.stringify(answer).slice(0, 200)}, without marker ${marker}`);
    }
    const result = { ms: summarize(samples), readyMs: summarize(ready), firstInvokeMs: summarize(firstInvoke) };
    line.done(`${result.ms.median.toFixed(0)} ms save → new code answering (${result.ms.min.toFixed(0)}–${result.ms.max.toFixed(0)}, ${samples.length} edits; ready ${result.readyMs.median.toFixed(0)} ms, then a cold invoke ${result.firstInvokeMs.median.toFixed(0)} ms)`);
    return result;
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error).split('\n')[0]!);
    throw error;
  } finally {
    await session?.close();
    lambda.destroy();
    rmSync(project, { recursive: true, force: true });
  }
}

function benchConnection(stack: DeployedStack): Connection {
  return {
    target: 'embedded',
    endpoint: stack.cloud.url,
    region: BENCH_REGION,
    credentials: ADMIN_CREDENTIALS,
    local: true,
    description: `local cloud on ${stack.cloud.url}`,
    owned: false,
    stop: async () => {},
  };
}

async function invokeApi(lambda: LambdaClient, functionName: string): Promise<Record<string, unknown>> {
  const output = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify({ operation: 'query', sensorid: 'hot-reload' }) }));
  const text = Buffer.from(output.Payload ?? []).toString('utf8');
  if (output.FunctionError) throw new Error(`the query function failed after the reload (${output.FunctionError}): ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

function describeOutcome(outcome: ReloadOutcome): string {
  return `${outcome.files.join(', ')} → ${outcome.updated.join(', ') || 'nothing updated'}`;
}
