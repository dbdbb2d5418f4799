import type { ExecutionEnvironment } from './environment.js';

/**
 * Either a warm environment to use, or permission to start a new one (the
 * slot is reserved). `initDurationMs` is set when the invocation waited for a
 * pre-warmed environment to finish starting: it paid for that init.
 */
export type Lease = { env: ExecutionEnvironment; initDurationMs?: number } | { env?: undefined };

/**
 * The execution environments of one function version: reused while warm,
 * one invocation each at a time, at most `limit` of them. Invocations beyond
 * that wait in line (FIFO) for the next free environment, as throttled
 * synchronous work would queue behind a reserved-concurrency limit.
 */
export class EnvironmentPool {
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly members = new Set<ExecutionEnvironment>();
  /** Slots handed out for environments being started. */
  private starting = 0;
  private readonly waiting: Array<{ resolve: (lease: Lease) => void; reject: (err: Error) => void }> = [];
  private revisionId = '';
  private readonly idleSince = new Map<ExecutionEnvironment, number>();
  /** At most this many environments; each acquire states it anew (reserved concurrency can change). */
  private limit = 1;
  /** Set by `drain`: environments stop as they become idle, until an invocation asks for one again. */
  private draining = false;
  /** Set by `disposeAll`: the function is gone (or the runtime stopping); no environment may join or wait any more. */
  private closedBy: Error | undefined;
  /** A replacement environment is starting ahead of any invocation (see `prewarm`). */
  private prewarming = false;

  /** Waits for a warm environment of `revisionId`, or for room to start one (at most `limit` environments). */
  acquire(revisionId: string, limit: number): Promise<Lease> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    this.limit = Math.max(1, limit);
    this.draining = false;
    if (revisionId !== this.revisionId) {
      this.revisionId = revisionId;
      this.retireIdle();
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.pump();
    });
  }

  /**
   * A started environment joins the pool (busy with the invocation that
   * started it). Returns false, having stopped it, when the pool was closed
   * while it started: it must not outlive its function (or the runtime).
   */
  started(env: ExecutionEnvironment): boolean {
    this.starting--;
    if (this.closedBy) {
      env.dispose();
      return false;
    }
    this.members.add(env);
    env.onExit(() => this.forget(env));
    return true;
  }

  /** Starting an environment failed: its slot is free again. */
  startFailed(): void {
    this.starting--;
    this.pump();
  }

  /** An invocation finished: the environment is warm for the next one, unless it died or is outdated. */
  release(env: ExecutionEnvironment): void {
    if (!env.alive) return; // forget() has run already
    if (env.revisionId !== this.revisionId || this.draining) {
      env.dispose();
      return;
    }
    this.idle.push(env);
    this.idleSince.set(env, Date.now());
    this.pump();
  }

  /** Code or configuration changed: idle environments go now, busy ones when they finish. */
  retire(revisionId: string): void {
    this.revisionId = revisionId;
    this.retireIdle();
  }

  /**
   * Code or configuration changed under warm environments: starts one
   * environment of the new revision now, so the next invocation need not pay
   * the cold start. One at a time per pool, never past the limit, never while
   * draining; once started it is an idle environment like any other (reaped
   * when unused). Failures are left to the next invocation, which meets them
   * in its own cold start and reports them as AWS would.
   */
  prewarm(start: () => Promise<{ env: ExecutionEnvironment; initDurationMs: number }>): void {
    if (this.closedBy || this.draining || this.prewarming || this.members.size + this.starting >= this.limit) return;
    this.prewarming = true;
    this.starting++;
    start().then(
      ({ env, initDurationMs }) => {
        this.prewarming = false;
        if (!this.started(env)) return;
        // Outdated by another change while it started, or no longer wanted.
        if (env.revisionId !== this.revisionId || this.draining) {
          env.dispose();
          return;
        }
        const waiter = this.waiting.shift();
        if (waiter) {
          waiter.resolve({ env, initDurationMs });
          return;
        }
        this.idle.push(env);
        this.idleSince.set(env, Date.now());
      },
      () => {
        this.prewarming = false;
        this.startFailed();
      },
    );
  }

  /** Stops environments idle for longer than `maxIdleMs` (AWS reclaims cold sandboxes too). */
  reap(maxIdleMs: number): void {
    const now = Date.now();
    for (const env of [...this.idle]) {
      // An environment a debugger is connected to stays: stopping it would end the debugging session.
      if (env.debuggerAttached) continue;
      if (now - (this.idleSince.get(env) ?? now) > maxIdleMs) env.dispose();
    }
  }

  /**
   * Nothing is expected to call soon (the deploy whose custom resources this
   * function served has settled): idle environments stop now, busy ones when
   * their invocation ends, until an invocation asks for an environment again.
   */
  drain(): void {
    this.draining = true;
    for (const env of [...this.idle]) env.dispose();
  }

  /** Warm environments waiting for an invocation. */
  get idleCount(): number {
    return this.idle.length;
  }

  /** Environments running (busy or warm), or starting. */
  get size(): number {
    return this.members.size + this.starting;
  }

  /**
   * The function is gone or the runtime stops: every environment stops (busy
   * ones end their invocation as crashed), invocations waiting for one fail
   * with `reason`, and environments still starting are stopped as they start.
   */
  disposeAll(reason: Error = new Error('the function is gone')): void {
    this.closedBy = reason;
    for (const waiter of this.waiting.splice(0)) waiter.reject(reason);
    for (const env of [...this.members]) env.dispose();
  }

  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  private retireIdle(): void {
    for (const env of [...this.idle]) if (env.revisionId !== this.revisionId) env.dispose();
  }

  private forget(env: ExecutionEnvironment): void {
    this.members.delete(env);
    this.idleSince.delete(env);
    const index = this.idle.indexOf(env);
    if (index >= 0) this.idle.splice(index, 1);
    this.pump();
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      // Most recently used first: it is the warmest, and the others can age out.
      const env = this.idle.pop();
      if (env) {
        this.idleSince.delete(env);
        this.waiting.shift()!.resolve({ env });
        continue;
      }
      if (this.members.size + this.starting >= this.limit) return;
      // The first waiter takes the environment being pre-warmed rather than starting a second one.
      if (this.prewarming && this.waiting.length === 1) return;
      this.starting++;
      this.waiting.shift()!.resolve({});
    }
  }
}
