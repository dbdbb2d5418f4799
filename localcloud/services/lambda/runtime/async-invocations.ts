import type { InvokeOutput } from './invoker.js';

/** AWS retries a failed asynchronous invocation twice: after about one minute, then about two more. */
const RETRY_DELAYS_MS = [60_000, 120_000];

/**
 * InvocationType Event: the caller gets 202 at once and the invocation runs
 * in the background (waiting its turn for an environment like any other).
 * A function error is retried as Lambda's internal queue does.
 */
export class AsyncInvocations {
  private readonly running = new Set<Promise<void>>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly log: (message: string) => void) {}

  /** `run` resolves the function afresh on every attempt: a retry sees updated code, or a deleted function. */
  enqueue(run: () => Promise<InvokeOutput>, attempt = 0): void {
    if (this.stopped) return;
    const task = run()
      .then((output) => {
        if (!output.functionError) return;
        if (attempt >= RETRY_DELAYS_MS.length) {
          this.log(`lambda: asynchronous invocation ${output.requestId} failed (${output.errorType}) after ${attempt + 1} attempts; discarded`);
          return;
        }
        const timer = setTimeout(() => {
          this.retries.delete(timer);
          this.enqueue(run, attempt + 1);
        }, RETRY_DELAYS_MS[attempt]);
        timer.unref();
        this.retries.add(timer);
      })
      .catch((err) => this.log(`lambda: asynchronous invocation failed: ${err instanceof Error ? err.message : err}`))
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Drops pending retries and waits for running invocations (the runtime kills their environments). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await Promise.allSettled([...this.running]);
  }
}
