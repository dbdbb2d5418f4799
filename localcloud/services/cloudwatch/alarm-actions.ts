import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { StateValue } from '@aws-sdk/client-cloudwatch';
import type { Principal } from '../../auth/types.js';
import type { CloudContext } from '../../core/types.js';
import { isoWithOffset } from './alarm-evaluation.js';
import type { AlarmRecord } from './alarm-model.js';
import type { HistoryItem } from './alarm-store.js';
import { regionName } from './region-names.js';
import { validationError } from './errors.js';

/** The service principal CloudWatch invokes Lambda actions as; function policies must allow it. */
export const ALARMS_LAMBDA_PRINCIPAL = 'lambda.alarms.cloudwatch.amazonaws.com';

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:[a-zA-Z0-9_-]{1,64}(:[a-zA-Z0-9_$-]+)?$/;
const SNS_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[a-zA-Z0-9_.-]{1,256}$/;

export interface StateChange {
  previous: AlarmRecord['state'];
  current: AlarmRecord['state'];
}

/**
 * Alarm actions: which ones localcloud can run (checked at PutMetricAlarm,
 * so none is accepted and then silently dropped) and running them on a
 * state change. Deliveries go through the target's public API, as any
 * client's would, after checking the target's resource policy for
 * CloudWatch's service principal where AWS does (Lambda function policies).
 */
export class AlarmActions {
  constructor(private readonly ctx: CloudContext) {}

  /** Refuses actions localcloud cannot run, naming why. */
  validate(arns: string[], parameter: string, accountId: string, region: string): void {
    arns.forEach((arn, i) => {
      const at = `${parameter}.member.${i + 1}`;
      const service = arn.split(':')[2] ?? '';
      if (LAMBDA_ARN.test(arn)) {
        this.requireServed('lambda', 'Lambda', at, arn);
        this.requireSameScope(arn, at, accountId, region);
      } else if (SNS_ARN.test(arn)) {
        this.requireServed('sns', 'SNS', at, arn);
        this.requireSameScope(arn, at, accountId, region);
      } else if (arn.startsWith('arn:') && service) {
        throw validationError(`Invalid ${at} ${arn}: ${service} actions are not served by localcloud; alarm actions may be Lambda functions or SNS topics.`);
      } else {
        throw validationError(`Invalid arn syntax: ${arn}`);
      }
    });
  }

  /** Runs the actions for the state the alarm entered; returns the Action history items. */
  async run(alarm: AlarmRecord, accountId: string, region: string, change: StateChange): Promise<HistoryItem[]> {
    if (!alarm.actionsEnabled) return [];
    const arns =
      change.current.value === 'ALARM' ? alarm.alarmActions : change.current.value === 'OK' ? alarm.okActions : alarm.insufficientDataActions;
    const items: HistoryItem[] = [];
    for (const arn of arns) {
      let error: string | undefined;
      try {
        if (LAMBDA_ARN.test(arn)) await this.invokeLambda(arn, alarm, accountId, region, change);
        else await this.publishSns(arn, alarm, accountId, region, change);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        this.ctx.log(`cloudwatch: alarm ${alarm.name}: action ${arn} failed: ${error}`);
      }
      const now = Date.now();
      items.push({
        alarmName: alarm.name,
        timestamp: now,
        type: 'Action',
        summary: error ? `Failed to execute action ${arn}. Received error: "${error}"` : `Successfully executed action ${arn}`,
        data: JSON.stringify({
          actionState: error ? 'Failed' : 'Succeeded',
          stateUpdateTimestamp: change.current.updated,
          notificationResource: arn,
          ...(error ? { error } : {}),
        }),
      });
    }
    return items;
  }

  private async invokeLambda(functionArn: string, alarm: AlarmRecord, accountId: string, region: string, change: StateChange): Promise<void> {
    const principal: Principal = { kind: 'service', service: ALARMS_LAMBDA_PRINCIPAL, arn: ALARMS_LAMBDA_PRINCIPAL };
    // AWS checks the function policy for CloudWatch's principal (with the alarm as aws:SourceArn), then invokes asynchronously.
    await this.ctx.trust?.authorizer.check(
      principal,
      'lambda',
      { action: 'lambda:InvokeFunction', resource: functionArn, context: { 'aws:SourceArn': alarm.arn, 'aws:SourceAccount': accountId } },
      { region: functionArn.split(':')[3] ?? region },
    );
    const [, , , fnRegion, fnAccount] = functionArn.split(':');
    const lambda = new LambdaClient(this.ctx.clientConfig(fnRegion, fnAccount));
    try {
      await lambda.send(
        new InvokeCommand({
          FunctionName: functionArn,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(lambdaEvent(alarm, accountId, region, change))),
        }),
      );
    } finally {
      lambda.destroy();
    }
  }

  private async publishSns(topicArn: string, alarm: AlarmRecord, accountId: string, region: string, change: StateChange): Promise<void> {
    if (!this.ctx.service('sns')) throw new Error('SNS is not served by this localcloud');
    const [, , , topicRegion, topicAccount] = topicArn.split(':');
    const sns = new SNSClient(this.ctx.clientConfig(topicRegion, topicAccount));
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: `${change.current.value}: "${alarm.name}" in ${region}`.slice(0, 100),
          Message: JSON.stringify(snsMessage(alarm, accountId, region, change)),
        }),
      );
    } finally {
      sns.destroy();
    }
  }

  private requireServed(service: string, label: string, at: string, arn: string): void {
    if (!this.ctx.service(service)) {
      throw validationError(`Invalid ${at} ${arn}: ${label} is not served by this localcloud, so the action could never run.`);
    }
  }

  private requireSameScope(arn: string, at: string, accountId: string, region: string): void {
    const [, , , arnRegion, arnAccount] = arn.split(':');
    if (arnRegion !== region) throw validationError(`Invalid region ${arnRegion} specified in ${at}. Only actions in ${region} are supported.`);
    if (arnAccount !== accountId) throw validationError(`Invalid ${at} ${arn}: cross-account alarm actions are not served by localcloud.`);
  }
}

/** The event a Lambda alarm action receives, in AWS's shape. */
export function lambdaEvent(alarm: AlarmRecord, accountId: string, region: string, change: StateChange) {
  const w = alarm.watched;
  const state = (s: AlarmRecord['state']) => ({
    value: s.value as StateValue,
    reason: s.reason,
    ...(s.reasonData !== undefined ? { reasonData: s.reasonData } : {}),
    timestamp: isoWithOffset(s.updated),
  });
  return {
    source: 'aws.cloudwatch',
    alarmArn: alarm.arn,
    accountId,
    time: isoWithOffset(change.current.updated),
    region,
    alarmData: {
      alarmName: alarm.name,
      state: state(change.current),
      previousState: state(change.previous),
      configuration: {
        ...(alarm.description !== undefined ? { description: alarm.description } : {}),
        metrics: [
          {
            id: alarm.metrics?.[0]?.Id ?? 'm1',
            metricStat: {
              metric: {
                namespace: w.namespace,
                name: w.metricName,
                dimensions: Object.fromEntries(w.dimensions.map((d) => [d.Name, d.Value])),
              },
              period: w.period,
              stat: w.stat,
              ...(w.unit ? { unit: w.unit } : {}),
            },
            returnData: true,
          },
        ],
      },
    },
  };
}

/** The JSON message an SNS alarm action publishes, in AWS's shape. */
function snsMessage(alarm: AlarmRecord, accountId: string, region: string, change: StateChange) {
  const w = alarm.watched;
  return {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description ?? null,
    AWSAccountId: accountId,
    AlarmConfigurationUpdatedTimestamp: isoWithOffset(alarm.configurationUpdated),
    NewStateValue: change.current.value,
    NewStateReason: change.current.reason,
    StateChangeTime: isoWithOffset(change.current.updated),
    Region: regionName(region),
    AlarmArn: alarm.arn,
    OldStateValue: change.previous.value,
    OKActions: alarm.okActions,
    AlarmActions: alarm.alarmActions,
    InsufficientDataActions: alarm.insufficientDataActions,
    Trigger: {
      MetricName: w.metricName,
      Namespace: w.namespace,
      StatisticType: w.extended ? 'ExtendedStatistic' : 'Statistic',
      ...(w.extended ? { ExtendedStatistic: w.stat } : { Statistic: w.stat.toUpperCase() }),
      Unit: w.unit ?? null,
      Dimensions: w.dimensions.map((d) => ({ value: d.Value, name: d.Name })),
      Period: w.period,
      EvaluationPeriods: alarm.evaluationPeriods,
      DatapointsToAlarm: alarm.datapointsToAlarm ?? alarm.evaluationPeriods,
      ComparisonOperator: alarm.comparisonOperator,
      Threshold: alarm.threshold,
      TreatMissingData: alarm.treatMissingData ?? 'missing',
      EvaluateLowSampleCountPercentile: alarm.evaluateLowSampleCountPercentile ?? '',
    },
  };
}
