import { S3Client, ListObjectsV2Command, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { startLocalCloud, type LocalCloud } from '../../localcloud/localcloud.js';
import type { CloudContext, ServiceProvider } from '../../localcloud/core/types.js';
import { DiskPersistence } from '../../localcloud/services/s3/disk-persistence.js';
import { LocalCloudContext } from '../../localcloud/core/context.js';
import { Gateway } from '../../localcloud/gateway/gateway.js';
import { ServiceReadiness } from '../../localcloud/gateway/health.js';
import { DualProtocolServer } from '../../localcloud/gateway/http-server.js';
import { tempDir } from '../support/cloud.js';

interface Health {
  services: Record<string, string>;
  edition: string;
  version: string;
}

const health = async (endpoint: string): Promise<Health> => (await fetch(`${endpoint}/_localstack/health`)).json() as Promise<Health>;

/**
 * A test-only service whose start() holds until the test lets it finish, so
 * the window in which a service is loading can be looked at deterministically.
 * Like S3 before it had loaded, its handler cannot answer until start() is done.
 */
function gatedService() {
  let reportEndpoint!: (endpoint: string) => void;
  let finish!: () => void;
  const startCalled = new Promise<string>((resolve) => (reportEndpoint = resolve));
  const released = new Promise<void>((resolve) => (finish = resolve));
  let loaded = false;
  const create = (ctx: CloudContext): ServiceProvider => ({
    name: 'slowpoke',
    routes: { signingNames: ['slowpoke'], pathPrefixes: ['/_slowpoke/'] },
    async start() {
      reportEndpoint(ctx.endpoint);
      await released;
      loaded = true;
    },
    async handle() {
      if (!loaded) throw new Error('the slowpoke service has not started');
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'loaded' };
    },
  });
  return { create, startCalled, finish };
}

describe('health: per-service readiness', () => {
  it('shows a loading service as starting, holds its requests, then shows it running and answers them', async () => {
    const slow = gatedService();
    const starting = startLocalCloud({ port: 0, log: () => {}, extraServices: (ctx) => [slow.create(ctx)] });
    let cloud: LocalCloud | undefined;
    try {
      const endpoint = await slow.startCalled;

      const during = await health(endpoint);
      expect(during.services.slowpoke).to.equal('starting');
      expect(during.edition).to.equal('localcloud');
      expect(during.version).to.be.a('string');

      let early: Response | undefined;
      const earlyRequest = fetch(`${endpoint}/_slowpoke/thing`).then((res) => (early = res));
      // Another full round trip through the gateway: the held request has had every chance to be answered.
      await health(endpoint);
      expect(early, 'a request for a starting service waits for it').to.equal(undefined);

      slow.finish();
      cloud = await starting;
      const res = await earlyRequest;
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('loaded');

      const after = await health(endpoint);
      for (const [name, state] of Object.entries(after.services)) expect(state, name).to.equal('running');
      expect(Object.keys(after.services)).to.include.members(['s3', 'dynamodb', 'kinesis', 'lambda', 'cloudformation', 'slowpoke']);
    } finally {
      slow.finish();
      cloud ??= await starting.catch(() => undefined);
      await cloud?.stop();
    }
  });

  it('answers S3 requests sent while S3 loads a state directory with the loaded objects, never a 500', async () => {
    const { dir, cleanup } = tempDir();
    const objects = 3000;
    const config = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true, maxAttempts: 1 });
    try {
      const first = await startLocalCloud({ port: 0, stateDir: dir, log: () => {} });
      const s3 = new S3Client(config(first.url));
      await s3.send(new CreateBucketCommand({ Bucket: 'many' }));
      await s3.send(new PutObjectCommand({ Bucket: 'many', Key: 'seed', Body: 'x' }));
      s3.destroy();
      await first.stop();
      // Many more records, written through S3's own persistence (far faster than thousands of PUTs), sharing the seed's bytes.
      const persistence = new DiskPersistence(dir);
      const seed = (await persistence.load()).buckets[0].objects[0];
      for (let i = 0; i < objects; i += 200) {
        await Promise.all(Array.from({ length: 200 }, (_, j) => persistence.saveObject('many', { ...seed, key: `k${String(i + j).padStart(5, '0')}` })));
      }

      // Requests go out the moment the port is known, while S3 is still reading its records from disk.
      const slow = gatedService();
      const starting = startLocalCloud({ port: 0, stateDir: dir, log: () => {}, extraServices: (ctx) => [slow.create(ctx)] });
      const endpoint = await slow.startCalled;
      const client = new S3Client(config(endpoint));
      const listed = client.send(new ListObjectsV2Command({ Bucket: 'many', MaxKeys: 1000 }));
      const healthDuring = await health(endpoint);
      slow.finish();
      const cloud = await starting;
      try {
        expect(['starting', 'running']).to.include(healthDuring.services.s3);
        const page = await listed;
        expect(page.KeyCount).to.equal(1000);
        expect(page.Contents?.[0].Key).to.equal('k00000');
        expect(page.IsTruncated).to.equal(true);
      } finally {
        client.destroy();
        await cloud.stop();
      }
    } finally {
      cleanup();
    }
  });

  describe('a service that cannot become ready', () => {
    /** A bare gateway around the given services, waiting `readinessWaitMs` for a starting one. */
    async function gatewayFor(create: (ctx: CloudContext) => ServiceProvider[], readinessWaitMs: number) {
      const ctx = new LocalCloudContext(undefined, '000000000000', 'us-east-1', () => {});
      const services = create(ctx);
      const readiness = new ServiceReadiness(services);
      const server = new DualProtocolServer(new Gateway(ctx, services, { readiness, readinessWaitMs }).listener);
      const address = await server.listen(0, '127.0.0.1');
      ctx.endpoint = `http://127.0.0.1:${address.port}`;
      return { endpoint: ctx.endpoint, readiness, server };
    }

    it('answers 503 ServiceUnavailable with Retry-After when the service is still starting after the wait', async () => {
      const slow = gatedService();
      const { endpoint, readiness, server } = await gatewayFor((ctx) => [slow.create(ctx)], 100);
      const started = readiness.startAll();
      try {
        const res = await fetch(`${endpoint}/_slowpoke/thing`);
        expect(res.status).to.equal(503);
        expect(res.headers.get('retry-after')).to.match(/^\d+$/);
        expect(await res.text()).to.match(/<Code>ServiceUnavailable<\/Code><Message>The slowpoke service is still starting/);
        slow.finish();
        await started;
        expect((await fetch(`${endpoint}/_slowpoke/thing`)).status).to.equal(200);
      } finally {
        slow.finish();
        await server.close();
      }
    });

    it('shows a service whose start failed as error, and answers its requests 503', async () => {
      const broken = (): ServiceProvider => ({
        name: 'broken',
        routes: { signingNames: ['broken'], pathPrefixes: ['/_broken/'] },
        start: () => Promise.reject(new Error('state directory is locked')),
        handle: () => Promise.reject(new Error('never reached')),
      });
      const { endpoint, readiness, server } = await gatewayFor(() => [broken()], 30_000);
      try {
        let failure: unknown;
        await readiness.startAll().catch((err) => (failure = err));
        expect(String(failure)).to.match(/state directory is locked/);
        expect((await health(endpoint)).services.broken).to.equal('error');
        const res = await fetch(`${endpoint}/_broken/x`);
        expect(res.status).to.equal(503);
        expect(await res.text()).to.match(/The broken service failed to start/);
      } finally {
        await server.close();
      }
    });
  });
});
