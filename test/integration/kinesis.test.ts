import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
  PutRecordCommand,
  PutRecordsCommand,
  StartStreamEncryptionCommand,
  TagResourceCommand,
  UpdateShardCountCommand,
  waitUntilStreamExists,
  type GetShardIteratorCommandInput,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import type { CloudEvents } from '../../localcloud/core/types.js';
import type { KinesisProvider } from '../../localcloud/services/kinesis/index.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { rawJsonRequest } from '../support/raw-json.js';

const SCOPE = { accountId: '000000000000', region: 'us-east-1' };
const utf8 = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString('utf8');

/** A JSON 1.1 request without the SDK, for bodies no SDK would send (bytes as a list of numbers). */
const rawKinesis = (url: string, operation: string, body: string | number[], contentType = 'application/x-amz-json-1.1') =>
  rawJsonRequest(url, `Kinesis_20131202.${operation}`, typeof body === 'string' ? body : new Uint8Array(body), contentType);

describe('kinesis', function () {
  let cloud: TestCloud;
  let kinesis: KinesisClient;
  let provider: KinesisProvider;

  async function createStream(name: string, shardCount = 1): Promise<string> {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60 }, { StreamName: name });
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return StreamDescriptionSummary!.StreamARN!;
  }

  async function readAll(input: GetShardIteratorCommandInput): Promise<_Record[]> {
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand(input));
    return (await kinesis.send(new GetRecordsCommand({ ShardIterator }))).Records ?? [];
  }

  before(async () => {
    cloud = await startTestCloud();
    kinesis = new KinesisClient(cloud.clientConfig());
    provider = cloud.cloud.context.service<KinesisProvider>('kinesis')!;
  });
  after(async () => {
    kinesis.destroy();
    await cloud.stop();
  });

  describe('streams', () => {
    it('creates a stream the SDK waiter sees ACTIVE, with this account and region in its ARN', async () => {
      const arn = await createStream('events', 2);
      expect(arn).to.equal('arn:aws:kinesis:us-east-1:000000000000:stream/events');
      const { StreamDescriptionSummary: summary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'events' }));
      expect(summary).to.include({ StreamName: 'events', StreamStatus: 'ACTIVE', OpenShardCount: 2, RetentionPeriodHours: 24 });
      expect(summary?.StreamModeDetails).to.deep.equal({ StreamMode: 'PROVISIONED' });
      expect(summary?.StreamCreationTimestamp).to.be.instanceOf(Date);
    });

    it('lists shards, by name or ARN, a page at a time', async () => {
      const arn = await createStream('paged', 3);
      const first = await kinesis.send(new ListShardsCommand({ StreamARN: arn, MaxResults: 2 }));
      expect(first.Shards?.map((s) => s.ShardId)).to.deep.equal(['shardId-000000000000', 'shardId-000000000001']);
      expect(first.NextToken).to.be.a('string');
      const second = await kinesis.send(new ListShardsCommand({ NextToken: first.NextToken }));
      expect(second.Shards?.map((s) => s.ShardId)).to.deep.equal(['shardId-000000000002']);
      expect(second.NextToken).to.equal(undefined);
      const byName = await kinesis.send(new ListShardsCommand({ StreamName: 'paged' }));
      expect(byName.Shards).to.have.length(3);
      expect(byName.Shards?.[0].HashKeyRange?.StartingHashKey).to.equal('0');
    });

    it('lists streams with the summaries and page tokens current SDKs read', async () => {
      await createStream('list-a');
      await createStream('list-b');
      const page = await kinesis.send(new ListStreamsCommand({ Limit: 1, ExclusiveStartStreamName: 'list-' }));
      expect(page.StreamNames).to.deep.equal(['list-a']);
      expect(page.HasMoreStreams).to.equal(true);
      expect(page.StreamSummaries?.[0]).to.include({ StreamName: 'list-a', StreamStatus: 'ACTIVE', StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/list-a' });
      const next = await kinesis.send(new ListStreamsCommand({ Limit: 1, NextToken: page.NextToken }));
      expect(next.StreamNames).to.deep.equal(['list-b']);
    });

    it('creates on-demand streams with four shards, and applies Tags given to CreateStream', async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: 'on-demand', StreamModeDetails: { StreamMode: 'ON_DEMAND' }, Tags: { app: 'iot' } }));
      const { StreamDescriptionSummary: summary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'on-demand' }));
      expect(summary?.StreamModeDetails).to.deep.equal({ StreamMode: 'ON_DEMAND' });
      expect(summary?.OpenShardCount).to.equal(4);
      const { Tags } = await kinesis.send(new ListTagsForResourceCommand({ ResourceARN: summary!.StreamARN }));
      expect(Tags).to.deep.equal([{ Key: 'app', Value: 'iot' }]);
      const limits = await kinesis.send(new DescribeLimitsCommand({}));
      expect(limits.OnDemandStreamCount).to.be.at.least(1);
      expect(limits.ShardLimit).to.equal(50);
    });

    it('tags by ARN and records encryption settings', async () => {
      const arn = await createStream('settings');
      await kinesis.send(new TagResourceCommand({ ResourceARN: arn, Tags: { team: 'sensors' } }));
      expect((await kinesis.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).to.deep.equal([{ Key: 'team', Value: 'sensors' }]);
      await kinesis.send(new StartStreamEncryptionCommand({ StreamARN: arn, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
      for (const target of [{ StreamName: 'settings' }, { StreamARN: arn }]) {
        const { StreamDescription } = await kinesis.send(new DescribeStreamCommand(target));
        expect(StreamDescription).to.include({ StreamName: 'settings', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
        expect(StreamDescription?.StreamModeDetails).to.deep.equal({ StreamMode: 'PROVISIONED' });
      }
    });

    it('reshards uniformly with UpdateShardCount: parents close, children take the hash key space', async () => {
      await createStream('reshard', 1);
      await kinesis.send(new PutRecordCommand({ StreamName: 'reshard', PartitionKey: 'before', Data: Buffer.from('old') }));
      const scaled = await kinesis.send(new UpdateShardCountCommand({ StreamName: 'reshard', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
      expect(scaled).to.include({ CurrentShardCount: 1, TargetShardCount: 2 });
      const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: 'reshard' }));
      expect(Shards?.map((s) => [s.ShardId, s.ParentShardId, !!s.SequenceNumberRange?.EndingSequenceNumber])).to.deep.equal([
        ['shardId-000000000000', undefined, true],
        ['shardId-000000000001', 'shardId-000000000000', false],
        ['shardId-000000000002', 'shardId-000000000000', false],
      ]);
      expect(Shards?.[1].HashKeyRange?.EndingHashKey).to.equal((2n ** 127n - 1n).toString());

      const put = await kinesis.send(new PutRecordsCommand({
        StreamName: 'reshard',
        Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `key-${i}`, Data: Buffer.from(`new-${i}`) })),
      }));
      expect(new Set(put.Records?.map((r) => r.ShardId))).to.deep.equal(new Set(['shardId-000000000001', 'shardId-000000000002']));

      // The closed parent still serves what it holds, then ends.
      let { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'reshard', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
      const fromParent: string[] = [];
      for (let i = 0; i < 5 && ShardIterator; i++) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
        fromParent.push(...(page.Records ?? []).map((r) => utf8(r.Data)));
        ShardIterator = page.NextShardIterator;
      }
      expect(fromParent).to.deep.equal(['old']);
      expect(ShardIterator).to.equal(undefined);

      await kinesis.send(new UpdateShardCountCommand({ StreamName: 'reshard', TargetShardCount: 1, ScalingType: 'UNIFORM_SCALING' }));
      const merged = (await kinesis.send(new ListShardsCommand({ StreamName: 'reshard' }))).Shards!.at(-1)!;
      expect(merged).to.include({ ParentShardId: 'shardId-000000000001', AdjacentParentShardId: 'shardId-000000000002' });
      await expectAwsError(kinesis.send(new UpdateShardCountCommand({ StreamName: 'reshard', TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' })), 'LimitExceededException');
    });

    it('answers ResourceInUseException for a stream that exists and ResourceNotFoundException for one that does not', async () => {
      await createStream('twice');
      await expectAwsError(kinesis.send(new CreateStreamCommand({ StreamName: 'twice', ShardCount: 1 })), 'ResourceInUseException');
      const err = await expectAwsError(kinesis.send(new DescribeStreamCommand({ StreamName: 'nope' })), 'ResourceNotFoundException');
      expect(err.message).to.equal('Stream nope under account 000000000000 not found.');
      await expectAwsError(kinesis.send(new PutRecordCommand({ StreamName: 'nope', PartitionKey: 'k', Data: Buffer.from('x') })), 'ResourceNotFoundException');
    });

    it('deletes a stream: gone when DeleteStream answers', async () => {
      await createStream('doomed');
      await kinesis.send(new DeleteStreamCommand({ StreamName: 'doomed' }));
      await expectAwsError(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'doomed' })), 'ResourceNotFoundException');
    });

    it('keeps each account and region apart', async () => {
      const inEu = new KinesisClient(cloud.clientConfig('eu-west-1'));
      try {
        await inEu.send(new CreateStreamCommand({ StreamName: 'regional', ShardCount: 1 }));
        const { StreamDescriptionSummary } = await inEu.send(new DescribeStreamSummaryCommand({ StreamName: 'regional' }));
        expect(StreamDescriptionSummary?.StreamARN).to.equal('arn:aws:kinesis:eu-west-1:000000000000:stream/regional');
        await expectAwsError(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'regional' })), 'ResourceNotFoundException');
        // An ARN names the stream fully, whatever region the client is in.
        const viaArn = await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: StreamDescriptionSummary!.StreamARN }));
        expect(viaArn.StreamDescriptionSummary?.StreamName).to.equal('regional');
      } finally {
        inEu.destroy();
      }
    });
  });

  describe('records', () => {
    let arn: string;
    before(async () => (arn = await createStream('sensor-events')));

    it('puts and reads records by StreamName and by StreamARN, with arrival timestamps', async () => {
      const one = await kinesis.send(new PutRecordCommand({ StreamName: 'sensor-events', PartitionKey: 'sensor-1', Data: Buffer.from('{"value":1}') }));
      const two = await kinesis.send(new PutRecordCommand({ StreamARN: arn, PartitionKey: 'sensor-1', Data: Buffer.from('{"value":2}') }));
      expect(one.ShardId).to.equal('shardId-000000000000');
      expect(BigInt(two.SequenceNumber!) > BigInt(one.SequenceNumber!)).to.equal(true);

      const batch = await kinesis.send(new PutRecordsCommand({
        StreamARN: arn,
        Records: [{ PartitionKey: 'sensor-2', Data: Buffer.from('{"value":3}') }, { PartitionKey: 'sensör-ü', Data: Buffer.from('{"value":4}') }],
      }));
      expect(batch.FailedRecordCount).to.equal(0);
      expect(batch.Records?.every((r) => r.SequenceNumber && r.ShardId && !r.ErrorCode)).to.equal(true);

      for (const target of [{ StreamName: 'sensor-events' }, { StreamARN: arn }]) {
        const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ ...target, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
        const { Records, NextShardIterator, MillisBehindLatest } = await kinesis.send(new GetRecordsCommand({ ShardIterator, ...('StreamARN' in target ? target : {}) }));
        expect(Records?.map((r) => utf8(r.Data))).to.deep.equal(['{"value":1}', '{"value":2}', '{"value":3}', '{"value":4}']);
        expect(Records?.[3].PartitionKey).to.equal('sensör-ü');
        expect(Records?.[0].ApproximateArrivalTimestamp).to.be.instanceOf(Date);
        expect(Math.abs(Records![0].ApproximateArrivalTimestamp!.getTime() - Date.now())).to.be.below(60_000);
        expect(NextShardIterator).to.be.a('string');
        expect(MillisBehindLatest).to.be.a('number');
      }
    });

    it('serves concurrent producers of one stream together: every record stored once, in answer order per shard', async () => {
      await createStream('concurrent-puts', 3);
      const producers = 40;
      const perPut = 5;
      const puts = Array.from({ length: producers }, (_, p) =>
        kinesis.send(new PutRecordsCommand({
          StreamName: 'concurrent-puts',
          Records: Array.from({ length: perPut }, (_, r) => ({ PartitionKey: `producer-${p}-${r}`, Data: Buffer.from(`${p}:${r}`) })),
        })),
      );
      // Mixed in: a put refused on its own (a hash key past 2^128 - 1), and single PutRecords, which take the same lock.
      const refused = kinesis.send(new PutRecordsCommand({
        StreamName: 'concurrent-puts',
        Records: [{ PartitionKey: 'ok', Data: Buffer.from('never') }, { PartitionKey: 'x', ExplicitHashKey: (2n ** 128n).toString(), Data: Buffer.from('never') }],
      }));
      const singles = Array.from({ length: 5 }, (_, i) => kinesis.send(new PutRecordCommand({ StreamName: 'concurrent-puts', PartitionKey: `single-${i}`, Data: Buffer.from(`single:${i}`) })));
      const answers = await Promise.all(puts);
      await expectAwsError(refused, 'InvalidArgumentException', 400, /Invalid ExplicitHashKey/);
      const singleAnswers = await Promise.all(singles);

      const answered = [
        ...answers.flatMap((a, p) => a.Records!.map((r, i) => ({ ...r, data: `${p}:${i}` }))),
        ...singleAnswers.map((a, i) => ({ ShardId: a.ShardId, SequenceNumber: a.SequenceNumber, data: `single:${i}` })),
      ];
      expect(answers.every((a) => a.FailedRecordCount === 0)).to.equal(true);
      expect(new Set(answered.map((r) => r.SequenceNumber)).size).to.equal(producers * perPut + 5);

      const stored: { shardId: string; sequenceNumber: string; data: string }[] = [];
      for (const shardId of ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']) {
        const records = await readAll({ StreamName: 'concurrent-puts', ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' });
        const sequence = records.map((r) => BigInt(r.SequenceNumber!));
        expect(sequence, `${shardId} reads in sequence order`).to.deep.equal([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        stored.push(...records.map((r) => ({ shardId, sequenceNumber: r.SequenceNumber!, data: utf8(r.Data) })));
      }
      expect(stored.map((r) => r.data)).to.not.include('never');
      // What each put was told is exactly what is stored, on that shard.
      expect(stored.map((r) => `${r.shardId} ${r.sequenceNumber} ${r.data}`).sort())
        .to.deep.equal(answered.map((r) => `${r.ShardId} ${r.SequenceNumber} ${r.data}`).sort());
      // Within one put, a shard's records keep the order they were sent in.
      for (const [p, answer] of answers.entries()) {
        const byShard = new Map<string, bigint[]>();
        answer.Records!.forEach((r) => byShard.set(r.ShardId!, [...(byShard.get(r.ShardId!) ?? []), BigInt(r.SequenceNumber!)]));
        for (const numbers of byShard.values()) expect(numbers, `put ${p}`).to.deep.equal([...numbers].sort((a, b) => (a < b ? -1 : 1)));
      }

      await kinesis.send(new DeleteStreamCommand({ StreamName: 'concurrent-puts' }));
      await expectAwsError(
        kinesis.send(new PutRecordsCommand({ StreamName: 'concurrent-puts', Records: [{ PartitionKey: 'late', Data: Buffer.from('late') }] })),
        'ResourceNotFoundException',
      );
    });

    it('positions iterators: LATEST, AT_/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP', async () => {
      await createStream('positions');
      const shard = { StreamName: 'positions', ShardId: 'shardId-000000000000' } as const;
      const put = (text: string) => kinesis.send(new PutRecordCommand({ StreamName: 'positions', PartitionKey: 'p', Data: Buffer.from(text) }));

      const first = await put('first');
      const { ShardIterator: latest } = await kinesis.send(new GetShardIteratorCommand({ ...shard, ShardIteratorType: 'LATEST' }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const cutoff = new Date();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = await put('second');
      await put('third');

      const afterLatest = (await kinesis.send(new GetRecordsCommand({ ShardIterator: latest }))).Records ?? [];
      expect(afterLatest.map((r) => utf8(r.Data))).to.deep.equal(['second', 'third']);

      const at = await readAll({ ...shard, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: second.SequenceNumber });
      expect(at.map((r) => utf8(r.Data))).to.deep.equal(['second', 'third']);
      const after = await readAll({ ...shard, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: first.SequenceNumber });
      expect(after.map((r) => utf8(r.Data))).to.deep.equal(['second', 'third']);
      const atTime = await readAll({ ...shard, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: cutoff });
      expect(atTime.map((r) => utf8(r.Data))).to.deep.equal(['second', 'third']);
      const all = await readAll({ ...shard, ShardIteratorType: 'TRIM_HORIZON' });
      expect(all.map((r) => utf8(r.Data))).to.deep.equal(['first', 'second', 'third']);
    });

    it('answers AT_TIMESTAMP past the last record with an iterator at the tip (kinesalite alone never answers)', async () => {
      await createStream('quiet-since');
      const shard = { StreamName: 'quiet-since', ShardId: 'shardId-000000000000' } as const;
      await kinesis.send(new PutRecordCommand({ StreamName: 'quiet-since', PartitionKey: 'p', Data: Buffer.from('old') }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ ...shard, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date() }));
      await kinesis.send(new PutRecordCommand({ StreamName: 'quiet-since', PartitionKey: 'p', Data: Buffer.from('new') }));
      const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
      expect((Records ?? []).map((r) => utf8(r.Data))).to.deep.equal(['new']);
    });

    it('rejects a record over 1 MiB with ValidationException, and a PutRecords over 5 MiB with InvalidArgumentException', async () => {
      const oversized = Buffer.alloc(1024 * 1024 + 1, 0x61);
      const single = await expectAwsError(kinesis.send(new PutRecordCommand({ StreamName: 'sensor-events', PartitionKey: 'k', Data: oversized })), 'ValidationException');
      expect(single.message).to.match(/at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576/);
      expect(single.$metadata.httpStatusCode).to.equal(400);

      const inBatch = await expectAwsError(kinesis.send(new PutRecordsCommand({
        StreamName: 'sensor-events',
        Records: [{ PartitionKey: 'k', Data: Buffer.from('ok') }, { PartitionKey: 'k', Data: oversized }],
      })), 'ValidationException');
      expect(inBatch.message).to.match(/records\.2\.member\.data/);

      const chunk = Buffer.alloc(1024 * 1024, 0x62);
      const tooMuch = await expectAwsError(kinesis.send(new PutRecordsCommand({
        StreamName: 'sensor-events',
        Records: Array.from({ length: 6 }, () => ({ PartitionKey: 'k', Data: chunk })),
      })), 'InvalidArgumentException');
      expect(tooMuch.message).to.equal('Records size exceeds 5 MB limit');
    });

    it('fails single PutRecords entries with ProvisionedThroughputExceededException under shard write limits', async () => {
      await createStream('throttled');
      provider.setShardWriteLimits({ recordsPerSecond: 2, bytesPerSecond: 1024 * 1024 });
      try {
        const result = await kinesis.send(new PutRecordsCommand({
          StreamName: 'throttled',
          Records: Array.from({ length: 5 }, (_, i) => ({ PartitionKey: 'same', Data: Buffer.from(`r${i}`) })),
        }));
        expect(result.FailedRecordCount).to.equal(3);
        expect(result.Records).to.have.length(5);
        const [ok, ...rest] = result.Records!;
        expect(ok.SequenceNumber).to.be.a('string');
        const failed = rest.filter((r) => r.ErrorCode);
        expect(failed).to.have.length(3);
        for (const entry of failed) {
          expect(entry.ErrorCode).to.equal('ProvisionedThroughputExceededException');
          expect(entry.ErrorMessage).to.equal('Rate exceeded for shard shardId-000000000000 in stream throttled under account 000000000000.');
          expect(entry).to.not.have.property('SequenceNumber');
        }
      } finally {
        provider.setShardWriteLimits(undefined);
      }
      // Only the admitted records were stored, in order.
      const stored = await readAll({ StreamName: 'throttled', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
      expect(stored.map((r) => utf8(r.Data))).to.deep.equal(['r0', 'r1']);
    });

    it('emits kinesis:records on the bus after each successful put, not after a failed one', async () => {
      const events: CloudEvents['kinesis:records'][] = [];
      const listener = (event: CloudEvents['kinesis:records']) => events.push(event);
      cloud.cloud.context.bus.on('kinesis:records', listener);
      try {
        await kinesis.send(new PutRecordCommand({ StreamName: 'sensor-events', PartitionKey: 'k', Data: Buffer.from('a') }));
        await kinesis.send(new PutRecordsCommand({ StreamARN: arn, Records: [{ PartitionKey: 'k', Data: Buffer.from('b') }] }));
        await expectAwsError(kinesis.send(new PutRecordCommand({ StreamName: 'no-such-stream', PartitionKey: 'k', Data: Buffer.from('c') })), 'ResourceNotFoundException');
      } finally {
        cloud.cloud.context.bus.off('kinesis:records', listener);
      }
      const expected = { accountId: '000000000000', region: 'us-east-1', streamName: 'sensor-events' };
      expect(events).to.deep.equal([expected, expected]);
    });

    it('serves pollers in-process with the SDK\'s types', async () => {
      const { ShardIterator } = await provider.getShardIterator(SCOPE, { StreamName: 'sensor-events', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
      const { Records, NextShardIterator } = await provider.getRecords(SCOPE, { ShardIterator, Limit: 2 });
      expect(Records).to.have.length(2);
      expect(Records?.[0].Data).to.be.instanceOf(Uint8Array);
      expect(utf8(Records?.[0].Data)).to.equal('{"value":1}');
      expect(Records?.[0].ApproximateArrivalTimestamp).to.be.instanceOf(Date);
      const next = await provider.getRecords(SCOPE, { ShardIterator: NextShardIterator });
      expect(utf8(next.Records?.[0].Data)).to.equal('{"value":3}');

      const { Shards } = await provider.listShards(SCOPE, { StreamARN: arn });
      expect(Shards?.map((s) => s.ShardId)).to.deep.equal(['shardId-000000000000']);
      const { StreamDescriptionSummary } = await provider.describeStreamSummary(SCOPE, { StreamName: 'sensor-events' });
      expect(StreamDescriptionSummary?.StreamCreationTimestamp).to.be.instanceOf(Date);
      const atTime = await provider.getShardIterator(SCOPE, { StreamName: 'sensor-events', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(0) });
      expect(atTime.ShardIterator).to.be.a('string');
      let failure: unknown;
      await provider.getRecords(SCOPE, { ShardIterator: 'garbage' }).catch((err) => (failure = err));
      expect(failure).to.include({ code: 'InvalidArgumentException' });
    });
  });

  describe('malformed requests', () => {
    it('answers a body that is not JSON with SerializationException', async () => {
      const res = await rawKinesis(cloud.url, 'PutRecord', '{"StreamName": ');
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.equal('SerializationException');
    });

    it('answers random bytes and JSON of the wrong shape without crashing', async () => {
      expect((await rawKinesis(cloud.url, 'PutRecords', [0x00, 0xff, 0x13, 0x37])).body.__type).to.equal('SerializationException');
      expect((await rawKinesis(cloud.url, 'PutRecords', '"just a string"')).body.__type).to.equal('SerializationException');
      const wrongType = await rawKinesis(cloud.url, 'PutRecords', JSON.stringify({ StreamName: 'sensor-events', Records: 'nope' }));
      expect(wrongType.status).to.equal(400);
      expect(wrongType.body.__type).to.equal('SerializationException');
      const badBase64 = await rawKinesis(cloud.url, 'PutRecord', JSON.stringify({ StreamName: 'sensor-events', PartitionKey: 'k', Data: '!!!' }));
      expect(badBase64.body.__type).to.equal('SerializationException');
      const badArn = await rawKinesis(cloud.url, 'DescribeStream', JSON.stringify({ StreamARN: 'arn:aws:s3:::bucket' }));
      expect(badArn.body.__type).to.equal('ValidationException');
      expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).to.be.an('array');
    });

    it('answers an unknown operation with UnknownOperationException', async () => {
      const res = await rawKinesis(cloud.url, 'SubscribeToEverything', '{}');
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.equal('UnknownOperationException');
    });

    it('tells CBOR clients (Java SDK, KCL) to switch to JSON', async () => {
      const res = await rawKinesis(cloud.url, 'ListStreams', [0xa0], 'application/x-amz-cbor-1.1');
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.equal('SerializationException');
      expect(res.body.message).to.match(/AWS_CBOR_DISABLE/);
    });
  });

  describe('throughput (measured, not asserted)', () => {
    it('PutRecords of 500 records × 20 through the gateway, then reads them back', async function () {
      this.timeout(120_000);
      await createStream('bench', 1);
      const batches = 20;
      const payload = Buffer.from(JSON.stringify({ sensorid: 'sensor-1', value: 21.5, timestamp: new Date().toISOString() }));
      const putBatch = async (streamName: string) => {
        const { FailedRecordCount } = await kinesis.send(new PutRecordsCommand({
          StreamName: streamName,
          Records: Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `sensor-${i % 10}`, Data: payload })),
        }));
        expect(FailedRecordCount).to.equal(0);
      };
      await createStream('bench-warm-up', 1);
      for (let b = 0; b < 3; b++) await putBatch('bench-warm-up'); // warm-up, not counted
      let started = process.hrtime.bigint();
      for (let b = 0; b < batches; b++) await putBatch('bench');
      const putSeconds = Number(process.hrtime.bigint() - started) / 1e9;

      started = process.hrtime.bigint();
      let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: 'bench', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      let read = 0;
      while (read < batches * 500) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        read += page.Records?.length ?? 0;
        iterator = page.NextShardIterator;
      }
      const httpSeconds = Number(process.hrtime.bigint() - started) / 1e9;

      started = process.hrtime.bigint();
      let inProcess = (await provider.getShardIterator(SCOPE, { StreamName: 'bench', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
      read = 0;
      while (read < batches * 500) {
        const page = await provider.getRecords(SCOPE, { ShardIterator: inProcess, Limit: 1000 });
        read += page.Records?.length ?? 0;
        inProcess = page.NextShardIterator;
      }
      const inProcessSeconds = Number(process.hrtime.bigint() - started) / 1e9;

      const rate = (seconds: number) => Math.round((batches * 500) / seconds);
      console.log(`      PutRecords: ${rate(putSeconds)} records/s (${batches} × 500 in ${putSeconds.toFixed(2)} s)`);
      console.log(`      GetRecords (1000/call): ${rate(httpSeconds)} records/s over HTTP, ${rate(inProcessSeconds)} records/s in-process`);
    });
  });
});

describe('kinesis state directory', () => {
  it('keeps streams and records across a restart', async () => {
    const state = tempDir();
    try {
      let cloud = await startTestCloud({ stateDir: state.dir });
      let kinesis = new KinesisClient(cloud.clientConfig());
      await kinesis.send(new CreateStreamCommand({ StreamName: 'durable', ShardCount: 1 }));
      await kinesis.send(new PutRecordsCommand({ StreamName: 'durable', Records: [{ PartitionKey: 'a', Data: Buffer.from('one') }, { PartitionKey: 'b', Data: Buffer.from('two') }] }));
      kinesis.destroy();
      await cloud.stop();

      // Same directory again: the LevelDB lock must have been released by stop().
      cloud = await startTestCloud({ stateDir: state.dir });
      kinesis = new KinesisClient(cloud.clientConfig());
      try {
        const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'durable' }));
        expect(StreamDescriptionSummary?.StreamStatus).to.equal('ACTIVE');
        const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'durable', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
        const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
        expect(Records?.map((r) => utf8(r.Data))).to.deep.equal(['one', 'two']);
        // Sequence numbers keep growing after the restart.
        const next = await kinesis.send(new PutRecordCommand({ StreamName: 'durable', PartitionKey: 'c', Data: Buffer.from('three') }));
        expect(BigInt(next.SequenceNumber!) > BigInt(Records!.at(-1)!.SequenceNumber!)).to.equal(true);
      } finally {
        kinesis.destroy();
        await cloud.stop();
      }
    } finally {
      state.cleanup();
    }
  });
});
