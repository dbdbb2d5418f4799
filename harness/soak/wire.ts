/**
 * The soak's two ways of talking to the cloud, both with a client-side
 * deadline so a frozen cloud can never hang the soak: an ordinary HTTP/1.1
 * request (node:http, kept-alive), and raw bytes on a fresh TCP connection
 * for what no HTTP client would send.
 */
import http from 'node:http';
import net from 'node:net';

/** What came back: a response, or how the exchange ended without one. */
export type Answer =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer }
  /** The server closed (or reset) the connection without a response. */
  | { kind: 'closed' }
  /** Nothing within the deadline: the cloud is frozen or holds the request. */
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'failed'; message: string };

export interface HttpCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export function sendHttp(baseUrl: string, call: HttpCall, timeoutMs: number): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const req = http.request(
      { host: url.hostname, port: url.port, method: call.method, path: call.path, headers: call.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish({ kind: 'response', status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks) }));
        res.on('error', () => finish({ kind: 'closed' }));
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'timeout', afterMs: timeoutMs });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      finish(error.code === 'ECONNRESET' || error.code === 'EPIPE' ? { kind: 'closed' } : { kind: 'failed', message: error.message });
    });
    req.end(call.body);
  });
}

/**
 * Writes `bytes` on a new connection and reads until the server closes it,
 * a complete response has arrived, or the deadline passes.
 */
export function sendRaw(port: number, bytes: Buffer, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const received = (): Answer => {
      const data = Buffer.concat(chunks);
      // HTTP/2 refuses a broken connection with a GOAWAY frame and closes it: a closed connection, in HTTP/2's words.
      if (hasGoAway(data)) return { kind: 'closed' };
      const parsed = parseResponse(data);
      return parsed ?? (chunks.length ? { kind: 'response', status: 0, headers: {}, body: Buffer.concat(chunks) } : { kind: 'closed' });
    };
    const timer = setTimeout(() => finish(chunks.length ? received() : { kind: 'timeout', afterMs: timeoutMs }), timeoutMs);
    socket.on('connect', () => socket.write(bytes, () => undefined));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const parsed = parseResponse(Buffer.concat(chunks), true);
      if (parsed) finish(parsed);
    });
    socket.on('end', () => finish(received()));
    socket.on('close', () => finish(received()));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish(chunks.length ? received() : { kind: 'closed' });
      else finish({ kind: 'failed', message: error.message });
    });
  });
}

/**
 * An HTTP/1.x response out of raw bytes: the status, headers and the body so
 * far. With `complete`, only once the body is whole (by Content-Length).
 */
function parseResponse(data: Buffer, complete = false): Answer | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head[0] ?? '');
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = data.subarray(end + 4);
  const length = Number(headers['content-length'] ?? Number.NaN);
  if (complete && !(Number.isFinite(length) && body.length >= length)) return undefined;
  return { kind: 'response', status: Number(status[1]), headers, body: Number.isFinite(length) ? body.subarray(0, length) : body };
}

/** Whether `data` is a run of HTTP/2 frames holding a GOAWAY (type 7). Frames: 3-byte length, type, flags, 4-byte stream id. */
function hasGoAway(data: Buffer): boolean {
  for (let at = 0; at + 9 <= data.length; ) {
    const length = data.readUIntBE(at, 3);
    if (data[at + 3] === 0x7) return true;
    at += 9 + length;
  }
  return false;
}

function flatHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * A connection that sends `bytes` and then nothing: it records when (if ever)
 * the server closes it. The cloud should not hold such connections forever.
 */
export class HeldConnection {
  closedAfterMs: number | undefined;
  private readonly socket: net.Socket;
  private readonly opened = performance.now();

  constructor(
    readonly label: string,
    port: number,
    bytes: Buffer,
  ) {
    this.socket = net.connect({ host: '127.0.0.1', port }, () => {
      if (bytes.length) this.socket.write(bytes);
    });
    const closed = () => {
      this.closedAfterMs ??= performance.now() - this.opened;
    };
    this.socket.on('close', closed);
    this.socket.on('end', closed);
    this.socket.on('error', closed);
    this.socket.on('data', () => undefined);
  }

  get openForMs(): number {
    return performance.now() - this.opened;
  }

  release(): void {
    this.socket.destroy();
  }
}
