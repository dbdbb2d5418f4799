/**
 * State that AWS scopes to an account and a region (tables, streams, most
 * resources), created on first use. Each service keeps one entry per
 * (account, region) it has seen; a failed creation is forgotten so the next
 * request tries again instead of failing forever.
 */
export class PerAccountRegion<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly create: (accountId: string, region: string) => Promise<T>) {}

  get(accountId: string, region: string): Promise<T> {
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

  /** Every entry created successfully so far, e.g. to close them on shutdown. */
  async created(): Promise<T[]> {
    const settled = await Promise.allSettled(this.entries.values());
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  /** Forgets every entry (after closing them); the next `get` creates afresh. */
  clear(): void {
    this.entries.clear();
  }
}
