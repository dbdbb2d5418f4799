/**
 * A level-triggered wake-up: `notify()` before `wait()` is not lost, so a
 * poller that clears the signal, reads, finds nothing and then waits still
 * wakes for records announced while it was reading.
 */
export class WakeSignal {
  private pending = false;
  private waiter?: () => void;

  notify(): void {
    this.pending = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** Forget earlier notifications: the caller is about to look for itself. */
  clear(): void {
    this.pending = false;
  }

  /** Resolves true when notified, false when `ms` passed first. */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.waiter === done) this.waiter = undefined;
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.pending = false;
        resolve(true);
      };
      this.waiter = done;
    });
  }
}
