/** "Send an event": one reading, validated here, sent with PutRecord. */
import type { Backend } from './backend.js';
import { byId, formatNumber, showMessage } from './dom.js';
import { checkSendForm, type SendFormInput, type SensorEventPayload } from './event-input.js';
import type { CallLog } from './call-log.js';

const FIELD_IDS: Record<keyof SendFormInput, string> = { sensorId: 'send-sensor', value: 'send-value', timestamp: 'send-timestamp' };

export function setUpSendPanel(backend: Backend, calls: CallLog, onSent: (event: SensorEventPayload) => void): void {
  const form = byId<HTMLFormElement>('send-form');
  const inputs = Object.fromEntries(Object.entries(FIELD_IDS).map(([field, id]) => [field, byId<HTMLInputElement>(id)])) as Record<
    keyof SendFormInput,
    HTMLInputElement
  >;
  const submit = byId<HTMLButtonElement>('send-submit');
  const message = byId('send-message');

  byId('send-now').addEventListener('click', () => {
    inputs.timestamp.value = new Date().toISOString();
    inputs.timestamp.removeAttribute('aria-invalid');
  });
  for (const input of Object.values(inputs)) input.addEventListener('input', () => input.removeAttribute('aria-invalid'));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const check = checkSendForm({ sensorId: inputs.sensorId.value, value: inputs.value.value, timestamp: inputs.timestamp.value });
    for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
    if (!check.ok) {
      inputs[check.field].setAttribute('aria-invalid', 'true');
      inputs[check.field].focus();
      showMessage(message, `Not sent: ${check.message}`, 'error');
      calls.note('Send event', `refused in the page, nothing sent: ${check.message}`, 'error');
      return;
    }
    const { event } = check;
    submit.disabled = true;
    showMessage(message, 'Sending…');
    try {
      await calls.track('Kinesis PutRecord', 'kinesis', () => backend.putEvent(event), (r) =>
        `${describeEvent(event)} → ${r.shardId ?? 'shard ?'}, sequence ${r.sequenceNumber ?? '?'}`,
      );
      showMessage(message, `Sent ${describeEvent(event)}.`, 'ok');
      onSent(event);
    } catch (error) {
      showMessage(message, `Not sent: ${calls.describe(error, 'kinesis')}`, 'error');
    } finally {
      submit.disabled = false;
    }
  });
}

function describeEvent(event: SensorEventPayload): string {
  return `${JSON.stringify(event.sensorid)} = ${formatNumber(event.value)} at ${event.timestamp}`;
}
