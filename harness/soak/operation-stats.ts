/** Per-operation latencies and errors of a load, and their summary: shared by the SDK and the wire-client loads. */
import { percentiles, type Percentiles } from '../bench/stats.js';

export interface OperationStats {
  calls: number;
  errors: number;
  /** The first error message of each kind. */
  errorKinds: Record<string, number>;
  ms: Percentiles;
}

const sdkErrorKind = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 120) : String(error));

export class OperationRecorder {
  private readonly stats = new Map<string, { ms: number[]; errors: number; kinds: Record<string, number> }>();

  constructor(private readonly kindOf: (error: unknown) => string = sdkErrorKind) {}

  /** Times `call`; a throw counts as an error of `operation`, by kind, and its time is not a latency. */
  async record(operation: string, call: () => Promise<unknown>): Promise<void> {
    const entry = this.stats.get(operation) ?? { ms: [], errors: 0, kinds: {} };
    this.stats.set(operation, entry);
    const started = performance.now();
    try {
      await call();
      entry.ms.push(performance.now() - started);
    } catch (error) {
      entry.errors += 1;
      const kind = this.kindOf(error);
      entry.kinds[kind] = (entry.kinds[kind] ?? 0) + 1;
    }
  }

  /** Each operation's figures; all calls, errors, and every latency of every operation. */
  summary(): { operations: Record<string, OperationStats>; calls: number; errors: number; latencies: number[] } {
    const operations: Record<string, OperationStats> = {};
    let errors = 0;
    const latencies: number[] = [];
    for (const [operation, entry] of this.stats) {
      operations[operation] = { calls: entry.ms.length + entry.errors, errors: entry.errors, errorKinds: entry.kinds, ms: percentiles(entry.ms) };
      errors += entry.errors;
      latencies.push(...entry.ms);
    }
    return { operations, calls: latencies.length + errors, errors, latencies };
  }
}
