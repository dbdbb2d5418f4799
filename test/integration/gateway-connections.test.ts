import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { RawConnection, parseHttpResponse } from '../support/raw-socket.js';
import { waitFor } from '../support/wait.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Generous next to the cloud's 200–300 ms limits, so a slow machine never fails a test that should pass. */
const CLOSE_WITHIN_MS = 5000;

/** Splits raw bytes holding several HTTP/1.1 responses (each with a Content-Length) into their status codes and bodies. */
function responses(raw: Buffer): { status: number; body: string }[] {
  const out: { status: number; body: string }[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    const length = Number(/content-length: (\d+)/i.exec(rest.subarray(0, headEnd).toString('latin1'))?.[1]);
    const one = rest.subarray(0, headEnd + 4 + length);
    out.push(parseHttpResponse(one));
    rest = rest.subarray(one.length);
  }
  return out;
}

/** Sends `chunks` pieces of a body `gapMs` apart: a body that keeps flowing for longer than every timeout. */
async function trickle(write: (chunk: Buffer) => void, chunks: number, gapMs: number): Promise<void> {
  for (let i = 0; i < chunks; i++) {
    write(Buffer.alloc(10, 97 + (i % 26)));
    await pause(gapMs);
  }
}

describe('gateway: connection deadlines and limits', () => {
  let cloud: TestCloud;
  let port: number;
  before(async () => {
    cloud = await startTestCloud({ connections: { firstRequestTimeoutMs: 200, idleTimeoutMs: 300, bodyStallTimeoutMs: 300 } });
    port = cloud.cloud.port;
    // The tests below talk raw HTTP without signing: a bucket policy lets anyone read and write
    // this bucket, as it would on S3 (IAM is enforced, so an unsigned request is anonymous).
    const s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'flowing-bucket' }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'flowing-bucket',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::flowing-bucket/*' }],
        }),
      }),
    );
    s3.destroy();
  });
  after(() => cloud.stop());

  describe('a connection that does not finish its first request', () => {
    it('is closed when it sends nothing at all', async () => {
      const connection = await RawConnection.open(port);
      expect(await connection.closesWithin(CLOSE_WITHIN_MS)).to.equal(true);
      expect(connection.received.length).to.equal(0);
    });

    it('is closed with a 408 RequestTimeout when its request head stops half-way', async () => {
      const connection = (await RawConnection.open(port)).write('GET /_localstack/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      expect(await connection.closesWithin(CLOSE_WITHIN_MS)).to.equal(true);
      const response = parseHttpResponse(connection.received);
      expect(response.status).to.equal(408);
      expect(response.body).to.match(/<Code>RequestTimeout<\/Code>/);
    });

    it('is closed when it trickles its request head byte by byte, never finishing it', async () => {
      const connection = (await RawConnection.open(port)).write('GET /_localstack/health HTTP/1.1\r\n');
      let closed = false;
      void connection.closed.then(() => (closed = true));
      for (let i = 0; i < 100 && !closed; i++) {
        connection.write('X');
        await pause(50);
      }
      expect(closed, 'closed while still trickling').to.equal(true);
      expect(parseHttpResponse(connection.received).status).to.equal(408);
    });

    it('is closed with a 408 RequestTimeout when its request line never ends', async () => {
      const connection = (await RawConnection.open(port)).write('GET /');
      expect(await connection.closesWithin(CLOSE_WITHIN_MS)).to.equal(true);
      const response = parseHttpResponse(connection.received);
      expect(response.status).to.equal(408);
      expect(response.body).to.match(/<Code>RequestTimeout<\/Code>/);
    });

    it('leaves no descriptor behind once partial heads of every kind are closed at the deadline', async function () {
      if (process.platform !== 'linux') this.skip();
      const openFds = () => readdirSync('/proc/self/fd').length;
      const before = openFds();
      const partial = ['', 'G', 'GET /', 'GET / HTTP/1.1', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', '\r\n', 'PRI * HTTP/2.0\r\n'];
      const connections = await Promise.all(Array.from({ length: 42 }, (_, i) => RawConnection.open(port).then((c) => c.write(partial[i % partial.length]!))));
      // Wait for the server's close; closesWithin then destroys the client end too.
      const closed = await Promise.all(connections.map((c) => c.closesWithin(CLOSE_WITHIN_MS)));
      expect(closed.every(Boolean), 'every partial head closed by the server').to.equal(true);
      // Each socket's descriptor is released once its close has run; a few others (timers, DNS) may come and go.
      await waitFor(() => openFds() <= before + 4, 'the descriptors of the closed connections to be released', CLOSE_WITHIN_MS);
    });

    it('is closed when it sends only the first line of the HTTP/2 preface', async () => {
      const connection = (await RawConnection.open(port)).write('PRI * HTTP/2.0\r\n');
      expect(await connection.closesWithin(CLOSE_WITHIN_MS)).to.equal(true);
    });

    it('is closed when it sends the HTTP/2 magic but never its SETTINGS', async () => {
      const connection = (await RawConnection.open(port)).write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
      expect(await connection.closesWithin(CLOSE_WITHIN_MS)).to.equal(true);
    });
  });

  describe('HTTP/1.1', () => {
    it('closes a keep-alive connection that idles after its request', async () => {
      const connection = (await RawConnection.open(port)).write('GET /_localstack/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      expect(await connection.closesWithin(CLOSE_WITHIN_MS)).to.equal(true);
      expect(responses(connection.received).map((r) => r.status)).to.deep.equal([200]);
    });

    it('answers 408 when a later request head on a kept-alive connection stalls', async () => {
      const connection = (await RawConnection.open(port)).write('GET /_localstack/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /_localstack/health HTTP/1.1\r\n');
      let closed = false;
      void connection.closed.then(() => (closed = true));
      // Keep bytes coming, so only the head's own deadline (not the idle one) can end it.
      for (let i = 0; i < 100 && !closed; i++) {
        connection.write('X');
        await pause(50);
      }
      expect(closed, 'closed while still trickling').to.equal(true);
      expect(responses(connection.received).map((r) => r.status)).to.deep.equal([200, 408]);
    });

    it('answers RequestTimeout when a request body stops arriving', async () => {
      const connection = (await RawConnection.open(port)).write('PUT /flowing-bucket/stalled HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nonly ten b');
      expect(await connection.closesWithin(CLOSE_WITHIN_MS)).to.equal(true);
      const response = parseHttpResponse(connection.received);
      expect(response.status).to.equal(400);
      expect(response.body).to.match(/<Code>RequestTimeout<\/Code>/);
    });

    it('accepts a request body that keeps flowing for longer than every timeout', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${cloud.url}/flowing-bucket/slow-upload`, { method: 'PUT', headers: { 'content-length': 200 } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        void trickle((chunk) => req.write(chunk), 20, 100).then(() => req.end());
      });
      expect(status).to.equal(200);
      const stored = await fetch(`${cloud.url}/flowing-bucket/slow-upload`);
      expect((await stored.arrayBuffer()).byteLength).to.equal(200);
    });
  });

  describe('HTTP/2', () => {
    it('closes a session that idles with no stream open (GOAWAY)', async () => {
      const session = http2.connect(cloud.url);
      session.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => session.on('close', resolve));
      let goaway: number | undefined;
      session.on('goaway', (code) => (goaway = code));
      await new Promise<void>((resolve, reject) => {
        const req = session.request({ ':method': 'GET', ':path': '/_localstack/health' });
        req.on('response', () => req.resume());
        req.on('end', resolve);
        req.on('error', reject);
        req.end();
      });
      const closedInTime = await Promise.race([closed.then(() => true), pause(CLOSE_WITHIN_MS).then(() => false)]);
      session.destroy();
      expect(closedInTime, 'session closed').to.equal(true);
      expect(goaway).to.equal(http2.constants.NGHTTP2_NO_ERROR);
    });

    it('keeps a session whose stream stays open for longer than the idle timeout', async () => {
      const session = http2.connect(cloud.url);
      let goaway = false;
      session.on('goaway', () => (goaway = true));
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = session.request({ ':method': 'PUT', ':path': '/flowing-bucket/h2-slow-upload', 'content-length': '200' });
          req.on('response', (headers) => resolve(Number(headers[':status'])));
          req.on('error', reject);
          void trickle((chunk) => req.write(chunk), 20, 100).then(() => req.end());
        });
        expect(status).to.equal(200);
        expect(goaway, 'no GOAWAY while the stream was open').to.equal(false);
      } finally {
        session.destroy();
      }
    });
  });

  describe('connection limit', () => {
    let small: TestCloud;
    before(async () => (small = await startTestCloud({ connections: { maxConnections: 3 } })));
    after(() => small.stop());

    it('refuses connections over the limit and serves again once some close', async () => {
      const held = await Promise.all([1, 2, 3].map(() => RawConnection.open(small.cloud.port)));
      const extra = await RawConnection.open(small.cloud.port);
      expect(await extra.closesWithin(CLOSE_WITHIN_MS), 'the connection over the limit is closed').to.equal(true);
      expect(extra.received.length).to.equal(0);
      for (const connection of held) connection.socket.destroy();
      const status = await waitFor(() => fetch(`${small.url}/_localstack/health`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => undefined), 'a free connection slot');
      expect(status).to.equal(200);
    });
  });
});
