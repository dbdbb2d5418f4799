import { AwsError } from '../../../core/errors.js';
import { padSequence, parseStreamArn, type StreamDescriptor, type StreamRecordData, type StreamStore } from './stream-store.js';

/*
 * The API's shapes, as @aws-sdk/client-dynamodb-streams defines them (that
 * client is not among this project's dependencies; these are its members).
 */
interface ListStreamsInput { TableName?: string; Limit?: number; ExclusiveStartStreamArn?: string }
interface ListStreamsOutput { Streams: { StreamArn: string; TableName: string; StreamLabel: string }[]; LastEvaluatedStreamArn?: string }
interface DescribeStreamInput { StreamArn?: string; Limit?: number; ExclusiveStartShardId?: string }
interface DescribeStreamOutput { StreamDescription: Record<string, unknown> }
interface GetShardIteratorInput { StreamArn?: string; ShardId?: string; ShardIteratorType?: string; SequenceNumber?: string }
interface GetShardIteratorOutput { ShardIterator: string }
interface GetRecordsInput { ShardIterator?: string; Limit?: number }
export interface GetRecordsOutput { Records: (Omit<StreamRecordData, 'dynamodb'> & { dynamodb: Omit<StreamRecordData['dynamodb'], 'ApproximateCreationDateTime'> & { ApproximateCreationDateTime: Date } })[]; NextShardIterator?: string }

/** How long a shard iterator stays valid, as on AWS. */
export const ITERATOR_LIFETIME_MS = 15 * 60 * 1000;
const MAX_RECORDS_PER_CALL = 1000;
const ITERATOR_TYPES = ['TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'];

/** What a shard iterator carries: the stream, the shard, and the sequence number the next read starts after. */
interface IteratorState {
  streamArn: string;
  shardId: string;
  after: string;
  issuedAt: number;
}

/**
 * The DynamoDB Streams API (`DynamoDBStreams_20120810`, signed as
 * `dynamodb`): ListStreams, DescribeStream, GetShardIterator, GetRecords,
 * over the StreamStore of the caller's account and region.
 */
export const streamsOperations = {
  async ListStreams(streams: StreamStore, input: ListStreamsInput): Promise<ListStreamsOutput> {
    const limit = boundedLimit(input.Limit, 100, 'limit');
    let all = (await streams.all()).filter((d) => !input.TableName || d.tableName === input.TableName);
    if (input.ExclusiveStartStreamArn) {
      const at = all.findIndex((d) => d.streamArn === input.ExclusiveStartStreamArn);
      all = at < 0 ? [] : all.slice(at + 1);
    }
    const page = all.slice(0, limit ?? 100);
    return {
      Streams: page.map((d) => ({ StreamArn: d.streamArn, TableName: d.tableName, StreamLabel: d.label })),
      ...(all.length > page.length ? { LastEvaluatedStreamArn: page[page.length - 1].streamArn } : {}),
    };
  },

  async DescribeStream(streams: StreamStore, input: DescribeStreamInput): Promise<DescribeStreamOutput> {
    boundedLimit(input.Limit, 100, 'limit');
    const descriptor = await streamOf(streams, input.StreamArn);
    const { first, last } = await streams.range(descriptor);
    const shardId = streams.shardId(descriptor);
    const shards = input.ExclusiveStartShardId === shardId ? [] : [{
      ShardId: shardId,
      SequenceNumberRange: {
        ...(first ? { StartingSequenceNumber: first } : {}),
        // A disabled stream's shard is closed: it ends at its last record.
        ...(descriptor.status === 'DISABLED' && last ? { EndingSequenceNumber: last } : {}),
      },
    }];
    return {
      StreamDescription: {
        StreamArn: descriptor.streamArn,
        StreamLabel: descriptor.label,
        StreamStatus: descriptor.status,
        StreamViewType: descriptor.viewType,
        CreationRequestDateTime: new Date(descriptor.createdAt),
        TableName: descriptor.tableName,
        KeySchema: descriptor.keySchema,
        Shards: shards,
      },
    };
  },

  async GetShardIterator(streams: StreamStore, input: GetShardIteratorInput): Promise<GetShardIteratorOutput> {
    const type = input.ShardIteratorType;
    if (!type) throw notNull('shardIteratorType');
    if (!ITERATOR_TYPES.includes(type)) {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${String(type)}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [${ITERATOR_TYPES.join(', ')}]`);
    }
    if (!input.ShardId) throw notNull('shardId');
    const descriptor = await streamOf(streams, input.StreamArn);
    if (input.ShardId !== streams.shardId(descriptor)) {
      throw new AwsError('ResourceNotFoundException', `Requested resource not found: Shard does not exist`);
    }
    let after: string;
    if (type === 'TRIM_HORIZON') after = '0';
    else if (type === 'LATEST') after = (await streams.range(descriptor)).last ?? '0';
    else {
      const sequence = input.SequenceNumber;
      if (!sequence || !/^\d{1,40}$/.test(sequence)) {
        throw new AwsError('ValidationException', `Invalid SequenceNumber for ShardIteratorType ${type}: ${sequence ?? 'null'}`);
      }
      const n = BigInt(sequence);
      after = padSequence((type === 'AT_SEQUENCE_NUMBER' && n > 0n ? n - 1n : n).toString());
    }
    return { ShardIterator: encodeIterator({ streamArn: descriptor.streamArn, shardId: input.ShardId, after, issuedAt: Date.now() }) };
  },

  async GetRecords(streams: StreamStore, input: GetRecordsInput): Promise<GetRecordsOutput> {
    const limit = boundedLimit(input.Limit, MAX_RECORDS_PER_CALL, 'limit') ?? MAX_RECORDS_PER_CALL;
    if (!input.ShardIterator) throw notNull('shardIterator');
    const state = decodeIterator(input.ShardIterator);
    if (!state) throw new AwsError('ValidationException', 'Invalid ShardIterator');
    if (state.issuedAt < Date.now() - ITERATOR_LIFETIME_MS) throw new AwsError('ExpiredIteratorException', 'Iterator expired');
    const descriptor = await streamOf(streams, state.streamArn);
    const records = await streams.read(descriptor, state.after, limit);
    const last = records.length ? records[records.length - 1].dynamodb.SequenceNumber : state.after;
    // A closed shard read to its end has no next iterator: the reader is done with it.
    const ended = descriptor.status === 'DISABLED' && records.length === 0;
    return {
      Records: records.map(withDates),
      ...(ended ? {} : { NextShardIterator: encodeIterator({ ...state, after: last, issuedAt: Date.now() }) }),
    };
  },
};

export type StreamsOperation = keyof typeof streamsOperations;

/** The stream a shard iterator reads (IAM authorizes GetRecords on it). */
export function streamArnOfIterator(iterator: string): string | undefined {
  return decodeIterator(iterator)?.streamArn;
}

/** Records as the SDK types them; the JSON protocol sends the Date as epoch seconds. */
function withDates(record: StreamRecordData) {
  return { ...record, dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: new Date(record.dynamodb.ApproximateCreationDateTime * 1000) } };
}

async function streamOf(streams: StreamStore, arn: unknown): Promise<StreamDescriptor> {
  if (!arn) throw notNull('streamArn');
  if (typeof arn !== 'string' || arn.length < 37 || arn.length > 1024) {
    throw new AwsError('ValidationException', "1 validation error detected: Value at 'streamArn' failed to satisfy constraint: Member must have length between 37 and 1024");
  }
  const descriptor = parseStreamArn(arn) ? await streams.byArn(arn) : undefined;
  if (!descriptor) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Stream: ${arn} not found`);
  return descriptor;
}

function boundedLimit(limit: unknown, max: number, member: string): number | undefined {
  if (limit === undefined || limit === null) return undefined;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${String(limit)}' at '${member}' failed to satisfy constraint: Member must have value ${Number(limit) < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`);
  }
  return limit;
}

function encodeIterator(state: IteratorState): string {
  return `${state.streamArn}|1|${Buffer.from(JSON.stringify([state.shardId, state.after, state.issuedAt])).toString('base64url')}`;
}

function decodeIterator(iterator: string): IteratorState | undefined {
  const bar = iterator.indexOf('|1|');
  if (bar < 0 || iterator.length > 2048) return undefined;
  try {
    const [shardId, after, issuedAt] = JSON.parse(Buffer.from(iterator.slice(bar + 3), 'base64url').toString('utf8')) as unknown[];
    if (typeof shardId !== 'string' || typeof after !== 'string' || !/^\d{1,40}$/.test(after) || typeof issuedAt !== 'number') return undefined;
    return { streamArn: iterator.slice(0, bar), shardId, after, issuedAt };
  } catch {
    return undefined;
  }
}

function notNull(member: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
}
