/**
 * A timeout that can stop counting: while a debugger holds the function at a
 * breakpoint, the invocation's time does not run out.
 */
export class SuspendableTimer {
  private timer?: NodeJS.Timeout;
  private remainingMs: number;
  private startedAt = 0;
  private done = false;

  constructor(
    timeoutMs: number,
    private readonly onExpire: () => void,
  ) {
    this.remainingMs = timeoutMs;
    this.run();
  }

  get suspended(): boolean {
    return !this.done && this.timer === undefined;
  }

  /** Stops counting; returns the time left. */
  suspend(): number {
    if (this.timer === undefined || this.done) return this.remainingMs;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs = Math.max(0, this.remainingMs - (performance.now() - this.startedAt));
    return this.remainingMs;
  }

  /** Counts down again from where it stopped; returns the time left. */
  resume(): number {
    if (this.timer === undefined && !this.done) this.run();
    return this.remainingMs;
  }

  clear(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.startedAt = performance.now();
    this.timer = setTimeout(() => {
      this.done = true;
      this.onExpire();
    }, this.remainingMs);
  }
}
