/**
 * The test page in a real browser, against the real flow: a fresh embedded
 * cloud, the stack deployed by the harness, the page server started from the
 * stack's outputs, and Debian's Chromium driven by playwright-core.
 *
 * Never a downloaded browser: playwright-core only drives the Chromium found
 * at CHROMIUM_PATH (default /usr/bin/chromium). Without one the suite is
 * skipped with a one-line reason — except under CI, where a missing browser
 * would otherwise turn into a silently green run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { buildFunctions } from '../../harness/build/build.js';
import { deployStack } from '../../harness/deploy/deploy.js';
import { collectingReporter } from '../../harness/support/terminal.js';
import type { Connection } from '../../harness/targets/types.js';
import { startTestPageServer, type TestPageServer } from '../../web/server.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];
const OUTPUT_DIR = path.resolve('test-output/browser');
const STACK_NAME = 'iot-browser';
const REGION = 'us-east-1';
/** How long to wait for a record to travel stream → function → table and metric. */
const PROCESSING_TIMEOUT_MS = 30_000;

/** Readings of the sensor the test queries: explicit timestamps, so the expected order is known. */
const MINUTE = 60_000;
const BASE = Date.now() - 5 * MINUTE;
const ALPHA = 'sensor-α';
const ALPHA_READINGS = [
  { value: '21.5', timestamp: new Date(BASE).toISOString() },
  { value: '22', timestamp: new Date(BASE + MINUTE).toISOString() },
  { value: '23.25', timestamp: new Date(BASE + 2 * MINUTE).toISOString() },
];
/** The other sensor: any UTF-8, a space and a slash included; timestamp left empty (now). */
const ROOM = 'room 2/temp';

describe('test page in Chromium (embedded target)', function () {
  let cloud: TestCloud | undefined;
  let zipDir: string | undefined;
  let server: TestPageServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const browserErrors: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
      if (process.env.CI) throw new Error(`the browser test needs Chromium under CI: ${reason}`);
      console.log(`    skipping the browser test: ${reason}`);
      this.skip();
    }
    this.timeout(300_000);

    cloud = await startTestCloud({ region: REGION });
    zipDir = mkdtempSync(path.join(os.tmpdir(), 'iot-browser-zips-'));
    await buildFunctions({ outDir: zipDir });
    const outputs = await deploy(cloud, zipDir);

    server = await startTestPageServer(
      { endpoint: cloud.url, region: REGION, stackName: STACK_NAME, outputs, adminCredentials: cloud.clientConfig(REGION).credentials, log: () => {} },
      { port: 0 },
    );
    // What make up does: the page's port is known only now, and the cloud refuses pages it was not told about.
    for (const origin of server.origins) cloud.cloud.allowOrigin(origin);
    console.log(`    page bundled by esbuild in ${server.bundle?.durationMs} ms (${kib(server.bundle?.pageBytes ?? 0)} HTML+JS+CSS)`);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') browserErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => browserErrors.push(`page error: ${error.message}`));
    mkdirSync(OUTPUT_DIR, { recursive: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && browser) {
      const name = (this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60) || 'failure').toLowerCase();
      await page.screenshot({ path: path.join(OUTPUT_DIR, `failed-${name}.png`), fullPage: true }).catch(() => {});
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await cloud?.stop();
    if (zipDir) rmSync(zipDir, { recursive: true, force: true });
  });

  it('opens configured from the stack, with nothing to edit', async () => {
    const started = performance.now();
    await page.goto(server!.url);
    await page.waitForSelector('body[data-ready="true"]');
    const readyMs = performance.now() - started;
    const loadEventMs = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
    console.log(`    page loaded in ${Math.round(loadEventMs)} ms (load event), ready to use in ${Math.round(readyMs)} ms (configuration fetched, panels wired)`);

    const target = await page.textContent('#target');
    expect(target).to.include(STACK_NAME).and.include(cloud!.url).and.include(REGION);
    expect(await page.isHidden('#banner')).to.equal(true);
    expect(await logTexts(page)).to.satisfy((lines: string[]) => lines.some((l) => l.includes('ready: stream')));
  });

  it('refuses a bad value with a message and sends nothing', async () => {
    const putsBefore = await countLog(page, 'Kinesis PutRecord');
    await fillSend(page, ALPHA, 'abc', '');
    await page.click('#send-submit');
    await expectText(page, '#send-message', 'Not sent: “abc” is not a number');
    expect(await page.getAttribute('#send-value', 'aria-invalid')).to.equal('true');

    await fillSend(page, ALPHA, '', '');
    await page.click('#send-submit');
    await expectText(page, '#send-message', 'Not sent: Enter a value');

    expect((await logTexts(page))[0]).to.include('refused in the page, nothing sent');
    expect(await countLog(page, 'Kinesis PutRecord')).to.equal(putsBefore);
  });

  it('sends events for two sensors with PutRecord', async () => {
    for (const reading of ALPHA_READINGS) await send(page, ALPHA, reading.value, reading.timestamp);
    await send(page, ROOM, '7', '');
    await send(page, ROOM, '-3.5e0', '');
    expect(await countLog(page, 'Kinesis PutRecord', 'ok')).to.equal(5);
  });

  it('queries one sensor through the API function: its values in the table and the chart', async () => {
    await page.fill('#query-sensor', ALPHA);
    const rows = await poll(async () => {
      await page.click('#query-submit');
      await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('#query-submit')!.disabled);
      const cells = await page.$$eval('#query-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      return cells.length === ALPHA_READINGS.length ? cells : undefined;
    }, `the ${ALPHA_READINGS.length} readings of ${ALPHA} in the table`);

    // Newest first, as the API returns them; the timestamps as the processor normalised them.
    expect(rows).to.deep.equal([...ALPHA_READINGS].reverse().map((r) => [r.timestamp, String(Number(r.value))]));
    expect(await page.getAttribute('#query-chart', 'data-points')).to.equal(String(ALPHA_READINGS.length));
    const canvas = await page.$eval('#query-chart canvas', (c) => ({ width: (c as HTMLCanvasElement).width, height: (c as HTMLCanvasElement).height }));
    expect(canvas.width).to.be.greaterThan(100);
    expect(canvas.height).to.be.greaterThan(100);
    await expectText(page, '#query-message', `3 newest readings of "${ALPHA}"`);
  });

  it('shows both sensors in the metrics view (read by the page server)', async () => {
    const counts = await poll(async () => {
      await page.click('#metrics-refresh');
      await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('#metrics-refresh')!.disabled);
      const found = await page.$$eval('#metrics-table tbody tr[data-sensor]', (trs) =>
        Object.fromEntries(trs.map((tr) => [(tr as HTMLElement).dataset.sensor, tr.querySelectorAll('td')[1]!.textContent])),
      );
      return found[ALPHA] === '3' && found[ROOM] === '2' ? found : undefined;
    }, `data points for ${ALPHA} (3) and ${ROOM} (2) in the metrics table`);
    expect(counts).to.deep.equal({ [ALPHA]: '3', [ROOM]: '2' });
    await expectText(page, '#metrics-message', '2 sensors · 5 data points');
    expect(Number(await page.getAttribute('#metrics-chart', 'data-series'))).to.equal(2);

    await page.screenshot({ path: path.join(OUTPUT_DIR, 'testpage.png'), fullPage: true });
  });

  it('runs the simulator with PutRecords and refreshes the history while it runs', async () => {
    await page.fill('#sim-sensors', '2');
    await page.fill('#sim-rate', '20');
    await page.fill('#sim-prefix', 'sim-');
    await page.fill('#query-sensor', 'sim-1');
    await page.click('#sim-toggle');
    await expectText(page, '#sim-status', 'Running');

    // No click on Query: the history panel refreshes by itself while the simulator runs.
    await poll(async () => ((await page.$$('#query-table tbody tr td.num')).length >= 5 ? true : undefined), 'sim-1 readings appearing in the history without a click');
    await page.click('#sim-toggle');
    await expectText(page, '#sim-status', 'Stopped:');
    const status = (await page.textContent('#sim-status')) ?? '';
    expect(status).to.match(/Stopped: \d+ sent, 0 failed/);
    expect(await countLog(page, 'Kinesis PutRecords', 'ok')).to.be.greaterThan(0);
  });

  it('fits a narrow window without sideways scrolling', async () => {
    await page.setViewportSize({ width: 380, height: 800 });
    await page.waitForTimeout(300); // the charts follow their containers' width
    const { scrollWidth, viewportWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, viewportWidth: window.innerWidth }));
    expect(scrollWidth).to.be.at.most(viewportWidth);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'testpage-narrow.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('logged no errors in the browser console (CSP, scripts, network)', () => {
    expect(browserErrors).to.deep.equal([]);
  });

  it('refuses a page from another origin: its fetch fails and its form-style POST changes nothing', async () => {
    // Another local server's page: a different origin (port), the cloud was never told about it.
    const foreign = http.createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', () => resolve()));
    const other = await browser!.newPage();
    try {
      await other.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`);
      const outcome = await other.evaluate(async (endpoint) => {
        const signed = await fetch(`${endpoint}/`, {
          method: 'POST',
          headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
          body: '{}',
        }).then((r) => `answered ${r.status}`, (e: Error) => `failed: ${e.name}`);
        // A "simple" request needs no preflight; only the answer is hidden from the page, so the cloud must refuse it.
        await fetch(`${endpoint}/`, {
          method: 'POST',
          mode: 'no-cors',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'Action=PutMetricData&Version=2010-08-01&Namespace=ForeignPage&MetricData.member.1.MetricName=Planted&MetricData.member.1.Value=1',
        });
        return signed;
      }, cloud!.url);
      expect(outcome).to.equal('failed: TypeError');
      const cloudwatch = new CloudWatchClient(cloud!.clientConfig(REGION));
      const planted = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'ForeignPage' }));
      expect(planted.Metrics ?? []).to.deep.equal([]);
    } finally {
      await other.close();
      foreign.close();
    }
  });
});

/** Deploys the stack with the harness's own deploy, as `make up` does. */
async function deploy(cloud: TestCloud, artifactsDir: string): Promise<Record<string, string>> {
  const config = cloud.clientConfig(REGION);
  const connection: Connection = {
    target: 'embedded',
    endpoint: config.endpoint,
    region: REGION,
    credentials: config.credentials,
    local: true,
    description: `embedded cloud on ${cloud.url} (browser test)`,
    owned: false,
    stop: async () => {},
  };
  const reporter = collectingReporter();
  try {
    const result = await deployStack({ connection, stackName: STACK_NAME, codeKeyPrefix: 'iot-backend', artifactsDir, reporter, timeoutMs: 240_000 });
    return result.outputs;
  } catch (error) {
    throw new Error(`deploying the stack failed: ${error instanceof Error ? error.message : String(error)}\n${reporter.lines.join('\n')}`);
  }
}

async function fillSend(page: Page, sensorId: string, value: string, timestamp: string): Promise<void> {
  await page.fill('#send-sensor', sensorId);
  await page.fill('#send-value', value);
  await page.fill('#send-timestamp', timestamp);
}

async function send(page: Page, sensorId: string, value: string, timestamp: string): Promise<void> {
  await fillSend(page, sensorId, value, timestamp);
  await page.click('#send-submit');
  await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('#send-submit')!.disabled);
  const message = (await page.textContent('#send-message')) ?? '';
  expect(message, `sending ${sensorId} = ${value}`).to.match(/^Sent /);
}

async function expectText(page: Page, selector: string, text: string): Promise<void> {
  try {
    await page.waitForFunction(
      ([s, t]) => document.querySelector(s!)?.textContent?.includes(t!) ?? false,
      [selector, text] as const,
      { timeout: 10_000 },
    );
  } catch {
    expect(await page.textContent(selector), selector).to.include(text);
  }
}

async function logTexts(page: Page): Promise<string[]> {
  return page.$$eval('#log-list li', (lis) => lis.map((li) => li.textContent ?? ''));
}

async function countLog(page: Page, call: string, kind?: 'ok' | 'error'): Promise<number> {
  return page.$$eval(
    '#log-list li',
    (lis, [c, k]) => lis.filter((li) => li.querySelector('.call')?.textContent === c && (!k || li.classList.contains(k))).length,
    [call, kind ?? ''] as const,
  );
}

/** Retries `probe` until it returns something, for what arrives asynchronously through the stream. */
async function poll<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = PROCESSING_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}
