/**
 * The events the ingestion suite sends: one PutRecords call whose order
 * matters (malformed records sit in front of good ones), and what each sensor
 * should end up with.
 */

export interface SentRecord {
  data: Buffer;
  partitionKey: string;
  /** For valid events: what was sent. */
  event?: { sensorid: string; value: number; timestamp: string };
  /** For malformed ones: the InvalidEvents Reason the processor should count. */
  invalidReason?: string;
  sequenceNumber?: string;
}

export const UTF8_SENSOR = 'капля-温度-🌡';
export const HISTORY_SENSOR = 'e2e-history';
export const DUPLICATE_SENSOR = 'e2e-duplicates';
export const AFTER_BAD_SENSOR = 'e2e-after-bad';

export interface Scenario {
  records: SentRecord[];
  /** What the table should hold per sensor after dedupe: timestamp → value. */
  expected: Map<string, Map<string, number>>;
  /** Sensors whose metric SampleCount must equal their stored item count (no duplicates in them). */
  metricSensors: string[];
  invalidByReason: Map<string, number>;
}

export function ingestionScenario(now = Date.now()): Scenario {
  const records: SentRecord[] = [];
  // Readings from the last few minutes: inside CloudWatch's window, and in order.
  let clock = now - 10 * 60_000;
  const at = () => new Date((clock += 1000)).toISOString();
  const good = (sensorid: string, value: number, timestamp = at()) => {
    const event = { sensorid, value, timestamp };
    records.push({ data: Buffer.from(JSON.stringify(event), 'utf8'), partitionKey: sensorid, event });
  };
  const bad = (payload: string, invalidReason: string) => {
    records.push({ data: Buffer.from(payload, 'utf8'), partitionKey: 'malformed', invalidReason });
  };

  for (let i = 0; i < 25; i++) good(HISTORY_SENSOR, 20 + i / 4);
  for (const value of [21.5, -3.25, 0, 1013, 48.125]) good('e2e-temperature', value);
  for (const value of [7, 8.5, 9.75]) good(UTF8_SENSOR, value);
  // Same (SensorId, Timestamp) twice in one call: one item, the later value.
  const t1 = at();
  const t2 = at();
  good(DUPLICATE_SENSOR, 1, t1);
  good(DUPLICATE_SENSOR, 2, t1);
  good(DUPLICATE_SENSOR, 3, t2);
  good(DUPLICATE_SENSOR, 4, t2);
  // Malformed records in front of good ones: they must not hold the good ones up.
  bad('{"sensorid": "e2e-broken", "value": 1, "timesta', 'payload-not-json');
  bad(JSON.stringify({ value: 5, timestamp: at() }), 'sensorid-missing');
  bad(JSON.stringify({ sensorid: 'e2e-broken', value: 'warm', timestamp: at() }), 'value-not-number');
  for (const value of [11, 12, 13]) good(AFTER_BAD_SENSOR, value);

  const expected = new Map<string, Map<string, number>>();
  for (const { event } of records) {
    if (!event) continue;
    const bySensor = expected.get(event.sensorid) ?? new Map<string, number>();
    bySensor.set(event.timestamp, event.value); // later records win, as in the table
    expected.set(event.sensorid, bySensor);
  }
  const invalidByReason = new Map<string, number>();
  for (const { invalidReason } of records) {
    if (invalidReason) invalidByReason.set(invalidReason, (invalidByReason.get(invalidReason) ?? 0) + 1);
  }
  return { records, expected, metricSensors: [HISTORY_SENSOR, 'e2e-temperature', UTF8_SENSOR, AFTER_BAD_SENSOR], invalidByReason };
}
