/**
 * The event processor's work for one batch, with its side effects passed in:
 * validate → log and count rejects → dedupe → write every item → publish metrics.
 *
 * Ordering: items are written before metrics are published. If publishing
 * fails the invocation fails and the stream redelivers the batch; the writes
 * are idempotent (same keys), the metrics of that batch may be counted twice
 * — at least once, never lost.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { KinesisStreamRecord } from 'aws-lambda';
import { recordPayload, recordRef } from '../shared/kinesis-record.js';
import type { Logger } from '../shared/log.js';
import { decodeSensorEvent, type RejectReason, type SensorEvent } from '../shared/sensor-event.js';
import { writeAll, type BatchWriter, type WriteRetryOptions } from './batch-write.js';
import { invalidEventDatums, metricCalls, sensorDatum, withinMetricWindow } from './metrics.js';
import { dedupeLastWins, putRequest } from './sensor-items.js';

export interface ProcessorPorts {
  tableName: string;
  writeBatch: BatchWriter;
  /** One PutMetricData call in namespace `Sensor`. */
  putMetricData: (datums: MetricDatum[]) => Promise<void>;
  log: Logger;
  now?: () => number;
  writeRetry?: Partial<WriteRetryOptions>;
}

export interface AcceptedRecord {
  record: KinesisStreamRecord;
  event: SensorEvent;
}

export interface RejectedRecord {
  record: KinesisStreamRecord;
  reason: RejectReason;
  detail: string;
}

export interface BatchSummary {
  records: number;
  /** Items written to the table (after dedupe). */
  stored: number;
  invalid: number;
  /** Valid records replaced by a later one with the same (SensorId, Timestamp). */
  superseded: number;
  /** Stored readings whose metric was left out: too old or too far ahead for CloudWatch. */
  metricsOutsideWindow: number;
  writeCalls: number;
  metricCalls: number;
}

export function classifyRecords(records: readonly KinesisStreamRecord[]): {
  accepted: AcceptedRecord[];
  rejected: RejectedRecord[];
} {
  const accepted: AcceptedRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for (const record of records) {
    const result = decodeSensorEvent(recordPayload(record));
    if (result.ok) accepted.push({ record, event: result.event });
    else rejected.push({ record, reason: result.reason, detail: result.detail });
  }
  return { accepted, rejected };
}

export async function processSensorBatch(
  records: readonly KinesisStreamRecord[],
  ports: ProcessorPorts,
): Promise<BatchSummary> {
  const { log } = ports;
  const now = ports.now ?? Date.now;
  const { accepted, rejected } = classifyRecords(records);

  const rejectsByReason = new Map<RejectReason, number>();
  for (const { record, reason, detail } of rejected) {
    log.warn('Skipped invalid event', { event: 'invalid-event', reason, detail, ...recordRef(record) });
    rejectsByReason.set(reason, (rejectsByReason.get(reason) ?? 0) + 1);
  }

  const { unique, superseded } = dedupeLastWins(accepted);
  const writes = await writeAll(
    ports.tableName,
    unique.map(({ event }) => putRequest(event)),
    ports.writeBatch,
    ports.writeRetry,
  );

  const publishedAt = now();
  const inWindow = unique.filter(({ event }) => withinMetricWindow(event.time, publishedAt));
  const outsideWindow = unique.filter(({ event }) => !withinMetricWindow(event.time, publishedAt));
  if (outsideWindow.length > 0) {
    log.warn('Stored readings without a metric: CloudWatch only accepts data points from the last two weeks up to two hours ahead', {
      event: 'metric-outside-window',
      count: outsideWindow.length,
      sequenceNumbers: outsideWindow.map(({ record }) => record.kinesis.sequenceNumber),
    });
  }

  const datums = [...inWindow.map(({ event }) => sensorDatum(event)), ...invalidEventDatums(rejectsByReason, publishedAt)];
  const calls = metricCalls(datums);
  for (const call of calls) await ports.putMetricData(call);

  return {
    records: records.length,
    stored: unique.length,
    invalid: rejected.length,
    superseded,
    metricsOutsideWindow: outsideWindow.length,
    writeCalls: writes.calls,
    metricCalls: calls.length,
  };
}
