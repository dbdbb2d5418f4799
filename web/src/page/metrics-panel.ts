/**
 * "Metrics": data points per sensor over time in the `Sensor` namespace,
 * read through the page's own server (the TestClient may not read CloudWatch).
 */
import type { ApiError, MetricsResponse, PageConfig, SensorMetricSeries } from '../shared/api.js';
import type { CallLog } from './call-log.js';
import { byId, el, formatNumber, showMessage } from './dom.js';
import { alignSeries, periodFor } from './metrics-series.js';
import { TimeChart } from './time-chart.js';

/** More lines than this make the chart unreadable; the table still lists every sensor. */
const MAX_CHART_SERIES = 10;

export interface MetricsPanel {
  refresh(): Promise<void>;
}

export class MetricsRequestError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export function setUpMetricsPanel(config: PageConfig, calls: CallLog): MetricsPanel {
  const windowSelect = byId<HTMLSelectElement>('metrics-window');
  const refreshButton = byId<HTMLButtonElement>('metrics-refresh');
  const message = byId('metrics-message');
  const tbody = byId<HTMLTableElement>('metrics-table').tBodies[0]!;
  const chart = new TimeChart(byId('metrics-chart'), { yLabel: 'Data points per minute', emptyText: 'No sensor metrics in this window yet.', points: false });
  byId('metrics-namespace').textContent = config.metrics.namespace;
  let inFlight = false;

  async function refresh(): Promise<void> {
    if (inFlight) return;
    inFlight = true;
    refreshButton.disabled = true;
    const minutes = Number(windowSelect.value);
    try {
      const metrics = await calls.track(
        'GetMetricData (page server)',
        'page',
        () => fetchMetrics(`${config.metrics.url}?minutes=${minutes}&period=${periodFor(minutes)}`),
        (m) => `${m.namespace}/${m.metricName}: ${m.sensors.length} sensor${m.sensors.length === 1 ? '' : 's'}, ${totalSamples(m.sensors)} data points`,
      );
      render(metrics);
    } catch (error) {
      showMessage(message, `Could not read the metrics: ${calls.describe(error, 'page')}`, 'error');
    } finally {
      inFlight = false;
      refreshButton.disabled = false;
    }
  }

  function render(metrics: MetricsResponse): void {
    const when = new Date().toLocaleTimeString('en-GB', { hour12: false });
    const invalid = metrics.invalidEvents.values.reduce((a, b) => a + b, 0);
    const parts = [`${metrics.sensors.length} sensor${metrics.sensors.length === 1 ? '' : 's'}`, `${totalSamples(metrics.sensors)} data points`];
    if (invalid > 0) parts.push(`${invalid} malformed record${invalid === 1 ? '' : 's'} skipped by the processor`);
    if (metrics.truncated) parts.push('only the first sensors are shown');
    showMessage(message, `${parts.join(' · ')} (updated ${when})`, 'ok');

    renderTable(metrics.sensors);
    const busiest = [...metrics.sensors].sort((a, b) => sum(b.samples) - sum(a.samples)).slice(0, MAX_CHART_SERIES);
    busiest.sort((a, b) => a.sensorId.localeCompare(b.sensorId));
    const { times, series } = alignSeries(busiest, metrics);
    chart.update(times, series);
  }

  function renderTable(sensors: SensorMetricSeries[]): void {
    if (sensors.length === 0) {
      const cell = el('td', { className: 'empty', text: 'No sensor has published a data point in this window.' });
      cell.colSpan = 3;
      tbody.replaceChildren(el('tr', {}, cell));
      return;
    }
    tbody.replaceChildren(
      ...sensors.map((s) => {
        const count = sum(s.samples);
        const average = s.samples.reduce((acc, n, i) => acc + n * (s.averages[i] ?? 0), 0) / (count || 1);
        const row = el(
          'tr',
          {},
          el('td', { text: s.sensorId, title: s.dimensionValue !== s.sensorId ? `dimension value ${s.dimensionValue}` : '' }),
          el('td', { className: 'num', text: String(count) }),
          el('td', { className: 'num', text: count ? formatNumber(average) : '–' }),
        );
        row.dataset.sensor = s.sensorId;
        return row;
      }),
    );
  }

  refreshButton.addEventListener('click', () => void refresh());
  windowSelect.addEventListener('change', () => void refresh());
  return { refresh };
}

async function fetchMetrics(url: string): Promise<MetricsResponse> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => undefined)) as MetricsResponse | ApiError | undefined;
  if (!response.ok) {
    const error = (body as ApiError | undefined)?.error;
    throw new MetricsRequestError(error?.code ?? `HTTP${response.status}`, error?.message ?? `the page server answered HTTP ${response.status}`);
  }
  return body as MetricsResponse;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function totalSamples(sensors: SensorMetricSeries[]): number {
  return sensors.reduce((acc, s) => acc + sum(s.samples), 0);
}
