/**
 * A function's stable debug port. The environment's Node inspector listens on
 * a port of its own choosing (`--inspect=127.0.0.1:0`); this proxy owns the
 * function's fixed port, so the port outlives environments (a code update or
 * an idle stop replaces them) and a debugger reconnects to the same address.
 *
 * Relaying the DevTools protocol also lets localcloud see what the debugger
 * does: `Debugger.paused` and `Debugger.resumed` from the inspector suspend
 * and resume the invocation's timeout, and a debugger that goes away resumes
 * it (V8 resumes a paused program when its last session closes), so an
 * invocation cannot stay suspended with nobody attached.
 */
import http from 'node:http';
import net from 'node:net';
import { WebSocketMessageReader } from './websocket-frames.js';

/** What the proxy tells the environment behind it. */
export interface DebuggedEnvironment {
  debuggerPaused(): void;
  debuggerResumed(): void;
}

interface Target {
  env: DebuggedEnvironment;
  /** `127.0.0.1:<port>` of the environment's own inspector. */
  address: string;
  /** `/<uuid>`: the inspector's WebSocket path. */
  path: string;
}

const PAUSE_EVENT = /^\{\s*"method"\s*:\s*"Debugger\.(paused|resumed)"/;

export class InspectorProxy {
  private readonly server: http.Server;
  private target?: Target;
  private readonly sessions = new Set<net.Socket>();
  /** Sessions whose last pause event was `paused`. */
  private readonly pausedSessions = new Set<net.Socket>();

  constructor(
    readonly functionName: string,
    readonly port: number,
    /**
     * Starts an environment of the function when a debugger arrives before any
     * runs, so attaching first works; resolves once it is up (or could not start).
     */
    private readonly startEnvironment?: () => Promise<void>,
  ) {
    this.server = http.createServer((req, res) => this.http(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as net.Socket, head));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(`debug port ${this.port} for function ${this.functionName} is in use on 127.0.0.1; stop what holds it or choose another port`)
            : err,
        ),
      );
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Whether a debugger is connected now. */
  get attached(): boolean {
    return this.sessions.size > 0;
  }

  /**
   * An environment's inspector is listening at `url` (`ws://127.0.0.1:X/<uuid>`).
   * Returns false when another environment holds the port: that one keeps it.
   */
  attach(env: DebuggedEnvironment, url: string): boolean {
    if (this.target && this.target.env !== env) return false;
    const parsed = new URL(url);
    this.target = { env, address: parsed.host, path: parsed.pathname };
    return true;
  }

  /** The environment is gone: its debugger sessions end with it. */
  detach(env: DebuggedEnvironment): void {
    if (this.target?.env !== env) return;
    this.target = undefined;
    for (const socket of this.sessions) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.sessions) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** `/json/list`, `/json/version`: the inspector's answers, with its address replaced by the stable one. */
  private async http(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!loopbackHost(req.headers.host)) return refuse(res, 403, 'Host header is not a loopback address');
    const target = this.target ?? (await this.environmentOnDemand());
    if (!target) {
      if (req.url === '/json/version') return json(res, 200, { Browser: `node.js/${process.version}`, 'Protocol-Version': '1.1' });
      if (req.url === '/json' || req.url === '/json/list') return json(res, 200, []);
      return refuse(res, 404, `no environment of ${this.functionName} is running; invoke it, then attach`);
    }
    const forward = http.get(`http://${target.address}${req.url ?? '/'}`, (upstream) => {
      const chunks: Buffer[] = [];
      upstream.on('data', (c: Buffer) => chunks.push(c));
      upstream.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8').replaceAll(target.address, `127.0.0.1:${this.port}`);
        res.writeHead(upstream.statusCode ?? 502, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    forward.on('error', () => refuse(res, 502, `the inspector of ${this.functionName} did not answer`));
  }

  /** A debugger's WebSocket: relayed byte for byte to the environment's inspector, its pause events observed on the way. */
  private async upgrade(req: http.IncomingMessage, client: net.Socket, head: Buffer): Promise<void> {
    const target = loopbackHost(req.headers.host) ? (this.target ?? (await this.environmentOnDemand())) : undefined;
    if (!loopbackHost(req.headers.host) || !target) {
      client.end(`HTTP/1.1 ${target ? '403 Forbidden' : '503 Service Unavailable'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const [host, port] = target.address.split(':');
    const upstream = net.connect(Number(port), host);
    const headers: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      headers.push(`${name}: ${name.toLowerCase() === 'host' ? target.address : req.rawHeaders[i + 1]}`);
    }
    // Whatever path the debugger asked for, it reaches the current environment's inspector.
    upstream.write(`GET ${target.path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    const reader = new WebSocketMessageReader((message) => {
      const event = PAUSE_EVENT.exec(message)?.[1];
      if (event === 'paused') this.paused(client, target.env);
      else if (event === 'resumed') this.resumed(client, target.env);
    });
    upstream.on('data', (chunk: Buffer) => reader.push(chunk));
    upstream.pipe(client);
    client.pipe(upstream);
    this.sessions.add(client);
    const end = () => {
      upstream.destroy();
      client.destroy();
      if (!this.sessions.delete(client)) return;
      // The debugger left: V8 resumes a program paused for it.
      this.resumed(client, target.env);
    };
    upstream.on('close', end);
    client.on('close', end);
    upstream.on('error', end);
    client.on('error', end);
  }

  private starting?: Promise<void>;

  /** No environment runs: start one (once, however many requests wait for it) and return it as the target. */
  private async environmentOnDemand(): Promise<Target | undefined> {
    if (!this.startEnvironment) return undefined;
    this.starting ??= this.startEnvironment()
      .catch(() => {})
      .finally(() => (this.starting = undefined));
    await this.starting;
    return this.target;
  }

  private paused(session: net.Socket, env: DebuggedEnvironment): void {
    const wasPaused = this.pausedSessions.size > 0;
    this.pausedSessions.add(session);
    if (!wasPaused) env.debuggerPaused();
  }

  private resumed(session: net.Socket, env: DebuggedEnvironment): void {
    if (!this.pausedSessions.delete(session) || this.pausedSessions.size > 0) return;
    env.debuggerResumed();
  }
}

/** The inspector runs code on request: only pages and tools on this machine, addressed by loopback name, may reach it (DNS rebinding). */
function loopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function refuse(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=UTF-8' });
  res.end(`${message}\n`);
}
