import { createHash, randomUUID } from 'node:crypto';
import type { AttributeValue, KeySchemaElement, StreamViewType } from '@aws-sdk/client-dynamodb';

/**
 * A table's change stream as DynamoDB Streams keeps it: one per enabling of
 * StreamSpecification (disabling and enabling again makes a new stream with
 * a new label), one shard each, records retained 24 hours. Descriptors and
 * records live in the engine's own LevelDB under a prefix dynalite never
 * uses, so they persist with the state directory and go with it.
 */
export interface StreamDescriptor {
  tableName: string;
  /** `2024-05-11T21:21:33.291`: the creation time, as DynamoDB labels streams. */
  label: string;
  streamArn: string;
  viewType: StreamViewType;
  status: 'ENABLED' | 'DISABLED';
  createdAt: number;
  keySchema: KeySchemaElement[];
}

export type Image = Record<string, AttributeValue>;
export type EventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/** A record as GetRecords returns it (and Lambda hands it on), timestamps in epoch seconds. */
export interface StreamRecordData {
  eventID: string;
  eventName: EventName;
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Image;
    NewImage?: Image;
    OldImage?: Image;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
}

/** The part of dynalite's LevelDB handle (abstract-level, promise style) the store uses. */
export interface StreamLevel {
  put(key: string, value: unknown): Promise<void>;
  get(key: string): Promise<unknown>;
  del(key: string): Promise<void>;
  batch(operations: { type: 'del'; key: string }[]): Promise<void>;
  keys(options: Record<string, unknown>): { all(): Promise<string[]> };
  values(options: Record<string, unknown>): { all(): Promise<unknown[]> };
}

export const RETENTION_MS = 24 * 60 * 60 * 1000;
/** Per stream, on top of the 24 hours: a local cloud's memory (or disk) is not DynamoDB's. */
export const MAX_RECORDS_PER_STREAM = 100_000;
const TRIM_EVERY_APPENDS = 500;
const PREFIX = 'lcstream~';
const SEQUENCE_DIGITS = 21;

export class StreamStore {
  private readonly active = new Map<string, StreamDescriptor>();
  private lastSequence = 0n;
  private readonly appendsSinceTrim = new Map<string, number>();

  private constructor(
    private readonly db: StreamLevel,
    private readonly accountId: string,
    private readonly region: string,
    /** Told after each append (Lambda's pollers wake on it). */
    private readonly appended: (streamArn: string) => void,
  ) {}

  static async open(db: StreamLevel, accountId: string, region: string, appended: (streamArn: string) => void = () => undefined): Promise<StreamStore> {
    const store = new StreamStore(db, accountId, region, appended);
    for (const descriptor of await store.all()) {
      if (descriptor.status === 'ENABLED') store.active.set(descriptor.tableName, descriptor);
    }
    return store;
  }

  /** The table's enabled stream, if it has one (read on every write: kept in memory). */
  activeFor(tableName: string): StreamDescriptor | undefined {
    return this.active.get(tableName);
  }

  async enable(tableName: string, viewType: StreamViewType, keySchema: KeySchemaElement[]): Promise<StreamDescriptor> {
    const createdAt = Date.now();
    const label = new Date(createdAt).toISOString().replace('Z', '');
    const descriptor: StreamDescriptor = {
      tableName,
      label,
      streamArn: `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${tableName}/stream/${label}`,
      viewType,
      status: 'ENABLED',
      createdAt,
      keySchema,
    };
    await this.db.put(metaKey(tableName, label), descriptor);
    this.active.set(tableName, descriptor);
    return descriptor;
  }

  /** Stops the table's stream (on UpdateTable or DeleteTable); its records stay readable for their 24 hours. */
  async disable(tableName: string): Promise<void> {
    const descriptor = this.active.get(tableName);
    if (!descriptor) return;
    this.active.delete(tableName);
    await this.db.put(metaKey(tableName, descriptor.label), { ...descriptor, status: 'DISABLED' });
  }

  /** Every stream still within retention, oldest first per table. */
  async all(): Promise<StreamDescriptor[]> {
    const descriptors = (await this.db.values({ gte: `${PREFIX}meta~`, lt: `${PREFIX}meta~\xff` }).all()) as StreamDescriptor[];
    const live: StreamDescriptor[] = [];
    for (const d of descriptors) {
      if (d.status === 'DISABLED' && d.createdAt < Date.now() - RETENTION_MS && (await this.isEmpty(d))) {
        await this.db.del(metaKey(d.tableName, d.label));
      } else {
        live.push(d);
      }
    }
    return live;
  }

  async byArn(streamArn: string): Promise<StreamDescriptor | undefined> {
    const parsed = parseStreamArn(streamArn);
    if (!parsed || parsed.accountId !== this.accountId || parsed.region !== this.region) return undefined;
    return (await this.db.get(metaKey(parsed.tableName, parsed.label))) as StreamDescriptor | undefined;
  }

  /** Appends one change of `descriptor`'s table, shaped by its view type. */
  async append(descriptor: StreamDescriptor, oldImage: Image | undefined, newImage: Image | undefined): Promise<void> {
    const eventName: EventName = !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY';
    const keys = keysOf((newImage ?? oldImage)!, descriptor.keySchema);
    const sequenceNumber = this.nextSequence();
    const dynamodb: StreamRecordData['dynamodb'] = {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: keys,
      SequenceNumber: sequenceNumber,
      SizeBytes: 0,
      StreamViewType: descriptor.viewType,
    };
    const view = descriptor.viewType;
    if (newImage && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) dynamodb.NewImage = newImage;
    if (oldImage && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) dynamodb.OldImage = oldImage;
    dynamodb.SizeBytes = Buffer.byteLength(JSON.stringify([dynamodb.Keys, dynamodb.NewImage ?? null, dynamodb.OldImage ?? null]));
    const record: StreamRecordData = {
      eventID: randomUUID().replace(/-/g, ''),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb,
    };
    await this.db.put(recordKey(descriptor, sequenceNumber), record);
    this.appended(descriptor.streamArn);
    const appends = (this.appendsSinceTrim.get(descriptor.streamArn) ?? 0) + 1;
    this.appendsSinceTrim.set(descriptor.streamArn, appends % TRIM_EVERY_APPENDS);
    if (appends >= TRIM_EVERY_APPENDS) await this.trim(descriptor);
  }

  /** Up to `limit` records after sequence number `after` (`'0'`: from the oldest retained). */
  async read(descriptor: StreamDescriptor, after: string, limit: number): Promise<StreamRecordData[]> {
    const records = (await this.db.values({ gt: recordKey(descriptor, after), lt: recordKey(descriptor, '\xff'), limit }).all()) as StreamRecordData[];
    const horizon = Math.floor((Date.now() - RETENTION_MS) / 1000);
    return records.filter((r) => r.dynamodb.ApproximateCreationDateTime >= horizon);
  }

  /** The first and last sequence numbers held for the stream. */
  async range(descriptor: StreamDescriptor): Promise<{ first?: string; last?: string }> {
    const prefix = recordKey(descriptor, '');
    const [first] = await this.db.keys({ gt: prefix, lt: recordKey(descriptor, '\xff'), limit: 1 }).all();
    const [last] = await this.db.keys({ gt: prefix, lt: recordKey(descriptor, '\xff'), limit: 1, reverse: true }).all();
    return { first: first?.slice(prefix.length), last: last?.slice(prefix.length) };
  }

  /** One shard per stream, named after the stream so it never changes. */
  shardId(descriptor: StreamDescriptor): string {
    const digest = createHash('sha256').update(descriptor.streamArn).digest('hex').slice(0, 8);
    return `shardId-${String(descriptor.createdAt).padStart(20, '0')}-${digest}`;
  }

  /** Drops records past 24 hours, and the oldest past the per-stream bound. */
  private async trim(descriptor: StreamDescriptor): Promise<void> {
    const keys = await this.db.keys({ gt: recordKey(descriptor, ''), lt: recordKey(descriptor, '\xff'), reverse: true }).all();
    const horizon = BigInt(Date.now() - RETENTION_MS) * 1_000_000n;
    const prefixLength = recordKey(descriptor, '').length;
    const expired = keys.filter((key, newestFirst) => newestFirst >= MAX_RECORDS_PER_STREAM || BigInt(key.slice(prefixLength)) < horizon);
    if (expired.length) await this.db.batch(expired.map((key) => ({ type: 'del' as const, key })));
  }

  private async isEmpty(descriptor: StreamDescriptor): Promise<boolean> {
    return (await this.read(descriptor, '0', 1)).length === 0;
  }

  /** Increasing across restarts: the clock in microseconds-ish, never below the last one issued. */
  private nextSequence(): string {
    const fromClock = BigInt(Date.now()) * 1_000_000n;
    this.lastSequence = fromClock > this.lastSequence ? fromClock : this.lastSequence + 1n;
    return this.lastSequence.toString().padStart(SEQUENCE_DIGITS, '0');
  }
}

export function keysOf(item: Image, keySchema: KeySchemaElement[]): Image {
  const keys: Image = {};
  for (const { AttributeName } of keySchema) if (AttributeName && item[AttributeName]) keys[AttributeName] = item[AttributeName];
  return keys;
}

export function parseStreamArn(arn: string): { region: string; accountId: string; tableName: string; label: string } | undefined {
  const match = /^arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})\/stream\/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})$/.exec(arn);
  return match ? { region: match[1], accountId: match[2], tableName: match[3], label: match[4] } : undefined;
}

/** Sequence numbers are fixed-width, so keys sort in stream order. */
export function padSequence(sequenceNumber: string): string {
  return sequenceNumber.padStart(SEQUENCE_DIGITS, '0');
}

const metaKey = (tableName: string, label: string) => `${PREFIX}meta~${tableName}~${label}`;
const recordKey = (d: StreamDescriptor, sequenceNumber: string) => `${PREFIX}rec~${d.tableName}~${d.label}~${sequenceNumber}`;
