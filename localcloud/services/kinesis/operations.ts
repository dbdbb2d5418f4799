import type {
  CreateStreamCommandInput,
  DisableEnhancedMonitoringCommandOutput,
  EnableEnhancedMonitoringCommandOutput,
  DescribeLimitsCommandOutput,
  DescribeStreamCommandOutput,
  DescribeStreamSummaryCommandOutput,
  ListShardsCommandInput,
  ListShardsCommandOutput,
  ListStreamsCommandInput,
  ListStreamsCommandOutput,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  PutRecordCommandOutput,
  PutRecordsCommandOutput,
  PutRecordsResultEntry,
  StartStreamEncryptionCommandInput,
  StopStreamEncryptionCommandInput,
  StreamModeDetails,
  StreamSummary,
  TagResourceCommandInput,
  UntagResourceCommandInput,
  UpdateShardCountCommandInput,
  UpdateShardCountCommandOutput,
  UpdateStreamModeCommandInput,
} from '@aws-sdk/client-kinesis';
import { AwsError } from '../../core/errors.js';
import { KINESALITE_OPERATIONS, type KinesaliteEngine, type KinesaliteOperation } from './engine.js';
import { enabledMetrics, incomingMetrics, MonitoringCache, requestedMetrics, SHARD_LEVEL_METRICS, type KinesisMetricDatum } from './monitoring.js';
import { checkShardFilter, filterShards, type CheckedShardFilter, type WireShardFilter } from './shard-filter.js';
import { consumerOperations, ConsumerStore } from './consumers.js';
import { parseStreamArn, resolveStreamArn, streamArn, type StreamScope } from './stream-arn.js';
import { hashKeyOf, recordBytes, shardFor, type ShardRange, type ShardWriteBudget } from './write-limits.js';

type Result<T extends { $metadata: unknown }> = Omit<T, '$metadata'>;

/** Who is calling: the account and region of the request's credentials. */
export type Caller = StreamScope;
/** An operation on the wire shapes (JSON 1.1: blobs in base64, timestamps in epoch seconds). */
export type KinesisOperation = (input: any, caller: Caller) => Promise<unknown>;

export interface KinesisOperationsOptions {
  engineFor(scope: StreamScope): Promise<KinesaliteEngine>;
  /** Called once records are stored, so readers can wake up. */
  onRecordsStored(scope: StreamScope, streamName: string): void;
  /** The per-shard write budget when write limits are on. */
  writeBudget(): ShardWriteBudget | undefined;
  shardLimit: number;
  /** Enhanced fan-out consumers (in memory when not given). */
  consumers?: ConsumerStore;
  /** Publishes `AWS/Kinesis` metrics (to CloudWatch, when it is served). */
  publishMetrics?(scope: StreamScope, data: KinesisMetricDatum[]): void;
}

/** A PutRecords request may carry 5 MiB of data and partition keys in all. */
const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
/** An on-demand stream starts with four shards on AWS. */
const ON_DEMAND_INITIAL_SHARDS = 4;
const ON_DEMAND_STREAM_LIMIT = 50;
const PROVISIONED: StreamModeDetails = { StreamMode: 'PROVISIONED' };

/**
 * Kinesis's operations: kinesalite does the work; this layer speaks the
 * current API around it — streams named by ARN, stream modes, ListStreams
 * summaries and page tokens, the 5 MiB PutRecords limit, the ARN-based tag
 * calls, encryption settings, optional shard write limits — and reports
 * stored records so Lambda pollers wake without polling.
 */
export function kinesisOperations(options: KinesisOperationsOptions): Record<string, KinesisOperation> {
  const { engineFor } = options;
  const monitoring = new MonitoringCache();
  const consumers = options.consumers ?? new ConsumerStore(undefined);

  /** IncomingBytes/IncomingRecords for what a put stored; never fails the put. */
  async function publishIncoming(scope: StreamScope, engine: KinesaliteEngine, streamName: string, stored: { shardId: string; bytes: number }[]): Promise<void> {
    if (!options.publishMetrics || stored.length === 0) return;
    try {
      options.publishMetrics(scope, incomingMetrics(streamName, stored, await monitoring.metricsOf(engine, scope, streamName)));
    } catch {
      // Metrics are a side channel: the records are stored either way.
    }
  }

  async function setMonitoring(input: any, caller: Caller, enable: boolean) {
    const scope = resolveStreamArn(input, caller);
    const name = streamNameOf(input);
    const requested = requestedMetrics(input.ShardLevelMetrics);
    const engine = await engineFor(scope);
    const before = enabledMetrics(await engine.readStream(name));
    const after = SHARD_LEVEL_METRICS.filter((m) => (enable ? before.includes(m) || requested.includes(m) : before.includes(m) && !requested.includes(m)));
    const stream = await engine.updateStream(name, (s) => (s.EnhancedMonitoring = [{ ShardLevelMetrics: after }]));
    monitoring.set(scope, name, after);
    return { StreamName: name, StreamARN: stream.StreamARN, CurrentShardLevelMetrics: before, DesiredShardLevelMetrics: after };
  }

  const forward = (operation: KinesaliteOperation): KinesisOperation => async (input, caller) => {
    const scope = resolveStreamArn(input, caller);
    return (await engineFor(scope)).call(operation, input);
  };
  const operations: Record<string, KinesisOperation> = {};
  for (const operation of KINESALITE_OPERATIONS) operations[operation] = forward(operation);

  async function putRecords(input: any, caller: Caller): Promise<Result<PutRecordsCommandOutput>> {
    const scope = resolveStreamArn(input, caller);
    const engine = await engineFor(scope);
    const request = engine.validate('PutRecords', input);
    const total = request.Records.reduce((sum: number, r: WireRecord) => sum + recordBytes(r.Data, r.PartitionKey), 0);
    if (total > MAX_PUT_RECORDS_BYTES) throw new AwsError('InvalidArgumentException', 'Records size exceeds 5 MB limit');

    const budget = options.writeBudget();
    const output: Result<PutRecordsCommandOutput> = budget
      ? await putWithinBudget(engine, scope, request, budget)
      : await engine.execute('PutRecords', request);
    if (output.Records!.length > (output.FailedRecordCount ?? 0)) options.onRecordsStored(scope, request.StreamName);
    const stored = output.Records!.flatMap((entry, i) =>
      entry.ShardId && !entry.ErrorCode ? [{ shardId: entry.ShardId, bytes: recordBytes(request.Records[i].Data, request.Records[i].PartitionKey) }] : [],
    );
    await publishIncoming(scope, engine, request.StreamName, stored);
    return output;
  }

  return {
    ...operations,
    ...consumerOperations(consumers, engineFor),

    async CreateStream(input: CreateStreamCommandInput, caller): Promise<Record<string, never>> {
      const mode = input.StreamModeDetails?.StreamMode ?? (input.ShardCount === undefined ? 'ON_DEMAND' : 'PROVISIONED');
      if (mode !== 'PROVISIONED' && mode !== 'ON_DEMAND') {
        throw new AwsError('ValidationException', `1 validation error detected: Value '${String(mode)}' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [ON_DEMAND, PROVISIONED]`);
      }
      const engine = await engineFor(caller);
      const tags = input.Tags && Object.keys(input.Tags).length ? { ...input.Tags } : undefined;
      if (tags) engine.validate('AddTagsToStream', { StreamName: input.StreamName, Tags: { ...tags } });
      const shardCount = input.ShardCount ?? (mode === 'ON_DEMAND' ? ON_DEMAND_INITIAL_SHARDS : undefined);
      await engine.call('CreateStream', { StreamName: input.StreamName, ShardCount: shardCount });
      // kinesalite makes the stream ACTIVE a moment later (createStreamMs 0 is a timer). Answering after
      // that keeps local runs deterministic — a waiter's first DescribeStream sees ACTIVE instead of sleeping
      // its 10 s minimum delay — and stream settings can only be written to an ACTIVE stream anyway.
      const name = input.StreamName!;
      await engine.untilCreated(name);
      monitoring.forget(caller, name);
      if (mode === 'ON_DEMAND') await engine.updateStream(name, (s) => (s.StreamModeDetails = { StreamMode: 'ON_DEMAND' }));
      if (tags) await engine.call('AddTagsToStream', { StreamName: name, Tags: tags });
      return {};
    },

    // Answers once the stream is gone, for the same determinism as CreateStream.
    async DeleteStream(input, caller): Promise<Record<string, never>> {
      const scope = resolveStreamArn(input, caller);
      const engine = await engineFor(scope);
      const request = engine.validate('DeleteStream', input);
      const arn = streamArn(scope, request.StreamName);
      if (consumers.ofStream(scope, arn).length > 0 && input.EnforceConsumerDeletion !== true) {
        await engine.readStream(request.StreamName); // a missing stream is ResourceNotFoundException first
        throw new AwsError('ResourceInUseException', `Stream ${request.StreamName} under account ${scope.accountId} has registered consumers; deregister them or delete with EnforceConsumerDeletion.`);
      }
      await engine.execute('DeleteStream', request);
      consumers.removeStream(scope, arn);
      await engine.untilDeleted(request.StreamName);
      monitoring.forget(scope, request.StreamName);
      return {};
    },

    async DescribeStream(input, caller): Promise<Result<DescribeStreamCommandOutput>> {
      const output = await forward('DescribeStream')(input, caller) as Result<DescribeStreamCommandOutput>;
      output.StreamDescription!.StreamModeDetails ??= PROVISIONED;
      return output;
    },

    async DescribeStreamSummary(input, caller): Promise<Result<DescribeStreamSummaryCommandOutput>> {
      const output = await forward('DescribeStreamSummary')(input, caller) as Result<DescribeStreamSummaryCommandOutput>;
      const summary = output.StreamDescriptionSummary!;
      summary.StreamModeDetails ??= PROVISIONED;
      const scope = summary.StreamARN ? parseStreamArn(summary.StreamARN, 'streamARN') : caller;
      summary.ConsumerCount = consumers.ofStream(scope, summary.StreamARN!).length;
      return output;
    },

    // kinesalite answers names only; current SDKs page with NextToken and read StreamSummaries.
    async ListStreams(input: ListStreamsCommandInput, caller): Promise<Result<ListStreamsCommandOutput>> {
      const engine = await engineFor(caller);
      const start = input.NextToken !== undefined ? fromPageToken(input.NextToken, 'stream') : input.ExclusiveStartStreamName;
      const listed = await engine.call<{ StreamNames: string[]; HasMoreStreams: boolean }>('ListStreams', {
        Limit: input.Limit ?? 100,
        ExclusiveStartStreamName: start,
      });
      const summaries = await Promise.all(listed.StreamNames.map((name) => streamSummary(engine, name)));
      const last = listed.StreamNames.at(-1);
      return {
        StreamNames: listed.StreamNames,
        HasMoreStreams: listed.HasMoreStreams,
        StreamSummaries: summaries.filter((s): s is StreamSummary => s !== undefined),
        ...(listed.HasMoreStreams && last ? { NextToken: toPageToken('stream', last) } : {}),
      };
    },

    // kinesalite ignores MaxResults, NextToken and ShardFilter; page and filter here as AWS does.
    async ListShards(input: ListShardsCommandInput & { ShardFilter?: WireShardFilter }, caller): Promise<Result<ListShardsCommandOutput>> {
      const scope = resolveStreamArn(input, caller);
      let streamName = input.StreamName;
      let exclusiveStart = input.ExclusiveStartShardId;
      let filter = input.ShardFilter === undefined || input.ShardFilter === null ? undefined : checkShardFilter(input.ShardFilter);
      if (input.NextToken !== undefined) {
        if (streamName !== undefined) throw new AwsError('InvalidArgumentException', 'NextToken and StreamName cannot be provided together.');
        if (filter) throw new AwsError('InvalidArgumentException', 'NextToken and ShardFilter cannot be provided together: the token carries the filter of the first page.');
        if (exclusiveStart !== undefined) throw new AwsError('InvalidArgumentException', 'NextToken and ExclusiveStartShardId cannot be provided together.');
        ({ streamName, exclusiveStart, filter } = fromListShardsToken(input.NextToken));
      } else if (filter && exclusiveStart !== undefined) {
        throw new AwsError('InvalidArgumentException', 'ExclusiveStartShardId and ShardFilter cannot be provided together; use the AFTER_SHARD_ID filter instead.');
      }
      const maxResults = input.MaxResults ?? 1000;
      const engine = await engineFor(scope);
      const listed = await engine.call<Result<ListShardsCommandOutput>>('ListShards', {
        StreamName: streamName,
        ExclusiveStartShardId: exclusiveStart,
        MaxResults: maxResults,
      });
      let shards = listed.Shards ?? [];
      if (filter) {
        const stream = await engine.readStream(streamName!);
        shards = filterShards(shards, filter, { retentionHours: stream.RetentionPeriodHours, createdAt: stream.StreamCreationTimestamp * 1000 }, Date.now());
      }
      const page = shards.slice(0, maxResults);
      return {
        Shards: page,
        ...(shards.length > maxResults ? { NextToken: toListShardsToken(streamName!, page.at(-1)!.ShardId!, filter) } : {}),
      };
    },

    async PutRecord(input, caller): Promise<Result<PutRecordCommandOutput>> {
      const scope = resolveStreamArn(input, caller);
      const engine = await engineFor(scope);
      const record = engine.validate('PutRecord', input);
      const budget = options.writeBudget();
      if (budget) {
        const shard = shardFor(await openShards(engine, record.StreamName), hashKeyOf(record.PartitionKey, record.ExplicitHashKey));
        if (shard && !budget.admit(shardKey(scope, record.StreamName, shard), recordBytes(record.Data, record.PartitionKey))) {
          throw new AwsError('ProvisionedThroughputExceededException', rateExceeded(scope, record.StreamName, shard));
        }
      }
      const output = await engine.execute<Result<PutRecordCommandOutput>>('PutRecord', record);
      options.onRecordsStored(scope, record.StreamName);
      await publishIncoming(scope, engine, record.StreamName, [{ shardId: output.ShardId!, bytes: recordBytes(record.Data, record.PartitionKey) }]);
      return output;
    },

    PutRecords: putRecords,

    // Enhanced monitoring is stored on the stream (DescribeStream reports it); IncomingBytes and
    // IncomingRecords are published per shard when enabled, the other shard-level metrics are not.
    async EnableEnhancedMonitoring(input, caller): Promise<Result<EnableEnhancedMonitoringCommandOutput>> {
      return setMonitoring(input, caller, true);
    },

    async DisableEnhancedMonitoring(input, caller): Promise<Result<DisableEnhancedMonitoringCommandOutput>> {
      return setMonitoring(input, caller, false);
    },

    async DescribeLimits(_input, caller): Promise<Result<DescribeLimitsCommandOutput>> {
      const engine = await engineFor(caller);
      const summaries = await allStreamSummaries(engine);
      return {
        ShardLimit: options.shardLimit,
        OpenShardCount: summaries.reduce((sum, s) => sum + (s.OpenShardCount ?? 0), 0),
        OnDemandStreamCount: summaries.filter((s) => s.StreamModeDetails?.StreamMode === 'ON_DEMAND').length,
        OnDemandStreamCountLimit: ON_DEMAND_STREAM_LIMIT,
      };
    },

    // The ARN-based tag calls of the current API, on top of the stream-name ones kinesalite has.
    async TagResource(input: TagResourceCommandInput): Promise<Record<string, never>> {
      const target = parseStreamArn(input.ResourceARN, 'resourceARN');
      await (await engineFor(target)).call('AddTagsToStream', { StreamName: target.streamName, Tags: input.Tags });
      return {};
    },

    async UntagResource(input: UntagResourceCommandInput): Promise<Record<string, never>> {
      const target = parseStreamArn(input.ResourceARN, 'resourceARN');
      await (await engineFor(target)).call('RemoveTagsFromStream', { StreamName: target.streamName, TagKeys: input.TagKeys });
      return {};
    },

    async ListTagsForResource(input: ListTagsForResourceCommandInput): Promise<Result<ListTagsForResourceCommandOutput>> {
      const target = parseStreamArn(input.ResourceARN, 'resourceARN');
      const engine = await engineFor(target);
      // ListTagsForResource answers every tag at once; kinesalite pages ten at a time.
      const tags: { Key: string; Value: string }[] = [];
      for (;;) {
        const page = await engine.call('ListTagsForStream', { StreamName: target.streamName, Limit: 10, ExclusiveStartTagKey: tags.at(-1)?.Key });
        tags.push(...page.Tags);
        if (!page.HasMoreTags) return { Tags: tags };
      }
    },

    // Encryption and capacity mode are recorded and reported; data is stored the same either way.
    async StartStreamEncryption(input: StartStreamEncryptionCommandInput, caller): Promise<Record<string, never>> {
      const scope = resolveStreamArn(input, caller);
      if (input.EncryptionType !== 'KMS') throw enumError('encryptionType', input.EncryptionType, ['KMS', 'NONE']);
      if (typeof input.KeyId !== 'string' || input.KeyId.length < 1 || input.KeyId.length > 2048) {
        throw new AwsError('ValidationException', '1 validation error detected: Value null at \'keyId\' failed to satisfy constraint: Member must not be null');
      }
      await (await engineFor(scope)).updateStream(streamNameOf(input), (s) => {
        s.EncryptionType = 'KMS';
        s.KeyId = input.KeyId;
      });
      return {};
    },

    async StopStreamEncryption(input: StopStreamEncryptionCommandInput, caller): Promise<Record<string, never>> {
      const scope = resolveStreamArn(input, caller);
      if (input.EncryptionType !== 'KMS') throw enumError('encryptionType', input.EncryptionType, ['KMS', 'NONE']);
      await (await engineFor(scope)).updateStream(streamNameOf(input), (s) => {
        s.EncryptionType = 'NONE';
        delete s.KeyId;
      });
      return {};
    },

    async UpdateShardCount(input: UpdateShardCountCommandInput, caller): Promise<Result<UpdateShardCountCommandOutput>> {
      const scope = resolveStreamArn(input, caller);
      const name = streamNameOf(input);
      if (input.ScalingType !== 'UNIFORM_SCALING') throw enumError('scalingType', input.ScalingType, ['UNIFORM_SCALING']);
      const target = input.TargetShardCount;
      if (typeof target !== 'number' || !Number.isInteger(target) || target < 1 || target > 100000) {
        throw new AwsError('ValidationException', `1 validation error detected: Value '${String(target)}' at 'targetShardCount' failed to satisfy constraint: Member must have value between 1 and 100000`);
      }
      const engine = await engineFor(scope);
      const before = await engine.readStream(name);
      const current = (before.Shards as { SequenceNumberRange: { EndingSequenceNumber?: string } }[])
        .filter((s) => !s.SequenceNumberRange.EndingSequenceNumber).length;
      if (before.StreamModeDetails?.StreamMode === 'ON_DEMAND') {
        throw new AwsError('ValidationException', `UpdateShardCount is not supported for stream ${name} under account ${scope.accountId} in ON_DEMAND mode.`);
      }
      if (target > current * 2 || target * 2 < current) {
        throw new AwsError('LimitExceededException', `UpdateShardCount can scale stream ${name} to between ${Math.ceil(current / 2)} and ${current * 2} shards, not ${target}.`);
      }
      if (target !== current) {
        const open = (await allStreamSummaries(engine)).reduce((sum, s) => sum + (s.OpenShardCount ?? 0), 0);
        if (open - current + target > options.shardLimit) {
          throw new AwsError('LimitExceededException', `This request would exceed the shard limit for the account ${scope.accountId} in ${scope.region}. Current shard count for the account: ${open}. Limit: ${options.shardLimit}.`);
        }
        await engine.reshard(name, target);
      }
      return { StreamName: name, StreamARN: before.StreamARN, CurrentShardCount: current, TargetShardCount: target };
    },

    async UpdateStreamMode(input: UpdateStreamModeCommandInput): Promise<Record<string, never>> {
      const target = parseStreamArn(input.StreamARN, 'streamARN');
      const mode = input.StreamModeDetails?.StreamMode;
      if (mode !== 'PROVISIONED' && mode !== 'ON_DEMAND') throw enumError('streamModeDetails.streamMode', mode, ['ON_DEMAND', 'PROVISIONED']);
      await (await engineFor(target)).updateStream(target.streamName, (s) => (s.StreamModeDetails = { StreamMode: mode }));
      return {};
    },
  };
}

interface WireRecord {
  Data: string;
  PartitionKey: string;
  ExplicitHashKey?: string;
}

/**
 * PutRecords under the opt-in shard write limits: entries over their shard's
 * budget fail one by one with ProvisionedThroughputExceededException, the
 * rest are stored, and the answer keeps the request's order, as on AWS.
 */
async function putWithinBudget(
  engine: KinesaliteEngine,
  scope: StreamScope,
  request: { StreamName: string; Records: WireRecord[] },
  budget: ShardWriteBudget,
): Promise<Result<PutRecordsCommandOutput>> {
  const shards = await openShards(engine, request.StreamName);
  const now = Date.now(); // one clock reading per request: its records share a budget window
  const results: PutRecordsResultEntry[] = new Array(request.Records.length);
  const admitted: WireRecord[] = [];
  const admittedAt: number[] = [];
  request.Records.forEach((record, i) => {
    const shard = shardFor(shards, hashKeyOf(record.PartitionKey, record.ExplicitHashKey));
    if (!shard || budget.admit(shardKey(scope, request.StreamName, shard), recordBytes(record.Data, record.PartitionKey), now)) {
      admitted.push(record);
      admittedAt.push(i);
    } else {
      results[i] = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: rateExceeded(scope, request.StreamName, shard) };
    }
  });
  if (admitted.length) {
    const stored = await engine.execute<Result<PutRecordsCommandOutput>>('PutRecords', { StreamName: request.StreamName, Records: admitted });
    stored.Records!.forEach((entry, j) => (results[admittedAt[j]] = entry));
  }
  return { FailedRecordCount: request.Records.length - admitted.length, Records: results };
}

async function openShards(engine: KinesaliteEngine, streamName: string): Promise<ShardRange[]> {
  const { Shards = [] } = await engine.call<Result<ListShardsCommandOutput>>('ListShards', { StreamName: streamName });
  return Shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber).map((s) => ({
    shardId: s.ShardId!,
    startingHashKey: BigInt(s.HashKeyRange!.StartingHashKey!),
    endingHashKey: BigInt(s.HashKeyRange!.EndingHashKey!),
  }));
}

const shardKey = (scope: StreamScope, streamName: string, shard: ShardRange) => `${scope.accountId}/${scope.region}/${streamName}/${shard.shardId}`;

function rateExceeded(scope: StreamScope, streamName: string, shard: ShardRange): string {
  return `Rate exceeded for shard ${shard.shardId} in stream ${streamName} under account ${scope.accountId}.`;
}

async function streamSummary(engine: KinesaliteEngine, streamName: string): Promise<StreamSummary | undefined> {
  try {
    const stream = await engine.readStream(streamName);
    return {
      StreamName: stream.StreamName,
      StreamARN: stream.StreamARN,
      StreamStatus: stream.StreamStatus as StreamSummary['StreamStatus'],
      StreamModeDetails: stream.StreamModeDetails ?? PROVISIONED,
      StreamCreationTimestamp: stream.StreamCreationTimestamp,
    };
  } catch {
    return undefined; // deleted between listing and reading
  }
}

async function allStreamSummaries(engine: KinesaliteEngine) {
  const summaries: Result<DescribeStreamSummaryCommandOutput>['StreamDescriptionSummary'][] = [];
  let start: string | undefined;
  for (;;) {
    const page = await engine.call<{ StreamNames: string[]; HasMoreStreams: boolean }>('ListStreams', { Limit: 10000, ExclusiveStartStreamName: start });
    for (const name of page.StreamNames) {
      const summary = await engine.call('DescribeStreamSummary', { StreamName: name }).catch(() => undefined);
      if (summary) summaries.push(summary.StreamDescriptionSummary);
    }
    if (!page.HasMoreStreams || !page.StreamNames.length) return summaries.filter((s) => s !== undefined);
    start = page.StreamNames.at(-1);
  }
}

function streamNameOf(input: { StreamName?: string }): string {
  if (typeof input.StreamName !== 'string' || !input.StreamName) {
    throw new AwsError('ValidationException', '1 validation error detected: Value null at \'streamName\' failed to satisfy constraint: Member must not be null');
  }
  return input.StreamName;
}

function enumError(member: string, value: unknown, allowed: string[]): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
}

/** A ListShards page token: `shards:<stream>/<last shard id>[/<filter as base64url JSON>]`. */
function toListShardsToken(streamName: string, lastShardId: string, filter: CheckedShardFilter | undefined): string {
  const suffix = filter ? `/${Buffer.from(JSON.stringify(filter)).toString('base64url')}` : '';
  return toPageToken('shards', `${streamName}/${lastShardId}${suffix}`);
}

function fromListShardsToken(token: unknown): { streamName: string; exclusiveStart: string; filter?: CheckedShardFilter } {
  const [streamName, exclusiveStart, filter] = fromPageToken(token, 'shards').split('/');
  if (!streamName || !exclusiveStart) throw new AwsError('InvalidArgumentException', `Invalid NextToken: ${String(token)}`);
  if (!filter) return { streamName, exclusiveStart };
  try {
    return { streamName, exclusiveStart, filter: JSON.parse(Buffer.from(filter, 'base64url').toString('utf8')) };
  } catch {
    throw new AwsError('InvalidArgumentException', `Invalid NextToken: ${String(token)}`);
  }
}

/** Page tokens are opaque to callers; ours carry the kind of listing and where it stopped. */
function toPageToken(kind: string, position: string): string {
  return Buffer.from(`${kind}:${position}`, 'utf8').toString('base64url');
}

function fromPageToken(token: unknown, kind: string): string {
  const decoded = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!decoded.startsWith(`${kind}:`)) throw new AwsError('InvalidArgumentException', `Invalid NextToken: ${String(token)}`);
  return decoded.slice(kind.length + 1);
}

