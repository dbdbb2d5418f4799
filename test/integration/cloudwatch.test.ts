import { appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
  type MetricDatum,
} from '@aws-sdk/client-cloudwatch';
import { Sha256 } from '../support/sign.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';

const MINUTE = 60_000;

/** A minute boundary an hour ago: every test's datapoints sit in known buckets after it. */
function baseTime(): number {
  return Math.floor((Date.now() - 3600_000) / MINUTE) * MINUTE;
}

/** CloudWatch answers its client errors with 400 unless a test says otherwise; the error's query-protocol fields are read too. */
const expectError = (promise: Promise<unknown>, name: string, status = 400): Promise<any> => expectAwsError(promise, name, status);

describe('CloudWatch metrics', function () {
  let cloud: TestCloud;
  let cw: CloudWatchClient;

  before(async () => {
    cloud = await startTestCloud();
    cw = new CloudWatchClient(cloud.clientConfig());
  });
  after(async () => {
    cw?.destroy();
    await cloud?.stop();
  });

  describe('PutMetricData + GetMetricStatistics (JSON 1.0)', () => {
    it('computes SampleCount, Average, Sum, Minimum and Maximum per Period bucket', async () => {
      const t0 = baseTime();
      const at = (ms: number, Value: number): MetricDatum => ({ MetricName: 'Temp', Value, Timestamp: new Date(t0 + ms), Unit: 'Count' });
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'Stats',
          MetricData: [at(0, 1), at(10_000, 2), at(20_000, 3), at(30_000, 4), at(59_999, 5), at(MINUTE, 10), at(MINUTE + 30_000, 20)],
        }),
      );
      const out = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Stats',
          MetricName: 'Temp',
          StartTime: new Date(t0),
          EndTime: new Date(t0 + 5 * MINUTE),
          Period: 60,
          Statistics: ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'],
        }),
      );
      expect(out.Label).to.equal('Temp');
      expect(out.Datapoints).to.have.length(2);
      const [first, second] = out.Datapoints!;
      expect(first.Timestamp!.getTime()).to.equal(t0);
      expect(first).to.include({ SampleCount: 5, Average: 3, Sum: 15, Minimum: 1, Maximum: 5, Unit: 'Count' });
      expect(second.Timestamp!.getTime()).to.equal(t0 + MINUTE);
      expect(second).to.include({ SampleCount: 2, Average: 15, Sum: 30, Minimum: 10, Maximum: 20 });

      const wide = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Stats',
          MetricName: 'Temp',
          StartTime: new Date(t0),
          EndTime: new Date(t0 + 5 * MINUTE),
          Period: 300,
          Statistics: ['Sum', 'SampleCount'],
        }),
      );
      expect(wide.Datapoints).to.deep.equal([{ Timestamp: new Date(t0), Sum: 45, SampleCount: 7, Unit: 'Count' }]);
    });

    it('aggregates Values/Counts and StatisticValues, and answers percentiles', async () => {
      const t0 = baseTime();
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'Stats',
          MetricData: [
            { MetricName: 'Mixed', Values: [1, 2, 3], Counts: [1, 1, 2], Timestamp: new Date(t0) },
            { MetricName: 'Mixed', StatisticValues: { SampleCount: 10, Sum: 100, Minimum: 5, Maximum: 20 }, Timestamp: new Date(t0 + 1000) },
          ],
        }),
      );
      const out = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Stats',
          MetricName: 'Mixed',
          StartTime: new Date(t0),
          EndTime: new Date(t0 + MINUTE),
          Period: 60,
          Statistics: ['SampleCount', 'Sum', 'Minimum', 'Maximum', 'Average'],
        }),
      );
      expect(out.Datapoints![0]).to.include({ SampleCount: 14, Sum: 109, Minimum: 1, Maximum: 20, Unit: 'None' });
      expect(out.Datapoints![0].Average).to.be.closeTo(109 / 14, 1e-9);

      const values = Array.from({ length: 100 }, (_, i) => i + 1);
      await cw.send(new PutMetricDataCommand({ Namespace: 'Stats', MetricData: [{ MetricName: 'Latency', Values: values, Timestamp: new Date(t0) }] }));
      const pct = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Stats',
          MetricName: 'Latency',
          StartTime: new Date(t0),
          EndTime: new Date(t0 + MINUTE),
          Period: 60,
          ExtendedStatistics: ['p50', 'p90', 'p99.9', 'p100'],
        }),
      );
      expect(pct.Datapoints![0].ExtendedStatistics).to.deep.equal({ p50: 50, p90: 90, 'p99.9': 100, p100: 100 });
    });

    it('matches dimensions exactly (order-insensitive) and filters by Unit', async () => {
      const t0 = baseTime();
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'Dims',
          MetricData: [
            { MetricName: 'M', Dimensions: [{ Name: 'A', Value: '1' }], Value: 1, Timestamp: new Date(t0) },
            { MetricName: 'M', Dimensions: [{ Name: 'B', Value: '2' }, { Name: 'A', Value: '1' }], Value: 100, Timestamp: new Date(t0) },
            { MetricName: 'M', Value: 1000, Timestamp: new Date(t0), Unit: 'Seconds' },
            { MetricName: 'M', Value: 2000, Timestamp: new Date(t0), Unit: 'Milliseconds' },
          ],
        }),
      );
      const sum = async (Dimensions?: { Name: string; Value: string }[], Unit?: 'Seconds') =>
        (
          await cw.send(
            new GetMetricStatisticsCommand({
              Namespace: 'Dims',
              MetricName: 'M',
              Dimensions,
              Unit,
              StartTime: new Date(t0),
              EndTime: new Date(t0 + MINUTE),
              Period: 60,
              Statistics: ['Sum'],
            }),
          )
        ).Datapoints!.map((d) => [d.Sum, d.Unit]);
      expect(await sum([{ Name: 'A', Value: '1' }])).to.deep.equal([[1, 'None']]);
      expect(await sum([{ Name: 'A', Value: '1' }, { Name: 'B', Value: '2' }])).to.deep.equal([[100, 'None']]);
      expect(await sum([{ Name: 'A', Value: '2' }])).to.deep.equal([]);
      // Without a Unit filter, each unit is its own datapoint.
      expect(await sum()).to.have.deep.members([[1000, 'Seconds'], [2000, 'Milliseconds']]);
      expect(await sum(undefined, 'Seconds')).to.deep.equal([[1000, 'Seconds']]);
    });

    it('defaults Timestamp to now and accepts a 1000-datum batch (gzip-compressed by the SDK)', async () => {
      const data: MetricDatum[] = Array.from({ length: 1000 }, (_, i) => ({
        MetricName: 'Bulk',
        Dimensions: [{ Name: 'Sensor', Value: `sensor-${i % 10}` }],
        Value: i,
        StorageResolution: i % 2 ? 1 : 60,
      }));
      await cw.send(new PutMetricDataCommand({ Namespace: 'Bulk', MetricData: data }));
      const listed = await cw.send(new ListMetricsCommand({ Namespace: 'Bulk' }));
      expect(listed.Metrics).to.have.length(10);
      const out = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Bulk',
          MetricName: 'Bulk',
          Dimensions: [{ Name: 'Sensor', Value: 'sensor-3' }],
          StartTime: new Date(Date.now() - 5 * MINUTE),
          EndTime: new Date(Date.now() + MINUTE),
          Period: 3600,
          Statistics: ['SampleCount'],
        }),
      );
      expect(out.Datapoints!.reduce((n, d) => n + d.SampleCount!, 0)).to.equal(100);
    });

    it('rejects bad input with the errors CloudWatch names', async () => {
      const put = (Namespace: any, MetricData: any) => cw.send(new PutMetricDataCommand({ Namespace, MetricData }));
      const e1 = await expectError(put('AWS/EC2', [{ MetricName: 'x', Value: 1 }]), 'InvalidParameterValueException');
      expect(e1.Code ?? e1.Error?.Code).to.equal('InvalidParameterValue');
      await expectError(put(undefined, [{ MetricName: 'x', Value: 1 }]), 'MissingRequiredParameterException');
      await expectError(put('ns', [{ MetricName: 'x', Value: 1, Values: [1] }]), 'InvalidParameterCombinationException');
      await expectError(put('ns', [{ MetricName: 'x', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }]), 'InvalidParameterCombinationException');
      await expectError(put('ns', [{ MetricName: 'x' }]), 'InvalidParameterCombinationException');
      await expectError(put('ns', [{ MetricName: 'x', Values: [1, 2], Counts: [1] }]), 'InvalidParameterValueException');
      await expectError(put('ns', [{ MetricName: 'x', Value: NaN }]), 'InvalidParameterValueException');
      await expectError(put('ns', [{ MetricName: 'x', Value: Infinity }]), 'InvalidParameterValueException');
      await expectError(put('ns', [{ MetricName: 'x', Value: 1, Unit: 'Parsecs' }]), 'InvalidParameterValueException');
      await expectError(put('ns', Array.from({ length: 1001 }, () => ({ MetricName: 'x', Value: 1 }))), 'InvalidParameterValueException');
      const dims = Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' }));
      await expectError(put('ns', [{ MetricName: 'x', Value: 1, Dimensions: dims }]), 'InvalidParameterValueException');
      await expectError(put('ns', [{ MetricName: 'x', Value: 1, Timestamp: new Date(Date.now() - 20 * 86400_000) }]), 'InvalidParameterValueException');

      const stats = (extra: object) =>
        cw.send(new GetMetricStatisticsCommand({ Namespace: 'ns', MetricName: 'x', StartTime: new Date(Date.now() - 3600_000), EndTime: new Date(), Period: 60, ...extra }));
      await expectError(stats({}), 'InvalidParameterCombinationException');
      await expectError(stats({ Statistics: ['Median'] }), 'InvalidParameterValueException');
      await expectError(stats({ Statistics: ['Sum'], Period: 61 }), 'InvalidParameterValueException');
      await expectError(stats({ Statistics: ['Sum'], Period: 1, StartTime: new Date(Date.now() - 86400_000) }), 'InvalidParameterCombinationException');
      await expectError(stats({ Statistics: ['Sum'], StartTime: new Date(), EndTime: new Date(Date.now() - 1000) }), 'InvalidParameterValueException');
    });
  });

  describe('GetMetricData', () => {
    let t0: number;
    before(async () => {
      t0 = baseTime();
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'Sensor',
          MetricData: [0, 1, 2].flatMap((minute) => [
            { MetricName: 'SensorValue', Dimensions: [{ Name: 'SensorId', Value: 's1' }], Value: minute * 10 + 1, Timestamp: new Date(t0 + minute * MINUTE) },
            { MetricName: 'SensorValue', Dimensions: [{ Name: 'SensorId', Value: 's1' }], Value: minute * 10 + 3, Timestamp: new Date(t0 + minute * MINUTE + 5000) },
          ]),
        }),
      );
    });

    const metric = { Namespace: 'Sensor', MetricName: 'SensorValue', Dimensions: [{ Name: 'SensorId', Value: 's1' }] };

    it('returns values per period, newest first by default, with labels and status', async () => {
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(t0),
          EndTime: new Date(t0 + 10 * MINUTE),
          MetricDataQueries: [
            { Id: 'avg', MetricStat: { Metric: metric, Period: 60, Stat: 'Average' } },
            { Id: 'total', Label: 'Total', MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' } },
            { Id: 'hidden', ReturnData: false, MetricStat: { Metric: metric, Period: 60, Stat: 'Maximum' } },
          ],
        }),
      );
      expect(out.MetricDataResults!.map((r) => r.Id)).to.deep.equal(['avg', 'total']);
      const [avg, total] = out.MetricDataResults!;
      expect(avg.Label).to.equal('SensorValue');
      expect(avg.StatusCode).to.equal('Complete');
      expect(avg.Timestamps!.map((d) => d.getTime())).to.deep.equal([t0 + 2 * MINUTE, t0 + MINUTE, t0]);
      expect(avg.Values).to.deep.equal([22, 12, 2]);
      expect(total.Label).to.equal('Total');
      expect(total.Values).to.deep.equal([44, 24, 4]);
      expect(out.NextToken).to.equal(undefined);
    });

    it('honours ScanBy, percentiles and MaxDatapoints/NextToken', async () => {
      const query = (extra: object) =>
        cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(t0),
            EndTime: new Date(t0 + 10 * MINUTE),
            ScanBy: 'TimestampAscending',
            MetricDataQueries: [{ Id: 'p', MetricStat: { Metric: metric, Period: 60, Stat: 'p100' } }],
            ...extra,
          }),
        );
      const all = await query({});
      expect(all.MetricDataResults![0].Values).to.deep.equal([3, 13, 23]);
      const page1 = await query({ MaxDatapoints: 2 });
      expect(page1.MetricDataResults![0].Values).to.deep.equal([3, 13]);
      expect(page1.MetricDataResults![0].StatusCode).to.equal('PartialData');
      expect(page1.NextToken).to.be.a('string');
      const page2 = await query({ MaxDatapoints: 2, NextToken: page1.NextToken });
      expect(page2.MetricDataResults![0].Values).to.deep.equal([23]);
      expect(page2.MetricDataResults![0].StatusCode).to.equal('Complete');
      expect(page2.NextToken).to.equal(undefined);
    });

    it('answers metric math with a clear not-supported error, and validates queries', async () => {
      const run = (MetricDataQueries: any[]) =>
        cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + MINUTE), MetricDataQueries }));
      const err = await expectError(run([{ Id: 'e1', Expression: 'SUM(METRICS())' }]), 'ValidationException');
      expect(err.message).to.match(/not supported by localcloud/);
      await expectError(run([{ Id: 'Bad', MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' } }]), 'ValidationException');
      await expectError(run([{ Id: 'a', MetricStat: { Metric: metric, Period: 60, Stat: 'Mean' } }]), 'ValidationException');
      await expectError(
        run([
          { Id: 'a', MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' } },
          { Id: 'a', MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' } },
        ]),
        'ValidationException',
      );
      await expectError(
        cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(t0),
            EndTime: new Date(t0 + MINUTE),
            NextToken: 'not-a-token',
            MetricDataQueries: [{ Id: 'a', MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' } }],
          }),
        ),
        'InvalidNextToken',
      );
    });
  });

  describe('ListMetrics', () => {
    it('filters by namespace, name and dimensions', async () => {
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'List',
          MetricData: [
            { MetricName: 'a', Value: 1, Dimensions: [{ Name: 'Env', Value: 'prod' }] },
            { MetricName: 'a', Value: 1, Dimensions: [{ Name: 'Env', Value: 'dev' }] },
            { MetricName: 'b', Value: 1, Dimensions: [{ Name: 'Host', Value: 'h1' }] },
            { MetricName: 'c', Value: 1 },
          ],
        }),
      );
      const names = async (input: object) =>
        ((await cw.send(new ListMetricsCommand({ Namespace: 'List', ...input }))).Metrics ?? []).map((m) => `${m.MetricName}:${(m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',')}`);
      expect(await names({})).to.have.members(['a:Env=prod', 'a:Env=dev', 'b:Host=h1', 'c:']);
      expect(await names({ MetricName: 'a' })).to.have.members(['a:Env=prod', 'a:Env=dev']);
      expect(await names({ Dimensions: [{ Name: 'Env' }] })).to.have.members(['a:Env=prod', 'a:Env=dev']);
      expect(await names({ Dimensions: [{ Name: 'Env', Value: 'dev' }] })).to.deep.equal(['a:Env=dev']);
      expect(await names({ RecentlyActive: 'PT3H' })).to.have.length(4);
      expect(await names({ Namespace: 'Nope' })).to.deep.equal([]);
    });
  });

  describe('query protocol (AWS CLI, older SDKs)', () => {
    const form = (params: Record<string, string>) => new URLSearchParams({ Version: '2010-08-01', ...params }).toString();

    async function signedPost(body: string): Promise<Response> {
      const url = new URL(cloud.url);
      const signer = new SignatureV4({ service: 'monitoring', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: Sha256 });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      });
      return fetch(cloud.url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    }

    it('PutMetricData and GetMetricStatistics over signed form POSTs, readable by the JSON client', async () => {
      const t0 = baseTime();
      const iso = (ms: number) => new Date(ms).toISOString();
      const put = await signedPost(
        form({
          Action: 'PutMetricData',
          Namespace: 'Query',
          'MetricData.member.1.MetricName': 'Q',
          'MetricData.member.1.Value': '4',
          'MetricData.member.1.Timestamp': iso(t0),
          'MetricData.member.1.Dimensions.member.1.Name': 'SensorId',
          'MetricData.member.1.Dimensions.member.1.Value': 'q1',
          'MetricData.member.2.MetricName': 'Q',
          'MetricData.member.2.Values.member.1': '1',
          'MetricData.member.2.Values.member.2': '7',
          'MetricData.member.2.Counts.member.1': '1',
          'MetricData.member.2.Counts.member.2': '2',
          'MetricData.member.2.Timestamp': iso(t0 + 1000),
          'MetricData.member.2.Dimensions.member.1.Name': 'SensorId',
          'MetricData.member.2.Dimensions.member.1.Value': 'q1',
        }),
      );
      const putXml = await put.text();
      expect(put.status, putXml).to.equal(200);
      expect(putXml).to.contain('<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">');

      const stats = await signedPost(
        form({
          Action: 'GetMetricStatistics',
          Namespace: 'Query',
          MetricName: 'Q',
          'Dimensions.member.1.Name': 'SensorId',
          'Dimensions.member.1.Value': 'q1',
          StartTime: iso(t0),
          EndTime: iso(t0 + MINUTE),
          Period: '60',
          'Statistics.member.1': 'Sum',
          'Statistics.member.2': 'SampleCount',
          'ExtendedStatistics.member.1': 'p50',
        }),
      );
      const xml = await stats.text();
      expect(stats.status, xml).to.equal(400); // Statistics and ExtendedStatistics together are not allowed
      expect(xml).to.contain('<Code>InvalidParameterCombination</Code>');

      const ok = await signedPost(
        form({
          Action: 'GetMetricStatistics',
          Namespace: 'Query',
          MetricName: 'Q',
          'Dimensions.member.1.Name': 'SensorId',
          'Dimensions.member.1.Value': 'q1',
          StartTime: iso(t0),
          EndTime: iso(t0 + MINUTE),
          Period: '60',
          'ExtendedStatistics.member.1': 'p50',
        }),
      );
      const okXml = await ok.text();
      expect(ok.status, okXml).to.equal(200);
      expect(okXml).to.contain(`<Timestamp>${iso(t0)}</Timestamp>`);
      expect(okXml).to.contain('<ExtendedStatistics><entry><key>p50</key><value>4</value></entry></ExtendedStatistics>');

      const json = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Query',
          MetricName: 'Q',
          Dimensions: [{ Name: 'SensorId', Value: 'q1' }],
          StartTime: new Date(t0),
          EndTime: new Date(t0 + MINUTE),
          Period: 60,
          Statistics: ['Sum', 'SampleCount'],
        }),
      );
      expect(json.Datapoints![0]).to.include({ Sum: 19, SampleCount: 4 });
    });

    it('routes unsigned form POSTs by Action, refusing them with MissingAuthenticationToken as AWS does', async () => {
      const res = await fetch(cloud.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ Action: 'ListMetrics', Namespace: 'Query' }),
      });
      const xml = await res.text();
      expect(res.status).to.equal(403);
      expect(xml).to.contain('<Code>MissingAuthenticationToken</Code>');
      expect(xml).to.contain('<Type>Sender</Type>');
    });

    it('answers signed form POSTs with XML errors', async () => {
      const res = await signedPost(form({ Action: 'PutMetricData', Namespace: 'AWS/Lambda', 'MetricData.member.1.MetricName': 'x', 'MetricData.member.1.Value': '1' }));
      const xml = await res.text();
      expect(res.status).to.equal(400);
      expect(xml).to.contain('<Code>InvalidParameterValue</Code>');
      expect(xml).to.contain('<Type>Sender</Type>');

      const list = await signedPost(form({ Action: 'ListMetrics', Namespace: 'Query' }));
      const listXml = await list.text();
      expect(list.status, listXml).to.equal(200);
      expect(listXml).to.match(/<ListMetricsResult><Metrics><member><Namespace>Query<\/Namespace><MetricName>Q<\/MetricName><Dimensions><member><Name>SensorId<\/Name><Value>q1<\/Value><\/member><\/Dimensions><\/member><\/Metrics><\/ListMetricsResult>/);
    });
  });
});

describe('CloudWatch metrics persistence', function () {
  it('reloads datapoints from <stateDir>/cloudwatch after a restart, skipping a torn last line', async () => {
    const state = tempDir();
    const t0 = baseTime();
    try {
      let cloud = await startTestCloud({ stateDir: state.dir });
      let cw = new CloudWatchClient(cloud.clientConfig('eu-west-1'));
      await cw.send(new PutMetricDataCommand({ Namespace: 'Persist', MetricData: [{ MetricName: 'P', Value: 2, Timestamp: new Date(t0) }] }));
      await cw.send(new PutMetricDataCommand({ Namespace: 'Persist', MetricData: [{ MetricName: 'P', Values: [3, 5], Timestamp: new Date(t0 + 1000) }] }));
      cw.destroy();
      await cloud.stop();

      // A crash in the middle of an append leaves half a line behind.
      const accountDir = path.join(state.dir, 'cloudwatch', '000000000000');
      expect(readdirSync(accountDir)).to.deep.equal(['eu-west-1.jsonl']);
      appendFileSync(path.join(accountDir, 'eu-west-1.jsonl'), '{"n":"Persist","m":"P","d":[],"t":');

      cloud = await startTestCloud({ stateDir: state.dir });
      cw = new CloudWatchClient(cloud.clientConfig('eu-west-1'));
      await cw.send(new PutMetricDataCommand({ Namespace: 'Persist', MetricData: [{ MetricName: 'P', Value: 10, Timestamp: new Date(t0 + 2000) }] }));
      const stats = await cw.send(
        new GetMetricStatisticsCommand({ Namespace: 'Persist', MetricName: 'P', StartTime: new Date(t0), EndTime: new Date(t0 + MINUTE), Period: 60, Statistics: ['Sum', 'SampleCount', 'Maximum'] }),
      );
      expect(stats.Datapoints![0]).to.include({ Sum: 20, SampleCount: 4, Maximum: 10 });
      const other = new CloudWatchClient(cloud.clientConfig('us-east-1'));
      expect((await other.send(new ListMetricsCommand({ Namespace: 'Persist' }))).Metrics).to.deep.equal([]);
      other.destroy();
      cw.destroy();
      await cloud.stop();

      cloud = await startTestCloud({ stateDir: state.dir });
      cw = new CloudWatchClient(cloud.clientConfig('eu-west-1'));
      const again = await cw.send(
        new GetMetricStatisticsCommand({ Namespace: 'Persist', MetricName: 'P', StartTime: new Date(t0), EndTime: new Date(t0 + MINUTE), Period: 60, Statistics: ['Sum'] }),
      );
      expect(again.Datapoints![0].Sum).to.equal(20);
      cw.destroy();
      await cloud.stop();
    } finally {
      state.cleanup();
    }
  });
});
