import { expect } from 'chai';
import {
  checkSensorId,
  decodeSensorEvent,
  MAX_PAYLOAD_BYTES,
  type DecodeResult,
  type RejectReason,
} from '../../../functions/shared/sensor-event.js';
import { recordPayload } from '../../../functions/shared/kinesis-record.js';
import { kinesisRecord, reading } from '../fixtures/kinesis.js';

const decode = (payload: unknown): DecodeResult => decodeSensorEvent(recordPayload(kinesisRecord(payload)));

function expectAccepted(result: DecodeResult) {
  if (!result.ok) expect.fail(`rejected: ${result.reason} (${result.detail})`);
  return result.event;
}

function expectRejected(result: DecodeResult, reason: RejectReason): void {
  expect(result.ok, 'should be rejected').to.equal(false);
  if (!result.ok) {
    expect(result.reason).to.equal(reason);
    expect(result.detail).to.be.a('string').that.is.not.empty;
  }
}

describe('sensor event decoding', () => {
  it('accepts the documented shape', () => {
    expect(expectAccepted(decode(reading('sensor-1', 21.5, '2024-05-01T12:51:30.123Z')))).to.deep.equal({
      sensorId: 'sensor-1',
      value: 21.5,
      timestamp: '2024-05-01T12:51:30.123Z',
      time: Date.UTC(2024, 4, 1, 12, 51, 30, 123),
    });
  });

  it('decodes UTF-8, not ASCII: sensor IDs keep their non-ASCII characters', () => {
    for (const id of ['Küche', 'датчик-7', '温度計', 'thermo-🌡️']) {
      expect(expectAccepted(decode(reading(id, 1))).sensorId).to.equal(id);
    }
  });

  it('ignores a UTF-8 byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(reading('s', 1)))]);
    expect(expectAccepted(decode(bytes)).sensorId).to.equal('s');
  });

  it('accepts a numeric string value and converts it (the original test page sent strings)', () => {
    expect(expectAccepted(decode(reading('s', '21.5'))).value).to.equal(21.5);
    expect(expectAccepted(decode(reading('s', ' -3 '))).value).to.equal(-3);
    expect(expectAccepted(decode(reading('s', '1e3'))).value).to.equal(1000);
    expect(expectAccepted(decode(reading('s', '.5'))).value).to.equal(0.5);
  });

  it('normalises the timestamp to UTC with milliseconds, so stored keys sort chronologically', () => {
    const inputs = [
      '2024-05-01T14:00:00+02:00', // 12:00Z
      '2024-05-01T11:59:59.9999Z', // before it, more digits
      '2024-05-01T12:00:00.5Z',
      '2024-05-01', // midnight UTC
      '2024-05-01T12:30', // no zone: UTC
    ];
    const timestamps = inputs.map((ts) => expectAccepted(decode(reading('s', 1, ts))).timestamp);
    expect(timestamps).to.deep.equal([
      '2024-05-01T12:00:00.000Z',
      '2024-05-01T11:59:59.999Z',
      '2024-05-01T12:00:00.500Z',
      '2024-05-01T00:00:00.000Z',
      '2024-05-01T12:30:00.000Z',
    ]);
    const byTime = inputs.map((ts) => expectAccepted(decode(reading('s', 1, ts)))).sort((a, b) => a.time - b.time);
    expect(byTime.map((e) => e.timestamp)).to.deep.equal([...timestamps].sort());
  });

  const rejections: Array<[string, unknown, RejectReason]> = [
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'payload-not-utf8'],
    ['text that is not JSON', 'sensor-1,21.5', 'payload-not-json'],
    ['truncated JSON', '{"sensorid": "s", "value": 1', 'payload-not-json'],
    ['an empty payload', '', 'payload-not-json'],
    ['a JSON array', '[1,2]', 'payload-not-object'],
    ['JSON null', 'null', 'payload-not-object'],
    ['a JSON string', '"hello"', 'payload-not-object'],
    ['a missing sensorid', { value: 1, timestamp: '2024-05-01T00:00:00Z' }, 'sensorid-missing'],
    ['a null sensorid', reading(null as unknown as string, 1), 'sensorid-missing'],
    ['a numeric sensorid', { sensorid: 7, value: 1, timestamp: '2024-05-01T00:00:00Z' }, 'sensorid-not-string'],
    ['an empty sensorid', reading('', 1), 'sensorid-empty'],
    ['a blank sensorid', reading('   ', 1), 'sensorid-empty'],
    ['a lone surrogate in sensorid', '{"sensorid":"a\\ud800b","value":1,"timestamp":"2024-05-01T00:00:00Z"}', 'sensorid-malformed'],
    ['a 257-byte sensorid', reading('x'.repeat(257), 1), 'sensorid-too-long'],
    ['a sensorid of 86 three-byte characters (258 bytes)', reading('温'.repeat(86), 1), 'sensorid-too-long'],
    ['a missing value', { sensorid: 's', timestamp: '2024-05-01T00:00:00Z' }, 'value-missing'],
    ['a null value', reading('s', null), 'value-missing'],
    ['a non-numeric string value', reading('s', 'warm'), 'value-not-number'],
    ['an empty string value', reading('s', ''), 'value-not-number'],
    ['a hexadecimal string value', reading('s', '0x10'), 'value-not-number'],
    ['a boolean value', reading('s', true), 'value-not-number'],
    ['an object value', reading('s', { celsius: 21 }), 'value-not-number'],
    ['a value that overflows a double', '{"sensorid":"s","value":1e999,"timestamp":"2024-05-01T00:00:00Z"}', 'value-not-finite'],
    ['the string "Infinity"', reading('s', 'Infinity'), 'value-not-number'],
    ['a value above CloudWatch\'s range', reading('s', 1e109), 'value-out-of-range'],
    ['a value below CloudWatch\'s smallest magnitude', reading('s', 1e-120), 'value-out-of-range'],
    ['a missing timestamp', { sensorid: 's', value: 1 }, 'timestamp-missing'],
    ['an epoch-number timestamp', reading('s', 1, 1714567890 as unknown as string), 'timestamp-not-string'],
    ['a free-form date', reading('s', 1, 'May 1, 2024'), 'timestamp-invalid'],
    ['February 30th', reading('s', 1, '2024-02-30T00:00:00Z'), 'timestamp-invalid'],
    ['hour 24', reading('s', 1, '2024-05-01T24:00:00Z'), 'timestamp-invalid'],
    ['a zone offset beyond 18 hours', reading('s', 1, '2024-05-01T00:00:00+19:00'), 'timestamp-invalid'],
    ['a time before year 0 once in UTC', reading('s', 1, '0000-01-01T00:00:00+01:00'), 'timestamp-out-of-range'],
  ];
  for (const [what, payload, reason] of rejections) {
    it(`rejects ${what} as ${reason}`, () => expectRejected(decode(payload), reason));
  }

  it(`rejects payloads over ${MAX_PAYLOAD_BYTES} bytes before parsing them`, () => {
    const padded = { ...reading('s', 1), padding: 'x'.repeat(MAX_PAYLOAD_BYTES) };
    expectRejected(decode(padded), 'payload-too-large');
  });

  it('keeps rejection details short even for a large payload', () => {
    const result = decode(`not json ${'x'.repeat(50_000)}`);
    expectRejected(result, 'payload-not-json');
    if (!result.ok) expect(result.detail.length).to.be.below(400);
  });

  it('accepts a leap day and a sensorid of exactly 256 bytes', () => {
    expectAccepted(decode(reading('x'.repeat(256), 1, '2024-02-29T23:59:59Z')));
  });

  it('checkSensorId returns the ID untouched (no trimming)', () => {
    expect(checkSensorId(' padded ')).to.equal(' padded ');
  });
});
