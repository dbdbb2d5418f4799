import type { _Record, Shard } from '@aws-sdk/client-kinesis';
import type { Principal } from '../../../auth/types.js';
import { AwsError } from '../../../core/errors.js';
import type { CloudContext } from '../../../core/types.js';
import type { DynamoDbProvider } from '../../dynamodb/index.js';
import type { GetRecordsOutput, streamsOperations } from '../../dynamodb/streams/streams-api.js';
import type { ShardPosition, ShardReader, StreamLocation } from '../kinesis/stream-reader.js';

/** A DynamoDB stream record as it travels through the (Kinesis-shaped) pollers: the record itself rides along. */
export type DynamoDbRecordInTransit = _Record & { dynamodbRecord: GetRecordsOutput['Records'][number] };

/**
 * Reads a table's stream through the DynamoDB Streams API, in-process, as
 * the mapping's function role (which needs dynamodb:DescribeStream,
 * GetShardIterator, GetRecords on the stream, as on AWS). It presents the
 * stream in the shapes the Kinesis pollers use, so batching, retries,
 * bisection and checkpoints work the same for both sources.
 */
export class DynamoDbStreamReader implements ShardReader {
  /** DynamoDB Streams has no AT_TIMESTAMP: a resumed LATEST mapping starts at the horizon and skips what came before. */
  private readonly skipBefore = new Map<string, number>();

  constructor(
    private readonly ctx: CloudContext,
    readonly stream: StreamLocation,
    private readonly actingAs?: () => Principal | undefined,
  ) {}

  async describe(): Promise<void> {
    await this.call('DescribeStream', { StreamArn: this.stream.streamArn });
  }

  async listShards(): Promise<Shard[]> {
    const { StreamDescription } = await this.call('DescribeStream', { StreamArn: this.stream.streamArn });
    return (StreamDescription.Shards as Shard[] | undefined) ?? [];
  }

  async iterator(shardId: string, position: ShardPosition): Promise<string | undefined> {
    const type = position.type === 'AT_TIMESTAMP' ? 'TRIM_HORIZON' : position.type;
    if (position.type === 'AT_TIMESTAMP') this.skipBefore.set(shardId, Math.floor(position.timestamp.getTime() / 1000));
    const output = await this.call('GetShardIterator', {
      StreamArn: this.stream.streamArn,
      ShardId: shardId,
      ShardIteratorType: type,
      SequenceNumber: position.type === 'AFTER_SEQUENCE_NUMBER' ? position.sequenceNumber : undefined,
    });
    return output.ShardIterator;
  }

  async records(iterator: string, limit: number): Promise<{ records: _Record[]; nextIterator?: string }> {
    const output = await this.call('GetRecords', { ShardIterator: iterator, Limit: Math.min(limit, 1000) });
    const records: DynamoDbRecordInTransit[] = output.Records.map((record) => ({
      SequenceNumber: record.dynamodb.SequenceNumber,
      ApproximateArrivalTimestamp: record.dynamodb.ApproximateCreationDateTime,
      // Kinesis's members the pollers weigh records by; a table stream's record has neither.
      Data: new Uint8Array(),
      PartitionKey: '',
      dynamodbRecord: record,
    }));
    const skipBefore = [...this.skipBefore.values()][0];
    const kept = skipBefore === undefined ? records : records.filter((r) => r.ApproximateArrivalTimestamp!.getTime() / 1000 >= skipBefore);
    return { records: kept, nextIterator: output.NextShardIterator };
  }

  close(): void {}

  private async call<O extends 'DescribeStream' | 'GetShardIterator' | 'GetRecords'>(
    operation: O,
    input: Parameters<(typeof streamsOperations)[O]>[1],
  ): Promise<Awaited<ReturnType<(typeof streamsOperations)[O]>>> {
    const dynamodb = this.ctx.service<DynamoDbProvider>('dynamodb');
    if (!dynamodb || typeof dynamodb.readStream !== 'function') {
      throw new AwsError('ServiceUnavailableException', 'DynamoDB is not served by this local cloud');
    }
    // In-process reads skip the gateway, so IAM is asked here, as the HTTP path would.
    const principal = this.actingAs?.();
    const authorizer = this.ctx.trust?.authorizer;
    if (principal && authorizer) {
      await authorizer.check(principal, 'dynamodb', { action: `dynamodb:${operation}`, resource: this.stream.streamArn }, { region: this.stream.region });
    }
    return (await dynamodb.readStream({ accountId: this.stream.accountId, region: this.stream.region }, operation, input)) as Awaited<ReturnType<(typeof streamsOperations)[O]>>;
  }
}
