import net from 'node:net';
import { signedHeaders, type SigningOptions } from './sign.js';

/**
 * A raw TCP connection to the cloud, for bytes no HTTP client would send.
 * It records everything the server writes and whether (and how) it closed.
 */
export class RawConnection {
  readonly socket: net.Socket;
  private readonly chunks: Buffer[] = [];
  /** Resolves once the server has closed the connection (or it broke). */
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  static async open(port: number): Promise<RawConnection> {
    const connection = new RawConnection(port);
    await new Promise<void>((resolve, reject) => {
      connection.socket.once('connect', resolve);
      connection.socket.once('error', reject);
    });
    return connection;
  }

  write(bytes: string | Buffer): this {
    this.socket.write(bytes);
    return this;
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** True if the server closes the connection within `ms`; the socket is destroyed either way. */
  async closesWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const closedInTime = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    this.socket.destroy();
    return closedInTime;
  }
}

/** Sends `bytes` on a fresh connection and returns what came back by the time the server closed it (or `ms` passed). */
export async function exchange(port: number, bytes: string | Buffer, ms = 5000): Promise<{ received: Buffer; closed: boolean }> {
  const connection = (await RawConnection.open(port)).write(bytes);
  const closed = await connection.closesWithin(ms);
  return { received: connection.received, closed };
}

export interface ParsedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses one complete HTTP/1.1 response with a Content-Length; throws if it is cut short or malformed. */
export function parseHttpResponse(raw: Buffer): ParsedResponse {
  const text = raw.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error(`no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, headEnd).split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
  if (!status) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = text.slice(headEnd + 4);
  if (headers['content-length'] === undefined || Number(headers['content-length']) !== Buffer.byteLength(body, 'latin1')) {
    throw new Error(`body of ${Buffer.byteLength(body, 'latin1')} bytes does not match Content-Length ${headers['content-length']}`);
  }
  return { status: Number(status[1]), headers, body };
}

/**
 * The header lines (`Name: value\r\n` each: host, x-amz-date, authorization,
 * and x-amz-content-sha256 for S3) that SigV4-sign a request a test writes by
 * hand, for bytes that must still reach the service past authentication.
 * `body` is what the signature covers (for S3, pass the payload hash in
 * `headers['x-amz-content-sha256']` instead when the body is not known whole).
 */
export async function signedHeaderLines(
  url: string,
  request: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
  signing: SigningOptions,
): Promise<string> {
  const headers = await signedHeaders(url, { method: request.method, target: request.path, headers: request.headers, body: request.body }, signing);
  const given = new Set(Object.keys(request.headers ?? {}).map((name) => name.toLowerCase()));
  return Object.entries(headers)
    .filter(([name]) => !given.has(name.toLowerCase()))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
}
