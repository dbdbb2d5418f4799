import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AwsError } from '../../core/errors.js';
import type { CloudContext, ServiceProvider, ServiceRequest } from '../../core/types.js';
import { jsonError, jsonProtocol } from '../../protocols/json.js';
import { queryError, queryProtocol } from '../../protocols/query.js';
import { xmlMap } from '../../protocols/xml.js';
import { AlarmActions } from './alarm-actions.js';
import { AlarmOperations } from './alarm-operations.js';
import { AlarmStore } from './alarm-store.js';
import { JSON_ERROR_TYPES } from './errors.js';
import { MetricStore, type NewSample } from './metric-store.js';
export type { NewSample } from './metric-store.js';
import { CloudWatchOperations } from './operations.js';

const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const TARGET_PREFIX = 'GraniteServiceVersion20100801';
const PRUNE_INTERVAL_MS = 3600 * 1000;
/** CloudWatch evaluates alarms once a minute; LOCALCLOUD_ALARM_EVALUATION_SECONDS changes that here. */
const DEFAULT_ALARM_EVALUATION_SECONDS = 60;

export interface CloudWatchProvider extends ServiceProvider {
  /** The metrics state model, for in-process readers (tests, the harness). */
  readonly metrics: MetricStore;
  /** How often every alarm is evaluated (alarms on a metric are also evaluated as its datapoints arrive). */
  setAlarmEvaluationInterval(seconds: number): void;
  /** Resolves once the alarm actions started so far have been delivered (or failed). */
  alarmActionsSettled(): Promise<void>;
  /**
   * Stores datapoints another service emits in its `AWS/<service>` namespace
   * (which PutMetricData refuses to callers), as CloudWatch receives AWS's own
   * metrics; alarms on them evaluate at once.
   */
  publish(accountId: string, region: string, namespace: string, samples: NewSample[]): void;
}

/**
 * CloudWatch metrics. Current SDKs speak AWS JSON 1.0 in "query-compatible"
 * mode (`X-Amz-Target: GraniteServiceVersion20100801.PutMetricData`); the AWS
 * CLI and older SDKs speak the query protocol (`Action=PutMetricData`). Both
 * reach the same operations.
 */
export function createCloudWatchService(ctx: CloudContext): CloudWatchProvider {
  const store = new MetricStore(ctx.stateDir ? path.join(ctx.stateDir, 'cloudwatch') : undefined);
  const alarmStore = new AlarmStore(ctx.stateDir ? path.join(ctx.stateDir, 'cloudwatch-alarms') : undefined);
  const alarms = new AlarmOperations(alarmStore, store, new AlarmActions(ctx));
  const ops = new CloudWatchOperations(store, (scope, namespace, samples) => alarms.metricsPut(scope, namespace, samples));
  const operations = {
    PutMetricData: ops.PutMetricData.bind(ops),
    GetMetricStatistics: ops.GetMetricStatistics.bind(ops),
    GetMetricData: ops.GetMetricData.bind(ops),
    ListMetrics: ops.ListMetrics.bind(ops),
    PutMetricAlarm: alarms.PutMetricAlarm.bind(alarms),
    DescribeAlarms: alarms.DescribeAlarms.bind(alarms),
    DescribeAlarmsForMetric: alarms.DescribeAlarmsForMetric.bind(alarms),
    DeleteAlarms: alarms.DeleteAlarms.bind(alarms),
    SetAlarmState: alarms.SetAlarmState.bind(alarms),
    DescribeAlarmHistory: alarms.DescribeAlarmHistory.bind(alarms),
    EnableAlarmActions: alarms.EnableAlarmActions.bind(alarms),
    DisableAlarmActions: alarms.DisableAlarmActions.bind(alarms),
    TagResource: alarms.TagResource.bind(alarms),
    UntagResource: alarms.UntagResource.bind(alarms),
    ListTagsForResource: alarms.ListTagsForResource.bind(alarms),
  };

  const json = jsonProtocol({ targetPrefix: TARGET_PREFIX, version: '1.0', operations, queryCompatible: true, errorTypes: JSON_ERROR_TYPES });
  const query = queryProtocol({
    xmlns: XMLNS,
    invalidParameterCode: 'InvalidParameterValue',
    listParameters: [
      'Dimensions', 'Statistics', 'ExtendedStatistics', 'MetricData', 'MetricDataQueries',
      'AlarmNames', 'AlarmTypes', 'AlarmActions', 'OKActions', 'InsufficientDataActions', 'Metrics', 'Tags', 'TagKeys',
    ],
    operations: {
      ...operations,
      // Query XML spells maps as <entry> elements.
      GetMetricStatistics: (input, req) => {
        const output = ops.GetMetricStatistics(input, req);
        return {
          ...output,
          Datapoints: output.Datapoints?.map((p) => (p.ExtendedStatistics ? { ...p, ExtendedStatistics: xmlMap(p.ExtendedStatistics) } : p)),
        };
      },
    },
  });

  let pruneTimer: NodeJS.Timeout | undefined;
  let evaluationTimer: NodeJS.Timeout | undefined;
  let evaluationSeconds = alarmEvaluationSeconds(process.env.LOCALCLOUD_ALARM_EVALUATION_SECONDS);
  const scheduleEvaluation = () => {
    if (evaluationTimer) clearInterval(evaluationTimer);
    evaluationTimer = setInterval(() => {
      try {
        alarms.evaluateAll();
      } catch (err) {
        ctx.log(`cloudwatch: alarm evaluation failed: ${err instanceof Error ? err.message : err}`);
      }
    }, evaluationSeconds * 1000).unref();
  };
  return {
    name: 'cloudwatch',
    routes: {
      signingNames: ['monitoring'],
      targetPrefixes: [TARGET_PREFIX],
      queryActions: Object.keys(operations),
    },
    metrics: store,
    setAlarmEvaluationInterval(seconds) {
      evaluationSeconds = alarmEvaluationSeconds(seconds);
      if (evaluationTimer) scheduleEvaluation();
    },
    alarmActionsSettled: () => alarms.settled(),
    publish(accountId, region, namespace, samples) {
      store.put(accountId, region, namespace, samples);
      alarms.metricsPut({ accountId, region }, namespace, samples);
    },
    async start() {
      store.load();
      alarmStore.load();
      pruneTimer = setInterval(() => store.prune(), PRUNE_INTERVAL_MS).unref();
      scheduleEvaluation();
    },
    async stop() {
      if (pruneTimer) clearInterval(pruneTimer);
      if (evaluationTimer) clearInterval(evaluationTimer);
      evaluationTimer = undefined;
      await alarms.settled();
      store.close();
    },
    async handle(req) {
      const isJson = req.headers['x-amz-target'] !== undefined;
      let request: ServiceRequest;
      try {
        request = decompressed(req);
      } catch (err) {
        const error = err as AwsError;
        return isJson ? jsonError(error, 'application/x-amz-json-1.0', true, JSON_ERROR_TYPES) : queryError(error, req.requestId, XMLNS);
      }
      return isJson ? json(request) : query(request);
    },
  };
}

/** The SDK gzips PutMetricData bodies above 10 KiB (`Content-Encoding: gzip`). */
function decompressed(req: ServiceRequest): ServiceRequest {
  const encoding = req.headers['content-encoding']?.toLowerCase() ?? '';
  if (!encoding.split(',').some((e) => e.trim() === 'gzip')) return req;
  let body: Buffer;
  try {
    body = gunzipSync(req.body);
  } catch {
    throw new AwsError('InvalidParameterValue', 'The request body is not valid gzip data.', 400);
  }
  return { ...req, body };
}

/** A positive number of seconds, or the default; anything else is refused rather than ignored. */
function alarmEvaluationSeconds(value: unknown): number {
  if (value === undefined || value === '') return DEFAULT_ALARM_EVALUATION_SECONDS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new Error(`alarm evaluation interval must be a number of seconds between 0 and 86400, not ${String(value)} (LOCALCLOUD_ALARM_EVALUATION_SECONDS)`);
  }
  return seconds;
}
