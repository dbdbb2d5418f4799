/** "Sensor history": the API function's 20 newest readings, as a table and a chart. */
import type { Backend, Reading } from './backend.js';
import type { CallLog } from './call-log.js';
import { byId, el, formatNumber, showMessage } from './dom.js';
import { checkSensorId } from './event-input.js';
import { TimeChart } from './time-chart.js';

export interface HistoryPanel {
  /** The sensor in the query box, if any. */
  sensorId(): string;
  /** Fills the query box (when empty) and queries. */
  suggest(sensorId: string): void;
  /** Queries again, unless a query is already running or the box is empty. */
  refresh(): Promise<void>;
  /** Whether the "refresh while the simulator runs" box is ticked. */
  autoRefresh(): boolean;
}

export function setUpHistoryPanel(backend: Backend, calls: CallLog): HistoryPanel {
  const form = byId<HTMLFormElement>('query-form');
  const input = byId<HTMLInputElement>('query-sensor');
  const submit = byId<HTMLButtonElement>('query-submit');
  const auto = byId<HTMLInputElement>('query-auto');
  const message = byId('query-message');
  const tbody = byId<HTMLTableElement>('query-table').tBodies[0]!;
  const chart = new TimeChart(byId('query-chart'), { yLabel: 'Value', emptyText: 'Query a sensor to chart its newest readings.' });
  let inFlight = false;
  renderTable([], 'No sensor queried yet.');

  async function query(sensorId: string): Promise<void> {
    const check = checkSensorId(sensorId);
    if (!check.ok) {
      input.setAttribute('aria-invalid', 'true');
      showMessage(message, check.message, 'error');
      return;
    }
    input.removeAttribute('aria-invalid');
    if (inFlight) return;
    inFlight = true;
    submit.disabled = true;
    try {
      const readings = await calls.track('Lambda Invoke', 'lambda', () => backend.query(sensorId), (items) =>
        `query ${JSON.stringify(sensorId)}: ${items.length} reading${items.length === 1 ? '' : 's'}`,
      );
      // A newer query for another sensor may have been typed meanwhile; show what was asked for.
      render(sensorId, readings);
    } catch (error) {
      showMessage(message, `Query failed: ${calls.describe(error, 'lambda')}`, 'error');
    } finally {
      inFlight = false;
      submit.disabled = false;
    }
  }

  function render(sensorId: string, readings: Reading[]): void {
    const when = new Date().toLocaleTimeString('en-GB', { hour12: false });
    if (readings.length === 0) {
      showMessage(message, `No readings stored for ${JSON.stringify(sensorId)} yet (checked ${when}).`);
    } else {
      showMessage(message, `${readings.length} newest reading${readings.length === 1 ? '' : 's'} of ${JSON.stringify(sensorId)} (updated ${when}).`, 'ok');
    }
    renderTable(readings, `No readings for ${JSON.stringify(sensorId)}.`);
    const ascending = [...readings].sort((a, b) => Date.parse(a.Timestamp) - Date.parse(b.Timestamp));
    chart.update(
      ascending.map((r) => Date.parse(r.Timestamp)),
      [{ label: sensorId, values: ascending.map((r) => r.Value) }],
      `No readings for ${JSON.stringify(sensorId)} yet.`,
    );
  }

  function renderTable(readings: Reading[], emptyText: string): void {
    if (readings.length === 0) {
      const cell = el('td', { className: 'empty', text: emptyText });
      cell.colSpan = 2;
      tbody.replaceChildren(el('tr', {}, cell));
      return;
    }
    tbody.replaceChildren(
      ...readings.map((r) => el('tr', {}, el('td', { text: r.Timestamp }), el('td', { className: 'num', text: formatNumber(r.Value) }))),
    );
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void query(input.value);
  });
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'));

  return {
    sensorId: () => input.value,
    suggest(sensorId) {
      if (input.value.trim() === '') input.value = sensorId;
      if (input.value === sensorId) void query(sensorId);
    },
    refresh: () => (input.value.trim() === '' ? Promise.resolve() : query(input.value)),
    autoRefresh: () => auto.checked,
  };
}
