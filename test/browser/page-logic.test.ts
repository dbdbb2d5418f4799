/**
 * The test page's logic that needs no browser: what the send form refuses,
 * how errors are worded, the simulator's readings and the metrics chart's axis.
 */
import { expect } from 'chai';
import { checkSendForm, checkSensorId, checkTimestamp, checkValue, encodeEvent } from '../../web/src/page/event-input.js';
import { describeError, endpointFor, isNetworkFailure } from '../../web/src/page/errors.js';
import { FunctionError } from '../../web/src/page/backend.js';
import { checkSimulatorSettings, nextReading, Simulator, type SimulatorStats } from '../../web/src/page/simulator.js';
import { alignSeries, periodFor } from '../../web/src/page/metrics-series.js';
import type { SensorEventPayload } from '../../web/src/page/event-input.js';

describe('test page logic', () => {
  describe('send form validation', () => {
    it('takes decimal numbers and sends them as JSON numbers', () => {
      for (const [text, value] of [['21.5', 21.5], [' -3 ', -3], ['1.2e3', 1200], ['.5', 0.5], ['0', 0], ['-0', 0], ['+7', 7]] as const) {
        expect(checkValue(text), text).to.deep.equal({ ok: true, value });
      }
      const check = checkSendForm({ sensorId: 'sensor-1', value: '21.5', timestamp: '2024-05-01T12:00:00Z' });
      expect(check.ok).to.equal(true);
      const event = (check as { event: SensorEventPayload }).event;
      expect(new TextDecoder().decode(encodeEvent(event))).to.equal('{"sensorid":"sensor-1","value":21.5,"timestamp":"2024-05-01T12:00:00Z"}');
    });

    it('refuses what is not a number, with a sentence', () => {
      for (const text of ['abc', '', '   ', '0x10', '1,5', 'Infinity', 'NaN', '1e999', '12abc', '1e-200']) {
        const check = checkValue(text);
        expect(check.ok, text).to.equal(false);
        expect((check as { message: string }).message, text).to.match(/[A-Za-z].*\.$/);
      }
      expect(checkValue('abc')).to.deep.include({ message: '“abc” is not a number. Enter digits such as 21.5, -3 or 1.2e3.' });
      expect(checkValue('')).to.deep.include({ message: 'Enter a value: a number such as 21.5.' });
    });

    it('names the first field that is wrong', () => {
      expect(checkSendForm({ sensorId: ' ', value: 'abc', timestamp: '' })).to.deep.include({ ok: false, field: 'sensorId' });
      expect(checkSendForm({ sensorId: 's', value: 'abc', timestamp: 'yesterday' })).to.deep.include({ ok: false, field: 'value' });
      expect(checkSendForm({ sensorId: 's', value: '1', timestamp: 'yesterday' })).to.deep.include({ ok: false, field: 'timestamp' });
    });

    it('takes any UTF-8 sensor ID up to 256 bytes, exactly as typed', () => {
      expect(checkSensorId(' Küche 🌡 ')).to.deep.equal({ ok: true, value: ' Küche 🌡 ' });
      expect(checkSensorId('é'.repeat(128)).ok).to.equal(true);
      expect(checkSensorId('é'.repeat(129))).to.deep.include({ ok: false });
      expect(checkSensorId('\uD800x')).to.deep.include({ ok: false });
    });

    it('defaults the timestamp to now and checks a given one strictly', () => {
      const now = () => new Date('2024-05-01T12:00:00.000Z');
      expect(checkTimestamp('', now)).to.deep.equal({ ok: true, value: '2024-05-01T12:00:00.000Z' });
      expect(checkTimestamp('2024-05-01T14:00:00+02:00')).to.deep.equal({ ok: true, value: '2024-05-01T14:00:00+02:00' });
      expect(checkTimestamp('2024-02-30T00:00:00Z').ok).to.equal(false);
      expect(checkTimestamp('May 1st').ok).to.equal(false);
    });
  });

  describe('errors in plain words', () => {
    const context = { endpoint: 'http://127.0.0.1:4566' };
    const awsError = (name: string, message = 'x') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

    it('explains what the TestClient may do when access is denied', () => {
      const expected = 'AccessDenied: the test client may only put records and invoke the API function';
      expect(describeError(awsError('AccessDenied'), context)).to.equal(expected);
      expect(describeError(awsError('AccessDeniedException'), context)).to.equal(`AccessDeniedException: ${expected.slice('AccessDenied: '.length)}`);
    });

    it('says which endpoint cannot be reached when the network fails', () => {
      for (const message of ['Failed to fetch', 'NetworkError when attempting to fetch resource.', 'Load failed']) {
        const error = new TypeError(message);
        expect(isNetworkFailure(error), message).to.equal(true);
        expect(describeError(error, context)).to.equal('cannot reach http://127.0.0.1:4566 — is `make up` running?');
      }
      expect(endpointFor('kinesis', 'eu-west-1')).to.equal('https://kinesis.eu-west-1.amazonaws.com');
      expect(endpointFor('lambda', 'eu-west-1', 'http://127.0.0.1:4566')).to.equal('http://127.0.0.1:4566');
    });

    it('keeps AWS’s message where it is the useful part, and the code always', () => {
      expect(describeError(awsError('ResourceNotFoundException', 'Stream s not found'), context)).to.equal(
        'ResourceNotFoundException: not found — does the stack still exist? (make up deploys it) (Stream s not found)',
      );
      expect(describeError(awsError('SomethingNew', 'odd'), context)).to.equal('SomethingNew: odd (HTTP 400)');
      expect(describeError(awsError('ProvisionedThroughputExceededException'), context)).to.match(/^ProvisionedThroughputExceededException: the stream is over its write capacity/);
      expect(describeError(new FunctionError('InvalidRequestError', 'Invalid sensorid'), context)).to.equal(
        'the API function failed: InvalidRequestError: Invalid sensorid',
      );
    });
  });

  describe('simulator', () => {
    it('checks its settings', () => {
      expect(checkSimulatorSettings({ sensors: '5', rate: '10', prefix: 'sim-' })).to.deep.equal({ ok: true, settings: { sensors: 5, rate: 10, prefix: 'sim-' } });
      expect(checkSimulatorSettings({ sensors: '0', rate: '10', prefix: 'sim-' }).ok).to.equal(false);
      expect(checkSimulatorSettings({ sensors: '2', rate: '1001', prefix: 'sim-' }).ok).to.equal(false);
      expect(checkSimulatorSettings({ sensors: '2', rate: '1.5', prefix: 'sim-' }).ok).to.equal(false);
      expect(checkSimulatorSettings({ sensors: '2', rate: '5', prefix: ' ' }).ok).to.equal(false);
    });

    it('walks randomly within 0–40', () => {
      let value = 20;
      let extreme = () => 1;
      for (let i = 0; i < 200; i++) value = nextReading(value, extreme);
      expect(value).to.be.at.most(40);
      extreme = () => 0;
      for (let i = 0; i < 200; i++) value = nextReading(value, extreme);
      expect(value).to.be.at.least(0);
    });

    it('sends a second’s readings per tick, round-robin, with distinct timestamps per sensor, in calls of at most 500', async () => {
      const calls: SensorEventPayload[][] = [];
      let last: SimulatorStats | undefined;
      const simulator = new Simulator({
        send: async (events) => {
          calls.push(events);
          return { sent: events.length, failed: 0 };
        },
        onBatch: () => {},
        onChange: (stats) => (last = stats),
        now: () => Date.parse('2024-05-01T12:00:01.000Z'),
      });
      simulator.start({ sensors: 3, rate: 700, prefix: 'sim-' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      simulator.stop();
      expect(calls.map((c) => c.length)).to.deep.equal([500, 200]);
      const events = calls.flat();
      expect(new Set(events.map((e) => e.sensorid))).to.deep.equal(new Set(['sim-1', 'sim-2', 'sim-3']));
      const keys = events.map((e) => `${e.sensorid} ${e.timestamp}`);
      expect(new Set(keys).size).to.equal(keys.length);
      expect(events.every((e) => typeof e.value === 'number')).to.equal(true);
      expect(last).to.deep.include({ running: false, sent: 700, failed: 0, calls: 2 });
    });
  });

  describe('metrics chart', () => {
    it('puts every period of the window on the axis, zero where a sensor had no readings', () => {
      const start = Date.parse('2024-05-01T12:00:00Z');
      const { times, series } = alignSeries(
        [{ sensorId: 'a', dimensionValue: 'a', timestamps: [start + 60_000], samples: [3], averages: [1] }],
        { start: new Date(start).toISOString(), end: new Date(start + 180_000).toISOString(), period: 60 },
      );
      expect(times).to.deep.equal([start, start + 60_000, start + 120_000]);
      expect(series).to.deep.equal([{ label: 'a', values: [0, 3, 0] }]);
      expect([periodFor(15), periodFor(60), periodFor(180), periodFor(1440)]).to.deep.equal([60, 60, 300, 900]);
    });
  });
});
