import { expect } from 'chai';
import http from 'node:http';
import type net from 'node:net';
import { embeddedTarget } from '../../harness/targets/embedded.js';

/**
 * `make up` reuses a local cloud that already answers on its port. One that
 * answers health while its services still load their state is not ready:
 * the harness must wait until every service runs before it deploys.
 */
describe('embedded target: reusing a running cloud', () => {
  it('waits until the cloud it reuses has every service running', async () => {
    let probes = 0;
    // A cloud still loading: its first health answers show S3 starting, the later ones running.
    const server = http.createServer((req, res) => {
      probes++;
      const s3 = probes <= 3 ? 'starting' : 'running';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ services: { s3, dynamodb: 'running' }, edition: 'localcloud', version: '0.1.0' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const connection = await embeddedTarget.connect({ region: 'us-east-1', port, host: '127.0.0.1', localstackImage: '', localstackRunner: 'compose' });
      expect(connection.owned).to.equal(false);
      expect(connection.description).to.match(/reused/);
      expect(probes, 'health was asked again until S3 ran').to.be.greaterThan(3);
    } finally {
      server.close();
    }
  });
});
