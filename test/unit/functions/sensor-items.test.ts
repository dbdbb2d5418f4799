import { expect } from 'chai';
import { dedupeLastWins, dynamoNumber, putRequest, sensorItem } from '../../../functions/ddb-cw/sensor-items.js';
import type { SensorEvent } from '../../../functions/shared/sensor-event.js';

const event = (sensorId: string, value: number, timestamp = '2024-05-01T12:00:00.000Z'): SensorEvent => ({
  sensorId,
  value,
  timestamp,
  time: Date.parse(timestamp),
});

describe('SensorDataTable items', () => {
  it('SensorId (S), Timestamp (S), Value (N): numbers stay numbers', () => {
    expect(sensorItem(event('Küche', 21.5))).to.deep.equal({
      SensorId: { S: 'Küche' },
      Timestamp: { S: '2024-05-01T12:00:00.000Z' },
      Value: { N: '21.5' },
    });
    expect(putRequest(event('s', 1))).to.have.nested.property('PutRequest.Item.Value.N', '1');
  });

  it('writes numbers in plain decimal notation, never exponent form', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '0'],
      [42, '42'],
      [-3.25, '-3.25'],
      [1e21, '1000000000000000000000'],
      [1.2345e22, '12345000000000000000000'],
      [-1.5e-7, '-0.00000015'],
      [1e-7, '0.0000001'],
      [1.174271e108, `1174271${'0'.repeat(102)}`],
    ];
    for (const [value, text] of cases) {
      expect(dynamoNumber(value), String(value)).to.equal(text);
      expect(Number(text), text).to.equal(value === 0 ? 0 : value);
    }
  });

  it('refuses non-finite numbers', () => {
    expect(() => dynamoNumber(Number.NaN)).to.throw(RangeError);
    expect(() => dynamoNumber(Infinity)).to.throw(RangeError);
  });
});

describe('dedupe by (SensorId, Timestamp)', () => {
  it('keeps the last of each key: the later record wins', () => {
    const entries = [
      { event: event('a', 1), n: 1 },
      { event: event('b', 2), n: 2 },
      { event: event('a', 3), n: 3 },
      { event: event('a', 4, '2024-05-01T12:00:01.000Z'), n: 4 },
      { event: event('a', 5), n: 5 },
    ];
    const { unique, superseded } = dedupeLastWins(entries);
    expect(unique.map((e) => e.n)).to.deep.equal([2, 4, 5]);
    expect(superseded).to.equal(2);
  });

  it('does not confuse keys that only look alike when joined', () => {
    const { unique } = dedupeLastWins([
      { event: event('a|b', 1, '2024-05-01T12:00:00.000Z') },
      { event: { ...event('a', 2), timestamp: 'b|2024-05-01T12:00:00.000Z' } },
    ]);
    expect(unique).to.have.length(2);
  });

  it('leaves an already unique batch as it is', () => {
    const { unique, superseded } = dedupeLastWins([{ event: event('a', 1) }, { event: event('b', 1) }]);
    expect(unique).to.have.length(2);
    expect(superseded).to.equal(0);
  });
});
