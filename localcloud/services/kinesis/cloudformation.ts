/**
 * AWS::Kinesis::Stream, provisioned through the Kinesis API. A stream is
 * created (and resharded) asynchronously, so each step waits for ACTIVE.
 */
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  RemoveTagsFromStreamCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  UpdateShardCountCommand,
  UpdateStreamModeCommand,
  type StreamDescriptionSummary,
} from '@aws-sdk/client-kinesis';
import { deepEqual } from '../cloudformation/deep-equal.js';
import {
  ignoreNotFound,
  pollUntil,
  removedTagKeys,
  tagMap,
  toNumber,
  untilGone,
  type Properties,
  type ResourceProvider,
  type ResourceRequest,
} from '../cloudformation/provider.js';

const DEFAULT_RETENTION_HOURS = 24;

async function untilActive(request: ResourceRequest, name: string): Promise<StreamDescriptionSummary> {
  const kinesis = request.client(KinesisClient);
  return pollUntil(
    async () => {
      const { StreamDescriptionSummary: summary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      return summary?.StreamStatus === 'ACTIVE' ? summary : undefined;
    },
    request.signal,
    { what: `stream ${name} to become ACTIVE` },
  );
}

const onDemand = (p: Properties) => p.StreamModeDetails?.StreamMode === 'ON_DEMAND';

async function applyRetention(request: ResourceRequest, name: string, next: unknown, previous: unknown): Promise<void> {
  const [hours, before] = [toNumber(next) ?? DEFAULT_RETENTION_HOURS, toNumber(previous) ?? DEFAULT_RETENTION_HOURS];
  if (hours === before) return;
  const kinesis = request.client(KinesisClient);
  if (hours > before) await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: hours }));
  else await kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: hours }));
  await untilActive(request, name);
}

async function applyTags(request: ResourceRequest, name: string, next: unknown, previous?: unknown): Promise<void> {
  if (deepEqual(next ?? [], previous ?? [])) return;
  const kinesis = request.client(KinesisClient);
  const removed = removedTagKeys(next, previous);
  if (removed.length > 0) await kinesis.send(new RemoveTagsFromStreamCommand({ StreamName: name, TagKeys: removed }));
  const tags = tagMap(next);
  if (Object.keys(tags).length > 0) await kinesis.send(new AddTagsToStreamCommand({ StreamName: name, Tags: tags }));
}

const stream: ResourceProvider = {
  type: 'AWS::Kinesis::Stream',
  attributes: ['Arn'],
  nameProperty: 'Name',
  replaceOnChange: ['Name'],
  async create(request) {
    const p = request.properties;
    const name = (p.Name as string | undefined) ?? request.physicalName({ maxLength: 128 });
    const kinesis = request.client(KinesisClient);
    await kinesis.send(
      new CreateStreamCommand({
        StreamName: name,
        ...(onDemand(p) ? { StreamModeDetails: { StreamMode: 'ON_DEMAND' } } : { ShardCount: toNumber(p.ShardCount) ?? 1 }),
      }),
    );
    let summary = await untilActive(request, name);
    await applyRetention(request, name, p.RetentionPeriodHours, undefined);
    if (p.StreamEncryption) {
      await kinesis.send(
        new StartStreamEncryptionCommand({ StreamName: name, EncryptionType: p.StreamEncryption.EncryptionType, KeyId: p.StreamEncryption.KeyId }),
      );
      summary = await untilActive(request, name);
    }
    await applyTags(request, name, p.Tags);
    return { physicalId: name, attributes: { Arn: summary.StreamARN } };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: name } = request;
    const kinesis = request.client(KinesisClient);
    let summary = await untilActive(request, name);
    if (onDemand(p) !== onDemand(old)) {
      await kinesis.send(
        new UpdateStreamModeCommand({ StreamARN: summary.StreamARN, StreamModeDetails: { StreamMode: onDemand(p) ? 'ON_DEMAND' : 'PROVISIONED' } }),
      );
      summary = await untilActive(request, name);
    }
    const shards = toNumber(p.ShardCount) ?? 1;
    if (!onDemand(p) && shards !== (toNumber(old.ShardCount) ?? 1)) {
      // In place, as on AWS: a resharding, not a replacement.
      await kinesis.send(new UpdateShardCountCommand({ StreamName: name, TargetShardCount: shards, ScalingType: 'UNIFORM_SCALING' }));
      summary = await untilActive(request, name);
    }
    await applyRetention(request, name, p.RetentionPeriodHours, old.RetentionPeriodHours);
    if (!deepEqual(p.StreamEncryption, old.StreamEncryption)) {
      if (p.StreamEncryption) {
        await kinesis.send(
          new StartStreamEncryptionCommand({ StreamName: name, EncryptionType: p.StreamEncryption.EncryptionType, KeyId: p.StreamEncryption.KeyId }),
        );
      } else {
        await kinesis.send(
          new StopStreamEncryptionCommand({ StreamName: name, EncryptionType: old.StreamEncryption.EncryptionType, KeyId: old.StreamEncryption.KeyId }),
        );
      }
      summary = await untilActive(request, name);
    }
    await applyTags(request, name, p.Tags, old.Tags);
    return { physicalId: name, attributes: { Arn: summary.StreamARN } };
  },
  async delete(request) {
    const kinesis = request.client(KinesisClient);
    const name = request.physicalId;
    try {
      await kinesis.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
    } catch (err) {
      return ignoreNotFound(err);
    }
    await untilGone(() => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })), request.signal, `stream ${name} to be deleted`);
  },
};

export const resourceProviders: ResourceProvider[] = [stream];
