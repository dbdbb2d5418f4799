/**
 * The event processor's batch logic end to end *within the function*: real
 * Kinesis event shapes in, the write requests, metric datums and log lines
 * out. DynamoDB and CloudWatch are replaced by the processor's own ports
 * (plain functions it is given), not by a mock of the AWS SDK.
 */
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import type { RequestItems } from '../../../functions/ddb-cw/batch-write.js';
import { processSensorBatch, type ProcessorPorts } from '../../../functions/ddb-cw/process-batch.js';
import { createLogger } from '../../../functions/shared/log.js';
import { kinesisEvent, reading, sequenceNumber } from '../fixtures/kinesis.js';

const TABLE = 'iot-backend-SensorDataTable-ABC123';
const NOW = Date.parse('2024-05-01T13:00:00.000Z');

function harness(options: { unprocessedForever?: boolean } = {}) {
  const writeCalls: WriteRequest[][] = [];
  const metricCalls: MetricDatum[][] = [];
  const lines: Array<Record<string, unknown>> = [];
  const ports: ProcessorPorts = {
    tableName: TABLE,
    writeBatch: async (items: RequestItems) => {
      expect(Object.keys(items)).to.deep.equal([TABLE]);
      writeCalls.push(items[TABLE]!);
      return options.unprocessedForever ? items : {};
    },
    putMetricData: async (datums) => void metricCalls.push(datums),
    log: createLogger({}, (line) => lines.push(JSON.parse(line))),
    now: () => NOW,
    writeRetry: { sleep: async () => {}, maxAttempts: 3 },
  };
  const items = () => writeCalls.flat().map((r) => r.PutRequest!.Item!);
  const datums = () => metricCalls.flat();
  return { ports, writeCalls, metricCalls, lines, items, datums };
}

describe('event processor batch', () => {
  it('stores each reading as SensorId/Timestamp/Value and publishes it as SensorData', async () => {
    const h = harness();
    const event = kinesisEvent([reading('sensor-1', 21.5), reading('sensor-2', -3, '2024-05-01T12:51:31Z')]);
    const summary = await processSensorBatch(event.Records, h.ports);
    expect(h.items()).to.deep.equal([
      { SensorId: { S: 'sensor-1' }, Timestamp: { S: '2024-05-01T12:51:30.123Z' }, Value: { N: '21.5' } },
      { SensorId: { S: 'sensor-2' }, Timestamp: { S: '2024-05-01T12:51:31.000Z' }, Value: { N: '-3' } },
    ]);
    expect(h.datums().map((d) => [d.MetricName, d.Dimensions, d.Value])).to.deep.equal([
      ['SensorData', [{ Name: 'SensorId', Value: 'sensor-1' }], 21.5],
      ['SensorData', [{ Name: 'SensorId', Value: 'sensor-2' }], -3],
    ]);
    expect(summary).to.deep.include({ records: 2, stored: 2, invalid: 0, superseded: 0, writeCalls: 1, metricCalls: 1 });
  });

  it('a numeric string value is stored as N and published as a number', async () => {
    const h = harness();
    await processSensorBatch(kinesisEvent([reading('sensor-1', '21.5')]).Records, h.ports);
    expect(h.items()[0]!.Value).to.deep.equal({ N: '21.5' });
    expect(h.datums()[0]!.Value).to.equal(21.5);
  });

  it('a UTF-8 sensor ID is stored exactly; its metric dimension is the escaped form', async () => {
    const h = harness();
    await processSensorBatch(kinesisEvent([reading('Küche-温度', 20)]).Records, h.ports);
    expect(h.items()[0]!.SensorId).to.deep.equal({ S: 'Küche-温度' });
    expect(h.datums()[0]!.Dimensions).to.deep.equal([{ Name: 'SensorId', Value: 'K%C3%BCche-%E6%B8%A9%E5%BA%A6' }]);
  });

  it('malformed records do not fail the batch: skipped, logged once each with sequence number and partition key, counted', async () => {
    const h = harness();
    const event = kinesisEvent([
      reading('sensor-1', 1),
      'not json at all',
      { sensorid: 'sensor-2', value: 'warm', timestamp: '2024-05-01T12:00:00Z' },
      reading('sensor-3', 3),
      Buffer.from([0xff, 0xfe, 0xfd]),
      { sensorid: 'sensor-4', value: 4 },
    ]);
    const summary = await processSensorBatch(event.Records, h.ports);

    expect(h.items().map((i) => i.SensorId!.S)).to.deep.equal(['sensor-1', 'sensor-3']);
    expect(summary).to.deep.include({ records: 6, stored: 2, invalid: 4 });

    const rejects = h.lines.filter((l) => l.event === 'invalid-event');
    expect(rejects.map((l) => [l.reason, l.sequenceNumber, l.partitionKey])).to.deep.equal([
      ['payload-not-json', sequenceNumber(1), 'partition-1'],
      ['value-not-number', sequenceNumber(2), 'sensor-2'],
      ['payload-not-utf8', sequenceNumber(4), 'partition-1'],
      ['timestamp-missing', sequenceNumber(5), 'sensor-4'],
    ]);
    for (const line of rejects) expect(line).to.include({ level: 'warn' }).and.to.have.property('detail');

    const invalid = h.datums().filter((d) => d.MetricName === 'InvalidEvents');
    expect(invalid.find((d) => !d.Dimensions)?.Value).to.equal(4);
    expect(
      Object.fromEntries(invalid.filter((d) => d.Dimensions).map((d) => [d.Dimensions![0]!.Value, d.Value])),
    ).to.deep.equal({ 'payload-not-json': 1, 'payload-not-utf8': 1, 'timestamp-missing': 1, 'value-not-number': 1 });
  });

  it('a batch of nothing but malformed records succeeds without writing', async () => {
    const h = harness();
    const summary = await processSensorBatch(kinesisEvent(['{', '[]']).Records, h.ports);
    expect(h.writeCalls).to.be.empty;
    expect(summary).to.deep.include({ stored: 0, invalid: 2 });
    expect(h.datums().map((d) => d.MetricName)).to.deep.equal(['InvalidEvents', 'InvalidEvents', 'InvalidEvents']);
  });

  it('duplicate (SensorId, Timestamp) in one batch: one write, the later value wins, no call names a key twice', async () => {
    const h = harness();
    const event = kinesisEvent([
      reading('sensor-1', 1),
      reading('sensor-2', 2),
      reading('sensor-1', 10), // same key as the first
      reading('sensor-1', 5, '2024-05-01T14:51:30.123+02:00'), // same instant, other notation
    ]);
    const summary = await processSensorBatch(event.Records, h.ports);
    expect(summary).to.deep.include({ stored: 2, superseded: 2 });
    for (const call of h.writeCalls) {
      const keys = call.map((r) => `${r.PutRequest!.Item!.SensorId!.S}@${r.PutRequest!.Item!.Timestamp!.S}`);
      expect(new Set(keys).size).to.equal(keys.length);
    }
    expect(h.items().find((i) => i.SensorId!.S === 'sensor-1')!.Value).to.deep.equal({ N: '5' });
    expect(h.datums().filter((d) => d.MetricName === 'SensorData')).to.have.length(2);
  });

  it('writes in calls of at most 25 items', async () => {
    const h = harness();
    const payloads = Array.from({ length: 60 }, (_, i) => reading(`sensor-${i}`, i));
    await processSensorBatch(kinesisEvent(payloads).Records, h.ports);
    expect(h.writeCalls.map((c) => c.length)).to.deep.equal([25, 25, 10]);
  });

  it('items that stay unprocessed fail the batch (so Lambda retries it) and publish no metrics', async () => {
    const h = harness({ unprocessedForever: true });
    const error = await processSensorBatch(kinesisEvent([reading('sensor-1', 1)]).Records, h.ports).then(
      () => expect.fail('should have thrown'),
      (e: unknown) => e as Error,
    );
    expect(error.name).to.equal('UnprocessedItemsError');
    expect(h.writeCalls).to.have.length(3);
    expect(h.metricCalls).to.be.empty;
  });

  it('a reading too old for CloudWatch is stored, its metric left out and logged', async () => {
    const h = harness();
    const event = kinesisEvent([reading('sensor-1', 1, '2024-04-01T00:00:00Z'), reading('sensor-2', 2)]);
    const summary = await processSensorBatch(event.Records, h.ports);
    expect(h.items()).to.have.length(2);
    expect(h.datums().map((d) => d.Dimensions![0]!.Value)).to.deep.equal(['sensor-2']);
    expect(summary.metricsOutsideWindow).to.equal(1);
    const line = h.lines.find((l) => l.event === 'metric-outside-window');
    expect(line).to.deep.include({ count: 1, sequenceNumbers: [sequenceNumber(0)] });
  });

  it('an empty batch does nothing', async () => {
    const h = harness();
    expect(await processSensorBatch([], h.ports)).to.deep.include({ records: 0, writeCalls: 0, metricCalls: 0 });
  });
});
