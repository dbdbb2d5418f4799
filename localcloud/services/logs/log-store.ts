import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { LogGroupClass } from '@aws-sdk/client-cloudwatch-logs';
import { fromPathSegment, JsonLinesFile, readJsonFile, readJsonLines, safePathSegment, writeFileAtomic, writeJsonAtomic } from '../../core/state-files.js';

const DAY_MS = 24 * 3600 * 1000;

export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Arrival order within the stream: breaks ties between equal timestamps, stable across restarts. */
  seq: number;
}

export interface NewEvent {
  timestamp: number;
  message: string;
}

/** Where an event sorts within its stream: by timestamp, then arrival. */
export interface EventKey {
  timestamp: number;
  seq: number;
}

export function compareKeys(a: EventKey, b: EventKey): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

export class LogStream {
  /** Sorted by (timestamp, seq). */
  events: StoredEvent[] = [];
  nextSeq = 0;
  storedBytes = 0;
  lastIngestionTime?: number;

  constructor(
    readonly name: string,
    readonly creationTime: number,
    /** File name of this stream's events under `streams/`. */
    readonly file: string,
  ) {}

  get firstEventTimestamp(): number | undefined {
    return this.events[0]?.timestamp;
  }

  get lastEventTimestamp(): number | undefined {
    return this.events[this.events.length - 1]?.timestamp;
  }

  /** Adds events in arrival order; appends in O(1) when they are not older than the newest. */
  insert(events: readonly NewEvent[], ingestionTime: number): StoredEvent[] {
    const stored = events.map((e) => this.place({ timestamp: e.timestamp, message: e.message, ingestionTime, seq: this.nextSeq++ }));
    if (stored.length > 0) this.lastIngestionTime = ingestionTime;
    return stored;
  }

  /** Index of the first event whose key is >= `key`. */
  lowerBound(key: EventKey): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(this.events[mid], key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  place(event: StoredEvent): StoredEvent {
    const last = this.events[this.events.length - 1];
    if (!last || compareKeys(last, event) <= 0) this.events.push(event);
    else this.events.splice(this.lowerBound(event), 0, event);
    this.storedBytes += Buffer.byteLength(event.message) + 26;
    if (event.seq >= this.nextSeq) this.nextSeq = event.seq + 1;
    return event;
  }
}

export class LogGroup {
  readonly streams = new Map<string, LogStream>();
  retentionInDays?: number;
  kmsKeyId?: string;
  tags: Record<string, string> = {};
  logGroupClass: LogGroupClass = 'STANDARD';

  constructor(
    readonly name: string,
    readonly creationTime: number,
  ) {}

  /** Events at or before this time have expired under the retention policy (or none have). */
  expiredBefore(now: number): number {
    return this.retentionInDays === undefined ? -Infinity : now - this.retentionInDays * DAY_MS;
  }

  get storedBytes(): number {
    let bytes = 0;
    for (const s of this.streams.values()) bytes += s.storedBytes;
    return bytes;
  }
}

interface Catalog {
  groups: {
    name: string;
    creationTime: number;
    retentionInDays?: number;
    kmsKeyId?: string;
    tags: Record<string, string>;
    logGroupClass: LogGroupClass;
    streams: { name: string; creationTime: number; file: string }[];
  }[];
}

/** One line of a stream's events file. */
interface EventRecord {
  t: number;
  m: string;
  i: number;
}

class RegionLogs {
  readonly groups = new Map<string, LogGroup>();
}

/**
 * The CloudWatch Logs state model: log groups, streams and events per account
 * and region. With a state directory, each account/region keeps a
 * `catalog.json` (groups, streams, settings; rewritten atomically) and one
 * append-only JSON Lines file of events per stream under `streams/`.
 */
export class LogStore {
  private readonly regions = new Map<string, RegionLogs>();

  constructor(
    private readonly dir: string | undefined,
    readonly now: () => number = Date.now,
  ) {}

  load(): void {
    if (!this.dir || !existsSync(this.dir)) return;
    for (const accountDir of readdirSync(this.dir, { withFileTypes: true })) {
      if (!accountDir.isDirectory()) continue;
      for (const regionDir of readdirSync(path.join(this.dir, accountDir.name), { withFileTypes: true })) {
        if (!regionDir.isDirectory()) continue;
        this.loadRegion(fromPathSegment(accountDir.name), fromPathSegment(regionDir.name));
      }
    }
  }

  group(accountId: string, region: string, name: string): LogGroup | undefined {
    return this.regions.get(regionKey(accountId, region))?.groups.get(name);
  }

  /** Every group of an account and region, by name. */
  groups(accountId: string, region: string): LogGroup[] {
    const logs = this.regions.get(regionKey(accountId, region));
    return logs ? [...logs.groups.values()].sort((a, b) => compareText(a.name, b.name)) : [];
  }

  createGroup(accountId: string, region: string, name: string, settings: Partial<Pick<LogGroup, 'kmsKeyId' | 'tags' | 'logGroupClass'>> = {}): LogGroup {
    const group = new LogGroup(name, this.now());
    Object.assign(group, Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)));
    this.regionFor(accountId, region).groups.set(name, group);
    this.saveCatalog(accountId, region);
    return group;
  }

  deleteGroup(accountId: string, region: string, group: LogGroup): void {
    this.regionFor(accountId, region).groups.delete(group.name);
    this.saveCatalog(accountId, region);
    for (const stream of group.streams.values()) this.removeEventsFile(accountId, region, stream);
  }

  /** Persists a change to a group's settings (retention, tags). */
  groupChanged(accountId: string, region: string): void {
    this.saveCatalog(accountId, region);
  }

  createStream(accountId: string, region: string, group: LogGroup, name: string): LogStream {
    const stream = new LogStream(name, this.now(), `${randomBytes(8).toString('hex')}.jsonl`);
    group.streams.set(name, stream);
    this.saveCatalog(accountId, region);
    return stream;
  }

  deleteStream(accountId: string, region: string, group: LogGroup, stream: LogStream): void {
    group.streams.delete(stream.name);
    this.saveCatalog(accountId, region);
    this.removeEventsFile(accountId, region, stream);
  }

  /** Stores events (already validated) and writes them through to the stream's file. */
  append(accountId: string, region: string, stream: LogStream, events: readonly NewEvent[]): StoredEvent[] {
    const stored = stream.insert(events, this.now());
    if (this.dir && stored.length > 0) {
      const file = new JsonLinesFile(this.eventsFile(accountId, region, stream));
      try {
        file.append(stored.map((e): EventRecord => ({ t: e.timestamp, m: e.message, i: e.ingestionTime })));
      } finally {
        file.close();
      }
    }
    return stored;
  }

  /** Drops events past each group's retention, rewriting the files of streams that lost any. */
  prune(): void {
    const now = this.now();
    for (const [key, logs] of this.regions) {
      const [accountId, region] = key.split('\u0000');
      for (const group of logs.groups.values()) {
        const cutoff = group.expiredBefore(now);
        if (cutoff === -Infinity) continue;
        for (const stream of group.streams.values()) {
          const keep = stream.events.filter((e) => e.timestamp > cutoff);
          if (keep.length === stream.events.length) continue;
          stream.events = keep;
          stream.storedBytes = keep.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0);
          if (this.dir) {
            const lines = [...keep].sort((a, b) => a.seq - b.seq).map((e) => JSON.stringify({ t: e.timestamp, m: e.message, i: e.ingestionTime }) + '\n');
            writeFileAtomic(this.eventsFile(accountId, region, stream), lines.join(''));
          }
        }
      }
    }
  }

  private loadRegion(accountId: string, region: string): void {
    const catalog = readJsonFile<Catalog>(this.catalogFile(accountId, region));
    if (!catalog) return;
    const logs = this.regionFor(accountId, region);
    for (const saved of catalog.groups) {
      const group = new LogGroup(saved.name, saved.creationTime);
      group.retentionInDays = saved.retentionInDays;
      group.kmsKeyId = saved.kmsKeyId;
      group.tags = saved.tags ?? {};
      group.logGroupClass = saved.logGroupClass ?? 'STANDARD';
      for (const s of saved.streams) {
        const stream = new LogStream(s.name, s.creationTime, s.file);
        let seq = 0;
        readJsonLines(this.eventsFile(accountId, region, stream), (r: EventRecord) => {
          if (typeof r?.t !== 'number' || typeof r.m !== 'string') return;
          stream.place({ timestamp: r.t, message: r.m, ingestionTime: r.i, seq: seq++ });
          if (stream.lastIngestionTime === undefined || r.i > stream.lastIngestionTime) stream.lastIngestionTime = r.i;
        });
        group.streams.set(stream.name, stream);
      }
      logs.groups.set(group.name, group);
    }
  }

  private saveCatalog(accountId: string, region: string): void {
    if (!this.dir) return;
    const catalog: Catalog = {
      groups: this.groups(accountId, region).map((g) => ({
        name: g.name,
        creationTime: g.creationTime,
        retentionInDays: g.retentionInDays,
        kmsKeyId: g.kmsKeyId,
        tags: g.tags,
        logGroupClass: g.logGroupClass,
        streams: [...g.streams.values()].map((s) => ({ name: s.name, creationTime: s.creationTime, file: s.file })),
      })),
    };
    writeJsonAtomic(this.catalogFile(accountId, region), catalog);
  }

  private removeEventsFile(accountId: string, region: string, stream: LogStream): void {
    if (this.dir) rmSync(this.eventsFile(accountId, region, stream), { force: true });
  }

  private regionFor(accountId: string, region: string): RegionLogs {
    const key = regionKey(accountId, region);
    let logs = this.regions.get(key);
    if (!logs) {
      logs = new RegionLogs();
      this.regions.set(key, logs);
    }
    return logs;
  }

  private regionDir(accountId: string, region: string): string {
    return path.join(this.dir!, safePathSegment(accountId), safePathSegment(region));
  }

  private catalogFile(accountId: string, region: string): string {
    return path.join(this.regionDir(accountId, region), 'catalog.json');
  }

  private eventsFile(accountId: string, region: string, stream: LogStream): string {
    return path.join(this.regionDir(accountId, region), 'streams', stream.file);
  }
}

const regionKey = (accountId: string, region: string) => `${accountId}\u0000${region}`;

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
