/** "Simulator": start/stop a small fleet, with live counters. */
import type { Backend } from './backend.js';
import type { CallLog } from './call-log.js';
import { byId, showMessage } from './dom.js';
import { checkSimulatorSettings, Simulator, type SimulatorStats } from './simulator.js';

export function setUpSimulatorPanel(backend: Backend, calls: CallLog, onRunningChange: (running: boolean) => void): Simulator {
  const form = byId<HTMLFormElement>('sim-form');
  const toggle = byId<HTMLButtonElement>('sim-toggle');
  const status = byId('sim-status');
  const fields = { sensors: byId<HTMLInputElement>('sim-sensors'), rate: byId<HTMLInputElement>('sim-rate'), prefix: byId<HTMLInputElement>('sim-prefix') };

  const simulator = new Simulator({
    send: (events) => backend.putEvents(events),
    onBatch(result, count) {
      if ('error' in result) {
        calls.note('Kinesis PutRecords', `simulator: ${count} records not sent: ${calls.describe(result.error, 'kinesis')}`, 'error');
      } else if (result.failed > 0) {
        calls.note('Kinesis PutRecords', `simulator: ${result.sent} of ${count} records accepted, ${result.failed} refused (${result.failureCode ?? 'no reason given'})`, 'error');
      } else {
        calls.note('Kinesis PutRecords', `simulator: ${count} records accepted`, 'ok');
      }
    },
    onChange: render,
  });

  function render(stats: SimulatorStats): void {
    toggle.textContent = stats.running ? 'Stop' : 'Start';
    toggle.classList.toggle('stop', stats.running);
    for (const input of Object.values(fields)) input.disabled = stats.running;
    const counts = `${stats.sent} sent, ${stats.failed} failed in ${stats.calls} call${stats.calls === 1 ? '' : 's'}${stats.skipped ? `, ${stats.skipped} seconds skipped (calls too slow)` : ''}`;
    showMessage(status, stats.running ? `Running: ${counts}.` : stats.calls ? `Stopped: ${counts}.` : 'Stopped.', stats.failed ? 'error' : stats.running ? 'ok' : 'info');
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (simulator.running) {
      simulator.stop();
      calls.note('Simulator', 'stopped');
      onRunningChange(false);
      return;
    }
    const check = checkSimulatorSettings({ sensors: fields.sensors.value, rate: fields.rate.value, prefix: fields.prefix.value });
    if (!check.ok) return showMessage(status, check.message, 'error');
    const { sensors, rate, prefix } = check.settings;
    calls.note('Simulator', `started: ${sensors} sensor${sensors === 1 ? '' : 's'} (${prefix}1…${prefix}${sensors}), ${rate} events/s`);
    simulator.start(check.settings);
    onRunningChange(true);
  });

  return simulator;
}
