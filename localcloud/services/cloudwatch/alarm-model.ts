import type { ComparisonOperator, Dimension, MetricAlarm, MetricDataQuery, StandardUnit, StateValue, Tag } from '@aws-sdk/client-cloudwatch';
import { toBoolean, toList, toNumber, toText } from './coerce.js';
import { invalidCombination, invalidValue, missingParameter, validationError } from './errors.js';
import { isBasicStatistic, percentileOf } from './statistics.js';
import { validateDimensions, validateUnit } from './validate.js';

/**
 * A metric alarm as localcloud keeps it: PutMetricAlarm's configuration,
 * checked, plus its state. Timestamps are epoch milliseconds.
 */
export interface AlarmRecord {
  name: string;
  arn: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  /** The metric (and statistic) the alarm watches, however it was given (MetricName… or a one-MetricStat Metrics list). */
  watched: WatchedMetric;
  /** The Metrics list as given, when the alarm was defined with one. */
  metrics?: MetricDataQuery[];
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  treatMissingData?: TreatMissingData;
  evaluateLowSampleCountPercentile?: string;
  state: { value: StateValue; reason: string; reasonData?: string; updated: number };
  stateTransitioned: number;
  configurationUpdated: number;
  tags: Tag[];
}

export interface WatchedMetric {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  period: number;
  /** `Average`, `p99`, … */
  stat: string;
  /** True when the stat was given as ExtendedStatistic (a percentile). */
  extended: boolean;
  unit?: StandardUnit;
}

export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

const TREAT_MISSING: readonly TreatMissingData[] = ['breaching', 'notBreaching', 'ignore', 'missing'];
const THRESHOLD_OPERATORS: readonly string[] = [
  'GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold',
];
/** The operators of anomaly-detection alarms: they compare against a band, which needs an anomaly detector. */
const BAND_OPERATORS: readonly string[] = ['LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];
const MAX_ACTIONS = 5;
const MAX_ALARM_NAME = 255;
const MAX_DESCRIPTION = 1024;
/** Period × EvaluationPeriods may cover at most a day (seven for periods of an hour or more; localcloud keeps to one). */
const MAX_EVALUATION_SECONDS = 86_400;

export type AlarmConfiguration = Omit<AlarmRecord, 'arn' | 'state' | 'stateTransitioned' | 'configurationUpdated' | 'tags'> & { tags: Tag[] };

/** PutMetricAlarm's input checked as CloudWatch checks it; throws its ValidationError et al. */
export function parseAlarmConfiguration(input: Record<string, any>): AlarmConfiguration {
  const name = toText(input.AlarmName);
  if (!name) throw missingParameter('AlarmName');
  if (name.length > MAX_ALARM_NAME) throw validationError(`1 validation error detected: Value at 'alarmName' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ALARM_NAME}`);
  const description = toText(input.AlarmDescription);
  if (description !== undefined && description.length > MAX_DESCRIPTION) {
    throw validationError(`1 validation error detected: Value at 'alarmDescription' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DESCRIPTION}`);
  }

  const comparisonOperator = toText(input.ComparisonOperator);
  if (!comparisonOperator) throw missingParameter('ComparisonOperator');
  if (BAND_OPERATORS.includes(comparisonOperator)) {
    throw validationError(`ComparisonOperator ${comparisonOperator} compares against an anomaly detection band; localcloud does not serve anomaly detection. Use a static threshold.`);
  }
  if (!THRESHOLD_OPERATORS.includes(comparisonOperator)) {
    throw validationError(`1 validation error detected: Value '${comparisonOperator}' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [${[...THRESHOLD_OPERATORS, ...BAND_OPERATORS].join(', ')}]`);
  }
  if (input.ThresholdMetricId !== undefined) {
    throw validationError('ThresholdMetricId names an anomaly detection band; localcloud does not serve anomaly detection.');
  }
  const threshold = toNumber(input.Threshold);
  if (threshold === undefined) throw validationError('Threshold is required for an alarm with a static threshold.');
  if (!Number.isFinite(threshold)) throw invalidValue(`The value ${String(input.Threshold)} for parameter Threshold is invalid.`);

  const evaluationPeriods = positiveInteger(input.EvaluationPeriods, 'EvaluationPeriods', true)!;
  const datapointsToAlarm = positiveInteger(input.DatapointsToAlarm, 'DatapointsToAlarm', false);
  if (datapointsToAlarm !== undefined && datapointsToAlarm > evaluationPeriods) {
    throw validationError('DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
  }

  const treatMissingData = toText(input.TreatMissingData);
  if (treatMissingData !== undefined && !TREAT_MISSING.includes(treatMissingData as TreatMissingData)) {
    throw validationError(`The value ${treatMissingData} for parameter TreatMissingData is invalid. Valid values are ${TREAT_MISSING.join(', ')}.`);
  }
  const evaluateLowSampleCountPercentile = toText(input.EvaluateLowSampleCountPercentile);
  if (evaluateLowSampleCountPercentile !== undefined && !['evaluate', 'ignore'].includes(evaluateLowSampleCountPercentile)) {
    throw validationError(`The value ${evaluateLowSampleCountPercentile} for parameter EvaluateLowSampleCountPercentile is invalid. Valid values are evaluate, ignore.`);
  }

  const { watched, metrics } = parseWatchedMetric(input);
  if (watched.period * evaluationPeriods > MAX_EVALUATION_SECONDS) {
    throw validationError(`The evaluation period (Period * EvaluationPeriods = ${watched.period * evaluationPeriods} seconds) must not exceed ${MAX_EVALUATION_SECONDS} seconds.`);
  }
  if (evaluateLowSampleCountPercentile !== undefined && !watched.extended) {
    throw validationError('EvaluateLowSampleCountPercentile can only be used with a percentile statistic (ExtendedStatistic).');
  }

  return {
    name,
    description,
    actionsEnabled: toBoolean(input.ActionsEnabled) ?? true,
    okActions: actionList(input.OKActions, 'OKActions'),
    alarmActions: actionList(input.AlarmActions, 'AlarmActions'),
    insufficientDataActions: actionList(input.InsufficientDataActions, 'InsufficientDataActions'),
    watched,
    metrics,
    evaluationPeriods,
    datapointsToAlarm,
    threshold,
    comparisonOperator: comparisonOperator as ComparisonOperator,
    treatMissingData: treatMissingData as TreatMissingData | undefined,
    evaluateLowSampleCountPercentile,
    tags: parseTags(input.Tags),
  };
}

/** Either MetricName/Namespace/Statistic/Period…, or a Metrics list with exactly one MetricStat (no math). */
function parseWatchedMetric(input: Record<string, any>): { watched: WatchedMetric; metrics?: MetricDataQuery[] } {
  const metrics = toList<any>(input.Metrics);
  const single = ['MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic', 'Dimensions', 'Period', 'Unit'].filter(
    (p) => input[p] !== undefined && !(Array.isArray(input[p]) && input[p].length === 0),
  );
  if (metrics && metrics.length > 0) {
    if (single.length > 0) {
      throw validationError(`The Metrics list cannot be combined with ${single.join(', ')}: specify the metric either way, not both.`);
    }
    return parseMetricsList(metrics);
  }
  const metricName = toText(input.MetricName);
  const namespace = toText(input.Namespace);
  if (!metricName) throw validationError('Either MetricName and Namespace or the Metrics list must be specified.');
  if (!namespace) throw missingParameter('Namespace');
  const statistic = toText(input.Statistic);
  const extended = toText(input.ExtendedStatistic);
  if ((statistic === undefined) === (extended === undefined)) {
    throw invalidCombination('Exactly one of the parameters Statistic and ExtendedStatistic must be specified.');
  }
  if (statistic !== undefined && !isBasicStatistic(statistic)) {
    throw validationError(`1 validation error detected: Value '${statistic}' at 'statistic' failed to satisfy constraint: Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]`);
  }
  if (extended !== undefined && percentileOf(extended) === undefined) {
    throw validationError(`The value ${extended} for parameter ExtendedStatistic is not supported by localcloud: use a percentile (p0 to p100).`);
  }
  return {
    watched: {
      namespace,
      metricName,
      dimensions: validateDimensions(input.Dimensions, 'Dimensions'),
      period: alarmPeriod(input.Period, 'Period'),
      stat: (statistic ?? extended)!,
      extended: extended !== undefined,
      unit: validateUnit(input.Unit, 'Unit'),
    },
  };
}

function parseMetricsList(metrics: any[]): { watched: WatchedMetric; metrics: MetricDataQuery[] } {
  const expression = metrics.find((m) => m?.Expression !== undefined);
  if (expression) {
    throw validationError(
      `Metrics: the expression of ${toText(expression.Id) ?? 'a query'} is metric math, which localcloud does not evaluate; define the alarm on one metric (a single MetricStat).`,
    );
  }
  if (metrics.length !== 1) {
    throw validationError('Metrics: without metric math an alarm watches exactly one MetricStat; localcloud does not evaluate expressions over several metrics.');
  }
  const [raw] = metrics;
  const id = toText(raw?.Id);
  if (!id) throw missingParameter('Metrics.member.1.Id');
  if (!/^[a-z][a-zA-Z0-9_]*$/.test(id)) {
    throw validationError(`The value ${id} for parameter Metrics.member.1.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
  }
  if (toBoolean(raw.ReturnData) === false) throw validationError('Metrics: the one query of an alarm must return data (ReturnData true).');
  if (raw.AccountId !== undefined) throw validationError('Metrics.member.1.AccountId: cross-account alarms are not served by localcloud.');
  const stat = raw.MetricStat;
  if (!stat) throw validationError('Exactly one of the parameters Metrics.member.1.Expression and Metrics.member.1.MetricStat must be specified.');
  const metric = stat.Metric ?? {};
  const namespace = toText(metric.Namespace);
  const metricName = toText(metric.MetricName);
  if (!namespace) throw missingParameter('Metrics.member.1.MetricStat.Metric.Namespace');
  if (!metricName) throw missingParameter('Metrics.member.1.MetricStat.Metric.MetricName');
  const statName = toText(stat.Stat);
  if (!statName) throw missingParameter('Metrics.member.1.MetricStat.Stat');
  if (!isBasicStatistic(statName) && percentileOf(statName) === undefined) {
    throw validationError(`The value ${statName} for parameter Metrics.member.1.MetricStat.Stat is not a statistic localcloud serves (SampleCount, Average, Sum, Minimum, Maximum, p0 to p100).`);
  }
  const dimensions = validateDimensions(metric.Dimensions, 'Metrics.member.1.MetricStat.Metric.Dimensions');
  const period = alarmPeriod(stat.Period, 'Metrics.member.1.MetricStat.Period');
  const unit = validateUnit(stat.Unit, 'Metrics.member.1.MetricStat.Unit');
  const label = toText(raw.Label);
  return {
    watched: { namespace, metricName, dimensions, period, stat: statName, extended: !isBasicStatistic(statName), unit },
    metrics: [
      {
        Id: id,
        ...(label !== undefined ? { Label: label } : {}),
        ReturnData: true,
        MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions }, Period: period, Stat: statName, ...(unit ? { Unit: unit } : {}) },
      },
    ],
  };
}

/** Alarm periods: 10, 20, 30 (high resolution) or a multiple of 60 seconds. */
function alarmPeriod(value: unknown, parameter: string): number {
  const period = toNumber(value);
  if (period === undefined) throw missingParameter(parameter);
  if (!Number.isInteger(period) || period < 1 || (period >= 60 ? period % 60 !== 0 : ![10, 20, 30].includes(period))) {
    throw validationError(`The parameter ${parameter} must be 10, 20, 30 or a multiple of 60.`);
  }
  return period;
}

function positiveInteger(value: unknown, parameter: string, required: boolean): number | undefined {
  const n = toNumber(value);
  if (n === undefined) {
    if (required) throw missingParameter(parameter);
    return undefined;
  }
  if (!Number.isInteger(n) || n < 1) {
    throw validationError(`1 validation error detected: Value '${String(value)}' at '${parameter.charAt(0).toLowerCase()}${parameter.slice(1)}' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  }
  return n;
}

function actionList(value: unknown, parameter: string): string[] {
  const list = (toList<unknown>(value) ?? []).map((v) => toText(v) ?? '');
  if (list.length > MAX_ACTIONS) throw validationError(`The collection ${parameter} must not have a size greater than ${MAX_ACTIONS}.`);
  list.forEach((arn, i) => {
    if (!arn || arn.length > 1024) throw validationError(`The value for parameter ${parameter}.member.${i + 1} must be an ARN of at most 1024 characters.`);
  });
  return [...new Set(list)];
}

export function parseTags(value: unknown, parameter = 'Tags'): Tag[] {
  const list = toList<any>(value) ?? [];
  return list.map((raw, i) => {
    const key = toText(raw?.Key);
    const tagValue = toText(raw?.Value);
    if (!key) throw missingParameter(`${parameter}.member.${i + 1}.Key`);
    if (tagValue === undefined) throw missingParameter(`${parameter}.member.${i + 1}.Value`);
    if (key.length > 128 || tagValue.length > 256) throw validationError(`${parameter}.member.${i + 1}: a tag key is at most 128 characters and a value at most 256.`);
    return { Key: key, Value: tagValue };
  });
}

export function alarmArn(region: string, accountId: string, name: string): string {
  return `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;
}

/** The alarm as DescribeAlarms answers it (the SDK's MetricAlarm shape). */
export function toMetricAlarm(alarm: AlarmRecord): MetricAlarm {
  const w = alarm.watched;
  const out: MetricAlarm = {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    AlarmDescription: alarm.description,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configurationUpdated),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: [...alarm.okActions],
    AlarmActions: [...alarm.alarmActions],
    InsufficientDataActions: [...alarm.insufficientDataActions],
    StateValue: alarm.state.value,
    StateReason: alarm.state.reason,
    StateReasonData: alarm.state.reasonData,
    StateUpdatedTimestamp: new Date(alarm.state.updated),
    StateTransitionedTimestamp: new Date(alarm.stateTransitioned),
    Dimensions: [],
    EvaluationPeriods: alarm.evaluationPeriods,
    DatapointsToAlarm: alarm.datapointsToAlarm,
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparisonOperator,
    TreatMissingData: alarm.treatMissingData,
    EvaluateLowSampleCountPercentile: alarm.evaluateLowSampleCountPercentile,
  };
  if (alarm.metrics) {
    out.Metrics = alarm.metrics;
  } else {
    Object.assign(out, {
      MetricName: w.metricName,
      Namespace: w.namespace,
      Dimensions: w.dimensions.map((d) => ({ ...d })),
      Period: w.period,
      Unit: w.unit,
      ...(w.extended ? { ExtendedStatistic: w.stat } : { Statistic: w.stat }),
    });
  }
  return out;
}

/** True when `value` breaches the alarm's threshold. */
export function breaches(alarm: Pick<AlarmRecord, 'comparisonOperator' | 'threshold'>, value: number): boolean {
  switch (alarm.comparisonOperator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= alarm.threshold;
    case 'GreaterThanThreshold':
      return value > alarm.threshold;
    case 'LessThanThreshold':
      return value < alarm.threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= alarm.threshold;
    default:
      return false;
  }
}
