import type {
  Datapoint,
  Dimension,
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  GetMetricStatisticsCommandInput,
  GetMetricStatisticsCommandOutput,
  ListMetricsCommandInput,
  ListMetricsCommandOutput,
  MetricDataResult,
  PutMetricDataCommandInput,
  StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import type { ServiceRequest } from '../../core/types.js';
import { toBoolean, toList, toNumber, toText } from './coerce.js';
import { invalidCombination, invalidNextToken, invalidValue, missingParameter, validationError } from './errors.js';
import type { MetricSeries, MetricStore, NewSample } from './metric-store.js';
import { alignStart, bucketize, isBasicStatistic, percentileOf, type Sample } from './statistics.js';
import { parseMetricData, validateDimensions, validateNamespace, validatePeriod, validateTimeRange, validateUnit } from './validate.js';

type Output<T> = Omit<T, '$metadata'>;
/** Input as it arrives: the SDK shape, with scalars possibly still strings (query protocol). */
type Wire<T> = { [K in keyof T]?: unknown };

const MAX_DATAPOINTS_PER_REQUEST = 1440;
const DEFAULT_MAX_DATAPOINTS = 100_800;
const MAX_QUERIES = 500;
const LIST_PAGE_SIZE = 500;
const RECENTLY_ACTIVE_MS = 3 * 3600 * 1000;

/**
 * The CloudWatch metrics operations, shared by the JSON 1.0 and query
 * protocols. Each takes the SDK's input shape (scalars possibly as strings)
 * and returns the SDK's output shape; timestamps are Dates and the protocol
 * glue spells them (epoch seconds in JSON, ISO 8601 in XML).
 */
export class CloudWatchOperations {
  constructor(
    private readonly store: MetricStore,
    /** Told of every stored batch (alarms on these metrics evaluate at once). */
    private readonly onStored: (scope: { accountId: string; region: string }, namespace: string, samples: NewSample[]) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  PutMetricData(input: Wire<PutMetricDataCommandInput>, req: ServiceRequest): void {
    const namespace = validateNamespace(input.Namespace);
    const samples = parseMetricData(input.MetricData, this.now());
    this.store.put(req.accountId, req.region, namespace, samples);
    this.onStored(req, namespace, samples);
  }

  GetMetricStatistics(input: Wire<GetMetricStatisticsCommandInput>, req: ServiceRequest): Output<GetMetricStatisticsCommandOutput> {
    const namespace = toText(input.Namespace);
    const metricName = toText(input.MetricName);
    if (!namespace) throw missingParameter('Namespace');
    if (!metricName) throw missingParameter('MetricName');
    const dimensions = validateDimensions(input.Dimensions, 'Dimensions');
    const { start, end } = validateTimeRange(input.StartTime, input.EndTime);
    const period = validatePeriod(input.Period, 'Period');
    const unit = validateUnit(input.Unit, 'Unit');

    const statistics = (toList<string>(input.Statistics) ?? []).map(String);
    const extended = (toList<string>(input.ExtendedStatistics) ?? []).map(String);
    if ((statistics.length === 0) === (extended.length === 0)) {
      throw invalidCombination('Must specify either Statistics or ExtendedStatistics, but not both.');
    }
    if (statistics.length > 5) throw invalidValue('The collection Statistics must not have a size greater than 5.');
    if (extended.length > 10) throw invalidValue('The collection ExtendedStatistics must not have a size greater than 10.');
    statistics.forEach((s, i) => {
      if (!isBasicStatistic(s)) throw invalidValue(`The parameter Statistics.member.${i + 1} must be a value in the set [ SampleCount, Average, Sum, Minimum, Maximum ].`);
    });
    extended.forEach((s, i) => {
      if (percentileOf(s) === undefined) throw invalidValue(`The value ${s} for parameter ExtendedStatistics.member.${i + 1} is not a valid percentile statistic (p0 to p100).`);
    });

    const requested = Math.ceil((end - start) / (period * 1000));
    if (requested > MAX_DATAPOINTS_PER_REQUEST) {
      throw invalidCombination(
        `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_DATAPOINTS_PER_REQUEST}. ` +
          'You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
      );
    }

    const series = this.store.find(req.accountId, req.region, namespace, metricName, dimensions);
    const samples = series ? samplesIn(series, start, end, unit) : [];
    const buckets = bucketize(samples, alignStart(start, period), period * 1000, true);
    const datapoints: Datapoint[] = [...buckets.values()]
      .sort((a, b) => a.start - b.start || (a.unit < b.unit ? -1 : 1))
      .map(({ start: bucketStart, unit: bucketUnit, aggregate }) => {
        const point: Datapoint = { Timestamp: new Date(bucketStart), Unit: bucketUnit as StandardUnit };
        for (const s of statistics) (point as Record<string, unknown>)[s] = aggregate.statistic(s);
        if (extended.length > 0) {
          const values: Record<string, number> = {};
          for (const s of extended) {
            const v = aggregate.statistic(s);
            if (v !== undefined) values[s] = v;
          }
          point.ExtendedStatistics = values;
        }
        return point;
      });
    return { Label: metricName, Datapoints: datapoints };
  }

  GetMetricData(input: Wire<GetMetricDataCommandInput>, req: ServiceRequest): Output<GetMetricDataCommandOutput> {
    const queries = toList<any>(input.MetricDataQueries);
    if (!queries || queries.length === 0) throw missingParameter('MetricDataQueries');
    if (queries.length > MAX_QUERIES) throw validationError(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
    const { start, end } = validateTimeRange(input.StartTime, input.EndTime);
    const scanBy = toText(input.ScanBy) ?? 'TimestampDescending';
    if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
      throw validationError(`The value ${scanBy} for parameter ScanBy is invalid; use TimestampDescending or TimestampAscending.`);
    }
    const maxDatapoints = toNumber(input.MaxDatapoints) ?? DEFAULT_MAX_DATAPOINTS;
    if (!Number.isInteger(maxDatapoints) || maxDatapoints < 1) throw validationError('The parameter MaxDatapoints must be a positive integer.');
    const offset = input.NextToken === undefined ? 0 : decodeOffset(input.NextToken);

    const ids = new Set<string>();
    const series = queries.map((raw, i) => {
      const at = `MetricDataQueries.member.${i + 1}`;
      const query = parseQuery(raw ?? {}, at);
      if (ids.has(query.id)) throw validationError('The values for parameter id in MetricDataQueries are not unique.');
      ids.add(query.id);
      return { query, points: this.queryPoints(query, start, end, scanBy, req) };
    });

    // One page holds at most MaxDatapoints values across all results; the token is how many were already returned.
    let skip = offset;
    let room = maxDatapoints;
    let more = false;
    const results: MetricDataResult[] = [];
    for (const { query, points } of series) {
      if (!query.returnData) continue;
      const from = Math.min(skip, points.length);
      skip -= from;
      const page = points.slice(from, from + room);
      room -= page.length;
      const complete = from + page.length === points.length;
      if (!complete) more = true;
      results.push({
        Id: query.id,
        Label: query.label,
        Timestamps: page.map((p) => new Date(p.timestamp)),
        Values: page.map((p) => p.value),
        StatusCode: complete ? 'Complete' : 'PartialData',
        Messages: [],
      });
    }
    const returned = offset + (maxDatapoints - room);
    return { MetricDataResults: results, NextToken: more ? encodeOffset(returned) : undefined, Messages: [] };
  }

  ListMetrics(input: Wire<ListMetricsCommandInput>, req: ServiceRequest): Output<ListMetricsCommandOutput> {
    const namespace = toText(input.Namespace);
    const metricName = toText(input.MetricName);
    for (const [member, value] of [['namespace', namespace], ['metricName', metricName]] as const) {
      if (value !== undefined && value.length > 255) {
        throw validationError(`1 validation error detected: Value '${value.slice(0, 64)}...' at '${member}' failed to satisfy constraint: Member must have length less than or equal to 255`);
      }
    }
    const filters = validateDimensions(input.Dimensions, 'Dimensions', { valueRequired: false });
    if (filters.length > 10) throw invalidValue('The collection Dimensions must not have a size greater than 10.');
    const recentlyActive = toText(input.RecentlyActive);
    if (recentlyActive !== undefined && recentlyActive !== 'PT3H') {
      throw invalidValue(`The value ${recentlyActive} for parameter RecentlyActive is invalid. Valid value: PT3H.`);
    }
    const activeSince = this.now() - RECENTLY_ACTIVE_MS;
    const matching = this.store.list(req.accountId, req.region).filter(
      (s) =>
        s.samples.length > 0 &&
        (namespace === undefined || s.namespace === namespace) &&
        (metricName === undefined || s.metricName === metricName) &&
        filters.every((f) => s.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value))) &&
        (recentlyActive === undefined || s.lastIngested >= activeSince),
    );
    const offset = input.NextToken === undefined ? 0 : decodeOffset(input.NextToken);
    const page = matching.slice(offset, offset + LIST_PAGE_SIZE);
    return {
      Metrics: page.map((s) => ({ Namespace: s.namespace, MetricName: s.metricName, Dimensions: s.dimensions.map((d) => ({ ...d })) })),
      NextToken: offset + LIST_PAGE_SIZE < matching.length ? encodeOffset(offset + LIST_PAGE_SIZE) : undefined,
    };
  }

  private queryPoints(query: ParsedQuery, start: number, end: number, scanBy: string, req: ServiceRequest): { timestamp: number; value: number }[] {
    const { namespace, metricName, dimensions, period, stat, unit } = query.metricStat;
    const series = this.store.find(req.accountId, req.region, namespace, metricName, dimensions);
    if (!series) return [];
    const buckets = bucketize(samplesIn(series, start, end, unit), alignStart(start, period), period * 1000, false);
    const points: { timestamp: number; value: number }[] = [];
    for (const bucket of buckets.values()) {
      const value = bucket.aggregate.statistic(stat);
      if (value !== undefined) points.push({ timestamp: bucket.start, value });
    }
    points.sort((a, b) => (scanBy === 'TimestampAscending' ? a.timestamp - b.timestamp : b.timestamp - a.timestamp));
    return points;
  }
}

interface ParsedQuery {
  id: string;
  label: string;
  returnData: boolean;
  metricStat: { namespace: string; metricName: string; dimensions: Dimension[]; period: number; stat: string; unit?: StandardUnit };
}

function parseQuery(raw: any, at: string): ParsedQuery {
  const id = toText(raw.Id);
  if (!id) throw missingParameter(`${at}.Id`);
  if (!/^[a-z][a-zA-Z0-9_]*$/.test(id) || id.length > 255) {
    throw validationError(`The value ${id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
  }
  const expression = toText(raw.Expression);
  const stat = raw.MetricStat;
  if (expression !== undefined && stat) {
    throw validationError(`The parameters ${at}.Expression and ${at}.MetricStat are mutually exclusive and you have specified both.`);
  }
  if (expression !== undefined) {
    throw validationError(
      `${at}.Expression: metric math and Metrics Insights expressions are not supported by localcloud; query each metric with MetricStat instead.`,
    );
  }
  if (!stat) throw validationError(`Exactly one of the parameters ${at}.Expression and ${at}.MetricStat must be specified.`);
  const metric = stat.Metric ?? {};
  const namespace = toText(metric.Namespace);
  const metricName = toText(metric.MetricName);
  if (!namespace) throw missingParameter(`${at}.MetricStat.Metric.Namespace`);
  if (!metricName) throw missingParameter(`${at}.MetricStat.Metric.MetricName`);
  const statName = toText(stat.Stat);
  if (!statName) throw missingParameter(`${at}.MetricStat.Stat`);
  if (!isBasicStatistic(statName) && percentileOf(statName) === undefined) {
    throw validationError(`The value ${statName} for parameter ${at}.MetricStat.Stat is not a valid statistic.`);
  }
  return {
    id,
    label: toText(raw.Label) ?? metricName,
    returnData: toBoolean(raw.ReturnData) ?? true,
    metricStat: {
      namespace,
      metricName,
      dimensions: validateDimensions(metric.Dimensions, `${at}.MetricStat.Metric.Dimensions`),
      period: validatePeriod(stat.Period ?? raw.Period, `${at}.MetricStat.Period`),
      stat: statName,
      unit: validateUnit(stat.Unit, `${at}.MetricStat.Unit`),
    },
  };
}

/** Samples of a (time-sorted) series within [start, end), optionally of one unit. */
function samplesIn(series: MetricSeries, start: number, end: number, unit: StandardUnit | undefined): Sample[] {
  const samples = series.samples;
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid].timestamp < start) lo = mid + 1;
    else hi = mid;
  }
  const out: Sample[] = [];
  for (let i = lo; i < samples.length && samples[i].timestamp < end; i++) {
    if (unit === undefined || samples[i].unit === unit) out.push(samples[i]);
  }
  return out;
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeOffset(token: unknown): number {
  try {
    const { offset } = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8'));
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw invalidNextToken();
}
