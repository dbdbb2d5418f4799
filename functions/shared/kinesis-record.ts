/** Access to the parts of a Kinesis record as Lambda delivers it. */
import type { KinesisStreamRecord } from 'aws-lambda';

/** The record's raw bytes. Lambda delivers them base64-encoded. */
export function recordPayload(record: KinesisStreamRecord): Buffer {
  return Buffer.from(record.kinesis.data, 'base64');
}

/** What identifies a record in logs: enough to find it again with GetRecords. */
export interface RecordRef {
  sequenceNumber: string;
  partitionKey: string;
  eventID: string;
}

export function recordRef(record: KinesisStreamRecord): RecordRef {
  return {
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
    eventID: record.eventID,
  };
}
