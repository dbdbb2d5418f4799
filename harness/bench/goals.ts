/**
 * The goals the report prints each figure against. They are targets for the
 * lead to steer by, never assertions: a shared, noisy machine decides too much
 * of any single run.
 */
export interface Goal {
  /** Dotted path of the figure in the report. */
  key: string;
  label: string;
  limit: number;
  /** `max`: the figure must not exceed the limit; `min`: it must reach it. */
  kind: 'max' | 'min';
  unit: string;
}

export const GOALS: readonly Goal[] = [
  { key: 'coldStartMs', label: 'cold start', limit: 500, kind: 'max', unit: 'ms' },
  { key: 'deployMs', label: 'deploy', limit: 1500, kind: 'max', unit: 'ms' },
  { key: 'throughputEventsPerSec', label: 'throughput', limit: 3000, kind: 'min', unit: 'events/s' },
  { key: 'throughputVsDynamoFloor', label: 'throughput / DynamoDB floor', limit: 0.7, kind: 'min', unit: '' },
  { key: 'latencyMs.p99', label: 'latency p99', limit: 100, kind: 'max', unit: 'ms' },
  { key: 'apiLatencyMs.p99', label: 'API p99', limit: 10, kind: 'max', unit: 'ms' },
  { key: 'memoryMb.idle', label: 'idle memory', limit: 150, kind: 'max', unit: 'MB' },
  // make up's watch: a saved edit of a function until the new code answers.
  { key: 'hotReloadMs', label: 'hot reload', limit: 1000, kind: 'max', unit: 'ms' },
  { key: 'lostEvents', label: 'lost events', limit: 0, kind: 'max', unit: '' },
  // What enforcing IAM (signature checks, policy evaluation) costs against --iam off, same run.
  { key: 'iam.throughputCost', label: 'IAM enforcement: throughput cost', limit: 0.1, kind: 'max', unit: '' },
  { key: 'iam.p50CostMs', label: 'IAM enforcement: API p50 cost', limit: 1, kind: 'max', unit: 'ms' },
];

export function goalMet(goal: Goal, value: number | null | undefined): boolean | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return goal.kind === 'max' ? value <= goal.limit : value >= goal.limit;
}

export function describeGoal(goal: Goal): string {
  const limit = goal.unit === '' && goal.limit > 0 && goal.limit < 1 ? `${goal.limit * 100} %` : `${goal.limit.toLocaleString('en-US')}${goal.unit ? ` ${goal.unit}` : ''}`;
  return `${goal.kind === 'max' ? '≤' : '≥'} ${limit}`;
}
