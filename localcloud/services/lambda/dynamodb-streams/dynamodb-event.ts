import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { _Record } from '@aws-sdk/client-kinesis';
import type { DynamoDbRecordInTransit } from './dynamodb-stream-reader.js';

/** The event Lambda passes to a function for a batch of a table stream's records, field for field. */
export function dynamodbEvent(records: readonly _Record[], eventSourceArn: string): DynamoDBStreamEvent {
  return {
    Records: records.map((transit) => {
      const record = (transit as DynamoDbRecordInTransit).dynamodbRecord;
      return {
        eventID: record.eventID,
        eventName: record.eventName,
        eventVersion: record.eventVersion,
        eventSource: record.eventSource,
        awsRegion: record.awsRegion,
        dynamodb: {
          ...record.dynamodb,
          // Events carry epoch seconds, as GetRecords does on the wire.
          ApproximateCreationDateTime: record.dynamodb.ApproximateCreationDateTime.getTime() / 1000,
        } as DynamoDBStreamEvent['Records'][number]['dynamodb'],
        eventSourceARN: eventSourceArn,
      };
    }),
  };
}
