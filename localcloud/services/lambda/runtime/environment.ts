import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DebuggedEnvironment, InspectorProxy } from './debug/inspector-proxy.js';
import { SuspendableTimer } from './debug/suspendable-timer.js';
import { withoutInheritedDescriptors } from './clean-spawn.js';
import { environmentVariables, type EnvironmentIdentity } from './environment-variables.js';
import { LineSplitter } from './line-splitter.js';
import { RuntimeApiServer, type RuntimeInvocation, type RuntimeResult } from './runtime-api.js';

const BOOTSTRAP = fileURLToPath(new URL('./bootstrap/bootstrap.mjs', import.meta.url));
export const RUNTIME_DIR = fileURLToPath(new URL('./bootstrap/', import.meta.url));

/** Room for all of `/proc/<pid>/status` (about 1.5 KB). */
const statusBuffer = Buffer.alloc(8192);

/** How one invocation ended, from the emulator's point of view. */
export type InvocationOutcome =
  | RuntimeResult
  | { kind: 'timeout' }
  /** The process died mid-invocation; `reason` is AWS's wording ("exit status 1", "signal: killed"). */
  | { kind: 'exit'; reason: string };

/** Init did not reach `GET /next`: the runtime reported an error, died, or took too long. */
export class InitFailure extends Error {
  constructor(
    readonly outcome: { kind: 'error'; payload: Buffer; errorType: string } | { kind: 'exit'; reason: string } | { kind: 'timeout' },
    readonly initDurationMs: number,
  ) {
    super(outcome.kind === 'error' ? outcome.errorType : outcome.kind);
  }
}

export type EnvironmentSettings = Omit<EnvironmentIdentity, 'logStreamName' | 'runtimeApi' | 'runtimeDir'> & {
  /** Changes whenever the function's code or configuration does. */
  revisionId: string;
  /** Init has this long to reach `GET /next`. */
  initTimeoutMs: number;
  /** Debug mode: the Node inspector on, behind this function's stable port. */
  inspector?: InspectorProxy;
};

/** What Node's inspector writes to stderr about itself: not the function's output. */
const INSPECTOR_LISTENING = /^Debugger listening on (ws:\/\/\S+)$/;
/** A pause this soon after a resume is a debugger step, part of the same stop. */
const STEP_MS = 250;
const INSPECTOR_CHATTER = /^(For help, see: https:\/\/nodejs\.org\/\S+|Debugger attached\.|Debugger ending on \S+|Waiting for the debugger to disconnect\.\.\.)$/;

type State = 'new' | 'initializing' | 'idle' | 'busy' | 'dead';

/**
 * One execution environment: a Node.js process running our bootstrap against
 * its own Runtime API endpoint, reused for invocation after invocation, one at
 * a time. Its output becomes log events through `onLog`.
 */
export class ExecutionEnvironment implements DebuggedEnvironment {
  /** AWS names a stream `YYYY/MM/DD/[$LATEST]<32 hex>`; one stream per environment. */
  readonly logStreamName: string;
  readonly revisionId: string;
  private state: State = 'new';
  private child?: ChildProcess;
  private readonly api: RuntimeApiServer;
  /** Resolves the pending start() or invoke(). */
  private settle?: (event: RuntimeEvent) => void;
  private exitReason?: string;
  private readonly exitListeners: Array<() => void> = [];
  /** `/proc/<pid>/status`, open for maxMemoryUsedMb. */
  private statusFd?: number;
  /** Init's or the invocation's time limit, suspended while a debugger holds the process. */
  private timer?: SuspendableTimer;
  /** The invocation in progress, for the debugger's log lines. */
  private requestId?: string;
  /** Since when a debugger has held the process at a breakpoint. */
  private pausedSince?: number;
  /** Since the first pause of the current stop (steps included). */
  private stoppedSince?: number;
  /** The "resumed" log line, held briefly in case the debugger is only stepping. */
  private pendingResumeNote?: { note: () => void; timer: NodeJS.Timeout };
  /** Whether this environment's inspector is behind the function's debug port (a second environment's is not). */
  private holdsDebugPort = false;

  constructor(
    private readonly settings: EnvironmentSettings,
    /** Each line the function writes (stdout and stderr), as one log event. */
    private readonly onLog: (message: string) => void,
  ) {
    this.revisionId = settings.revisionId;
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    this.logStreamName = `${day}/[${settings.version}]${randomBytes(16).toString('hex')}`;
    this.api = new RuntimeApiServer({
      onNext: () => this.settle?.({ type: 'next' }),
      onResult: (requestId, result) => this.settle?.({ type: 'result', requestId, result }),
      onInitError: (payload, errorType) => this.settle?.({ type: 'initError', payload, errorType }),
    });
  }

  get alive(): boolean {
    return this.state !== 'dead';
  }

  /** A debugger is connected to this environment: it is not stopped for being idle. */
  get debuggerAttached(): boolean {
    return this.holdsDebugPort && (this.settings.inspector?.attached ?? false);
  }

  debuggerPaused(): void {
    if (this.pausedSince !== undefined) return;
    this.pausedSince = performance.now();
    if (!this.timer) return;
    const left = this.timer.suspend();
    // Stepping is resume-then-pause: a pause right after a resume continues the same stop, unlogged.
    if (this.pendingResumeNote) {
      clearTimeout(this.pendingResumeNote.timer);
      this.pendingResumeNote = undefined;
      return;
    }
    this.stoppedSince = this.pausedSince;
    this.debugLog(`paused in the debugger: the timeout is suspended (${seconds(left)} left)`);
  }

  debuggerResumed(): void {
    if (this.pausedSince === undefined) return;
    this.pausedSince = undefined;
    if (!this.timer) return;
    const left = this.timer.resume();
    const stoppedMs = performance.now() - (this.stoppedSince ?? performance.now());
    const note = () => this.debugLog(`resumed after ${seconds(stoppedMs)} in the debugger: the timeout runs again (${seconds(left)} left)`);
    this.pendingResumeNote = { note, timer: setTimeout(() => this.flushResumeNote(), STEP_MS) };
  }

  private flushResumeNote(): void {
    const pending = this.pendingResumeNote;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingResumeNote = undefined;
    pending.note();
  }

  onExit(listener: () => void): void {
    this.exitListeners.push(listener);
  }

  /** Starts the process and waits until its runtime asks for the first invocation. Returns the init duration. */
  async start(): Promise<number> {
    this.state = 'initializing';
    const started = performance.now();
    const runtimeApi = await this.api.listen();
    const env = environmentVariables({ ...this.settings, logStreamName: this.logStreamName, runtimeApi, runtimeDir: RUNTIME_DIR });
    const event = await new Promise<RuntimeEvent>((resolve) => {
      this.timer = this.startTimer(this.settings.initTimeoutMs, () => resolve({ type: 'timeout' }));
      this.settle = (e) => {
        this.stopTimer();
        resolve(e);
      };
      this.spawn(env);
    });
    this.settle = undefined;
    const initDurationMs = performance.now() - started;
    if (event.type === 'next') {
      this.state = 'idle';
      return initDurationMs;
    }
    let outcome: InitFailure['outcome'];
    if (event.type === 'initError') outcome = { kind: 'error', payload: event.payload, errorType: event.errorType };
    else if (event.type === 'timeout') outcome = { kind: 'timeout' };
    else outcome = { kind: 'exit', reason: event.type === 'exit' ? event.reason : 'unexpected runtime message' };
    this.dispose();
    throw new InitFailure(outcome, initDurationMs);
  }

  /** Runs one invocation; the environment must be idle. */
  async invoke(invocation: RuntimeInvocation, timeoutMs: number): Promise<InvocationOutcome> {
    if (this.state !== 'idle') throw new Error(`environment is ${this.state}, not idle`);
    this.state = 'busy';
    this.requestId = invocation.requestId;
    const event = await new Promise<RuntimeEvent>((resolve) => {
      this.timer = this.startTimer(timeoutMs, () => resolve({ type: 'timeout' }));
      this.settle = (e) => {
        if (e.type === 'next') return; // the runtime picking the invocation up
        if (e.type === 'result' && e.requestId !== invocation.requestId) return;
        this.stopTimer();
        resolve(e);
      };
      this.api.deliver(invocation);
    });
    this.settle = undefined;
    this.requestId = undefined;
    switch (event.type) {
      case 'result':
        // Output written just before the answer may still sit in the pipes: let it arrive first.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.alive) this.state = 'idle';
        return event.result;
      case 'timeout':
        this.dispose();
        return { kind: 'timeout' };
      case 'exit':
        return { kind: 'exit', reason: event.reason };
      default:
        this.dispose();
        return { kind: 'exit', reason: 'unexpected runtime message' };
    }
  }

  /** Peak resident memory of the process in MB (Linux `VmHWM`), for the REPORT line. */
  maxMemoryUsedMb(): number | undefined {
    if (!this.child?.pid) return undefined;
    try {
      // Every invocation reads it: kept open, and read again from the start (which
      // regenerates it), it costs half of an open-read-close each time.
      this.statusFd ??= openSync(`/proc/${this.child.pid}/status`, 'r');
      const length = readSync(this.statusFd, statusBuffer, 0, statusBuffer.length, 0);
      const match = /VmHWM:\s+(\d+) kB/.exec(statusBuffer.toString('latin1', 0, length));
      return match ? Math.ceil(Number(match[1]) / 1024) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Kills the process (if still running) and closes its Runtime API. */
  dispose(): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.stopTimer();
    this.settings.inspector?.detach(this);
    this.api.close();
    if (this.statusFd !== undefined) closeSync(this.statusFd);
    this.statusFd = undefined;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    for (const listener of this.exitListeners.splice(0)) listener();
  }

  private spawn(env: Record<string, string>): void {
    const memoryArgs = [`--max-old-space-size=${Math.max(64, Math.floor(this.settings.memorySize * 0.9))}`];
    // Debug mode: the inspector on a port of Node's choosing (the proxy owns the stable one), never pausing at
    // start (--inspect, not --inspect-brk: nothing waits for a debugger), and stack traces through source maps.
    const debugArgs = this.settings.inspector ? ['--inspect=127.0.0.1:0', '--enable-source-maps'] : [];
    // The IPC channel is how the child notices localcloud is gone (see bootstrap.mjs).
    const stdio = ['ignore', 'pipe', 'pipe', 'ipc'] as const;
    // Started without the host's open files (LevelDB's), which a Lambda environment never holds.
    const command = withoutInheritedDescriptors(process.execPath, [...memoryArgs, ...debugArgs, BOOTSTRAP], stdio.length, env);
    const child = spawn(command.file, command.args, { cwd: this.settings.taskRoot, env, stdio: [...stdio] });
    this.child = child;
    // Parent side of the IPC channel must not keep localcloud alive either.
    child.channel?.unref();
    child.unref();
    for (const stream of [child.stdout!, child.stderr!]) {
      const fromStderr = stream === child.stderr;
      const lines = new LineSplitter((line) => {
        if (fromStderr && this.settings.inspector && this.inspectorLine(line)) return;
        this.onLog(line.replace(/\r/g, '\n'));
      });
      stream.on('data', (chunk: Buffer) => lines.push(chunk));
      stream.on('end', () => lines.flush());
    }
    child.on('error', (err) => this.exited(`spawn failed: ${err.message}`));
    child.on('exit', (code, signal) => this.exited(signal ? `signal: ${signalName(signal)}` : `exit status ${code}`));
  }

  /** Handles Node's own inspector messages on stderr; true when `line` was one. */
  private inspectorLine(line: string): boolean {
    const listening = INSPECTOR_LISTENING.exec(line);
    if (listening) {
      this.holdsDebugPort = this.settings.inspector!.attach(this, listening[1]!);
      if (!this.holdsDebugPort) {
        this.onLog(`DEBUGGER another environment of ${this.settings.functionName} holds debug port ${this.settings.inspector!.port}; this one runs without a debugger`);
      }
      return true;
    }
    return INSPECTOR_CHATTER.test(line);
  }

  private startTimer(ms: number, onExpire: () => void): SuspendableTimer {
    const timer = new SuspendableTimer(ms, onExpire);
    // Paused already (a breakpoint hit between invocations, or in init): the clock starts stopped.
    if (this.pausedSince !== undefined) {
      timer.suspend();
      if (this.requestId) this.debugLog('starts while paused in the debugger: the timeout is suspended');
    }
    return timer;
  }

  private stopTimer(): void {
    // The invocation can end before the inspector's `Debugger.resumed` reaches the proxy (the runtime's
    // response and the inspector's event travel on different sockets): it has resumed, so say so now.
    if (this.pausedSince !== undefined) this.debuggerResumed();
    this.flushResumeNote();
    this.timer?.clear();
    this.timer = undefined;
  }

  /** A line in the function's log, as Lambda's own lines are, saying what the debugger did to the invocation. */
  private debugLog(text: string): void {
    this.onLog(`DEBUGGER ${this.requestId ? `RequestId: ${this.requestId} ` : ''}${text}`);
  }

  private exited(reason: string): void {
    this.exitReason ??= reason;
    const settle = this.settle;
    this.dispose();
    settle?.({ type: 'exit', reason: this.exitReason });
  }
}

type RuntimeEvent =
  | { type: 'next' }
  | { type: 'result'; requestId: string; result: RuntimeResult }
  | { type: 'initError'; payload: Buffer; errorType: string }
  | { type: 'timeout' }
  | { type: 'exit'; reason: string };

/** Go's wording for signals, which is what AWS's log lines show ("signal: killed"). */
function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGTERM: 'terminated',
    SIGSEGV: 'segmentation fault',
    SIGABRT: 'aborted',
    SIGINT: 'interrupt',
    SIGBUS: 'bus error',
  };
  return names[signal] ?? signal;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
