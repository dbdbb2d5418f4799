import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';

export type RequestListener = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

/**
 * One TCP port that speaks HTTP/1.1 and cleartext HTTP/2 with prior knowledge.
 * The SDK v3 Kinesis client opens HTTP/2 connections by default while every
 * other client uses HTTP/1.1, so the gateway peeks at the first bytes of each
 * connection and hands it to the matching server.
 */
export class DualProtocolServer {
  private readonly tcp: net.Server;
  private readonly h1: http.Server;
  private readonly h2: http2.Http2Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly h2Sessions = new Set<http2.ServerHttp2Session>();

  constructor(listener: RequestListener) {
    this.h1 = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, listener);
    this.h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000 } }, listener);
    this.h2.on('session', (session) => {
      this.h2Sessions.add(session);
      session.on('close', () => this.h2Sessions.delete(session));
      session.on('error', () => session.destroy());
    });
    this.tcp = net.createServer((socket) => this.accept(socket));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      const isH2 = first.length >= H2_PREFACE.length
        ? first.subarray(0, H2_PREFACE.length).equals(H2_PREFACE)
        : H2_PREFACE.subarray(0, first.length).equals(first) && first.length > 3;
      if (isH2) {
        this.h2.emit('connection', replayingStream(socket, first));
      } else {
        socket.unshift(first);
        this.h1.emit('connection', socket);
        socket.resume();
      }
    });
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
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    for (const session of this.h2Sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
    this.h1.closeAllConnections();
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
