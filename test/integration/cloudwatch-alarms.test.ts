import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  DisableAlarmActionsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
  type MetricAlarm,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import type { CloudWatchProvider } from '../../localcloud/services/cloudwatch/index.js';
import { zipFiles } from '../fixtures/lambda/zip.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';

const MINUTE = 60_000;
const NS = 'Alarms/Test';

describe('CloudWatch alarms', function () {
  let cloud: TestCloud;
  let cw: CloudWatchClient;
  let provider: CloudWatchProvider;

  before(async () => {
    cloud = await startTestCloud();
    cw = new CloudWatchClient(cloud.clientConfig());
    provider = cloud.cloud.context.service<CloudWatchProvider>('cloudwatch')!;
  });
  after(async () => {
    cw?.destroy();
    await cloud?.stop();
  });

  const alarm = async (name: string): Promise<MetricAlarm> => {
    const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    expect(out.MetricAlarms, `alarm ${name}`).to.have.length(1);
    return out.MetricAlarms![0];
  };
  const putAlarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}) =>
    cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: NS,
        MetricName: name,
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 50,
        ComparisonOperator: 'GreaterThanThreshold',
        ...extra,
      }),
    );
  const put = (metric: string, values: [number, number][]) =>
    cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: values.map(([Value, at]) => ({ MetricName: metric, Value, Timestamp: new Date(at) })) }));

  describe('datapoint timestamps', () => {
    it('stores standard-resolution data on the minute, so a query ending a moment after the put finds it', async () => {
      // A put at x.700 s, queried with an EndTime truncated to whole seconds (what the CLI sends): before, it was missed.
      const t = Math.floor(Date.now() / 1000) * 1000 - 5_000 + 700;
      await cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: 'Aligned', Value: 7, Timestamp: new Date(t) }] }));
      const out = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: NS,
          MetricName: 'Aligned',
          StartTime: new Date(t - 10 * MINUTE),
          EndTime: new Date(Math.floor(t / 1000) * 1000),
          Period: 60,
          Statistics: ['Sum'],
        }),
      );
      expect(out.Datapoints).to.have.length(1);
      expect(out.Datapoints![0].Sum).to.equal(7);
      expect(out.Datapoints![0].Timestamp!.getTime() % MINUTE).to.equal(0);
    });

    it('stores high-resolution data on the second', async () => {
      const t = Math.floor(Date.now() / 1000) * 1000 - 5_000;
      await cw.send(
        new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: 'HighRes', Value: 3, StorageResolution: 1, Timestamp: new Date(t + 400) }] }),
      );
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(t - MINUTE),
          EndTime: new Date(t + 1),
          MetricDataQueries: [{ Id: 'h', MetricStat: { Metric: { Namespace: NS, MetricName: 'HighRes' }, Period: 1, Stat: 'Sum' } }],
        }),
      );
      expect(out.MetricDataResults![0].Timestamps!.map((d) => d.getTime())).to.deep.equal([t]);
      expect(out.MetricDataResults![0].Values).to.deep.equal([3]);
    });
  });

  describe('evaluation', () => {
    it('starts in INSUFFICIENT_DATA and moves to ALARM and back to OK as datapoints arrive', async () => {
      await putAlarm('temp', { Dimensions: [{ Name: 'Sensor', Value: 's1' }], AlarmDescription: 'too hot' });
      let a = await alarm('temp');
      expect(a).to.include({ StateValue: 'INSUFFICIENT_DATA', StateReason: 'Unchecked: Initial alarm creation', Threshold: 50, Period: 60 });
      expect(a.AlarmArn).to.equal('arn:aws:cloudwatch:us-east-1:000000000000:alarm:temp');

      const now = Date.now();
      const data = (Value: number) => ({ MetricName: 'temp', Dimensions: [{ Name: 'Sensor', Value: 's1' }], Value, Timestamp: new Date(now) });
      await cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [data(100)] }));
      a = await alarm('temp');
      expect(a.StateValue).to.equal('ALARM');
      expect(a.StateReason).to.match(/^Threshold Crossed: 1 out of the last 1 datapoints/);
      expect(JSON.parse(a.StateReasonData!)).to.include({ version: '1.0', statistic: 'Average', period: 60, threshold: 50 });

      // The average of the period (100 and ten zeros) drops below the threshold.
      await cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: Array.from({ length: 10 }, () => data(0)) }));
      expect((await alarm('temp')).StateValue).to.equal('OK');

      const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'temp', ScanBy: 'TimestampAscending' }));
      const items = history.AlarmHistoryItems!;
      expect(items.map((i) => i.HistoryItemType)).to.deep.equal(['ConfigurationUpdate', 'StateUpdate', 'StateUpdate']);
      expect(items.map((i) => i.HistorySummary)).to.deep.equal([
        'Alarm "temp" created',
        'Alarm updated from INSUFFICIENT_DATA to ALARM',
        'Alarm updated from ALARM to OK',
      ]);
      const update = JSON.parse(items[2].HistoryData!);
      expect(update.oldState.stateValue).to.equal('ALARM');
      expect(update.newState.stateValue).to.equal('OK');
      const stateOnly = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'temp', HistoryItemType: 'StateUpdate' }));
      expect(stateOnly.AlarmHistoryItems!.map((i) => i.HistorySummary)).to.deep.equal(['Alarm updated from ALARM to OK', 'Alarm updated from INSUFFICIENT_DATA to ALARM']);
    });

    it('alarms when M out of N datapoints breach (DatapointsToAlarm)', async () => {
      const now = Date.now();
      await put('m-of-n-a', [[100, now - 2 * MINUTE], [10, now - MINUTE], [100, now]]);
      await put('m-of-n-b', [[100, now - 2 * MINUTE], [10, now - MINUTE], [10, now]]);
      await putAlarm('m-of-n-a', { EvaluationPeriods: 3, DatapointsToAlarm: 2, Statistic: 'Maximum' });
      await putAlarm('m-of-n-b', { EvaluationPeriods: 3, DatapointsToAlarm: 2, Statistic: 'Maximum' });
      expect((await alarm('m-of-n-a')).StateValue).to.equal('ALARM');
      const b = await alarm('m-of-n-b');
      expect(b.StateValue).to.equal('OK');
      expect(JSON.parse(b.StateReasonData!).recentDatapoints).to.have.length(3);
    });

    it('treats missing data as TreatMissingData says', async () => {
      await putAlarm('missing-breaching', { TreatMissingData: 'breaching' });
      await putAlarm('missing-not-breaching', { TreatMissingData: 'notBreaching' });
      await putAlarm('missing-ignore', { TreatMissingData: 'ignore' });
      await putAlarm('missing-missing', { TreatMissingData: 'missing' });
      expect((await alarm('missing-breaching')).StateValue).to.equal('ALARM');
      expect((await alarm('missing-not-breaching')).StateValue).to.equal('OK');
      expect((await alarm('missing-ignore')).StateValue).to.equal('INSUFFICIENT_DATA');
      expect((await alarm('missing-missing')).StateValue).to.equal('INSUFFICIENT_DATA');
      // Data older than the evaluation range counts as missing.
      await put('stale', [[100, Date.now() - 30 * MINUTE]]);
      await putAlarm('stale');
      expect((await alarm('stale')).StateValue).to.equal('INSUFFICIENT_DATA');
    });

    it('re-evaluates on its timer: a manual state gives way to what the data says', async () => {
      await putAlarm('manual');
      await cw.send(new SetAlarmStateCommand({ AlarmName: 'manual', StateValue: 'ALARM', StateReason: 'testing', StateReasonData: '{"why":"test"}' }));
      const set = await alarm('manual');
      expect(set).to.include({ StateValue: 'ALARM', StateReason: 'testing', StateReasonData: '{"why":"test"}' });
      provider.setAlarmEvaluationInterval(0.1);
      try {
        await waitFor(async () => (await alarm('manual')).StateValue === 'INSUFFICIENT_DATA', 'the evaluator to reset the alarm');
      } finally {
        provider.setAlarmEvaluationInterval(60);
      }
      await expectAwsError(cw.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' })), 'ResourceNotFound', 404);
      await expectAwsError(
        cw.send(new SetAlarmStateCommand({ AlarmName: 'manual', StateValue: 'OK', StateReason: 'x', StateReasonData: '{not json' })),
        'InvalidFormatFault',
      );
    });

    it('supports a Metrics list with one MetricStat and percentile statistics', async () => {
      await put('pct', [[10, Date.now()], [20, Date.now()], [90, Date.now()]]);
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'pct',
          EvaluationPeriods: 1,
          Threshold: 80,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Metrics: [{ Id: 'm1', MetricStat: { Metric: { Namespace: NS, MetricName: 'pct' }, Period: 60, Stat: 'p99' }, ReturnData: true }],
        }),
      );
      const a = await alarm('pct');
      expect(a.StateValue).to.equal('ALARM');
      expect(a.Metrics![0].MetricStat!.Stat).to.equal('p99');
      expect(a.MetricName).to.equal(undefined);
    });
  });

  describe('API', () => {
    it('filters and pages DescribeAlarms; DescribeAlarmsForMetric; DeleteAlarms', async () => {
      for (let i = 0; i < 5; i++) await putAlarm(`page-${i}`, { MetricName: 'paged', AlarmActions: [] });
      const first = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-', MaxRecords: 2 }));
      expect(first.MetricAlarms!.map((a) => a.AlarmName)).to.deep.equal(['page-0', 'page-1']);
      const rest = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-', MaxRecords: 10, NextToken: first.NextToken }));
      expect(rest.MetricAlarms!.map((a) => a.AlarmName)).to.deep.equal(['page-2', 'page-3', 'page-4']);
      expect(rest.NextToken).to.equal(undefined);
      const insufficient = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-', StateValue: 'ALARM' }));
      expect(insufficient.MetricAlarms).to.deep.equal([]);
      const composite = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-', AlarmTypes: ['CompositeAlarm'] }));
      expect(composite.MetricAlarms).to.deep.equal([]);

      const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: NS, MetricName: 'paged' }));
      expect(forMetric.MetricAlarms).to.have.length(5);
      const other = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: NS, MetricName: 'paged', Statistic: 'Sum' }));
      expect(other.MetricAlarms).to.deep.equal([]);

      await expectAwsError(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['page-0', 'no-such'] })), 'ResourceNotFound', 404);
      expect((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-' }))).MetricAlarms).to.have.length(5);
      await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['page-0', 'page-1', 'page-2', 'page-3', 'page-4'] }));
      expect((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-' }))).MetricAlarms).to.deep.equal([]);
    });

    it('tags alarms', async () => {
      await putAlarm('tagged', { Tags: [{ Key: 'team', Value: 'iot' }] });
      const arn = (await alarm('tagged')).AlarmArn!;
      await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'env', Value: 'dev' }] }));
      const tags = await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
      expect(tags.Tags).to.deep.equal([{ Key: 'team', Value: 'iot' }, { Key: 'env', Value: 'dev' }]);
      await expectAwsError(cw.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}-gone` })), 'ResourceNotFoundException', 404);
    });

    it('refuses what it cannot evaluate or deliver, with CloudWatch errors', async () => {
      await expectAwsError(putAlarm('bad', { ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' }), 'ValidationException');
      await expectAwsError(
        cw.send(
          new PutMetricAlarmCommand({
            AlarmName: 'math',
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: 'GreaterThanThreshold',
            Metrics: [
              { Id: 'e1', Expression: 'm1 * 2', ReturnData: true },
              { Id: 'm1', MetricStat: { Metric: { Namespace: NS, MetricName: 'x' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
            ],
          }),
        ),
        'ValidationException',
      );
      await expectAwsError(putAlarm('bad', { Statistic: 'Sum', ExtendedStatistic: 'p90' }), 'InvalidParameterCombinationException');
      await expectAwsError(putAlarm('bad', { Period: 45 }), 'ValidationException');
      await expectAwsError(putAlarm('bad', { EvaluationPeriods: 2, DatapointsToAlarm: 3 }), 'ValidationException');
      await expectAwsError(putAlarm('bad', { TreatMissingData: 'sometimes' }), 'ValidationException');
      // SNS is served now: an SNS action is accepted (wiring.test.ts follows its notification into a queue).
      await expectAwsError(putAlarm('bad', { AlarmActions: ['arn:aws:automate:us-east-1:ec2:stop'] }), 'ValidationException');
      expect((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['bad', 'math'] }))).MetricAlarms).to.deep.equal([]);
    });

    // The AWS CLI v1 (current botocore) speaks JSON 1.0 to CloudWatch; the CLI v2 of the machine (botocore of 2023) the query protocol.
    for (const [label, cli] of [['AWS CLI v1, JSON 1.0', 'aws'], ['AWS CLI v2.9, query protocol', '/usr/bin/aws']] as const) {
      it(`answers the ${label}`, async function () {
        const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
        const aws = (...args: string[]) => promisify(execFile)(cli, ['--endpoint-url', cloud.url, 'cloudwatch', ...args, '--output', 'json'], { env });
        try {
          await promisify(execFile)(cli, ['--version'], { env });
        } catch {
          this.skip();
        }
        const name = `cli-${cli.length}`;
        await aws(
          'put-metric-alarm', '--alarm-name', name, '--namespace', NS, '--metric-name', 'cli', '--statistic', 'Sum', '--period', '60',
          '--evaluation-periods', '1', '--threshold', '5', '--comparison-operator', 'GreaterThanThreshold', '--treat-missing-data', 'breaching',
          '--dimensions', 'Name=Sensor,Value=s1', '--alarm-actions', '--tags', 'Key=team,Value=iot',
        );
        const { stdout } = await aws('describe-alarms', '--alarm-names', name);
        const [described] = JSON.parse(stdout).MetricAlarms;
        expect(described).to.include({ AlarmName: name, StateValue: 'ALARM', Statistic: 'Sum', Threshold: 5, EvaluationPeriods: 1 });
        expect(described.Dimensions).to.deep.equal([{ Name: 'Sensor', Value: 's1' }]);
        expect(described.AlarmActions).to.deep.equal([]);
        const history = JSON.parse((await aws('describe-alarm-history', '--alarm-name', name, '--history-item-type', 'StateUpdate')).stdout);
        expect(history.AlarmHistoryItems[0].HistorySummary).to.equal('Alarm updated from INSUFFICIENT_DATA to ALARM');
        const error = await aws('set-alarm-state', '--alarm-name', 'no-such-alarm', '--state-value', 'OK', '--state-reason', 'x').catch((e) => e);
        expect(String(error.stderr)).to.match(/ResourceNotFound/);
        await aws('delete-alarms', '--alarm-names', name);
      });
    }
  });

  describe('actions', () => {
    it('invokes a Lambda action with the alarm event, as the function policy allows CloudWatch (IAM enforced)', async () => {
      const { dir, cleanup } = tempDir('alarm-action-');
      const lambda = new LambdaClient(cloud.clientConfig());
      try {
        const out = path.join(dir, 'events.jsonl');
        const role = await createExecutionRole(cloud.clientConfig(), 'alarm-action-role');
        const zip = await zipFiles({
          'index.js': "exports.handler = async (event) => { require('fs').appendFileSync(process.env.OUT, JSON.stringify(event) + '\\n'); };",
        });
        const fn = await lambda.send(
          new CreateFunctionCommand({ FunctionName: 'on-alarm', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: role, Code: { ZipFile: zip }, Environment: { Variables: { OUT: out } } }),
        );
        const alarmArn = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:with-action';

        // Without the function policy CloudWatch may not invoke it: the action fails and history says so.
        await putAlarm('with-action', { AlarmActions: [fn.FunctionArn!], TreatMissingData: 'breaching' });
        await provider.alarmActionsSettled();
        const failed = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'with-action', HistoryItemType: 'Action' }));
        expect(failed.AlarmHistoryItems![0].HistorySummary).to.match(/^Failed to execute action/);
        expect(existsSync(out)).to.equal(false);

        await lambda.send(
          new AddPermissionCommand({
            FunctionName: 'on-alarm',
            StatementId: 'cloudwatch',
            Action: 'lambda:InvokeFunction',
            Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
            SourceArn: alarmArn,
          }),
        );
        await cw.send(new SetAlarmStateCommand({ AlarmName: 'with-action', StateValue: 'OK', StateReason: 'reset' }));
        await cw.send(new SetAlarmStateCommand({ AlarmName: 'with-action', StateValue: 'ALARM', StateReason: 'fire', StateReasonData: '{"x":1}' }));
        await provider.alarmActionsSettled();
        const lines = await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').trim().split('\n'), 'the function to record the alarm event');
        const event = JSON.parse(lines[0]);
        expect(event).to.include({ source: 'aws.cloudwatch', alarmArn, accountId: '000000000000', region: 'us-east-1' });
        expect(event.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
        expect(event.alarmData.alarmName).to.equal('with-action');
        expect(event.alarmData.state).to.include({ value: 'ALARM', reason: 'fire', reasonData: '{"x":1}' });
        expect(event.alarmData.previousState.value).to.equal('OK');
        expect(event.alarmData.configuration.metrics[0]).to.deep.equal({
          id: 'm1',
          metricStat: { metric: { namespace: NS, name: 'with-action', dimensions: {} }, period: 60, stat: 'Average' },
          returnData: true,
        });
        const ok = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'with-action', HistoryItemType: 'Action', ScanBy: 'TimestampDescending' }));
        expect(ok.AlarmHistoryItems![0].HistorySummary).to.equal(`Successfully executed action ${fn.FunctionArn}`);

        // Disabled actions do not run.
        await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ['with-action'] }));
        expect((await alarm('with-action')).ActionsEnabled).to.equal(false);
        await cw.send(new SetAlarmStateCommand({ AlarmName: 'with-action', StateValue: 'OK', StateReason: 'quiet' }));
        await cw.send(new SetAlarmStateCommand({ AlarmName: 'with-action', StateValue: 'ALARM', StateReason: 'quiet' }));
        await provider.alarmActionsSettled();
        const after = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'with-action', HistoryItemType: 'Action' }));
        expect(after.AlarmHistoryItems).to.have.length(2);
      } finally {
        lambda.destroy();
        cleanup();
      }
    });
  });

  describe('CloudFormation', () => {
    it('creates AWS::CloudWatch::Alarm (Ref = name, GetAtt Arn) and deletes it with the stack', async () => {
      const cfn = new CloudFormationClient(cloud.clientConfig());
      try {
        const template = {
          Resources: {
            Hot: {
              Type: 'AWS::CloudWatch::Alarm',
              Properties: {
                AlarmName: 'cfn-hot',
                Namespace: NS,
                MetricName: 'cfn',
                Statistic: 'Maximum',
                Period: '60',
                EvaluationPeriods: '2',
                Threshold: '30',
                ComparisonOperator: 'GreaterThanThreshold',
                Dimensions: [{ Name: 'Sensor', Value: 's9' }],
                TreatMissingData: 'notBreaching',
              },
            },
          },
          Outputs: { Name: { Value: { Ref: 'Hot' } }, Arn: { Value: { 'Fn::GetAtt': ['Hot', 'Arn'] } } },
        };
        await cfn.send(new CreateStackCommand({ StackName: 'alarms', TemplateBody: JSON.stringify(template) }));
        const stack = await waitFor(async () => {
          const s = (await cfn.send(new DescribeStacksCommand({ StackName: 'alarms' }))).Stacks![0];
          return s.StackStatus!.endsWith('_COMPLETE') || s.StackStatus!.endsWith('FAILED') ? s : undefined;
        }, 'the stack to settle');
        expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');
        const outputs = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
        expect(outputs).to.deep.equal({ Name: 'cfn-hot', Arn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:cfn-hot' });
        expect(await alarm('cfn-hot')).to.include({ StateValue: 'OK', EvaluationPeriods: 2, Threshold: 30, Statistic: 'Maximum' });

        await cfn.send(new DeleteStackCommand({ StackName: 'alarms' }));
        await waitFor(async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['cfn-hot'] }))).MetricAlarms!.length === 0, 'the alarm to be deleted');
      } finally {
        cfn.destroy();
      }
    });
  });
});

describe('CloudWatch alarms persistence', () => {
  it('keeps alarms, their state and history across a restart with the same state directory', async () => {
    const { dir, cleanup } = tempDir('alarms-state-');
    try {
      let cloud = await startTestCloud({ stateDir: dir });
      let cw = new CloudWatchClient(cloud.clientConfig());
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'kept', Namespace: NS, MetricName: 'kept', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching',
        }),
      );
      cw.destroy();
      await cloud.stop();
      cloud = await startTestCloud({ stateDir: dir });
      cw = new CloudWatchClient(cloud.clientConfig());
      try {
        const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['kept'] }));
        expect(out.MetricAlarms![0].StateValue).to.equal('ALARM');
        const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'kept' }));
        expect(history.AlarmHistoryItems!.map((i) => i.HistoryItemType)).to.include.members(['ConfigurationUpdate', 'StateUpdate']);
      } finally {
        cw.destroy();
        await cloud.stop();
      }
    } finally {
      cleanup();
    }
  });
});
