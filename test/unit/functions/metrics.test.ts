import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import {
  dimensionValue,
  invalidEventDatums,
  MAX_DATUMS_PER_CALL,
  metricCalls,
  sensorDatum,
  withinMetricWindow,
} from '../../../functions/ddb-cw/metrics.js';
import { METRIC_NAMESPACE } from '../../../functions/shared/constants.js';
import type { RejectReason } from '../../../functions/shared/sensor-event.js';

describe('CloudWatch metrics', () => {
  it('publishes to namespace Sensor (the original code used Sensors)', () => {
    expect(METRIC_NAMESPACE).to.equal('Sensor');
  });

  it('one SensorData datum per reading, dimension SensorId, numeric value, the reading\'s time', () => {
    expect(
      sensorDatum({ sensorId: 'sensor-1', value: 21.5, timestamp: '2024-05-01T12:00:00.000Z', time: Date.UTC(2024, 4, 1, 12) }),
    ).to.deep.equal({
      MetricName: 'SensorData',
      Dimensions: [{ Name: 'SensorId', Value: 'sensor-1' }],
      Timestamp: new Date(Date.UTC(2024, 4, 1, 12)),
      Value: 21.5,
    });
  });

  describe('dimension values (CloudWatch takes printable ASCII only)', () => {
    it('leaves printable ASCII IDs as they are', () => {
      expect(dimensionValue('sensor-1 / floor 2: kitchen')).to.equal('sensor-1 / floor 2: kitchen');
    });

    it('percent-encodes other characters as UTF-8, and % itself, reversibly', () => {
      for (const [id, encoded] of [
        ['Küche', 'K%C3%BCche'],
        ['温度', '%E6%B8%A9%E5%BA%A6'],
        ['🌡', '%F0%9F%8C%A1'],
        ['50%', '50%25'],
        ['tab\there', 'tab%09here'],
      ] as const) {
        expect(dimensionValue(id)).to.equal(encoded);
        expect(decodeURIComponent(dimensionValue(id))).to.equal(id);
        expect(dimensionValue(id)).to.match(/^[\x20-\x7e]+$/);
      }
    });

    it('fits CloudWatch\'s 1024 characters for the longest allowed ID (256 UTF-8 bytes)', () => {
      expect(dimensionValue('温'.repeat(85)).length).to.be.at.most(1024);
      expect(dimensionValue('\u0001'.repeat(256)).length).to.equal(768);
    });
  });

  it('InvalidEvents: a total without dimensions plus one datum per Reason', () => {
    const now = Date.UTC(2024, 4, 1, 12);
    const counts = new Map<RejectReason, number>([
      ['value-not-number', 2],
      ['payload-not-json', 1],
    ]);
    expect(invalidEventDatums(counts, now)).to.deep.equal([
      { MetricName: 'InvalidEvents', Timestamp: new Date(now), Value: 3, Unit: 'Count' },
      {
        MetricName: 'InvalidEvents',
        Dimensions: [{ Name: 'Reason', Value: 'payload-not-json' }],
        Timestamp: new Date(now),
        Value: 1,
        Unit: 'Count',
      },
      {
        MetricName: 'InvalidEvents',
        Dimensions: [{ Name: 'Reason', Value: 'value-not-number' }],
        Timestamp: new Date(now),
        Value: 2,
        Unit: 'Count',
      },
    ]);
    expect(invalidEventDatums(new Map(), now)).to.deep.equal([]);
  });

  it('accepts data points from two weeks ago up to two hours ahead, with a margin', () => {
    const now = Date.UTC(2024, 4, 15, 12);
    const hour = 3600_000;
    expect(withinMetricWindow(now, now)).to.equal(true);
    expect(withinMetricWindow(now - 13 * 24 * hour, now)).to.equal(true);
    expect(withinMetricWindow(now - 14 * 24 * hour, now)).to.equal(false);
    expect(withinMetricWindow(now + 1.5 * hour, now)).to.equal(true);
    expect(withinMetricWindow(now + 2 * hour, now)).to.equal(false);
  });

  describe('PutMetricData calls', () => {
    const datum = (i: number, idLength = 8): MetricDatum => ({
      MetricName: 'SensorData',
      Dimensions: [{ Name: 'SensorId', Value: String(i).padStart(idLength, '0') }],
      Value: i,
    });

    it(`at most ${MAX_DATUMS_PER_CALL} datums per call, none lost, order kept`, () => {
      const datums = Array.from({ length: 2500 }, (_, i) => datum(i));
      const calls = metricCalls(datums);
      expect(calls.map((c) => c.length)).to.deep.equal([1000, 1000, 500]);
      expect(calls.flat()).to.deep.equal(datums);
    });

    it('also splits by estimated size', () => {
      const datums = Array.from({ length: 10 }, (_, i) => datum(i, 700));
      const calls = metricCalls(datums, 1000, 2000);
      expect(calls.length).to.be.greaterThan(1);
      for (const call of calls) expect(JSON.stringify(call).length).to.be.at.most(2000 + 20);
      expect(calls.flat()).to.deep.equal(datums);
    });

    it('no call for no datums', () => {
      expect(metricCalls([])).to.deep.equal([]);
    });
  });
});
