import type {
  DescribeStreamSummaryCommandInput,
  DescribeStreamSummaryOutput,
  GetRecordsCommandInput,
  GetRecordsOutput,
  GetShardIteratorCommandInput,
  GetShardIteratorOutput,
  ListShardsCommandInput,
  ListShardsOutput,
} from '@aws-sdk/client-kinesis';
import type { KinesisOperation } from './operations.js';
import type { StreamScope } from './stream-arn.js';

/**
 * The reads a Lambda event source mapping poller makes, callable in-process
 * with the SDK's own input and output types (Uint8Array data, Date
 * timestamps), so a poller inside the local cloud skips HTTP, SigV4 and JSON.
 * They run the very operations the HTTP API runs, validation included.
 */
export interface KinesisReader {
  getShardIterator(scope: StreamScope, input: GetShardIteratorCommandInput): Promise<GetShardIteratorOutput>;
  getRecords(scope: StreamScope, input: GetRecordsCommandInput): Promise<GetRecordsOutput>;
  listShards(scope: StreamScope, input: ListShardsCommandInput): Promise<ListShardsOutput>;
  describeStreamSummary(scope: StreamScope, input: DescribeStreamSummaryCommandInput): Promise<DescribeStreamSummaryOutput>;
}

export function inProcessReader(operations: Record<string, KinesisOperation>): KinesisReader {
  return {
    async getShardIterator(scope, input) {
      const wire = { ...input, Timestamp: toEpochSeconds(input.Timestamp) };
      return (await operations.GetShardIterator(wire, scope)) as GetShardIteratorOutput;
    },

    async getRecords(scope, input) {
      const output = (await operations.GetRecords({ ...input }, scope)) as WireGetRecordsOutput;
      return {
        ...output,
        Records: output.Records.map((r) => ({
          ...r,
          Data: Buffer.from(r.Data, 'base64'),
          ApproximateArrivalTimestamp: new Date(r.ApproximateArrivalTimestamp * 1000),
        })),
      };
    },

    async listShards(scope, input) {
      const wire = {
        ...input,
        StreamCreationTimestamp: toEpochSeconds(input.StreamCreationTimestamp),
        ShardFilter: input.ShardFilter && { ...input.ShardFilter, Timestamp: toEpochSeconds(input.ShardFilter.Timestamp) },
      };
      return (await operations.ListShards(wire, scope)) as ListShardsOutput;
    },

    async describeStreamSummary(scope, input) {
      const output = (await operations.DescribeStreamSummary({ ...input }, scope)) as DescribeStreamSummaryOutput;
      const summary = output.StreamDescriptionSummary as DescribeStreamSummaryOutput['StreamDescriptionSummary'] & { StreamCreationTimestamp: unknown };
      if (summary && typeof summary.StreamCreationTimestamp === 'number') {
        summary.StreamCreationTimestamp = new Date(summary.StreamCreationTimestamp * 1000);
      }
      return output;
    },
  };
}

interface WireGetRecordsOutput extends Omit<GetRecordsOutput, 'Records'> {
  Records: { Data: string; ApproximateArrivalTimestamp: number; PartitionKey: string; SequenceNumber: string }[];
}

function toEpochSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}
