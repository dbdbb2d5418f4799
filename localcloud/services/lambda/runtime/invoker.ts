import { randomBytes, randomUUID } from 'node:crypto';
import type { CloudContext } from '../../../core/types.js';
import type { CodeStore } from '../model/code-store.js';
import { functionKey, LATEST, type FunctionVersion, type LambdaFunction } from '../model/functions.js';
import { notFound } from '../api/errors.js';
import { functionArn } from '../model/names.js';
import { FunctionCredentials } from './credentials.js';
import { InspectorProxy } from './debug/inspector-proxy.js';
import { LayerMounts } from './layer-mounts.js';
import { ExecutionEnvironment, InitFailure, type InvocationOutcome } from './environment.js';
import { LogSink, type LogDestination } from './log-sink.js';
import { EnvironmentPool } from './pool.js';

export interface InvokeInput {
  fn: LambdaFunction;
  version: FunctionVersion;
  /** The ARN the caller used (qualified or not): the runtime's invokedFunctionArn. */
  invokedArn: string;
  payload: Buffer;
  /** Base64 JSON, from X-Amz-Client-Context. */
  clientContext?: string;
  requestId?: string;
}

export interface InvokeOutput {
  requestId: string;
  payload: Buffer;
  /** Set when the function failed; Lambda reports every Node.js failure as `Unhandled`. */
  functionError?: 'Unhandled';
  /** The invocation's error type (for event source mappings and logs). */
  errorType?: string;
  /** The end of the invocation's log (at least the last 4 KB), START to REPORT when it is short. */
  log: string;
}

export interface RuntimeOptions {
  codeStore: CodeStore;
  runtimeModulesDir: string;
  /** Environments per function version; invocations beyond it wait. */
  maxEnvironmentsPerFunction?: number;
  /** Warm environments unused this long are stopped. */
  maxIdleMs?: number;
}

/**
 * How long a warm environment may sit unused before it is stopped. AWS keeps
 * them for minutes; on a laptop each one is a ~60 MB Node process, so the
 * local default is one minute (LOCALCLOUD_LAMBDA_IDLE_SECONDS overrides it).
 * The ones a deploy starts for custom resources go sooner: CloudFormation
 * drains them once the stack operation settles (drainFunction).
 * A stopped environment costs the next invocation a cold start (~0.1 s).
 */
const DEFAULT_MAX_IDLE_MS = 1000 * (Number(process.env.LOCALCLOUD_LAMBDA_IDLE_SECONDS) || 60);

/** The slowest an environment may be to reach `GET /next` (AWS allows 10 s of init, then retries within the invoke). */
const MIN_INIT_TIMEOUT_MS = 10_000;

/**
 * Runs invocations: picks (or starts) an execution environment of the right
 * function version, hands it the event, enforces the timeout, and writes the
 * START / END / REPORT lines around the function's own output, as Lambda does.
 */
export class FunctionRuntime {
  private readonly pools = new Map<string, EnvironmentPool>();
  /** Where each environment's output goes. */
  private readonly channels = new WeakMap<ExecutionEnvironment, LogChannel>();
  private readonly credentials: FunctionCredentials;
  private readonly layerMounts: LayerMounts;
  readonly logs: LogSink;
  private readonly maxEnvironments: number;
  private readonly reaper: NodeJS.Timeout;
  private stopped = false;
  /** Debug mode: function name → the proxy on its stable inspector port. */
  private readonly debugPorts = new Map<string, InspectorProxy>();
  /** Finds a function by name in the default account and region (set by the provider), to start one for a debugger. */
  findFunction?: (name: string) => { fn: LambdaFunction; version: FunctionVersion } | undefined;

  constructor(
    private readonly ctx: CloudContext,
    private readonly options: RuntimeOptions,
  ) {
    this.credentials = new FunctionCredentials(ctx);
    this.layerMounts = new LayerMounts(options.codeStore);
    this.logs = new LogSink(ctx);
    this.maxEnvironments = options.maxEnvironmentsPerFunction ?? 10;
    const maxIdleMs = options.maxIdleMs ?? DEFAULT_MAX_IDLE_MS;
    this.reaper = setInterval(() => {
      for (const pool of this.pools.values()) pool.reap(maxIdleMs);
    }, Math.max(1000, Math.min(maxIdleMs / 4, 15_000))).unref();
  }

  async invoke(input: InvokeInput): Promise<InvokeOutput> {
    if (this.stopped) throw new Error('the Lambda runtime is stopping');
    const { fn, version } = input;
    const requestId = input.requestId ?? randomUUID();
    const pool = this.poolFor(fn, version.version);
    // One debug port, one environment: a debugged function runs one invocation at a time, the others wait in line.
    const limit = this.debugPorts.has(fn.name) ? 1 : Math.min(this.maxEnvironments, fn.reservedConcurrency ?? this.maxEnvironments);
    const lease = await pool.acquire(this.environmentRevision(fn, version.revisionId), limit);
    let env = lease.env;
    let initDurationMs = lease.env ? lease.initDurationMs : undefined;
    if (!env) {
      let started: ExecutionEnvironment | undefined;
      try {
        started = await this.createEnvironment(fn, version);
        initDurationMs = await started.start();
      } catch (err) {
        pool.startFailed();
        if (pool.closed || !(err instanceof InitFailure) || !started) {
          started?.dispose();
          throw pool.closed ? this.gone(fn) : err;
        }
        return this.initFailed(started, input, requestId, err);
      }
      // The function was deleted (or the runtime stopped) while this environment started: it stops now.
      if (!pool.started(started)) throw this.gone(fn);
      env = started;
    }
    return this.run(env, pool, input, requestId, initDurationMs);
  }

  /**
   * Code or configuration changed: no new invocation goes to an environment
   * of the old revision. A function that had environments running is being
   * used, so one of the new revision starts right away (EnvironmentPool.prewarm):
   * the edit-and-try loop's next invocation finds it warm.
   */
  retire(fn: LambdaFunction, version: string, revisionId: string): void {
    const pool = this.pools.get(poolKey(fn, version));
    if (!pool) return;
    const inUse = pool.size > 0;
    pool.retire(this.environmentRevision(fn, revisionId));
    const current = version === LATEST ? fn.latest : undefined;
    if (inUse && !this.stopped && current?.revisionId === revisionId) {
      pool.prewarm(async () => {
        const env = await this.createEnvironment(fn, current);
        try {
          return { env, initDurationMs: await env.start() };
        } catch (err) {
          env.dispose();
          throw err;
        }
      });
    }
  }

  /**
   * Debug mode for these functions (by name, in every account and region):
   * their environments start with the Node inspector, reachable on the given
   * 127.0.0.1 port; functions no longer listed leave debug mode. Warm
   * environments are replaced at their next invocation. Rejects, changing
   * nothing, when a port cannot be opened.
   */
  async debugFunctions(ports: Record<string, number>): Promise<void> {
    const wanted = new Map(Object.entries(ports));
    const opened: InspectorProxy[] = [];
    try {
      for (const [name, port] of wanted) {
        if (this.debugPorts.get(name)?.port === port) continue;
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`debug port for ${name} must be between 1 and 65535, got ${port}`);
        const proxy = new InspectorProxy(name, port, () => this.warm(name));
        await proxy.listen();
        opened.push(proxy);
      }
    } catch (err) {
      await Promise.all(opened.map((p) => p.close()));
      throw err;
    }
    for (const [name, proxy] of this.debugPorts) {
      if (wanted.get(name) === proxy.port) continue;
      this.debugPorts.delete(name);
      await proxy.close();
    }
    for (const proxy of opened) this.debugPorts.set(proxy.functionName, proxy);
  }

  /**
   * Makes sure a warm environment of the function's $LATEST runs (a debugger
   * attaching before any invocation needs a process to attach to).
   */
  private async warm(name: string): Promise<void> {
    const found = this.findFunction?.(name);
    if (!found || this.stopped) return;
    const { fn, version } = found;
    const pool = this.poolFor(fn, version.version);
    const lease = await pool.acquire(this.environmentRevision(fn, version.revisionId), 1);
    if (lease.env) return pool.release(lease.env);
    let started: ExecutionEnvironment | undefined;
    try {
      started = await this.createEnvironment(fn, version);
      await started.start();
    } catch {
      started?.dispose();
      pool.startFailed();
      return;
    }
    if (pool.started(started)) pool.release(started);
  }

  /** Function name → debug port, for the functions in debug mode. */
  debuggedFunctions(): Record<string, number> {
    return Object.fromEntries([...this.debugPorts].map(([name, proxy]) => [name, proxy.port]));
  }

  /** A published version was deleted: its environments stop (in-flight invocations end as crashed). */
  removeVersion(fn: LambdaFunction, version: string): void {
    const key = poolKey(fn, version);
    this.pools.get(key)?.disposeAll(notFound(`Function not found: ${functionArn(fn, version)}`));
    this.pools.delete(key);
  }

  /** Warm environments of a function version waiting for an invocation (for diagnostics and tests). */
  idleEnvironments(fn: { accountId: string; region: string; name: string }, version: string = LATEST): number {
    return this.pools.get(poolKey(fn, version))?.idleCount ?? 0;
  }

  /** No invocation of the function is expected soon: its environments stop as they become idle (see EnvironmentPool.drain). */
  drainFunction(fn: LambdaFunction): void {
    for (const [key, pool] of this.pools) if (key.startsWith(`${functionKey(fn)}:`)) pool.drain();
  }

  /** The function is gone: stop all its environments (in-flight invocations end as crashed). */
  removeFunction(fn: LambdaFunction): void {
    for (const [key, pool] of this.pools) {
      if (key.startsWith(`${functionKey(fn)}:`)) {
        pool.disposeAll(this.gone(fn));
        this.pools.delete(key);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reaper);
    for (const pool of this.pools.values()) pool.disposeAll(new Error('the Lambda runtime is stopping'));
    this.pools.clear();
    await Promise.all([...this.debugPorts.values()].map((proxy) => proxy.close()));
    this.debugPorts.clear();
    await this.logs.flush();
    this.logs.stop();
  }

  /**
   * What an environment must match to be reused: the function's revision, and
   * whether it runs under the inspector — so entering or leaving debug mode
   * replaces warm environments as a code change does.
   */
  private environmentRevision(fn: LambdaFunction, revisionId: string): string {
    const proxy = this.debugPorts.get(fn.name);
    return proxy ? `${revisionId}+inspect:${proxy.port}` : revisionId;
  }

  /** Why an invocation ends when its function was deleted or the runtime stopped under it. */
  private gone(fn: LambdaFunction): Error {
    return this.stopped ? new Error('the Lambda runtime is stopping') : notFound(`Function not found: ${functionArn(fn)}`);
  }

  private poolFor(fn: LambdaFunction, version: string): EnvironmentPool {
    const key = poolKey(fn, version);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new EnvironmentPool();
      this.pools.set(key, pool);
    }
    return pool;
  }

  private async createEnvironment(fn: LambdaFunction, version: FunctionVersion): Promise<ExecutionEnvironment> {
    const [taskRoot, optDir, credentials] = await Promise.all([
      this.options.codeStore.extracted(version.codeHash),
      this.layerMounts.directory(version.layers),
      this.credentials.forRole(fn.accountId, fn.region, version.role, fn.name),
    ]);
    const logGroupName = logGroupFor(fn);
    const channel: LogChannel = {};
    const env: ExecutionEnvironment = new ExecutionEnvironment(
      {
        functionName: fn.name,
        version: version.version,
        runtime: version.runtime,
        handler: version.handler,
        memorySize: version.memorySize,
        region: fn.region,
        logGroupName,
        taskRoot,
        optDir,
        runtimeModulesDir: this.options.runtimeModulesDir,
        endpoint: this.ctx.endpoint,
        credentials,
        variables: version.environment,
        revisionId: this.environmentRevision(fn, version.revisionId),
        initTimeoutMs: Math.max(MIN_INIT_TIMEOUT_MS, version.timeout * 1000),
        inspector: this.debugPorts.get(fn.name),
      },
      (message) => this.log(channel, message),
    );
    channel.destination = { accountId: fn.accountId, region: fn.region, group: logGroupName, stream: env.logStreamName };
    this.channels.set(env, channel);
    env.onExit(() => this.logs.forget(channel.destination!));
    return env;
  }

  private async run(
    env: ExecutionEnvironment,
    pool: EnvironmentPool,
    input: InvokeInput,
    requestId: string,
    initDurationMs: number | undefined,
  ): Promise<InvokeOutput> {
    const { version } = input;
    const channel = this.channels.get(env)!;
    channel.capture = new LogTail(TAIL_KEPT_BYTES);
    this.log(channel, `START RequestId: ${requestId} Version: ${version.version}`);
    const started = performance.now();
    const timeoutMs = version.timeout * 1000;
    const outcome = await env.invoke(
      {
        requestId,
        payload: input.payload,
        deadlineMs: Date.now() + timeoutMs,
        invokedFunctionArn: input.invokedArn,
        traceId: traceId(),
        clientContext: input.clientContext ? Buffer.from(input.clientContext, 'base64').toString('utf8') : undefined,
      },
      timeoutMs,
    );
    const durationMs = performance.now() - started;
    const result = describeOutcome(outcome, requestId, version.timeout);
    for (const line of result.logLines) this.log(channel, line);
    this.log(channel, `END RequestId: ${requestId}`);
    this.log(
      channel,
      reportLine(requestId, durationMs, version.memorySize, env.maxMemoryUsedMb(), initDurationMs, result.status),
    );
    const log = channel.capture.text();
    channel.capture = undefined;
    pool.release(env);
    return { requestId, payload: result.payload, functionError: result.errorType ? 'Unhandled' : undefined, errorType: result.errorType, log };
  }

  /** Init failed: the invocation that started the environment reports the error, and the environment is gone. */
  private initFailed(env: ExecutionEnvironment, input: InvokeInput, requestId: string, failure: InitFailure): InvokeOutput {
    const channel = this.channels.get(env)!;
    channel.capture = new LogTail(TAIL_KEPT_BYTES);
    const result = describeOutcome(failure.outcome, requestId, input.version.timeout);
    const status = result.status ?? 'error';
    this.log(
      channel,
      `INIT_REPORT Init Duration: ${failure.initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: ${status}` +
        (result.errorType && status === 'error' ? `\tError Type: ${result.errorType}` : ''),
    );
    this.log(channel, `START RequestId: ${requestId} Version: ${input.version.version}`);
    for (const line of result.logLines) this.log(channel, line);
    this.log(channel, `END RequestId: ${requestId}`);
    this.log(channel, reportLine(requestId, failure.initDurationMs, input.version.memorySize, undefined, undefined, status, result.errorType));
    const log = channel.capture.text();
    channel.capture = undefined;
    return { requestId, payload: result.payload, functionError: 'Unhandled', errorType: result.errorType, log };
  }

  private log(channel: LogChannel, message: string): void {
    channel.capture?.add(message);
    if (channel.destination) this.logs.append(channel.destination, { timestamp: Date.now(), message });
  }
}

interface LogChannel {
  destination?: LogDestination;
  /** The end of the invocation in progress's log, for LogType Tail. */
  capture?: LogTail;
}

/** More than LogType Tail's 4 KB, so that the cut falls inside a line rather than at a boundary we chose. */
const TAIL_KEPT_BYTES = 16 * 1024;

/** The last lines of a log, at most about `maxBytes` of them: a chatty invocation must not grow without bound. */
class LogTail {
  private readonly lines: string[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  add(line: string): void {
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line) + 1;
    while (this.bytes > this.maxBytes && this.lines.length > 1) this.bytes -= Buffer.byteLength(this.lines.shift()!) + 1;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

export function logGroupFor(fn: { name: string }): string {
  return `/aws/lambda/${fn.name}`;
}

function poolKey(fn: { accountId: string; region: string; name: string }, version: string): string {
  return `${functionKey(fn)}:${version}`;
}

function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  // One draw for the three random parts (24, 16 and 8 hex digits): each call to the CSPRNG has a fixed cost.
  const random = randomBytes(24).toString('hex');
  return `Root=1-${epoch}-${random.slice(0, 24)};Parent=${random.slice(24, 40)};Sampled=0;Lineage=1:${random.slice(40)}:0`;
}

interface DescribedOutcome {
  payload: Buffer;
  errorType?: string;
  /** `timeout` or `error` on the REPORT line, as AWS marks failed invocations. */
  status?: 'timeout' | 'error';
  /** What Lambda itself logs about the failure, before END. */
  logLines: string[];
}

/** AWS's payloads and log lines for each way an invocation can end. */
function describeOutcome(
  outcome: InvocationOutcome | InitFailure['outcome'],
  requestId: string,
  timeoutSeconds: number,
): DescribedOutcome {
  switch (outcome.kind) {
    case 'response':
      return { payload: outcome.payload, logLines: [] };
    case 'error':
      return { payload: outcome.payload, errorType: outcome.errorType, logLines: [] };
    case 'timeout': {
      const message = `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
      return {
        payload: errorBody('Sandbox.Timedout', `RequestId: ${requestId} Error: ${message}`),
        errorType: 'Sandbox.Timedout',
        status: 'timeout',
        logLines: [`${new Date().toISOString()} ${requestId} ${message}`],
      };
    }
    case 'exit': {
      const message = `RequestId: ${requestId} Error: Runtime exited with error: ${outcome.reason}`;
      return {
        payload: errorBody('Runtime.ExitError', message),
        errorType: 'Runtime.ExitError',
        status: 'error',
        logLines: [`${message}\nRuntime.ExitError`],
      };
    }
  }
}

function errorBody(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

function reportLine(
  requestId: string,
  durationMs: number,
  memorySize: number,
  maxMemoryUsedMb: number | undefined,
  initDurationMs: number | undefined,
  status?: 'timeout' | 'error',
  errorType?: string,
): string {
  let line =
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\t` +
    `Memory Size: ${memorySize} MB\tMax Memory Used: ${maxMemoryUsedMb ?? 0} MB\t`;
  if (initDurationMs !== undefined) line += `Init Duration: ${initDurationMs.toFixed(2)} ms\t`;
  if (status) line += `Status: ${status}\t`;
  if (errorType && status === 'error') line += `Error Type: ${errorType}\t`;
  return line;
}
