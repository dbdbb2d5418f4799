import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LogGroupClass } from '@aws-sdk/client-cloudwatch-logs';
import { fromPathSegment, readJsonFile, safePathSegment, writeJsonAtomic } from '../../core/state-files.js';
import { SegmentCache, StreamEvents, type EventKey, type StoredEvent } from './stream-events.js';

const DAY_MS = 24 * 3600 * 1000;

export { compareKeys, type EventKey, type StoredEvent } from './stream-events.js';

export interface NewEvent {
  timestamp: number;
  message: string;
}

/**
 * How much of the events a store keeps in memory; the rest is on disk in
 * segments read back on demand. The defaults keep a busy cloud's logs to a
 * few tens of MB whatever it has logged.
 */
export interface LogStoreLimits {
  /** A stream's in-memory tail is sealed into a segment beyond this many bytes (message + 26 each). */
  streamTailBytes: number;
  /** All streams' tails together; beyond it the largest tails are sealed. */
  memoryBytes: number;
  /**
   * Sealed bytes a stream may keep on disk before its oldest segments are
   * dropped. AWS sets no such quota (retention is the only limit); this one
   * only protects the local disk, so it is large.
   */
  streamDiskBytes: number;
}

export const DEFAULT_LOG_STORE_LIMITS: LogStoreLimits = {
  streamTailBytes: 1024 * 1024,
  memoryBytes: 32 * 1024 * 1024,
  streamDiskBytes: 10 * 1024 * 1024 * 1024,
};

export class LogStream {
  nextSeq = 0;
  lastIngestionTime?: number;

  constructor(
    readonly name: string,
    readonly creationTime: number,
    /** File name of this stream's events under `streams/` (its segments are in `<file>.segments/`). */
    readonly file: string,
    /** The events, in (timestamp, seq) order. */
    readonly events: StreamEvents,
  ) {}

  get storedBytes(): number {
    return this.events.storedBytes;
  }

  get firstEventTimestamp(): number | undefined {
    return this.events.first?.timestamp;
  }

  get lastEventTimestamp(): number | undefined {
    return this.events.last?.timestamp;
  }

  /** Index of the first event whose key is >= `key`. */
  lowerBound(key: EventKey): number {
    return this.events.lowerBound(key);
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

class RegionLogs {
  readonly groups = new Map<string, LogGroup>();
}

/**
 * The CloudWatch Logs state model: log groups, streams and events per account
 * and region. With a state directory, each account/region keeps a
 * `catalog.json` (groups, streams, settings; rewritten atomically), and each
 * stream an append-only JSON Lines file of its in-memory tail under
 * `streams/` plus sealed, sorted segments in `streams/<file>.segments/`.
 * Without one, segments go to a temporary folder removed by `close`.
 */
export class LogStore {
  private readonly regions = new Map<string, RegionLogs>();
  private readonly cache = new SegmentCache();
  private readonly limits: LogStoreLimits;
  /** Where segments go when there is no state directory (created on first use). */
  private spillDir?: string;
  /** Bytes held by every stream's in-memory tail. */
  private tailBytes = 0;

  constructor(
    private readonly dir: string | undefined,
    readonly now: () => number = Date.now,
    limits: Partial<LogStoreLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LOG_STORE_LIMITS, ...limits };
  }

  /** Bytes of events held in memory (the tails); the rest is on disk. */
  get memoryBytes(): number {
    return this.tailBytes;
  }

  /** The temporary folder segments spill to without a state directory, once one is in use. */
  get temporaryDir(): string | undefined {
    return this.spillDir;
  }

  /** Removes the temporary segments folder (a state directory is kept). */
  close(): void {
    if (this.spillDir) rmSync(this.spillDir, { recursive: true, force: true });
    this.spillDir = undefined;
  }

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
    for (const stream of group.streams.values()) this.removeEvents(stream);
  }

  /** Persists a change to a group's settings (retention, tags). */
  groupChanged(accountId: string, region: string): void {
    this.saveCatalog(accountId, region);
  }

  createStream(accountId: string, region: string, group: LogGroup, name: string): LogStream {
    const file = `${randomBytes(8).toString('hex')}.jsonl`;
    const stream = new LogStream(name, this.now(), file, this.streamEvents(accountId, region, file));
    group.streams.set(name, stream);
    this.saveCatalog(accountId, region);
    return stream;
  }

  deleteStream(accountId: string, region: string, group: LogGroup, stream: LogStream): void {
    group.streams.delete(stream.name);
    this.saveCatalog(accountId, region);
    this.removeEvents(stream);
  }

  /** Stores events (already validated), writing them through to the state directory, and keeps memory in budget. */
  append(accountId: string, region: string, stream: LogStream, events: readonly NewEvent[]): StoredEvent[] {
    const ingestionTime = this.now();
    const stored = events.map((e): StoredEvent => ({ timestamp: e.timestamp, message: e.message, ingestionTime, seq: stream.nextSeq++ }));
    this.tailBytes += stream.events.add(stored);
    if (stored.length > 0) stream.lastIngestionTime = ingestionTime;
    this.keepInBudget(stream);
    return stored;
  }

  /** Drops events past each group's retention: whole segments, the expired part of one, and the tail's. */
  prune(): void {
    const now = this.now();
    for (const logs of this.regions.values()) {
      for (const group of logs.groups.values()) {
        const cutoff = group.expiredBefore(now);
        if (cutoff === -Infinity) continue;
        for (const stream of group.streams.values()) this.tailBytes -= stream.events.expire(cutoff);
      }
    }
  }

  /** Seals the stream's tail past its own budget, then the largest tails while all of them are past theirs. */
  private keepInBudget(stream: LogStream): void {
    if (stream.events.tailBytes > this.limits.streamTailBytes) this.seal(stream);
    if (this.tailBytes <= this.limits.memoryBytes) return;
    const streams = [...this.regions.values()].flatMap((logs) => [...logs.groups.values()].flatMap((g) => [...g.streams.values()]));
    streams.sort((a, b) => b.events.tailBytes - a.events.tailBytes);
    // Down to three quarters, so a store at its budget does not seal on every write.
    for (const s of streams) {
      if (this.tailBytes <= this.limits.memoryBytes * 0.75) break;
      this.seal(s);
    }
  }

  private seal(stream: LogStream): void {
    this.tailBytes -= stream.events.seal();
    stream.events.capSealed(this.limits.streamDiskBytes);
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
        const stream = new LogStream(s.name, s.creationTime, s.file, this.streamEvents(accountId, region, s.file));
        stream.events.load();
        this.tailBytes += stream.events.tailBytes;
        stream.nextSeq = stream.events.maxSeq + 1;
        stream.lastIngestionTime = stream.events.lastIngestionTime;
        group.streams.set(stream.name, stream);
        this.keepInBudget(stream);
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

  private removeEvents(stream: LogStream): void {
    this.tailBytes -= stream.events.tailBytes;
    stream.events.destroy();
  }

  private streamEvents(accountId: string, region: string, file: string): StreamEvents {
    if (this.dir) {
      const streamsDir = path.join(this.regionDir(accountId, region), 'streams');
      return new StreamEvents({ segmentDir: path.join(streamsDir, `${file}.segments`), tailFile: path.join(streamsDir, file), cache: this.cache });
    }
    this.spillDir ??= mkdtempSync(path.join(tmpdir(), 'localcloud-logs-'));
    return new StreamEvents({ segmentDir: path.join(this.spillDir, safePathSegment(accountId), safePathSegment(region), `${file}.segments`), cache: this.cache });
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
}

const regionKey = (accountId: string, region: string) => `${accountId}\u0000${region}`;

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
