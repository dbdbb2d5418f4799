import { CODE_OPTIONS, TARGET_OPTIONS, commonSettings, connect, printableOutputs } from '../cli/common.js';
import { port as parsePort, type OptionValues } from '../cli/options.js';
import { DEFAULT_DEBUG_BASE_PORT, debugPorts, debugSelection, type DebuggedFunction } from '../debug/ports.js';
import { assertValidStackName } from '../deploy/stack-name.js';
import { stackFunctions } from '../logs/stack-functions.js';
import { UserError, errorMessage } from '../support/errors.js';
import { cleanupOnInterrupt, takeInterrupts } from '../support/interrupt.js';
import { originAllowed, portInUseMessage, portIsFree } from '../support/network.js';
import { LOCALCLOUD_LOG, PROJECT_ROOT, displayPath } from '../support/paths.js';
import { formatDuration, type Reporter } from '../support/terminal.js';
import { resolveCredentials } from '../targets/clients.js';
import type { Connection } from '../targets/types.js';
import type { WatchSession } from '../watch/session.js';
import { SKIP_BUILD_OPTION, buildStep } from './build-step.js';
import { deployAndSaveOutputs } from './deploy.js';
import type { Command } from './types.js';
import { readUpState, removeUpState, writeUpState } from './up-state.js';

const PAGE_HOST = '127.0.0.1';

export const upCommand: Command = {
  name: 'up',
  brief: 'local cloud + stack + test page in the foreground (Ctrl-C stops)',
  usage: 'tsx harness/cli.ts up [options]',
  summary:
    'Builds the functions, starts the target (embedded: a local cloud whose state persists in\n' +
    '.localcloud/state, so the next `up` finds the same stack and data), deploys the stack, serves the\n' +
    'test page, prints one summary and stays in the foreground until Ctrl-C (or `make down`), reloading\n' +
    'saved changes under functions/ and cloudformation/ meanwhile (WATCH=0 turns that off).',
  options: [
    ...TARGET_OPTIONS,
    ...CODE_OPTIONS,
    SKIP_BUILD_OPTION,
    {
      flag: 'watch',
      type: 'boolean',
      env: 'WATCH',
      default: true,
      description: 'reload saved changes: functions/ rebuilt and pushed to the stack, cloudformation/ deployed (WATCH=0 / --no-watch: off)',
    },
    { flag: 'page-port', type: 'number', env: 'PAGE_PORT', default: 8080, description: 'port of the test page on 127.0.0.1' },
    {
      flag: 'debug',
      type: 'string',
      env: 'DEBUG',
      description: 'Node inspector for the functions (embedded): 1 for all, or logical ids, comma-separated; also shows stack traces of harness errors',
    },
    { flag: 'debug-port', type: 'number', env: 'DEBUG_PORT', default: DEFAULT_DEBUG_BASE_PORT, description: "first inspector port: each function gets this plus its place in the stack's sorted functions" },
  ],
  async run(values: OptionValues, reporter: Reporter): Promise<number> {
    const settings = commonSettings(values);
    const pagePort = parsePort(values.pagePort, 'PAGE_PORT / --page-port');
    const debug = debugSelection(values.debug as string | undefined);
    const debugBasePort = parsePort(values.debugPort, 'DEBUG_PORT / --debug-port');
    assertValidStackName(settings.stackName);
    const running = readUpState();
    if (running) {
      throw new UserError(`make up is already running (pid ${running.pid}, test page ${running.pageUrl}); use it, or stop it first with make down`);
    }
    if (pagePort !== 0 && !(await portIsFree(pagePort, PAGE_HOST))) {
      throw new UserError(portInUseMessage(pagePort, PAGE_HOST, 'the test page', 'stop whatever holds it, or choose another with PAGE_PORT=8081'));
    }

    const startedAt = Date.now();
    const connection = await connect(settings);
    let page: { url: string; origins: string[]; stop(): Promise<void> } | undefined;
    let watch: WatchSession | undefined;
    // Ctrl-C while building or deploying stops the cloud we started instead of orphaning it.
    const forgetCleanup = cleanupOnInterrupt(async () => {
      await watch?.close();
      await page?.stop();
      await connection.stop();
      removeUpState();
    });
    try {
      reporter.info(`${connection.owned ? 'Started' : 'Using'} ${connection.description}`);
      if (debug !== 'none' && !connection.debugFunctions) throw new UserError(debugUnavailable(connection));
      if (connection.owned) settings.target.cloudLog?.(`make up started ${connection.description}`);
      if (!values.skipBuild) await buildStep(reporter);
      const { result, file: outputsPath } = await deployAndSaveOutputs(settings, connection, values, reporter);
      const debugged = debug === 'none' ? [] : debugPorts(await stackFunctions(connection, result.stackName), debug, debugBasePort);
      if (debugged.length > 0) await connection.debugFunctions!(Object.fromEntries(debugged.map((f) => [f.name, f.port])));

      const { startTestPageServer } = await import('../../web/server.js');
      page = await startTestPageServer(
        {
          endpoint: connection.endpoint,
          region: connection.region,
          stackName: result.stackName,
          outputs: result.outputs,
          adminCredentials: await resolveCredentials(connection),
        },
        { port: pagePort, host: PAGE_HOST },
      );
      await letThePageCallTheCloud(connection, page.origins, reporter);
      writeUpState({
        pid: process.pid,
        target: settings.targetName,
        stackName: result.stackName,
        region: connection.region,
        port: settings.target.port,
        ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
        pageUrl: page.url,
        startedAt: new Date().toISOString(),
      });

      if (values.watch) {
        watch = await startWatch(connection, result.stackName, reporter, () => deployAndSaveOutputs(settings, connection, values, reporter).then(() => {}));
      }

      printSummary(reporter, {
        connection,
        stackName: result.stackName,
        status: result.status,
        changed: result.changed,
        outputs: result.outputs,
        outputsPath: displayPath(outputsPath),
        pageUrl: page.url,
        watching: watch?.folders,
        elapsedMs: Date.now() - startedAt,
        debugged,
      });

      const signal = await untilStopped();
      reporter.info(`\n${signal}: stopping…`);
    } finally {
      forgetCleanup();
      await watch?.close().catch((error: unknown) => reporter.warn(`closing the watch: ${errorMessage(error)}`));
      await page?.stop().catch(() => {});
      await connection.stop();
      removeUpState();
    }
    reporter.info(
      !connection.owned
        ? 'Stopped the test page (the cloud was already running and keeps running).'
        : settings.targetName === 'embedded' && settings.target.stateDir
          ? `Stopped. The cloud's state stays in ${displayPath(settings.target.stateDir)} for the next make up.`
          : 'Stopped.',
    );
    return 0;
  },
};

/**
 * The page calls the cloud from the browser, so the cloud must allow the page's
 * origin: a cloud started here is told at run time (the page's port is only
 * known now); one already running can only be checked, and the user told how.
 */
async function letThePageCallTheCloud(connection: Connection, origins: string[], reporter: Reporter): Promise<void> {
  if (connection.allowBrowserOrigins) {
    connection.allowBrowserOrigins(origins);
    return;
  }
  if (!connection.local || !connection.endpoint) return;
  if (await originAllowed(connection.endpoint, origins[0])) return;
  reporter.warn(
    `The cloud on ${connection.endpoint} refuses calls from the test page (origin ${origins[0]}), so the page will fail. ` +
      (connection.target === 'localstack'
        ? `Start LocalStack with EXTRA_CORS_ALLOWED_ORIGINS=${origins.join(',')}.`
        : `Restart it with ${origins.map((o) => `--allow-origin ${o}`).join(' ')} (or LOCALCLOUD_ALLOWED_ORIGINS=${origins.join(',')}); make localcloud does this for PAGE_PORT.`),
  );
}

interface Summary {
  connection: Connection;
  stackName: string;
  status: string;
  changed: boolean;
  outputs: Record<string, string>;
  outputsPath: string;
  pageUrl: string;
  /** Folders the watch reloads from; undefined when WATCH=0 (or it could not start). */
  watching?: string[];
  elapsedMs: number;
  debugged: DebuggedFunction[];
}

function printSummary(reporter: Reporter, s: Summary): void {
  const { paint } = reporter;
  const rule = paint('grey', '─'.repeat(72));
  const row = (label: string, text: string) => reporter.info(`  ${paint('bold', label.padEnd(10))} ${text}`);
  const envHint = s.connection.endpoint ? `AWS_ENDPOINT_URL=${s.connection.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test ` : '';
  reporter.info(rule);
  reporter.info(`${paint('green', '●')} ${paint('bold', 'IoT Backend is up')} ${paint('grey', `(ready in ${formatDuration(s.elapsedMs)})`)}`);
  row('cloud', s.connection.description);
  if (s.connection.owned && s.connection.target === 'embedded') row('', paint('grey', `diagnostics in ${displayPath(LOCALCLOUD_LOG)}`));
  row('stack', `${s.stackName} ${s.status}${s.changed ? '' : ' (unchanged)'}`);
  row('test page', paint('cyan', s.pageUrl));
  row('outputs', s.outputsPath);
  for (const line of printableOutputs(s.outputs)) reporter.info(`  ${''.padEnd(10)} ${line.trimStart()}`);
  row('watch', s.watching ? `saved changes in ${s.watching.join(' and ')} reload here (WATCH=0 turns this off)` : paint('grey', 'off: saved changes need make deploy'));
  for (const [i, fn] of s.debugged.entries()) {
    row(i === 0 ? 'debug' : '', `${fn.logicalPath.padEnd(Math.max(...s.debugged.map((f) => f.logicalPath.length)))}  ${paint('cyan', `127.0.0.1:${fn.port}`)}  ${paint('grey', fn.name)}`);
  }
  if (s.debugged.length > 0) row('', paint('grey', 'attach with VS Code (.vscode/launch.json) or chrome://inspect; no pause at start; one environment per function; timeout suspended while paused'));
  row('logs', 'make logs                (every function; FUNCTION=, SINCE=, FILTER=)');
  row('try', 'make simulate            (sends sensor events with the TestClient keys)');
  if (s.outputs.SensorDataTable) row('', `${envHint}aws dynamodb scan --table-name ${s.outputs.SensorDataTable} --region ${s.connection.region}`);
  row('stop', 'Ctrl-C here, or make down from another terminal (make down DESTROY=1 also deletes the stack)');
  reporter.info(rule);
}

/**
 * Starts the watch on the project `up` runs from. One that cannot start (the
 * stack lacks the functions, esbuild fails) is reported and `up` goes on
 * without it: the stack serves either way.
 */
async function startWatch(connection: Connection, stackName: string, reporter: Reporter, deployTemplates: () => Promise<void>): Promise<WatchSession | undefined> {
  try {
    // esbuild's contexts load only when the watch is on.
    const { WatchSession } = await import('../watch/session.js');
    return await WatchSession.start({ root: PROJECT_ROOT, connection, stackName, reporter, deployTemplates });
  } catch (error) {
    reporter.warn(`the watch could not start, so saved changes are not reloaded (make deploy still works): ${errorMessage(error)}`);
    return undefined;
  }
}

/** Debug mode needs a cloud this `make up` starts: only then can it tell the cloud which functions to run under the inspector. */
function debugUnavailable(connection: Connection): string {
  if (connection.target !== 'embedded') {
    return `DEBUG needs the embedded cloud (TARGET=embedded); on ${connection.target} use that target's own debugging support`;
  }
  return (
    `DEBUG needs a cloud started by this make up, but ${connection.description}; stop it, or start it with ` +
    `--debug-function <function name>=<port> (LOCALCLOUD_DEBUG_FUNCTIONS)`
  );
}

/** Resolves with the signal's name on the first SIGINT/SIGTERM (`make down` sends SIGTERM); a second one exits at once. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    takeInterrupts((signal) => resolve(signal === 'SIGINT' ? 'Ctrl-C' : signal));
  });
}
