/**
 * The statistics math of CloudWatch, apart from storage and wire formats.
 *
 * A sample is what one MetricDatum contributes: a single value, a
 * Values/Counts distribution, or a pre-aggregated StatisticSet. Every sample
 * carries its summary (count, sum, min, max) so the basic statistics never
 * need the raw values; percentiles use the raw values where the publisher sent
 * them (a StatisticSet with more than one sample has none to offer).
 */

export interface Sample {
  /** Epoch milliseconds. */
  timestamp: number;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Distinct values with their counts (Values/Counts); absent for single values and StatisticSets. */
  values?: number[];
  counts?: number[];
}

export const BASIC_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type BasicStatistic = (typeof BASIC_STATISTICS)[number];

export function isBasicStatistic(name: string): name is BasicStatistic {
  return (BASIC_STATISTICS as readonly string[]).includes(name);
}

/** `p99`, `p99.9`, `p0`..`p100`: the percentile as a number, else undefined. */
export function percentileOf(name: string): number | undefined {
  const match = /^p(\d{1,3}(?:\.\d{1,10})?)$/.exec(name);
  if (!match) return undefined;
  const p = Number(match[1]);
  return p >= 0 && p <= 100 ? p : undefined;
}

export class Aggregate {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Raw values and weights, for percentiles. */
  private readonly raw: { value: number; weight: number }[] = [];

  add(sample: Sample): void {
    this.count += sample.count;
    this.sum += sample.sum;
    if (sample.min < this.min) this.min = sample.min;
    if (sample.max > this.max) this.max = sample.max;
    if (sample.values) {
      sample.values.forEach((value, i) => {
        const weight = sample.counts?.[i] ?? 1;
        if (weight > 0) this.raw.push({ value, weight });
      });
    } else if (sample.min === sample.max && sample.count > 0) {
      // A single value, or a StatisticSet whose samples were all equal.
      this.raw.push({ value: sample.min, weight: sample.count });
    }
  }

  basic(statistic: BasicStatistic): number {
    switch (statistic) {
      case 'SampleCount':
        return this.count;
      case 'Sum':
        return this.sum;
      case 'Minimum':
        return this.min;
      case 'Maximum':
        return this.max;
      case 'Average':
        return this.count === 0 ? 0 : this.sum / this.count;
    }
  }

  /** Nearest-rank percentile over the raw values; undefined when none were published. */
  percentile(p: number): number | undefined {
    if (this.raw.length === 0) return undefined;
    this.raw.sort((a, b) => a.value - b.value);
    const total = this.raw.reduce((n, r) => n + r.weight, 0);
    const rank = Math.max(1, Math.ceil((p / 100) * total));
    let seen = 0;
    for (const r of this.raw) {
      seen += r.weight;
      if (seen >= rank) return r.value;
    }
    return this.raw[this.raw.length - 1].value;
  }

  /** Any statistic by its API name (`Average`, `p90`); undefined when it cannot be computed. */
  statistic(name: string): number | undefined {
    if (isBasicStatistic(name)) return this.basic(name);
    const p = percentileOf(name);
    return p === undefined ? undefined : this.percentile(p);
  }
}

/**
 * Groups samples into periods. Buckets start at `origin` (StartTime rounded
 * down, as CloudWatch does) and step by `periodMs`; each sample falls in the
 * bucket that contains its timestamp.
 */
export function bucketize(samples: Iterable<Sample>, origin: number, periodMs: number, byUnit: boolean): Map<string, { start: number; unit: string; aggregate: Aggregate }> {
  const buckets = new Map<string, { start: number; unit: string; aggregate: Aggregate }>();
  for (const sample of samples) {
    const start = origin + Math.floor((sample.timestamp - origin) / periodMs) * periodMs;
    const unit = byUnit ? sample.unit : '';
    const key = `${start}|${unit}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { start, unit: sample.unit, aggregate: new Aggregate() };
      buckets.set(key, bucket);
    }
    bucket.aggregate.add(sample);
  }
  return buckets;
}

/** CloudWatch rounds StartTime down: to the second for high-resolution periods, else to the minute. */
export function alignStart(startMs: number, periodSeconds: number): number {
  const step = periodSeconds < 60 ? 1000 : 60_000;
  return Math.floor(startMs / step) * step;
}
