/**
 * State that AWS scopes to an account and a region (tables, streams, most
 * resources), created on first use. Each service keeps one entry per
 * (account, region) it has seen; a failed creation is forgotten so the next
 * request tries again instead of failing forever.
 */
export class PerAccountRegion<T> {
  private readonly entries = new Map<string, Promise<T>>();
  private closed = false;

  constructor(
    private readonly create: (accountId: string, region: string) => Promise<T>,
    /** What `get` fails with once `close` has begun (e.g. the service's ServiceUnavailable). */
    private readonly closedError: () => Error,
  ) {}

  get(accountId: string, region: string): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    const key = `${accountId}/${region}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = this.create(accountId, region);
      this.entries.set(key, entry);
      entry.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    return entry;
  }

  /** Refuses further `get`s, then closes every entry created successfully so far. */
  async close(closeEntry: (entry: T) => Promise<void>): Promise<void> {
    this.closed = true;
    const settled = await Promise.allSettled(this.entries.values());
    this.entries.clear();
    await Promise.all(settled.flatMap((s) => (s.status === 'fulfilled' ? [closeEntry(s.value)] : [])));
  }
}
