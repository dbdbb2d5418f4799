import { expect } from 'chai';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { exchange, parseHttpResponse } from '../support/raw-socket.js';

/**
 * Garbage on the wire, class by class. Node's HTTP parser rejects these before
 * the gateway sees them and on its own answers an empty 400/431 or nothing;
 * every one must get a complete HTTP response carrying an AWS-shaped error,
 * and the server must go on serving.
 */
const GARBAGE: { name: string; bytes: string | Buffer; status: number; code: string }[] = [
  { name: 'a request line that is not HTTP', bytes: 'GARBAGE / NOTHTTP\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'a space inside a header name', bytes: 'GET / HTTP/1.1\r\nHo st: x\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'a control character in a header value', bytes: 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\x01b\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'headers over 16 KB', bytes: `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, status: 431, code: 'RequestHeaderSectionTooLarge' },
  { name: 'a broken chunk size', bytes: 'PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'a lone CR ending the request line', bytes: 'GET / HTTP/1.1\rHost: 127.0.0.1\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'binary noise', bytes: Buffer.from([0, 1, 2, 3, 255, 254, 10, 13, 10, 13]), status: 400, code: 'BadRequest' },
  { name: 'an unknown method', bytes: 'BREW /pot HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'an HTTP/0.9 request', bytes: 'GET /\r\n\r\n', status: 400, code: 'BadRequest' },
  // A complete line that can never become an HTTP/1.x request is answered at once, not when the
  // request-head deadline (10 s here) runs out: the exchange below gives up after 5 s.
  { name: 'an HTTP/0.9 request line alone, no blank line after it', bytes: 'GET /\r\n', status: 400, code: 'BadRequest' },
  { name: 'an HTTP/0.9 request line ended by a bare LF', bytes: 'GET /index.html\n', status: 400, code: 'BadRequest' },
  { name: 'a request line with a trailing space instead of a version', bytes: 'GET / \r\n', status: 400, code: 'BadRequest' },
  { name: 'a request line after the empty lines a server skips', bytes: '\r\n\r\nGET /\r\n', status: 400, code: 'BadRequest' },
  { name: 'a request line with four parts', bytes: 'GET / HTTP/1.1 extra\r\n', status: 400, code: 'BadRequest' },
  // Bytes no request line can start with are answered before any line end arrives.
  { name: 'a TLS ClientHello on the cleartext port', bytes: Buffer.from('16030100a5010000a10303', 'hex'), status: 400, code: 'BadRequest' },
  { name: 'binary noise with no line end', bytes: Buffer.from([0x19, 0x3e, 0x3a, 0xb5, 0x1f, 0x37]), status: 400, code: 'BadRequest' },
  { name: 'a request line that breaks its version before ending', bytes: 'GET / HTTP/1.1\rHost', status: 400, code: 'BadRequest' },
  { name: 'bare LF line endings', bytes: 'GET / HTTP/1.1\nHost: 127.0.0.1\n\n', status: 400, code: 'BadRequest' },
  { name: 'an unknown HTTP version', bytes: 'GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'a NUL in the path', bytes: 'GET /\0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'two different Content-Lengths', bytes: 'PUT /b/k HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', status: 400, code: 'BadRequest' },
  { name: 'Content-Length next to chunked encoding', bytes: 'PUT /b/k HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', status: 400, code: 'BadRequest' },
];

/** An HTTP/2 frame: 9-byte header, then the payload. */
function frame(type: number, flags: number, streamId: number, payload = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

/** The error code of the first GOAWAY frame among the server's frames, if any. */
function goawayErrorCode(received: Buffer): number | undefined {
  for (let at = 0; at + 9 <= received.length; ) {
    const length = received.readUIntBE(at, 3);
    if (received[at + 3] === 0x7) return received.readUInt32BE(at + 9 + 4);
    at += 9 + length;
  }
  return undefined;
}

const MAGIC = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const SETTINGS = frame(0x4, 0, 0);
const PROTOCOL_ERROR = 0x1;
const FRAME_SIZE_ERROR = 0x6;
const COMPRESSION_ERROR = 0x9;

const H2_GARBAGE: { name: string; bytes: Buffer; errorCode: number }[] = [
  { name: 'a broken connection preface', bytes: Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n'), errorCode: PROTOCOL_ERROR },
  { name: 'a preface followed by DATA instead of SETTINGS', bytes: Buffer.concat([MAGIC, frame(0x0, 0, 1, Buffer.from('x'))]), errorCode: PROTOCOL_ERROR },
  { name: 'DATA on stream 0', bytes: Buffer.concat([MAGIC, SETTINGS, frame(0x0, 0, 0, Buffer.from('x'))]), errorCode: PROTOCOL_ERROR },
  { name: 'a frame over the 16 KB maximum', bytes: Buffer.concat([MAGIC, SETTINGS, frame(0x0, 0, 1, Buffer.alloc(20_000))]), errorCode: FRAME_SIZE_ERROR },
  { name: 'an undecodable header block', bytes: Buffer.concat([MAGIC, SETTINGS, frame(0x1, 0x5, 1, Buffer.from([0xff, 0xff, 0xff, 0xff]))]), errorCode: COMPRESSION_ERROR },
];

describe('gateway: garbage on the wire', () => {
  let cloud: TestCloud;
  let port: number;
  // A short idle timeout, so sessions nghttp2 has already sent GOAWAY on close quickly.
  before(async () => {
    cloud = await startTestCloud({ connections: { idleTimeoutMs: 300 } });
    port = cloud.cloud.port;
  });
  after(() => cloud.stop());

  for (const garbage of GARBAGE) {
    it(`answers ${garbage.name} with a complete ${garbage.status} carrying an AWS error, and closes`, async () => {
      const { received, closed } = await exchange(port, garbage.bytes);
      expect(closed, 'the server closes the connection').to.equal(true);
      const response = parseHttpResponse(received);
      expect(response.status).to.equal(garbage.status);
      expect(response.headers['connection']).to.equal('close');
      expect(response.headers['content-type']).to.equal('text/xml');
      expect(response.body).to.match(new RegExp(`^<\\?xml[^>]*>\\s*<ErrorResponse><Error><Type>Sender</Type><Code>${garbage.code}</Code><Message>[^<]+</Message></Error><RequestId>[\\w-]+</RequestId></ErrorResponse>$`));
      expect((await fetch(`${cloud.url}/_localstack/health`)).status).to.equal(200);
    });
  }

  for (const garbage of H2_GARBAGE) {
    it(`ends an HTTP/2 connection that sends ${garbage.name} with GOAWAY(${garbage.errorCode})`, async () => {
      const { received, closed } = await exchange(port, garbage.bytes);
      expect(goawayErrorCode(received)).to.equal(garbage.errorCode);
      expect(closed, 'the server closes the connection').to.equal(true);
      expect((await fetch(`${cloud.url}/_localstack/health`)).status).to.equal(200);
    });
  }
});
