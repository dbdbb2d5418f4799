import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { closeWithError, errorForParserFailure, notAnHttpRequestLine, requestHeadTimeout } from './client-errors.js';
import { IdleCollector } from './idle-collector.js';
import { protocolErrorGoaway, sniffProtocol } from './preface.js';
import { checkFirstRequestLine } from './request-line.js';

export type RequestListener = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** How long connections may take, and how many there may be. */
export interface ConnectionLimits {
  /**
   * A connection must complete its first request head (HTTP/1.1) or its
   * connection preface (HTTP/2) within this; so must every later HTTP/1.1
   * request head, counted from its first byte.
   */
  firstRequestTimeoutMs: number;
  /** Keep-alive connections between requests, and HTTP/2 sessions with no open stream, close after this. */
  idleTimeoutMs: number;
  /** Connections beyond this are refused; each holds a file descriptor, and the services need theirs. */
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  firstRequestTimeoutMs: 10_000,
  // Longer than the idle timeouts of client pools (the SDK's keep-alive agents), so a client never
  // reuses a connection the server is closing at that very moment.
  idleTimeoutMs: 65_000,
  // Half of the common 1,024 file-descriptor limit: the rest stays for the services' stores and processes.
  maxConnections: 512,
};

/** Quiet after a burst of requests before the heap it grew is collected. */
const QUIET_BEFORE_COLLECTING_MS = 5_000;

/**
 * One TCP port that speaks HTTP/1.1 and cleartext HTTP/2 with prior knowledge.
 * The SDK v3 Kinesis client opens HTTP/2 connections by default while every
 * other client uses HTTP/1.1, so the gateway peeks at the first bytes of each
 * connection and hands it to the matching server.
 *
 * No connection may hold the server hostage: one that does not finish its
 * first request in time, idles too long, or breaks the protocol is closed,
 * with an AWS-shaped error whenever there is still a way to send one.
 */
export class DualProtocolServer {
  private readonly tcp: net.Server;
  private readonly h1: http.Server;
  private readonly h2: http2.Http2Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly h2Sessions = new Set<http2.ServerHttp2Session>();
  /** Connections that have not completed their first request head or preface yet, and their deadlines. */
  private readonly handshakeDeadlines = new WeakMap<net.Socket, NodeJS.Timeout>();
  private readonly h1Sockets = new WeakSet<net.Socket>();
  private readonly limits: ConnectionLimits;
  /** Gives back the heap a burst grew once requests stop (see idle-collector.ts). */
  private readonly idleCollector = new IdleCollector(QUIET_BEFORE_COLLECTING_MS);

  constructor(listener: RequestListener, limits: Partial<ConnectionLimits> = {}) {
    this.limits = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
    const { firstRequestTimeoutMs, idleTimeoutMs } = this.limits;

    this.h1 = http.createServer(
      {
        headersTimeout: firstRequestTimeoutMs,
        // No cap on a whole request: a large upload may take long. The gateway cuts a body that stalls instead.
        requestTimeout: 0,
        keepAliveTimeout: idleTimeoutMs,
        connectionsCheckingInterval: Math.max(50, Math.min(1000, firstRequestTimeoutMs / 4)),
      },
      listener,
    );
    this.h1.on('request', (req: http.IncomingMessage) => {
      this.handshakeDone(req.socket);
      this.idleCollector.requestArrived();
    });
    this.h1.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
      this.handshakeDone(socket);
      closeWithError(socket, errorForParserFailure(err, firstRequestTimeoutMs));
    });
    // Node enforces headersTimeout from a checker it starts when the server listens. This one never
    // listens (connections arrive through emit('connection')), so it is told it does.
    this.h1.emit('listening');

    this.h2 = http2.createServer(
      {
        // The same header limit HTTP/1.1 has (Node's 16 KB); memory per session stays bounded by Node's 10 MB default.
        settings: { maxConcurrentStreams: 1000, maxHeaderListSize: 16 * 1024 },
      },
      listener,
    );
    this.tcp = net.createServer((socket) => this.accept(socket));
    this.tcp.maxConnections = this.limits.maxConnections;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.handshakeDone(socket);
    });
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    this.handshakeDeadlines.set(socket, setTimeout(() => this.handshakeExpired(socket), this.limits.firstRequestTimeoutMs));

    // Read until the first bytes tell the protocol (at most the 33 bytes of an HTTP/2 preface's start)
    // and, for HTTP/1.x, until the first request line is complete.
    let head = Buffer.alloc(0);
    const sniff = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const protocol = sniffProtocol(head);
      if (protocol === 'need-more') return;
      if (protocol === 'http/1.1') {
        // From here on the deadline answers with a 408 rather than just closing.
        this.h1Sockets.add(socket);
        const line = checkFirstRequestLine(head);
        if (line.verdict === 'need-more') return;
        socket.off('data', sniff);
        if (line.verdict === 'not-http') {
          this.handshakeDone(socket);
          closeWithError(socket, notAnHttpRequestLine(line.reason));
          return;
        }
        socket.pause();
        socket.unshift(head);
        this.h1.emit('connection', socket);
        socket.resume();
        return;
      }
      socket.off('data', sniff);
      socket.pause();
      if (protocol === 'h2') {
        this.acceptH2(socket, head);
      } else {
        this.handshakeDone(socket);
        socket.end(protocolErrorGoaway());
        setTimeout(() => socket.destroy(), 1000).unref();
      }
    };
    socket.on('data', sniff);
  }

  private acceptH2(socket: net.Socket, head: Buffer): void {
    let session: http2.ServerHttp2Session | undefined;
    const capture = (s: http2.ServerHttp2Session) => (session = s);
    // The server creates the session synchronously inside emit('connection').
    this.h2.once('session', capture);
    this.h2.emit('connection', replayingStream(socket, head));
    this.h2.off('session', capture);
    if (!session) return void socket.destroy();
    this.watchSession(session, socket);
  }

  /**
   * The client's SETTINGS frame completes its preface. After that a session
   * lives as long as it has streams open — a long Lambda Invoke or a
   * SubscribeToShard may keep one quiet for minutes — and closes (GOAWAY,
   * NO_ERROR) after idling without any.
   */
  private watchSession(session: http2.ServerHttp2Session, socket: net.Socket): void {
    this.h2Sessions.add(session);
    session.once('remoteSettings', () => this.handshakeDone(socket));

    let openStreams = 0;
    let idle: NodeJS.Timeout | undefined;
    const startIdling = () => {
      idle = setTimeout(() => session.close(), this.limits.idleTimeoutMs);
      idle.unref();
    };
    session.on('stream', (stream) => {
      this.idleCollector.requestArrived();
      openStreams++;
      clearTimeout(idle);
      stream.once('close', () => {
        if (--openStreams === 0 && !session.closed) startIdling();
      });
    });
    startIdling();

    session.once('close', () => {
      clearTimeout(idle);
      this.h2Sessions.delete(session);
      // Destroying a session does not reach through the relay to the TCP socket: end it once the last frames are out.
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
    // nghttp2 answers a protocol error itself with GOAWAY and the matching code (PROTOCOL_ERROR,
    // FRAME_SIZE_ERROR, COMPRESSION_ERROR, ...) but leaves the connection open; such a session has no
    // stream, so the idle timer above closes it. Errors Node raises end the session at once.
    session.on('error', () => session.destroy());
  }

  private handshakeDone(socket: net.Socket): void {
    clearTimeout(this.handshakeDeadlines.get(socket));
    this.handshakeDeadlines.delete(socket);
  }

  private handshakeExpired(socket: net.Socket): void {
    this.handshakeDeadlines.delete(socket);
    // Only an HTTP/1.1 connection has a way to be told why; a silent or half-preface one is just closed.
    if (this.h1Sockets.has(socket)) closeWithError(socket, requestHeadTimeout(this.limits.firstRequestTimeoutMs));
    else socket.destroy();
  }

  listen(port: number, host: string): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.tcp.once('error', onError);
      this.tcp.listen(port, host, () => {
        this.tcp.off('error', onError);
        resolve(this.tcp.address() as net.AddressInfo);
      });
    });
  }

  async close(): Promise<void> {
    this.idleCollector.stop();
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    for (const session of this.h2Sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
    this.h1.closeAllConnections();
    // Stops the headers-timeout checker (the server never listened, so close() itself only reports that).
    this.h1.close(() => undefined);
    await closed;
  }
}

/**
 * HTTP/2 sessions read straight from a socket's native handle, past anything
 * unshifted into its JS buffer, so the peeked bytes would be lost. A duplex
 * that replays them and then relays the socket keeps the stream intact.
 */
function replayingStream(socket: net.Socket, first: Buffer): Duplex {
  const relay = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  relay.push(first);
  socket.on('data', (chunk: Buffer) => {
    if (!relay.push(chunk)) socket.pause();
  });
  socket.on('end', () => relay.push(null));
  socket.on('close', () => relay.destroy());
  socket.resume();
  return relay;
}
