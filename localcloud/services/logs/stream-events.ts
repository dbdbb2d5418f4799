import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { JsonLinesFile, readJsonLines, writeFileAtomic } from '../../core/state-files.js';

export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Arrival order within the stream: breaks ties between equal timestamps, stable across restarts. */
  seq: number;
}

/** Where an event sorts within its stream: by timestamp, then arrival. */
export interface EventKey {
  timestamp: number;
  seq: number;
}

export function compareKeys(a: EventKey, b: EventKey): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

/** Bytes an event counts for in storedBytes and in the memory budget (AWS counts the message plus 26). */
export function eventBytes(event: { message: string }): number {
  return Buffer.byteLength(event.message) + 26;
}

/** One line of an events file (the tail's write-ahead file or a segment). */
interface EventRecord {
  t: number;
  m: string;
  i: number;
  /** Arrival number; absent in files written before segments, where line order gives it. */
  s?: number;
}

const toRecord = (e: StoredEvent): EventRecord => ({ t: e.timestamp, m: e.message, i: e.ingestionTime, s: e.seq });

function readEvents(file: string, onEvent: (event: StoredEvent) => void): void {
  let line = 0;
  readJsonLines(file, (r: EventRecord) => {
    const seq = line++;
    if (typeof r?.t !== 'number' || typeof r.m !== 'string') return;
    onEvent({ timestamp: r.t, message: r.m, ingestionTime: typeof r.i === 'number' ? r.i : r.t, seq: typeof r.s === 'number' ? r.s : seq });
  });
}

function writeEvents(file: string, events: readonly StoredEvent[]): void {
  let text = '';
  for (const e of events) text += JSON.stringify(toRecord(e)) + '\n';
  writeFileAtomic(file, text);
}

/** Index of the first event whose key is >= `key` in a sorted array. */
function lowerBoundIn(events: readonly EventKey[], key: EventKey): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(events[mid], key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A sealed, sorted run of a stream's events in a file of its own; only its summary stays in memory. */
interface Segment {
  file: string;
  count: number;
  bytes: number;
  first: EventKey;
  last: EventKey;
  /** Index of its first event in the stream. */
  start: number;
}

/**
 * Decoded segments, shared by every stream of a store: reads page through a
 * segment at a time, so a few recent ones in memory serve a paging client
 * without holding the stream.
 */
export class SegmentCache {
  private readonly entries = new Map<string, StoredEvent[]>();

  constructor(private readonly capacity = 8) {}

  get(file: string): StoredEvent[] {
    let events = this.entries.get(file);
    if (events) {
      this.entries.delete(file);
    } else {
      events = [];
      const read = events;
      readEvents(file, (e) => read.push(e));
      read.sort(compareKeys);
    }
    this.entries.set(file, events);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return events;
  }

  forget(file: string): void {
    this.entries.delete(file);
  }
}

export interface StreamEventsFiles {
  /** Folder of this stream's sealed segments (in the state folder, or the store's temporary folder). */
  segmentDir: string;
  /** The write-ahead file of the in-memory tail; only with a state folder. */
  tailFile?: string;
  cache: SegmentCache;
}

/**
 * A stream's events in (timestamp, seq) order: sealed segments on disk, then
 * an in-memory tail of the newest. Readers address the whole as one sorted
 * array (`count`, `at`, `lowerBound`, `slice`); the tail is sealed into a
 * segment when the store's memory budget says so.
 *
 * Segments never overlap and the tail sorts after them all: an event older
 * than the newest segment's last (PutLogEvents accepts up to 14 days back)
 * is written into the segment that covers it, which is rare and bounded by
 * a segment's size.
 */
export class StreamEvents {
  private segments: Segment[] = [];
  private tail: StoredEvent[] = [];
  private segmentBytes = 0;
  tailBytes = 0;
  private nextSegment = 1;
  /** Read back by `load`: the highest arrival number and ingestion time on disk. */
  maxSeq = -1;
  lastIngestionTime?: number;

  constructor(private readonly files: StreamEventsFiles) {}

  get count(): number {
    return this.segmentCount + this.tail.length;
  }

  get storedBytes(): number {
    return this.segmentBytes + this.tailBytes;
  }

  get first(): EventKey | undefined {
    return this.segments[0]?.first ?? this.tail[0];
  }

  get last(): EventKey | undefined {
    return this.tail[this.tail.length - 1] ?? this.segments[this.segments.length - 1]?.last;
  }

  at(index: number): StoredEvent {
    const sealed = this.segmentCount;
    if (index >= sealed) return this.tail[index - sealed];
    const segment = this.segmentAt(index);
    return this.files.cache.get(segment.file)[index - segment.start];
  }

  slice(start: number, end: number): StoredEvent[] {
    const page: StoredEvent[] = [];
    for (let i = start; i < end; i++) page.push(this.at(i));
    return page;
  }

  /** Index of the first event whose key is >= `key`. */
  lowerBound(key: EventKey): number {
    const segment = this.segments.find((s) => compareKeys(s.last, key) >= 0);
    if (!segment) return this.segmentCount + lowerBoundIn(this.tail, key);
    return segment.start + lowerBoundIn(this.files.cache.get(segment.file), key);
  }

  /**
   * Places new events in order and writes those that joined the tail through
   * to its file (one write per batch). Returns the bytes the tail grew by.
   */
  add(events: readonly StoredEvent[]): number {
    const before = this.tailBytes;
    const joined = events.filter((e) => this.place(e));
    if (this.files.tailFile && joined.length > 0) {
      const file = new JsonLinesFile(this.files.tailFile);
      try {
        file.append(joined.map(toRecord));
      } finally {
        file.close();
      }
    }
    return this.tailBytes - before;
  }

  /** Places an event in order; returns whether it went to the in-memory tail (rather than into a sealed segment). */
  private place(event: StoredEvent): boolean {
    const newestSealed = this.segments[this.segments.length - 1];
    if (newestSealed && compareKeys(event, newestSealed.last) <= 0) {
      this.insertIntoSegment(event);
      return false;
    }
    const last = this.tail[this.tail.length - 1];
    if (!last || compareKeys(last, event) <= 0) this.tail.push(event);
    else this.tail.splice(lowerBoundIn(this.tail, event), 0, event);
    this.tailBytes += eventBytes(event);
    return true;
  }

  /** Moves the in-memory tail to a new segment file; returns the bytes it frees. */
  seal(): number {
    if (this.tail.length === 0) return 0;
    const file = path.join(this.files.segmentDir, `${String(this.nextSegment++).padStart(8, '0')}.jsonl`);
    writeEvents(file, this.tail);
    this.segments.push({ file, count: this.tail.length, bytes: this.tailBytes, first: this.tail[0], last: this.tail[this.tail.length - 1], start: 0 });
    const freed = this.tailBytes;
    this.segmentBytes += freed;
    this.tail = [];
    this.tailBytes = 0;
    // The segment holds them now; a crash before this rewrite is undone on load (see load).
    if (this.files.tailFile) writeFileAtomic(this.files.tailFile, '');
    this.reindex();
    return freed;
  }

  /** Drops the oldest segments until the sealed events fit in `maxBytes`. */
  capSealed(maxBytes: number): void {
    let dropped = 0;
    while (this.segments.length > 1 && this.segmentBytes > maxBytes) {
      const oldest = this.segments.shift()!;
      this.removeSegmentFile(oldest);
      this.segmentBytes -= oldest.bytes;
      dropped++;
    }
    if (dropped > 0) this.reindex();
  }

  /** Drops events at or before `cutoff`; returns the tail bytes freed. */
  expire(cutoff: number): number {
    let changed = false;
    while (this.segments.length > 0 && this.segments[0].first.timestamp <= cutoff) {
      const oldest = this.segments[0];
      if (oldest.last.timestamp <= cutoff) {
        this.segments.shift();
        this.removeSegmentFile(oldest);
        this.segmentBytes -= oldest.bytes;
      } else {
        this.rewriteSegment(oldest, this.files.cache.get(oldest.file).filter((e) => e.timestamp > cutoff));
      }
      changed = true;
    }
    let freed = 0;
    if (this.tail.length > 0 && this.tail[0].timestamp <= cutoff) {
      const keep = this.tail.filter((e) => e.timestamp > cutoff);
      freed = this.tailBytes - keep.reduce((n, e) => n + eventBytes(e), 0);
      this.tail = keep;
      this.tailBytes -= freed;
      if (this.files.tailFile) writeEvents(this.files.tailFile, keep);
    }
    if (changed) this.reindex();
    return freed;
  }

  /** Reads back what `seal` and `place` wrote: the segments, then the tail not already in them. */
  load(): void {
    const tail: StoredEvent[] = [];
    if (this.files.tailFile) readEvents(this.files.tailFile, (e) => tail.push(e));
    for (const e of tail) this.noteLoaded(e);
    const inTail = new Set(tail.map((e) => e.seq));
    let names: string[] = [];
    try {
      names = readdirSync(this.files.segmentDir).filter((n) => /^\d{8}\.jsonl$/.test(n)).sort();
    } catch {
      // No segments yet.
    }
    for (const name of names) {
      const file = path.join(this.files.segmentDir, name);
      const events = this.files.cache.get(file);
      this.nextSegment = Number(name.slice(0, 8)) + 1;
      if (events.length === 0) {
        rmSync(file, { force: true });
        continue;
      }
      // A crash between writing a segment and emptying the tail file leaves its events in both.
      for (const e of events) {
        inTail.delete(e.seq);
        this.noteLoaded(e);
      }
      const bytes = events.reduce((n, e) => n + eventBytes(e), 0);
      this.segments.push({ file, count: events.length, bytes, first: events[0], last: events[events.length - 1], start: 0 });
      this.segmentBytes += bytes;
    }
    this.reindex();
    for (const e of tail) if (inTail.has(e.seq)) this.place(e);
  }

  private noteLoaded(event: StoredEvent): void {
    if (event.seq > this.maxSeq) this.maxSeq = event.seq;
    if (this.lastIngestionTime === undefined || event.ingestionTime > this.lastIngestionTime) this.lastIngestionTime = event.ingestionTime;
  }

  /** Removes every file of the stream. */
  destroy(): void {
    for (const segment of this.segments) this.files.cache.forget(segment.file);
    rmSync(this.files.segmentDir, { recursive: true, force: true });
    if (this.files.tailFile) rmSync(this.files.tailFile, { force: true });
  }

  private get segmentCount(): number {
    const last = this.segments[this.segments.length - 1];
    return last ? last.start + last.count : 0;
  }

  private segmentAt(index: number): Segment {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].start <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.segments[lo];
  }

  private insertIntoSegment(event: StoredEvent): void {
    const segment = this.segments.find((s) => compareKeys(s.last, event) >= 0)!;
    const events = [...this.files.cache.get(segment.file)];
    events.splice(lowerBoundIn(events, event), 0, event);
    this.rewriteSegment(segment, events);
    this.reindex();
  }

  private rewriteSegment(segment: Segment, events: StoredEvent[]): void {
    this.files.cache.forget(segment.file);
    writeEvents(segment.file, events);
    const bytes = events.reduce((n, e) => n + eventBytes(e), 0);
    this.segmentBytes += bytes - segment.bytes;
    Object.assign(segment, { count: events.length, bytes, first: events[0], last: events[events.length - 1] });
    if (events.length === 0) {
      this.segments.splice(this.segments.indexOf(segment), 1);
      this.removeSegmentFile(segment);
    }
  }

  private removeSegmentFile(segment: Segment): void {
    this.files.cache.forget(segment.file);
    rmSync(segment.file, { force: true });
  }

  private reindex(): void {
    let start = 0;
    for (const segment of this.segments) {
      segment.start = start;
      start += segment.count;
    }
  }
}
