/**
 * The test page: loads its configuration from the server that serves it, then
 * wires the panels together. Bundled by esbuild (web/src/server/assets.ts).
 */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import type { PageConfig } from '../shared/api.js';
import { Backend } from './backend.js';
import { CallLog } from './call-log.js';
import { byId, el } from './dom.js';
import { setUpHistoryPanel } from './history-panel.js';
import { LogPanel } from './log-panel.js';
import { setUpMetricsPanel } from './metrics-panel.js';
import { setUpSendPanel } from './send-panel.js';
import { setUpSimulatorPanel } from './simulator-panel.js';

/** How often views refresh by themselves. */
const HISTORY_REFRESH_MS = 2_000;
const METRICS_REFRESH_MS = 10_000;
const METRICS_REFRESH_SIMULATING_MS = 5_000;
/**
 * Processing a record (stream → function → table and metric) takes a moment:
 * look again after these delays, counted from the last send (a burst of sends
 * leads to one round of refreshes, not one per send).
 */
const AFTER_SEND_MS = [1_500, 4_000];

async function main(): Promise<void> {
  const log = new LogPanel(byId<HTMLOListElement>('log-list'));
  byId('log-clear').addEventListener('click', () => log.clear());

  let config: PageConfig;
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    config = (await response.json()) as PageConfig;
  } catch (error) {
    showBanner(`Could not load the configuration from the page server (${error instanceof Error ? error.message : String(error)}). Is \`make up\` still running?`);
    byId('target').textContent = 'No configuration.';
    return;
  }
  showTarget(config);
  if (config.missingOutputs.length > 0) {
    showBanner(`The stack ${config.stackName} did not report the output${config.missingOutputs.length === 1 ? '' : 's'} ${config.missingOutputs.join(', ')}; sending and querying cannot work. Was it deployed completely?`);
  }

  const calls = new CallLog(log, config);
  const backend = new Backend(config);
  const history = setUpHistoryPanel(backend, calls);
  const metrics = setUpMetricsPanel(config, calls);

  let historyTimer: ReturnType<typeof setInterval> | undefined;
  let metricsTimer = setInterval(() => void metrics.refresh(), METRICS_REFRESH_MS);
  setUpSimulatorPanel(backend, calls, (running) => {
    clearInterval(historyTimer);
    clearInterval(metricsTimer);
    historyTimer = running ? setInterval(() => history.autoRefresh() && void history.refresh(), HISTORY_REFRESH_MS) : undefined;
    metricsTimer = setInterval(() => void metrics.refresh(), running ? METRICS_REFRESH_SIMULATING_MS : METRICS_REFRESH_MS);
  });
  let followUps: ReturnType<typeof setTimeout>[] = [];
  setUpSendPanel(backend, calls, (event) => {
    followUps.forEach(clearTimeout);
    followUps = AFTER_SEND_MS.map((delay) =>
      setTimeout(() => {
        history.suggest(event.sensorid);
        void metrics.refresh();
      }, delay),
    );
  });

  calls.note('Page', `ready: stream ${backend.streamName}, API function ${backend.functionName}`);
  void metrics.refresh();
  document.body.dataset.ready = 'true';
}

function showTarget(config: PageConfig): void {
  const where = config.endpoint ? `local endpoint ${config.endpoint}` : `AWS ${config.region}`;
  const strong = (text: string) => el('strong', { text });
  byId('target').replaceChildren(
    'Stack ', strong(config.stackName), ` in ${config.region} on `, strong(where),
    ' · stream ', strong(config.outputs.KinesisStream ?? '?'),
    ' · API function ', strong(config.outputs.LambdaAPIFunction ?? '?'),
  );
  document.title = `${config.stackName} — IoT Backend test page`;
}

function showBanner(text: string): void {
  const banner = byId('banner');
  banner.textContent = text;
  banner.hidden = false;
}

void main();
