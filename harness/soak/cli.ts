#!/usr/bin/env node
/**
 * `make soak`: keeps the local cloud from freezing, leaking or crashing.
 * Bounded and loopback-only, on clouds run as separate processes: garbage
 * fuzz, then mixed load on the same cloud (with connections left silent
 * mid-request, judged at the end); kill -9 mid-ingestion on a cloud with a
 * state folder; memory after deploying the project's stack, and a long run on
 * it. Prints a table and writes the JSON report. A broken invariant (lost
 * event, non-AWS-shaped answer, dead or frozen cloud, unbounded descriptors,
 * polluted prototype, zip escape) fails the run; a missed goal never does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { displayPath } from '../support/paths.js';
import { Progress } from '../bench/progress.js';
import { SoakCloud } from './cloud.js';
import { SILENT_STARTS } from './fuzz/http-garbage.js';
import { USAGE, parseSoakArgs, type SoakOptions } from './options.js';
import { runCrash } from './phases/crash.js';
import { runDeployMemory } from './phases/deploy-memory.js';
import { runFuzz } from './phases/fuzz.js';
import { runLongRun } from './phases/long-run.js';
import { LOAD_RESOURCES, runMixedLoad } from './phases/mixed-load.js';
import { runWireLoad } from './phases/wire-load.js';
import { buildReport, renderTable, writeReport, type PhaseError, type SoakResults } from './report.js';
import { maxOf, treeFds } from './resources.js';
import { HeldConnection } from './wire.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<number> {
  let options: SoakOptions | 'help';
  try {
    options = parseSoakArgs(argv);
  } catch (error) {
    console.error(`soak: ${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const progress = new Progress();
  const started = performance.now();
  process.stderr.write(
    `${progress.paint('bold', `Soak${options.quick ? ' (quick: invariants only)' : ''}`)}: embedded local cloud, ${options.clients} clients × ${options.loadSeconds} s, ` +
      `${options.crashKills} kill -9s, long run ${options.longRunSeconds} s\n`,
  );
  const results: SoakResults = { restarts: [], crashes: [], maxFds: 0 };
  const errors: PhaseError[] = [];
  const run = async <T>(phase: string, measure: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await measure();
    } catch (error) {
      errors.push({ phase, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };
  const clouds: SoakCloud[] = [];
  const interrupted = () => void Promise.allSettled(clouds.map((c) => c.stop())).finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const noteFds = (fds: number) => {
    if (Number.isFinite(fds)) results.maxFds = Math.max(results.maxFds, fds);
  };
  const collect = (cloud: SoakCloud) => {
    results.restarts.push(...cloud.restarts);
    results.crashes.push(...cloud.crashes);
  };

  // 1–2: garbage fuzz, then mixed load, on one cloud — with a state folder, as
  // `make up` runs it: stores on disk are what hold descriptors (per region, per account).
  const mainState = mkdtempSync(path.join(os.tmpdir(), 'soak-main-state-'));
  const main = await run('start', () => SoakCloud.start({ stateDir: mainState }));
  if (main) {
    clouds.push(main);
    try {
      results.fuzz = await run('garbage fuzz', () => runFuzz(main, options, progress));
      noteFds(results.fuzz?.maxFds ?? Number.NaN);
      // Opened after the fuzz (whose restarts would close them), judged after the load.
      const held = SILENT_STARTS.map(({ label, bytes }) => new HeldConnection(label, main.port, bytes));
      const restartsBeforeLoad = main.restarts.length;
      results.mixedLoad = await run('mixed load', () => runMixedLoad(main, options, progress));
      noteFds(results.mixedLoad ? maxOf(results.mixedLoad.samples, (s) => s.fds) : treeFds(main.pid));
      if (main.restarts.length === restartsBeforeLoad) {
        results.silent = held.map((h) => ({ label: h.label, closedAfterMs: h.closedAfterMs ?? null, openForMs: h.closedAfterMs ?? h.openForMs }));
      }
      for (const h of held) h.release();
      if (results.mixedLoad) {
        results.wireLoad = await run('mixed load, wire clients', () => runWireLoad(main, LOAD_RESOURCES, options.clients, options.wireSeconds, progress));
        noteFds(treeFds(main.pid));
      }
    } finally {
      collect(main);
      await main.stop();
    }
  }
  rmSync(mainState, { recursive: true, force: true });

  // 3: kill -9 mid-ingestion, on a cloud of its own with a state folder.
  results.crash = await run('crash', () => runCrash(options, progress));

  // 5 then 4: memory right after the project's deploy, then the long run on that stack.
  const deployed = await run('deploy memory', () => runDeployMemory(progress));
  if (deployed) {
    clouds.push(deployed.cloud);
    results.deployMemory = deployed.result;
    try {
      results.longRun = await run('long run', () => runLongRun(deployed.cloud, deployed.outputs, options, progress));
      noteFds(results.longRun ? maxOf(results.longRun.samples, (s) => s.fds) : treeFds(deployed.cloud.pid));
      await deployed.cloud.ensureAlive('after the long run');
    } finally {
      collect(deployed.cloud);
      await deployed.cloud.stop();
    }
  }

  const report = buildReport(results, options, errors, new Date());
  const files = writeReport(report, options.resultsDir);
  console.log(`\n${renderTable(report, progress.paint)}\n`);
  console.log(`Report: ${displayPath(files.latest)} (and ${displayPath(files.dated)}) — ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const broken = report.invariants.filter((i) => !i.ok);
  if (broken.length === 0) return 0;
  console.error(`\n${progress.paint('red', `${broken.length} invariant${broken.length === 1 ? '' : 's'} broken:`)}`);
  for (const inv of broken) console.error(`  - ${inv.name}: ${inv.detail}`);
  const examples = report.details.nonAwsShapedExamples ?? [];
  if (examples.length) {
    console.error(`\nNon-AWS-shaped answers (up to 5 per class; all in the report):`);
    for (const e of examples) console.error(`  [${e.class}] ${e.case}\n      → ${e.outcome}\n      sent: ${e.request.slice(0, 400)}`);
  }
  for (const { phase, message } of errors) {
    const detail = message.split('\n').slice(1).join('\n').trim();
    if (detail) console.error(`\n${phase}:\n${detail}`);
  }
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`soak: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    process.exit(1);
  },
);
