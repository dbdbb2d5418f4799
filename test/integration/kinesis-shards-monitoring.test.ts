import { CloudWatchClient, GetMetricStatisticsCommand, type Dimension } from '@aws-sdk/client-cloudwatch';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  DisableEnhancedMonitoringCommand,
  EnableEnhancedMonitoringCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  UpdateShardCountCommand,
  type ListShardsCommandInput,
  type ShardFilter,
} from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

describe('kinesis: ListShards ShardFilter and enhanced monitoring', function () {
  let cloud: TestCloud;
  let kinesis: KinesisClient;
  let cw: CloudWatchClient;

  before(async () => {
    cloud = await startTestCloud();
    kinesis = new KinesisClient(cloud.clientConfig());
    cw = new CloudWatchClient(cloud.clientConfig());
  });
  after(async () => {
    kinesis?.destroy();
    cw?.destroy();
    await cloud?.stop();
  });

  describe('ShardFilter', () => {
    const ids = async (input: ListShardsCommandInput) => (await kinesis.send(new ListShardsCommand(input))).Shards!.map((s) => s.ShardId);
    let createdAt: Date;

    before(async () => {
      // Two shards, resharded to four: shards 0 and 1 are closed, 2 to 5 open.
      await kinesis.send(new CreateStreamCommand({ StreamName: 'filtered', ShardCount: 2 }));
      createdAt = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'filtered' }))).StreamDescriptionSummary!.StreamCreationTimestamp!;
      await kinesis.send(new UpdateShardCountCommand({ StreamName: 'filtered', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    });

    const shard = (n: number) => `shardId-${String(n).padStart(12, '0')}`;
    const filtered = (ShardFilter: ShardFilter) => ids({ StreamName: 'filtered', ShardFilter });

    it('selects shards by position and time, as Kinesis documents each type', async () => {
      expect(await ids({ StreamName: 'filtered' })).to.deep.equal([0, 1, 2, 3, 4, 5].map(shard));
      expect(await filtered({ Type: 'AT_LATEST' })).to.deep.equal([2, 3, 4, 5].map(shard));
      expect(await filtered({ Type: 'AT_TRIM_HORIZON' })).to.deep.equal([0, 1].map(shard));
      expect(await filtered({ Type: 'FROM_TRIM_HORIZON' })).to.deep.equal([0, 1, 2, 3, 4, 5].map(shard));
      expect(await filtered({ Type: 'AFTER_SHARD_ID', ShardId: shard(3) })).to.deep.equal([4, 5].map(shard));
      expect(await filtered({ Type: 'AT_TIMESTAMP', Timestamp: createdAt })).to.deep.equal([0, 1].map(shard));
      const later = new Date(Date.now() + 10_000);
      expect(await filtered({ Type: 'AT_TIMESTAMP', Timestamp: later })).to.deep.equal([2, 3, 4, 5].map(shard));
      expect(await filtered({ Type: 'FROM_TIMESTAMP', Timestamp: new Date(createdAt.getTime() - 3600_000) })).to.have.length(6);
      expect(await filtered({ Type: 'FROM_TIMESTAMP', Timestamp: later })).to.deep.equal([2, 3, 4, 5].map(shard));
    });

    it('pages a filtered listing: the NextToken keeps the filter', async () => {
      const seen: string[] = [];
      let page = await kinesis.send(new ListShardsCommand({ StreamName: 'filtered', ShardFilter: { Type: 'AT_LATEST' }, MaxResults: 3 }));
      seen.push(...page.Shards!.map((s) => s.ShardId!));
      expect(page.NextToken).to.be.a('string');
      page = await kinesis.send(new ListShardsCommand({ NextToken: page.NextToken, MaxResults: 3 }));
      seen.push(...page.Shards!.map((s) => s.ShardId!));
      expect(page.NextToken).to.equal(undefined);
      expect(seen).to.deep.equal([2, 3, 4, 5].map(shard));
    });

    it('refuses filters that contradict themselves or the other parameters', async () => {
      await expectAwsError(kinesis.send(new ListShardsCommand({ StreamName: 'filtered', ShardFilter: { Type: 'AFTER_SHARD_ID' } })), 'InvalidArgumentException');
      await expectAwsError(kinesis.send(new ListShardsCommand({ StreamName: 'filtered', ShardFilter: { Type: 'AT_TIMESTAMP' } })), 'InvalidArgumentException');
      await expectAwsError(
        kinesis.send(new ListShardsCommand({ StreamName: 'filtered', ShardFilter: { Type: 'AT_LATEST', ShardId: shard(1) } })),
        'InvalidArgumentException',
      );
      await expectAwsError(
        kinesis.send(new ListShardsCommand({ StreamName: 'filtered', ExclusiveStartShardId: shard(1), ShardFilter: { Type: 'AT_LATEST' } })),
        'InvalidArgumentException',
      );
      await expectAwsError(kinesis.send(new ListShardsCommand({ StreamName: 'filtered', ShardFilter: { Type: 'SOMETIMES' as never } })), 'ValidationException');
      const first = await kinesis.send(new ListShardsCommand({ StreamName: 'filtered', MaxResults: 1 }));
      await expectAwsError(kinesis.send(new ListShardsCommand({ NextToken: first.NextToken, ShardFilter: { Type: 'AT_LATEST' } })), 'InvalidArgumentException');
    });
  });

  describe('enhanced monitoring', () => {
    before(async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: 'watched', ShardCount: 2 }));
    });

    it('enables and disables shard-level metrics (ALL expands), answering Current and Desired; DescribeStream reports them', async () => {
      const first = await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'watched', ShardLevelMetrics: ['IncomingBytes'] }));
      expect(first).to.include({ StreamName: 'watched' });
      expect(first.StreamARN).to.match(/:stream\/watched$/);
      expect(first.CurrentShardLevelMetrics).to.deep.equal([]);
      expect(first.DesiredShardLevelMetrics).to.deep.equal(['IncomingBytes']);

      const all = await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'watched', ShardLevelMetrics: ['ALL'] }));
      expect(all.CurrentShardLevelMetrics).to.deep.equal(['IncomingBytes']);
      expect(all.DesiredShardLevelMetrics).to.have.length(7);

      const less = await kinesis.send(new DisableEnhancedMonitoringCommand({ StreamName: 'watched', ShardLevelMetrics: ['OutgoingBytes', 'OutgoingRecords', 'IteratorAgeMilliseconds'] }));
      expect(less.DesiredShardLevelMetrics).to.deep.equal(['IncomingBytes', 'IncomingRecords', 'WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded']);
      const described = await kinesis.send(new DescribeStreamCommand({ StreamName: 'watched' }));
      expect(described.StreamDescription!.EnhancedMonitoring).to.deep.equal([{ ShardLevelMetrics: less.DesiredShardLevelMetrics }]);
      const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'watched' }));
      expect(summary.StreamDescriptionSummary!.EnhancedMonitoring).to.deep.equal([{ ShardLevelMetrics: less.DesiredShardLevelMetrics }]);

      await expectAwsError(kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'watched', ShardLevelMetrics: ['Everything' as never] })), 'ValidationException');
      await expectAwsError(kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'watched', ShardLevelMetrics: [] })), 'ValidationException');
      await expectAwsError(kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'nope', ShardLevelMetrics: ['ALL'] })), 'ResourceNotFoundException');
    });

    it('publishes IncomingBytes and IncomingRecords to CloudWatch (AWS/Kinesis), per shard when enabled', async () => {
      await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'watched', ShardLevelMetrics: ['IncomingRecords', 'IncomingBytes'] }));
      const put = await kinesis.send(
        new PutRecordsCommand({
          StreamName: 'watched',
          Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: `key-${i}`, Data: Buffer.from('0123456789') })),
        }),
      );
      await kinesis.send(new PutRecordCommand({ StreamName: 'watched', PartitionKey: 'k', Data: Buffer.from('abc') }));
      const sum = async (metric: string, dimensions: Dimension[]) => {
        const out = await cw.send(
          new GetMetricStatisticsCommand({
            Namespace: 'AWS/Kinesis',
            MetricName: metric,
            Dimensions: dimensions,
            StartTime: new Date(Date.now() - 10 * 60_000),
            EndTime: new Date(Date.now() + 60_000),
            Period: 3600,
            Statistics: ['Sum', 'SampleCount'],
          }),
        );
        return out.Datapoints!.reduce((n, d) => n + d.Sum!, 0);
      };
      const stream = [{ Name: 'StreamName', Value: 'watched' }];
      expect(await sum('IncomingRecords', stream)).to.equal(11);
      const bytes = 10 * 10 + put.Records!.reduce((n, _, i) => n + `key-${i}`.length, 0) + 3 + 1;
      expect(await sum('IncomingBytes', stream)).to.equal(bytes);
      const perShard = new Map<string, number>();
      for (const r of put.Records!) perShard.set(r.ShardId!, (perShard.get(r.ShardId!) ?? 0) + 1);
      let shardTotal = 0;
      for (const shardId of ['shardId-000000000000', 'shardId-000000000001']) {
        shardTotal += await sum('IncomingRecords', [...stream, { Name: 'ShardId', Value: shardId }]);
      }
      expect(shardTotal).to.equal(11);
    });
  });
});
