import type { _Record } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

export interface EventContext {
  shardId: string;
  /** The function's execution role: Lambda's `invokeIdentityArn`. */
  roleArn: string;
  region: string;
  eventSourceArn: string;
}

/** The event Lambda passes to a function for a batch of Kinesis records, field for field. */
export function kinesisEvent(records: readonly _Record[], context: EventContext): KinesisStreamEvent {
  return { Records: records.map((record) => kinesisEventRecord(record, context)) };
}

function kinesisEventRecord(record: _Record, context: EventContext): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey!,
      sequenceNumber: record.SequenceNumber!,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${context.shardId}:${record.SequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: context.roleArn,
    awsRegion: context.region,
    eventSourceARN: context.eventSourceArn,
  };
}
