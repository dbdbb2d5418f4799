/**
 * Wakes long-polling receives. A receive that finds nothing waits on its
 * queue's signal; a send, a visibility change or a redrive into the queue
 * notifies it. Each waiter also has its own deadline, owned by the waiter.
 */
export class QueueSignals {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves on the next notify of `key`, or after `ms`, or when `signal` aborts; always clears its timer. */
  wait(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(key) === waiters) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
      waiters.add(done);
    });
  }

  /** How many receives are waiting now (health and tests look). */
  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  notify(key: string): void {
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
  }

  /** Wakes every waiter (the cloud is stopping). */
  notifyAll(): void {
    for (const key of [...this.waiters.keys()]) this.notify(key);
  }
}
