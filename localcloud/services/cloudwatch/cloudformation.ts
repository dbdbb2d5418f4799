/**
 * AWS::CloudWatch::Alarm, provisioned through the CloudWatch API like any
 * client would: Ref is the alarm name, GetAtt Arn its ARN.
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type MetricDataQuery,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { ignoreNotFound, removedTagKeys, tagMap, toNumber, type Properties, type ResourceProvider, type ResourceRequest } from '../cloudformation/provider.js';

const alarmArn = (request: ResourceRequest, name: string) => `arn:aws:cloudwatch:${request.stack.region}:${request.stack.accountId}:alarm:${name}`;

const toBoolean = (value: unknown): boolean | undefined => (value === undefined ? undefined : value === true || value === 'true');

/** Template values arrive as strings where the API wants numbers and booleans. */
function alarmInput(name: string, p: Properties): PutMetricAlarmCommandInput {
  const metrics = Array.isArray(p.Metrics)
    ? p.Metrics.map(
        (m: any): MetricDataQuery => ({
          ...m,
          ...(m.ReturnData !== undefined ? { ReturnData: toBoolean(m.ReturnData) } : {}),
          ...(m.Period !== undefined ? { Period: toNumber(m.Period) } : {}),
          ...(m.MetricStat ? { MetricStat: { ...m.MetricStat, Period: toNumber(m.MetricStat.Period) } } : {}),
        }),
      )
    : undefined;
  return {
    AlarmName: name,
    AlarmDescription: p.AlarmDescription,
    ActionsEnabled: toBoolean(p.ActionsEnabled),
    AlarmActions: p.AlarmActions,
    OKActions: p.OKActions,
    InsufficientDataActions: p.InsufficientDataActions,
    ComparisonOperator: p.ComparisonOperator,
    DatapointsToAlarm: toNumber(p.DatapointsToAlarm),
    Dimensions: p.Dimensions,
    EvaluateLowSampleCountPercentile: p.EvaluateLowSampleCountPercentile,
    EvaluationPeriods: toNumber(p.EvaluationPeriods),
    ExtendedStatistic: p.ExtendedStatistic,
    MetricName: p.MetricName,
    Metrics: metrics,
    Namespace: p.Namespace,
    Period: toNumber(p.Period),
    Statistic: p.Statistic,
    Threshold: toNumber(p.Threshold),
    ThresholdMetricId: p.ThresholdMetricId,
    TreatMissingData: p.TreatMissingData,
    Unit: p.Unit,
  };
}

const tagList = (tags: unknown) => Object.entries(tagMap(tags)).map(([Key, Value]) => ({ Key, Value }));

const alarm: ResourceProvider = {
  type: 'AWS::CloudWatch::Alarm',
  attributes: ['Arn'],
  nameProperty: 'AlarmName',
  replaceOnChange: ['AlarmName'],
  async create(request) {
    const name = (request.properties.AlarmName as string | undefined) ?? request.physicalName({ maxLength: 255 });
    const tags = tagList(request.properties.Tags);
    await request.client(CloudWatchClient).send(
      new PutMetricAlarmCommand({ ...alarmInput(name, request.properties), ...(tags.length > 0 ? { Tags: tags } : {}) }),
    );
    return { physicalId: name, attributes: { Arn: alarmArn(request, name) } };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: name } = request;
    const cw = request.client(CloudWatchClient);
    await cw.send(new PutMetricAlarmCommand(alarmInput(name, p)));
    // PutMetricAlarm ignores Tags on an existing alarm: tags change through the tagging API.
    const arn = alarmArn(request, name);
    const removed = removedTagKeys(p.Tags, old.Tags);
    if (removed.length > 0) await cw.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: removed }));
    const tags = tagList(p.Tags);
    if (tags.length > 0) await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: tags }));
    return { physicalId: name, attributes: { Arn: arn } };
  },
  async delete(request) {
    await request.client(CloudWatchClient).send(new DeleteAlarmsCommand({ AlarmNames: [request.physicalId] })).catch(ignoreNotFound);
  },
};

export const resourceProviders: ResourceProvider[] = [alarm];
