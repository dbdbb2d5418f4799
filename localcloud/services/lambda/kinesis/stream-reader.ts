import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type _Record,
  type DescribeStreamSummaryCommandInput,
  type DescribeStreamSummaryOutput,
  type GetRecordsCommandInput,
  type GetRecordsOutput,
  type GetShardIteratorCommandInput,
  type GetShardIteratorOutput,
  type ListShardsCommandInput,
  type ListShardsOutput,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import type { Principal } from '../../../auth/types.js';
import type { CloudContext } from '../../../core/types.js';
import type { KinesisProvider } from '../../kinesis/index.js';

/** Where a shard iterator starts. */
export type ShardPosition =
  | { type: 'TRIM_HORIZON' | 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestamp: Date }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

export interface StreamLocation {
  accountId: string;
  region: string;
  streamName: string;
  streamArn: string;
}

/**
 * What a mapping's pollers need from the stream they read: Kinesis streams
 * (StreamReader) and DynamoDB table streams (DynamoDbStreamReader) both
 * present their shards and records in Kinesis's shapes.
 */
export interface ShardReader {
  readonly stream: StreamLocation;
  describe(): Promise<void>;
  listShards(): Promise<Shard[]>;
  iterator(shardId: string, position: ShardPosition): Promise<string | undefined>;
  records(iterator: string, limit: number): Promise<{ records: _Record[]; nextIterator?: string }>;
  close(): void;
}

/** The Kinesis reads a mapping makes, with the SDK's input and output shapes. */
interface KinesisReads {
  describeStreamSummary(input: DescribeStreamSummaryCommandInput): Promise<DescribeStreamSummaryOutput>;
  listShards(input: ListShardsCommandInput): Promise<ListShardsOutput>;
  getShardIterator(input: GetShardIteratorCommandInput): Promise<GetShardIteratorOutput>;
  getRecords(input: GetRecordsCommandInput): Promise<GetRecordsOutput>;
  close(): void;
}

/**
 * Reads a Kinesis stream through the Kinesis API, as Lambda's pollers do on
 * AWS: the records a mapping sees are exactly what any consumer would get
 * (validation, iterators, sequence numbers all come from the Kinesis
 * provider). In-process when the Kinesis provider offers its reader (no HTTP,
 * SigV4 or JSON on the hot path), over HTTP with the SDK otherwise.
 */
export class StreamReader implements ShardReader {
  private readonly reads: KinesisReads;

  constructor(
    ctx: CloudContext,
    readonly stream: StreamLocation,
    /**
     * Who reads: on AWS a mapping polls with its function's execution role,
     * so a role without kinesis:GetRecords & co. cannot feed its function.
     * Undefined: the cloud itself (IAM does not apply).
     */
    actingAs?: () => Principal | undefined,
  ) {
    this.reads = inProcessReads(ctx, stream, actingAs) ?? sdkReads(ctx, stream);
  }

  /** Resolves when the stream exists; fails as DescribeStreamSummary does (ResourceNotFoundException) otherwise. */
  async describe(): Promise<void> {
    await this.reads.describeStreamSummary({ StreamName: this.stream.streamName });
  }

  async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.reads.listShards(nextToken ? { NextToken: nextToken } : { StreamName: this.stream.streamName });
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  async iterator(shardId: string, position: ShardPosition): Promise<string | undefined> {
    const output = await this.reads.getShardIterator({
      StreamName: this.stream.streamName,
      ShardId: shardId,
      ShardIteratorType: position.type as ShardIteratorType,
      StartingSequenceNumber: position.type === 'AFTER_SEQUENCE_NUMBER' ? position.sequenceNumber : undefined,
      Timestamp: position.type === 'AT_TIMESTAMP' ? position.timestamp : undefined,
    });
    return output.ShardIterator;
  }

  /** Up to `limit` records; `nextIterator` is undefined once a closed shard is read to its end. */
  async records(iterator: string, limit: number): Promise<{ records: _Record[]; nextIterator?: string }> {
    const output = await this.reads.getRecords({ ShardIterator: iterator, Limit: limit });
    return { records: output.Records ?? [], nextIterator: output.NextShardIterator ?? undefined };
  }

  close(): void {
    this.reads.close();
  }
}

function inProcessReads(ctx: CloudContext, stream: StreamLocation, actingAs?: () => Principal | undefined): KinesisReads | undefined {
  const kinesis = ctx.service<KinesisProvider>('kinesis');
  if (!kinesis || typeof kinesis.getRecords !== 'function') return undefined;
  const scope = { accountId: stream.accountId, region: stream.region };
  /** The in-process path skips the gateway, so it asks IAM itself, as the HTTP path would. */
  const allowed = async (operation: string): Promise<void> => {
    const principal = actingAs?.();
    const authorizer = ctx.trust?.authorizer;
    if (principal && authorizer) await authorizer.check(principal, 'kinesis', { action: `kinesis:${operation}`, resource: stream.streamArn }, { region: stream.region });
  };
  return {
    describeStreamSummary: async (input) => (await allowed('DescribeStreamSummary'), kinesis.describeStreamSummary(scope, input)),
    listShards: async (input) => (await allowed('ListShards'), kinesis.listShards(scope, input)),
    getShardIterator: async (input) => (await allowed('GetShardIterator'), kinesis.getShardIterator(scope, input)),
    getRecords: async (input) => (await allowed('GetRecords'), kinesis.getRecords(scope, input)),
    close: () => undefined,
  };
}

function sdkReads(ctx: CloudContext, stream: StreamLocation): KinesisReads {
  // The stream of the mapping's account.
  const { endpoint, credentials } = ctx.clientConfig(stream.region, stream.accountId);
  const client = new KinesisClient({ endpoint, region: stream.region, credentials, maxAttempts: 1 });
  return {
    describeStreamSummary: (input) => client.send(new DescribeStreamSummaryCommand(input)),
    listShards: (input) => client.send(new ListShardsCommand(input)),
    getShardIterator: (input) => client.send(new GetShardIteratorCommand(input)),
    getRecords: (input) => client.send(new GetRecordsCommand(input)),
    close: () => client.destroy(),
  };
}
