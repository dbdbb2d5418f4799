/**
 * The test page's server over real HTTP: routes, content types, what
 * /config.json does and does not contain, refusals, and /api/metrics against
 * a fresh local cloud's CloudWatch.
 */
import http from 'node:http';
import { expect } from 'chai';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { startTestPageServer, type TestPageServer } from '../../web/server.js';
import type { ApiError, MetricsResponse, PageConfig } from '../../web/src/shared/api.js';

const ADMIN = { accessKeyId: 'test', secretAccessKey: 'admin-secret-never-served' };
const OUTPUTS = {
  AccessKeyId: 'AKIATESTCLIENT',
  SecretAccessKey: 'testclient-secret',
  KinesisStream: 'iot-EventStream-1',
  LambdaAPIFunction: 'iot-ApiFunction-1',
  Region: 'us-east-1',
  ArchiveBucket: 'iot-archivebucket-1',
  SensorDataTable: 'iot-SensorDataTable-1',
};

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Raw requests: fetch() would normalise `..` away before it reached the server. */
function request(baseUrl: string, path: string, options: { method?: string; host?: string } = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.host ? { host: options.host } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('test page server', () => {
  let cloud: TestCloud;
  let page: TestPageServer;

  before(async () => {
    cloud = await startTestCloud();
    page = await startTestPageServer(
      { endpoint: cloud.url, region: 'us-east-1', stackName: 'iot', outputs: OUTPUTS, adminCredentials: ADMIN, log: () => {} },
      { port: 0 },
    );
  });
  after(async () => {
    await page?.stop();
    await cloud?.stop();
  });

  it('listens on 127.0.0.1 and reports the bundle', () => {
    expect(page.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(page.bundle?.durationMs).to.be.a('number');
    expect(page.bundle?.pageBytes).to.be.greaterThan(10_000);
  });

  it('serves the page, its script and its styles (uPlot’s included) with their content types', async () => {
    const html = await request(page.url, '/');
    expect(html.status).to.equal(200);
    expect(html.headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(html.headers['x-content-type-options']).to.equal('nosniff');
    expect(html.headers['content-security-policy']).to.include(`connect-src 'self' ${cloud.url}`);
    expect(html.body).to.include('<script type="module" src="/assets/app.js">');

    const js = await request(page.url, '/assets/app.js');
    expect(js.status).to.equal(200);
    expect(js.headers['content-type']).to.equal('text/javascript; charset=utf-8');
    const css = await request(page.url, '/assets/app.css');
    expect(css.headers['content-type']).to.equal('text/css; charset=utf-8');
    expect(css.body).to.include('.uplot');
    expect((await request(page.url, '/index.html')).status).to.equal(308);
  });

  it('serves the configuration with the TestClient keys, never the administrator credentials', async () => {
    const response = await request(page.url, '/config.json');
    expect(response.status).to.equal(200);
    expect(response.headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(response.headers['cache-control']).to.equal('no-store');
    const config = JSON.parse(response.body) as PageConfig;
    expect(config).to.deep.include({ stackName: 'iot', region: 'us-east-1', endpoint: cloud.url, outputs: OUTPUTS, missingOutputs: [] });
    expect(config.metrics).to.deep.equal({ namespace: 'Sensor', metricName: 'SensorData', dimension: 'SensorId', url: '/api/metrics' });
    expect(response.body).not.to.include(ADMIN.secretAccessKey);
  });

  it('answers 404 for anything else, however the path is dressed up', async () => {
    for (const path of ['/nope', '/web/server.ts', '/../package.json', '/assets/../../package.json', '/%2e%2e/package.json', '/assets/%2e%2e%2f%2e%2e%2fpackage.json', '/assets/', '//etc/passwd']) {
      const response = await request(page.url, path);
      expect(response.status, path).to.equal(404);
      expect(response.body, path).not.to.include('"name"');
    }
  });

  it('refuses other methods and foreign Host names', async () => {
    const post = await request(page.url, '/config.json', { method: 'POST' });
    expect(post.status).to.equal(405);
    expect(post.headers.allow).to.equal('GET, HEAD');
    const rebound = await request(page.url, '/config.json', { host: 'attacker.example:80' });
    expect(rebound.status).to.equal(421);
    expect(rebound.body).not.to.include(OUTPUTS.SecretAccessKey);
    const port = new URL(page.url).port;
    expect((await request(page.url, '/config.json', { host: `localhost:${port}` })).status).to.equal(200);
  });

  it('answers HEAD without a body', async () => {
    const head = await request(page.url, '/', { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(Number(head.headers['content-length'])).to.be.greaterThan(0);
    expect(head.body).to.equal('');
  });

  it('reads the Sensor metrics with the administrator credentials and decodes sensor IDs', async () => {
    const cloudwatch = new CloudWatchClient(cloud.clientConfig());
    const now = new Date();
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Sensor',
        MetricData: [
          { MetricName: 'SensorData', Dimensions: [{ Name: 'SensorId', Value: 'sensor-1' }], Timestamp: now, Value: 20 },
          { MetricName: 'SensorData', Dimensions: [{ Name: 'SensorId', Value: 'sensor-1' }], Timestamp: now, Value: 22 },
          // What the event processor publishes for the sensor ID "Küche": non-ASCII percent-encoded.
          { MetricName: 'SensorData', Dimensions: [{ Name: 'SensorId', Value: 'K%C3%BCche' }], Timestamp: now, Value: 5 },
          { MetricName: 'InvalidEvents', Timestamp: now, Value: 2, Unit: 'Count' },
        ],
      }),
    );
    cloudwatch.destroy();

    const response = await request(page.url, '/api/metrics?minutes=15&period=60');
    expect(response.status).to.equal(200);
    const metrics = JSON.parse(response.body) as MetricsResponse;
    expect(metrics).to.deep.include({ namespace: 'Sensor', metricName: 'SensorData', period: 60, truncated: false });
    expect(metrics.sensors.map((s) => [s.sensorId, s.dimensionValue, s.samples, s.averages])).to.deep.equal([
      ['Küche', 'K%C3%BCche', [1], [5]],
      ['sensor-1', 'sensor-1', [2], [21]],
    ]);
    expect(metrics.invalidEvents.values).to.deep.equal([2]);
    expect(Date.parse(metrics.end) - Date.parse(metrics.start)).to.equal(15 * 60_000);
  });

  it('refuses metrics parameters CloudWatch would not take', async () => {
    for (const query of ['minutes=0', 'minutes=abc', 'period=30', 'period=90', 'minutes=99999']) {
      const response = await request(page.url, `/api/metrics?${query}`);
      expect(response.status, query).to.equal(400);
      expect((JSON.parse(response.body) as ApiError).error.code).to.equal('InvalidParameter');
    }
  });

  it('says so in plain words when CloudWatch cannot be reached', async () => {
    const gone = await startTestCloud();
    const endpoint = gone.url;
    await gone.stop();
    const orphan = await startTestPageServer({ endpoint, region: 'us-east-1', stackName: 'iot', outputs: {}, adminCredentials: ADMIN, log: () => {} }, { port: 0 });
    try {
      const config = JSON.parse((await request(orphan.url, '/config.json')).body) as PageConfig;
      expect(config.missingOutputs).to.deep.equal(['AccessKeyId', 'SecretAccessKey', 'KinesisStream', 'LambdaAPIFunction']);
      const response = await request(orphan.url, '/api/metrics');
      expect(response.status).to.equal(502);
      expect(JSON.parse(response.body)).to.deep.equal({
        error: { code: 'NetworkError', message: `the page's server cannot reach CloudWatch at ${endpoint} (ECONNREFUSED)` },
      });
    } finally {
      await orphan.stop();
    }
  });
});
