import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Dimension } from '@aws-sdk/client-cloudwatch';
import { fromPathSegment, JsonLinesFile, readJsonLines, safePathSegment, writeFileAtomic } from '../../core/state-files.js';
import type { Sample } from './statistics.js';

/** CloudWatch keeps one-minute data for 15 days; so do we, and nothing older. */
export const RETENTION_MS = 15 * 24 * 3600 * 1000;
/** Per series, oldest samples go first beyond this (about 10 days of one sample per second). */
export const MAX_SAMPLES_PER_SERIES = 1_000_000;

/** One metric: a namespace, a name and an exact set of dimensions. */
export interface MetricSeries {
  namespace: string;
  metricName: string;
  /** Sorted by name: the identity of a metric does not depend on the order they were sent in. */
  dimensions: Dimension[];
  samples: Sample[];
  /** False after an out-of-order append; queries sort lazily. */
  sorted: boolean;
  /** When data last arrived (epoch ms), for ListMetrics' RecentlyActive. */
  lastIngested: number;
}

export interface NewSample {
  metricName: string;
  dimensions: Dimension[];
  sample: Sample;
}

/** The line format of `<stateDir>/cloudwatch/<account>/<region>.jsonl`. */
interface SampleRecord {
  n: string;
  m: string;
  d: [string, string][];
  t: number;
  u: string;
  c: number;
  s: number;
  lo: number;
  hi: number;
  v?: number[];
  k?: number[];
}

class RegionMetrics {
  readonly series = new Map<string, MetricSeries>();
  log?: JsonLinesFile;
}

/**
 * The CloudWatch metrics state model: datapoints per account and region,
 * in memory, written through to an append-only JSON Lines file per account
 * and region when a state directory is set. It never sees HTTP.
 */
export class MetricStore {
  private readonly regions = new Map<string, RegionMetrics>();

  constructor(
    private readonly dir: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reloads every account/region file, dropping expired samples (and compacting files that had any). */
  load(): void {
    if (!this.dir || !existsSync(this.dir)) return;
    const cutoff = this.now() - RETENTION_MS;
    for (const accountDir of readdirSync(this.dir, { withFileTypes: true })) {
      if (!accountDir.isDirectory()) continue;
      for (const file of readdirSync(path.join(this.dir, accountDir.name))) {
        if (!file.endsWith('.jsonl')) continue;
        const accountId = fromPathSegment(accountDir.name);
        const region = fromPathSegment(file.slice(0, -'.jsonl'.length));
        const metrics = this.regionFor(accountId, region);
        let dropped = 0;
        const { skipped } = readJsonLines(this.fileFor(accountId, region), (r: SampleRecord) => {
          if (typeof r?.t !== 'number' || r.t < cutoff) {
            dropped++;
            return;
          }
          const dimensions = (r.d ?? []).map(([Name, Value]) => ({ Name, Value }));
          const sample: Sample = { timestamp: r.t, unit: r.u, count: r.c, sum: r.s, min: r.lo, max: r.hi, values: r.v, counts: r.k };
          this.addToSeries(metrics, r.n, r.m, dimensions, sample, r.t);
        });
        if (dropped + skipped > 0) this.rewrite(accountId, region, metrics);
      }
    }
  }

  put(accountId: string, region: string, namespace: string, samples: NewSample[]): void {
    const metrics = this.regionFor(accountId, region);
    const ingested = this.now();
    const sorted = samples.map((s) => ({ ...s, dimensions: sortDimensions(s.dimensions) }));
    for (const { metricName, dimensions, sample } of sorted) {
      this.addToSeries(metrics, namespace, metricName, dimensions, sample, ingested);
    }
    if (this.dir) {
      metrics.log ??= new JsonLinesFile(this.fileFor(accountId, region));
      metrics.log.append(sorted.map(({ metricName, dimensions, sample }) => toRecord(namespace, metricName, dimensions, sample)));
    }
  }

  /** The series with exactly these dimensions, its samples sorted by time. */
  find(accountId: string, region: string, namespace: string, metricName: string, dimensions: Dimension[]): MetricSeries | undefined {
    const series = this.regions.get(regionKey(accountId, region))?.series.get(seriesKey(namespace, metricName, sortDimensions(dimensions)));
    if (series && !series.sorted) {
      series.samples.sort((a, b) => a.timestamp - b.timestamp);
      series.sorted = true;
    }
    return series;
  }

  /** Every series of an account and region, in a stable order (namespace, name, dimensions). */
  list(accountId: string, region: string): MetricSeries[] {
    const metrics = this.regions.get(regionKey(accountId, region));
    if (!metrics) return [];
    return [...metrics.series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  }

  /** Drops samples past retention; rewrites the files of regions that lost any. */
  prune(): void {
    const cutoff = this.now() - RETENTION_MS;
    for (const [key, metrics] of this.regions) {
      let dropped = 0;
      for (const [id, series] of metrics.series) {
        const before = series.samples.length;
        series.samples = series.samples.filter((s) => s.timestamp >= cutoff);
        dropped += before - series.samples.length;
        if (series.samples.length === 0) metrics.series.delete(id);
      }
      if (dropped > 0 && this.dir) {
        const [accountId, region] = key.split('\u0000');
        this.rewrite(accountId, region, metrics);
      }
    }
  }

  close(): void {
    for (const metrics of this.regions.values()) metrics.log?.close();
  }

  private addToSeries(metrics: RegionMetrics, namespace: string, metricName: string, dimensions: Dimension[], sample: Sample, ingested: number): void {
    const key = seriesKey(namespace, metricName, dimensions);
    let series = metrics.series.get(key);
    if (!series) {
      series = { namespace, metricName, dimensions, samples: [], sorted: true, lastIngested: 0 };
      metrics.series.set(key, series);
    }
    const last = series.samples[series.samples.length - 1];
    if (last && sample.timestamp < last.timestamp) series.sorted = false;
    series.samples.push(sample);
    if (series.samples.length > MAX_SAMPLES_PER_SERIES) {
      if (!series.sorted) {
        series.samples.sort((a, b) => a.timestamp - b.timestamp);
        series.sorted = true;
      }
      series.samples.splice(0, series.samples.length - MAX_SAMPLES_PER_SERIES);
    }
    if (ingested > series.lastIngested) series.lastIngested = ingested;
  }

  private rewrite(accountId: string, region: string, metrics: RegionMetrics): void {
    metrics.log?.close();
    let text = '';
    for (const series of metrics.series.values()) {
      for (const sample of series.samples) text += JSON.stringify(toRecord(series.namespace, series.metricName, series.dimensions, sample)) + '\n';
    }
    writeFileAtomic(this.fileFor(accountId, region), text);
  }

  private regionFor(accountId: string, region: string): RegionMetrics {
    const key = regionKey(accountId, region);
    let metrics = this.regions.get(key);
    if (!metrics) {
      metrics = new RegionMetrics();
      this.regions.set(key, metrics);
    }
    return metrics;
  }

  private fileFor(accountId: string, region: string): string {
    return path.join(this.dir!, safePathSegment(accountId), `${safePathSegment(region)}.jsonl`);
  }
}

function toRecord(namespace: string, metricName: string, dimensions: Dimension[], sample: Sample): SampleRecord {
  const record: SampleRecord = {
    n: namespace,
    m: metricName,
    d: dimensions.map((d) => [d.Name!, d.Value!]),
    t: sample.timestamp,
    u: sample.unit,
    c: sample.count,
    s: sample.sum,
    lo: sample.min,
    hi: sample.max,
  };
  if (sample.values) record.v = sample.values;
  if (sample.counts) record.k = sample.counts;
  return record;
}

export function sortDimensions(dimensions: Dimension[]): Dimension[] {
  return [...dimensions].sort((a, b) => (a.Name! < b.Name! ? -1 : a.Name! > b.Name! ? 1 : 0));
}

const regionKey = (accountId: string, region: string) => `${accountId}\u0000${region}`;

function seriesKey(namespace: string, metricName: string, sortedDimensions: Dimension[]): string {
  return JSON.stringify([namespace, metricName, ...sortedDimensions.map((d) => [d.Name, d.Value])]);
}
