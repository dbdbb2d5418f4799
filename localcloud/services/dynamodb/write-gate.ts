/**
 * A fair shared/exclusive gate over one engine's operations. Single-item
 * operations run shared (concurrently, under dynalite's own per-key locks);
 * a transaction runs exclusive, so no other read or write sees it half done
 * and nothing changes its items between its condition checks and its writes.
 * Waiters are served in arrival order, so a stream of single writes cannot
 * starve a transaction.
 */
export class WriteGate {
  private shared = 0;
  private exclusive = false;
  private readonly waiting: { exclusive: boolean; enter: () => void }[] = [];

  async runShared<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await work();
    } finally {
      this.shared--;
      this.admit();
    }
  }

  async runExclusive<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await work();
    } finally {
      this.exclusive = false;
      this.admit();
    }
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (this.waiting.length === 0 && this.canEnter(exclusive)) {
      this.enter(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ exclusive, enter: resolve }));
  }

  private canEnter(exclusive: boolean): boolean {
    return exclusive ? !this.exclusive && this.shared === 0 : !this.exclusive;
  }

  private enter(exclusive: boolean): void {
    if (exclusive) this.exclusive = true;
    else this.shared++;
  }

  private admit(): void {
    while (this.waiting.length > 0 && this.canEnter(this.waiting[0].exclusive)) {
      const next = this.waiting.shift()!;
      this.enter(next.exclusive);
      next.enter();
    }
  }
}
