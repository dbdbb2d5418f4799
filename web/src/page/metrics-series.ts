/** Shaping `/api/metrics` answers for the chart; no DOM here. */
import type { MetricsResponse, SensorMetricSeries } from '../shared/api.js';
import type { ChartSeries } from './time-chart.js';

/**
 * One x axis for all sensors: every period of the window. A period without a
 * data point had zero readings, so the lines drop to 0 rather than skip it.
 */
export function alignSeries(sensors: SensorMetricSeries[], window: Pick<MetricsResponse, 'start' | 'end' | 'period'>): { times: number[]; series: ChartSeries[] } {
  const step = window.period * 1000;
  const times: number[] = [];
  for (let t = Date.parse(window.start); t < Date.parse(window.end); t += step) times.push(t);
  const perMinute = 60 / window.period;
  const series = sensors.map((s) => {
    const byTime = new Map(s.timestamps.map((t, i) => [t, s.samples[i]!]));
    return { label: s.sensorId, values: times.map((t) => (byTime.get(t) ?? 0) * perMinute) };
  });
  return { times, series };
}

/** Coarser periods for longer windows keep the chart at a few dozen to a hundred points. */
export function periodFor(minutes: number): number {
  if (minutes <= 60) return 60;
  if (minutes <= 180) return 300;
  return 900;
}
