/**
 * State that AWS scopes to an account and a region (tables, streams, most
 * resources), opened on first use. Each service keeps one entry per
 * (account, region) it has seen; a failed opening is forgotten so the next
 * request tries again instead of failing forever.
 *
 * Entries are bounded. Any 12-digit access key names an account (LocalStack's
 * convention) and each entry of a persisted engine holds a LevelDB handle —
 * four file descriptors and a block cache — so without a bound a client
 * cycling through accounts or regions would run the process out of file
 * descriptors (EMFILE), after which S3 writes and deploys fail too. Past
 * `maxOpen` entries, the least recently used ones that are idle are closed;
 * the next request for one reopens it from its state directory, unchanged.
 *
 * An entry is idle when no `use` holds it and no `get` from outside a `use`
 * asked for it within `idleMs`. `use` marks work in flight (the services wrap
 * each request in it), so an entry is never closed under a request, and is
 * free to close as soon as the request is answered; the `idleMs` grace covers
 * a caller outside any `use` that keeps what `get` answered for the moment
 * between asking and calling. Entries `canClose` refuses — in an in-memory
 * cloud, every entry that holds data, since its data lives nowhere else —
 * stay open.
 */
export interface PerAccountRegionOptions<T> {
  open(accountId: string, region: string): Promise<T>;
  close(entry: T): Promise<void>;
  /** What `get` fails with once `close` has begun (e.g. the service's ServiceUnavailable). */
  closedError(): Error;
  /**
   * Whether an idle entry may be closed now and reopened later with nothing
   * lost. Default: always (the entry's state is persisted).
   */
  canClose?(entry: T): Promise<boolean>;
  /** Entries kept open before idle ones are closed. */
  maxOpen?: number;
  /** How long after a `get` (from outside any `use`) an entry that no `use` holds counts as idle. */
  idleMs?: number;
}

/** Enough for a developer's accounts × regions; each persisted entry costs a few file descriptors. */
export const DEFAULT_MAX_OPEN = 16;
export const DEFAULT_IDLE_MS = 2_000;

interface Entry<T> {
  value: Promise<T>;
  /** `use` calls running on this entry. */
  holds: number;
  /** When the entry was last asked for or released: least recently used entries close first. */
  lastUsed: number;
  /** Until when a `get` from outside any `use` keeps the entry open. */
  graceUntil: number;
}

export class PerAccountRegion<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Entries being closed; a `get` for one waits until its store is released, then reopens it. */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly maxOpen: number;
  private readonly idleMs: number;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping = false;
  private closed = false;

  constructor(private readonly options: PerAccountRegionOptions<T>) {
    this.maxOpen = options.maxOpen ?? DEFAULT_MAX_OPEN;
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  }

  /** How many entries are open (or opening) now. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry for (account, region), opened if needed. */
  get(accountId: string, region: string): Promise<T> {
    if (this.closed) return Promise.reject(this.options.closedError());
    const entry = this.entry(accountId, region);
    // Held by a `use`, the entry stays open for as long as that runs; otherwise the caller gets a grace.
    if (entry.holds === 0) entry.graceUntil = Date.now() + this.idleMs;
    return entry.value;
  }

  /** Runs `work` on the entry for (account, region); the entry stays open until `work` settles. */
  async use<R>(accountId: string, region: string, work: (entry: T) => Promise<R>): Promise<R> {
    if (this.closed) throw this.options.closedError();
    const entry = this.entry(accountId, region);
    entry.holds++;
    try {
      return await work(await entry.value);
    } finally {
      entry.holds--;
      entry.lastUsed = Date.now();
      if (this.entries.size > this.maxOpen) this.scheduleSweep();
    }
  }

  /** Refuses further `get`s, then closes every entry opened successfully so far. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.sweepTimer);
    const values = [...this.entries.values()].map((e) => e.value);
    this.entries.clear();
    await Promise.allSettled(this.closing.values());
    const settled = await Promise.allSettled(values);
    await Promise.all(settled.flatMap((s) => (s.status === 'fulfilled' ? [this.options.close(s.value)] : [])));
  }

  private entry(accountId: string, region: string): Entry<T> {
    const key = `${accountId}/${region}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const pendingClose = this.closing.get(key);
      const value = pendingClose
        ? pendingClose.then(() => this.options.open(accountId, region))
        : this.options.open(accountId, region);
      const created: Entry<T> = { value, holds: 0, lastUsed: Date.now(), graceUntil: 0 };
      entry = created;
      this.entries.set(key, created);
      value.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
      if (this.entries.size > this.maxOpen) this.scheduleSweep();
    }
    entry.lastUsed = Date.now();
    return entry;
  }

  /**
   * Sweeps soon (on a timer, so never between a caller's `get` and its use
   * of the answer), and again every `idleMs` while over the bound: entries
   * still busy now may be idle by then.
   */
  private scheduleSweep(delayMs = 0): void {
    if (this.sweepTimer || this.sweeping || this.closed) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      this.sweeping = true;
      this.sweep().finally(() => {
        this.sweeping = false;
        if (this.entries.size > this.maxOpen) this.scheduleSweep(this.idleMs);
      });
    }, delayMs);
    this.sweepTimer.unref();
  }

  /** Closes idle entries, least recently used first, until at most `maxOpen` remain (or none is idle). */
  private async sweep(): Promise<void> {
    const idle = [...this.entries]
      .filter(([, entry]) => this.isIdle(entry, Date.now()))
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, entry] of idle) {
      if (this.closed || this.entries.size <= this.maxOpen) return;
      let value: T;
      try {
        value = await entry.value;
        if (this.options.canClose && !(await this.options.canClose(value))) continue;
      } catch {
        continue;
      }
      // Asked for while we looked? Then it is in use again: keep it.
      if (this.closed || this.entries.get(key) !== entry || !this.isIdle(entry, Date.now())) continue;
      this.entries.delete(key);
      const released = this.options.close(value).catch(() => undefined);
      this.closing.set(key, released);
      await released;
      if (this.closing.get(key) === released) this.closing.delete(key);
    }
  }

  private isIdle(entry: Entry<T>, now: number): boolean {
    return entry.holds === 0 && now >= entry.graceUntil;
  }
}
