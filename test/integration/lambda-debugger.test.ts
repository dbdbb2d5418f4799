/**
 * Lambda debug mode, driven the way VS Code drives it: the DevTools protocol
 * over the function's stable debug port. A breakpoint set by TypeScript
 * location (functions/api/query.ts) pauses the real bundled API function; the
 * pause suspends its timeout; resuming, or the debugger leaving, lets the
 * invocation finish. And with NODE_OPTIONS=--enable-source-maps (as the
 * template sets it), a stack trace in the function's log names .ts lines.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { LEAST_UPPER_BOUND, TraceMap, generatedPositionFor, originalPositionFor } from '@jridgewell/trace-mapping';
import WebSocket from 'ws';
import { buildFunctions, REPO_ROOT } from '../../harness/build/build.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';

const QUERY_SOURCE = 'functions/api/query.ts';
/** The line of parseQueryRequest that checks the operation (1-based), found by content so edits elsewhere do not break the test. */
const BREAK_LINE = readFileSync(path.join(REPO_ROOT, QUERY_SOURCE), 'utf8').split('\n').findIndex((l) => l.includes("if (operation !== 'query')")) + 1;
/** Column of the check's first character (0-based), where the statement's mapping starts. */
const BREAK_COLUMN = readFileSync(path.join(REPO_ROOT, QUERY_SOURCE), 'utf8').split('\n')[BREAK_LINE - 1]!.search(/\S/);
const BAD_REQUEST = Buffer.from(JSON.stringify({ operation: 'delete', sensorid: 's-1' }));

describe('Lambda debug mode (inspector on a stable port, TypeScript breakpoints)', function () {
  this.timeout(120_000);
  let test: TestCloud;
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;
  let zips: { dir: string; cleanup(): void };
  let port: number;

  before(async function () {
    expect(BREAK_LINE, `the operation check in ${QUERY_SOURCE}`).to.be.greaterThan(0);
    test = await startTestCloud();
    lambda = new LambdaClient(test.clientConfig());
    logs = new CloudWatchLogsClient(test.clientConfig());
    zips = tempDir('debugger-zips-');
    await buildFunctions({ outDir: zips.dir });
    const role = await createExecutionRole(test.clientConfig(), 'debugger-test-role');
    const zip = readFileSync(path.join(zips.dir, 'iot_api.zip'));
    for (const [name, timeout] of [['debugged-api', 1], ['mapped-api', 10]] as const) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Handler: 'iot_api.handler',
          Role: role,
          Code: { ZipFile: zip },
          Timeout: timeout,
          Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
        }),
      );
    }
    port = await freePort();
    await test.cloud.debugFunctions({ 'debugged-api': port });
  });

  after(async function () {
    lambda?.destroy();
    logs?.destroy();
    await test?.stop();
    zips?.cleanup();
  });

  it('has a target at the stable port before any invocation: a debugger arriving first gets an environment started', async function () {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    expect(targets).to.have.length(1);
    expect(targets[0]!.webSocketDebuggerUrl).to.match(new RegExp(`^ws://127\\.0\\.0\\.1:${port}/`));
    expect(test.cloud.debuggedFunctions()).to.deep.equal({ 'debugged-api': port });
    // The same environment then serves the invocation: still one target, same address.
    const warm = await lambda.send(new InvokeCommand({ FunctionName: 'debugged-api', Payload: BAD_REQUEST }));
    expect(warm.FunctionError).to.equal('Unhandled');
    expect(await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()).to.deep.equal(targets);
  });

  it('refuses a request whose Host is not a loopback name (DNS rebinding)', async function () {
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/json/list', headers: { host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).to.equal(403);
  });

  it('pauses on a breakpoint set by TypeScript line, suspends the 1 s timeout while paused, and completes on resume', async function () {
    const session = await DevToolsSession.open(port);
    try {
      const script = await session.scriptWithSource(QUERY_SOURCE);
      const jsPosition = generatedPositionFor(script.map, { source: QUERY_SOURCE, line: BREAK_LINE, column: BREAK_COLUMN, bias: LEAST_UPPER_BOUND });
      expect(jsPosition.line, 'the TypeScript line maps into the bundle').to.be.a('number');
      await session.send('Debugger.setBreakpointByUrl', { url: script.url, lineNumber: jsPosition.line! - 1, columnNumber: jsPosition.column ?? 0 });

      const invocation = lambda.send(new InvokeCommand({ FunctionName: 'debugged-api', Payload: BAD_REQUEST }));
      const paused = await session.nextEvent<{ callFrames: { location: { scriptId: string; lineNumber: number; columnNumber: number } }[] }>('Debugger.paused');
      const top = paused.callFrames[0]!.location;
      expect(top.scriptId).to.equal(script.scriptId);
      const original = originalPositionFor(script.map, { line: top.lineNumber + 1, column: top.columnNumber });
      expect(original.source).to.equal(QUERY_SOURCE);
      expect(original.line).to.equal(BREAK_LINE);

      // Held past the function's 1 s timeout: the log says the timeout is suspended, and it does not fire.
      await logLine('debugged-api', /DEBUGGER RequestId: \S+ paused in the debugger: the timeout is suspended/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await session.send('Debugger.resume');
      const result: InvokeCommandOutput = await invocation;
      const body = JSON.parse(Buffer.from(result.Payload ?? []).toString());
      expect(body.errorType, JSON.stringify(body)).to.equal('InvalidRequestError');
      await logLine('debugged-api', /DEBUGGER RequestId: \S+ resumed after [\d.]+ s in the debugger: the timeout runs again/);
    } finally {
      session.close();
    }
  });

  it('a debugger that leaves while paused lets the invocation finish (nothing waits for it)', async function () {
    const session = await DevToolsSession.open(port);
    const script = await session.scriptWithSource(QUERY_SOURCE);
    const jsPosition = generatedPositionFor(script.map, { source: QUERY_SOURCE, line: BREAK_LINE, column: BREAK_COLUMN, bias: LEAST_UPPER_BOUND });
    await session.send('Debugger.setBreakpointByUrl', { url: script.url, lineNumber: jsPosition.line! - 1, columnNumber: jsPosition.column ?? 0 });
    const invocation = lambda.send(new InvokeCommand({ FunctionName: 'debugged-api', Payload: BAD_REQUEST }));
    await session.nextEvent('Debugger.paused');
    session.close();
    const result = await invocation;
    expect(JSON.parse(Buffer.from(result.Payload ?? []).toString()).errorType).to.equal('InvalidRequestError');
  });

  it('with NODE_OPTIONS=--enable-source-maps, a stack trace in the log names the TypeScript file and line', async function () {
    const result = await lambda.send(new InvokeCommand({ FunctionName: 'mapped-api', Payload: BAD_REQUEST, LogType: 'Tail' }));
    expect(result.FunctionError).to.equal('Unhandled');
    const line = await logLine('mapped-api', /Invoke Error/);
    expect(line).to.match(/at parseQueryRequest \(\S*functions\/api\/query\.ts:\d+:\d+\)/);
    const frame = /functions\/api\/query\.ts:(\d+)/.exec(line)!;
    const thrownAt = readFileSync(path.join(REPO_ROOT, QUERY_SOURCE), 'utf8').split('\n')[Number(frame[1]) - 1];
    expect(thrownAt, 'the named line is in parseQueryRequest').to.match(/throw new InvalidRequestError|InvalidRequestError\(/);
  });

  /** The first event of the function's log matching `pattern`, waiting for it to arrive. */
  async function logLine(functionName: string, pattern: RegExp): Promise<string> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` })).catch(() => ({ events: [] }));
      const found = out.events?.find((e) => pattern.test(e.message ?? ''));
      if (found) return found.message!;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no log line of ${functionName} matches ${pattern}`);
  }
});

/** A minimal DevTools protocol client over the inspector's WebSocket. */
class DevToolsSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly events: { method: string; params: unknown }[] = [];
  private readonly waiters: { method: string; resolve(params: unknown): void }[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
      if (message.id !== undefined) {
        const call = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) call?.reject(new Error(message.error.message));
        else call?.resolve(message.result);
        return;
      }
      const waiter = this.waiters.findIndex((w) => w.method === message.method);
      if (waiter >= 0) this.waiters.splice(waiter, 1)[0]!.resolve(message.params);
      else this.events.push({ method: message.method!, params: message.params });
    });
  }

  static async open(port: number): Promise<DevToolsSession> {
    const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const socket = new WebSocket(target!.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new DevToolsSession(socket);
  }

  send<T = unknown>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  nextEvent<T = unknown>(method: string): Promise<T> {
    const index = this.events.findIndex((e) => e.method === method);
    if (index >= 0) return Promise.resolve(this.events.splice(index, 1)[0]!.params as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} event within 30 s`)), 30_000);
      this.waiters.push({ method, resolve: (p) => (clearTimeout(timer), resolve(p as T)) });
    });
  }

  /** Enables the debugger and finds the loaded script whose (inline) source map holds `source`. */
  async scriptWithSource(source: string): Promise<{ scriptId: string; url: string; map: TraceMap }> {
    await this.send('Debugger.enable');
    for (const { method, params } of this.events) {
      if (method !== 'Debugger.scriptParsed') continue;
      const { scriptId, url, sourceMapURL } = params as { scriptId: string; url: string; sourceMapURL?: string };
      if (!sourceMapURL?.startsWith('data:application/json;base64,')) continue;
      const map = new TraceMap(Buffer.from(sourceMapURL.slice(sourceMapURL.indexOf(',') + 1), 'base64').toString('utf8'));
      if (map.sources.includes(source)) return { scriptId, url, map };
    }
    throw new Error(`no loaded script has a source map with ${source}`);
  }

  close(): void {
    this.socket.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
