import type { ServiceRequest } from '../../core/types.js';
import { streamNameOfShardIterator } from '../../services/kinesis/engine.js';
import { permission, text, unmapped, type ActionMap } from './permission.js';

/** Operations on one stream, named by `StreamName` or `StreamARN`; the action is the operation's name. */
const STREAM_OPERATIONS = new Set([
  'AddTagsToStream', 'CreateStream', 'DecreaseStreamRetentionPeriod', 'DeleteStream', 'DescribeStream',
  'DescribeStreamSummary', 'GetShardIterator', 'IncreaseStreamRetentionPeriod', 'ListShards', 'ListTagsForStream',
  'MergeShards', 'PutRecord', 'PutRecords', 'RemoveTagsFromStream', 'SplitShard', 'StartStreamEncryption',
  'StopStreamEncryption', 'UpdateShardCount', 'UpdateStreamMode', 'EnableEnhancedMonitoring', 'DisableEnhancedMonitoring',
]);

const ACCOUNT_OPERATIONS = new Set(['ListStreams', 'DescribeLimits']);
const ARN_OPERATIONS = new Set(['TagResource', 'UntagResource', 'ListTagsForResource']);
/** Enhanced fan-out: registering and listing act on the stream; the rest on the consumer. */
const STREAM_ARN_CONSUMER_OPERATIONS = new Set(['RegisterStreamConsumer', 'ListStreamConsumers']);
const CONSUMER_OPERATIONS = new Set(['DescribeStreamConsumer', 'DeregisterStreamConsumer', 'SubscribeToShard']);

/**
 * Kinesis Data Streams (prefix `kinesis`): each action on the stream's ARN.
 * GetRecords names its stream only inside the shard iterator, and a ListShards
 * page only inside its NextToken: both are read back to find the stream.
 */
export const kinesisPermissions: ActionMap = (operation, input, req) => {
  const action = `kinesis:${operation}`;
  if (operation === 'GetRecords') {
    const name = text(input?.StreamARN) ?? streamNameOfShardIterator(String(input?.ShardIterator ?? ''));
    return [permission(action, name ? streamArn(name, req) : '*')];
  }
  if (operation === 'ListShards' && !input?.StreamName && !input?.StreamARN && typeof input?.NextToken === 'string') {
    const name = streamOfListShardsToken(input.NextToken);
    return [permission(action, name ? streamArn(name, req) : '*')];
  }
  if (STREAM_OPERATIONS.has(operation)) return [permission(action, streamArn(text(input?.StreamARN) ?? text(input?.StreamName) ?? '', req))];
  if (ACCOUNT_OPERATIONS.has(operation)) return [permission(action, '*')];
  if (ARN_OPERATIONS.has(operation)) return [permission(action, text(input?.ResourceARN) ?? '*')];
  if (STREAM_ARN_CONSUMER_OPERATIONS.has(operation)) return [permission(action, text(input?.StreamARN) ?? '*')];
  if (CONSUMER_OPERATIONS.has(operation)) {
    const consumer = text(input?.ConsumerARN);
    const stream = text(input?.StreamARN);
    const name = text(input?.ConsumerName);
    // Named by stream and consumer name, the consumer's creation timestamp is unknown here: any one of that name.
    return [permission(action, consumer ?? (stream && name ? `${stream}/consumer/${name}:*` : '*'))];
  }
  return unmapped('kinesis', operation);
};

/** A stream name, or an ARN (which names the stream fully, possibly in another account). */
export function streamArn(stream: string, req: Pick<ServiceRequest, 'accountId' | 'region'>): string {
  return stream.startsWith('arn:') ? stream : `arn:aws:kinesis:${req.region}:${req.accountId}:stream/${stream}`;
}

/** localcloud's ListShards page tokens are `shards:<stream>/<last shard id>`, base64url. */
function streamOfListShardsToken(token: string): string | undefined {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  return decoded.startsWith('shards:') ? decoded.slice('shards:'.length).split('/')[0] || undefined : undefined;
}
