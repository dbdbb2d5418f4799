import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type _Record,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import type { CloudContext } from '../../../core/types.js';

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
 * Reads a Kinesis stream through the Kinesis API, as Lambda's pollers do on
 * AWS: the records a mapping sees are exactly what any consumer would get
 * (validation, iterators, sequence numbers all come from the Kinesis provider).
 */
export class StreamReader {
  private readonly client: KinesisClient;

  constructor(
    ctx: CloudContext,
    readonly stream: StreamLocation,
  ) {
    const config = ctx.clientConfig(stream.region);
    // A 12-digit access key names its account: read the stream of the mapping's account.
    const credentials =
      stream.accountId === ctx.defaultAccountId ? config.credentials : { accessKeyId: stream.accountId, secretAccessKey: config.credentials.secretAccessKey };
    this.client = new KinesisClient({ endpoint: config.endpoint, region: stream.region, credentials, maxAttempts: 1 });
  }

  async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        nextToken ? new ListShardsCommand({ NextToken: nextToken }) : new ListShardsCommand({ StreamName: this.stream.streamName }),
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  async iterator(shardId: string, position: ShardPosition): Promise<string | undefined> {
    const output = await this.client.send(
      new GetShardIteratorCommand({
        StreamName: this.stream.streamName,
        ShardId: shardId,
        ShardIteratorType: position.type as ShardIteratorType,
        StartingSequenceNumber: position.type === 'AFTER_SEQUENCE_NUMBER' ? position.sequenceNumber : undefined,
        Timestamp: position.type === 'AT_TIMESTAMP' ? position.timestamp : undefined,
      }),
    );
    return output.ShardIterator;
  }

  /** Up to `limit` records; `nextIterator` is undefined once a closed shard is read to its end. */
  async records(iterator: string, limit: number): Promise<{ records: _Record[]; nextIterator?: string; millisBehindLatest?: number }> {
    const output = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    return { records: output.Records ?? [], nextIterator: output.NextShardIterator ?? undefined, millisBehindLatest: output.MillisBehindLatest };
  }

  close(): void {
    this.client.destroy();
  }
}
