import type { EngineCallback } from '../../../core/callback-engine.js';
import type { Image, StreamStore } from './stream-store.js';

/** The part of one of dynalite's per-table item stores the capture wraps. */
export interface ItemDb {
  get(key: string, callback: EngineCallback<Image | undefined>): void;
  put(key: string, item: Image, callback: EngineCallback): void;
  del(key: string, callback: EngineCallback): void;
}

/**
 * Feeds table streams from the one place every write path goes through:
 * dynalite's per-table item store. PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem (and transactions and PartiQL, which write through those
 * actions) all end in its `put` or `del`, called under the item's lock with
 * nothing else writing the item. So the wrapper reads the item as it was,
 * writes, and appends a record when the item actually changed — only for
 * tables whose stream is enabled; other tables pay nothing.
 */
export class ChangeCapture {
  /** While a transaction writes, it records its own changes once it commits (a rolled-back write must not show). */
  paused = false;
  private readonly wrapped = new Map<string, ItemDb>();

  constructor(
    private readonly streams: StreamStore,
    private readonly log: (message: string) => void,
  ) {}

  /** `getItemDb` as dynalite calls it, returning item stores that record their changes. */
  wrap(getItemDb: (tableName: string) => ItemDb): (tableName: string) => ItemDb {
    return (tableName) => {
      const itemDb = getItemDb(tableName);
      let wrapper = this.wrapped.get(tableName);
      if (!wrapper || Object.getPrototypeOf(wrapper) !== itemDb) {
        wrapper = this.capturing(tableName, itemDb);
        this.wrapped.set(tableName, wrapper);
      }
      return wrapper;
    };
  }

  /** Appends a record for one change, if the table streams and the item changed. Never fails the write it follows. */
  async record(tableName: string, oldImage: Image | undefined, newImage: Image | undefined): Promise<void> {
    const descriptor = this.streams.activeFor(tableName);
    if (!descriptor || !changed(oldImage, newImage)) return;
    try {
      await this.streams.append(descriptor, oldImage, newImage);
    } catch (err) {
      this.log(`dynamodb: recording a change of ${tableName} on its stream: ${err instanceof Error ? err.message : err}`);
    }
  }

  private capturing(tableName: string, itemDb: ItemDb): ItemDb {
    // Everything else (lock, get, the read streams) is the store's own.
    const wrapper = Object.create(itemDb) as ItemDb;
    const write = (key: string, newImage: Image | undefined, apply: (callback: EngineCallback) => void, callback: EngineCallback) => {
      if (this.paused || !this.streams.activeFor(tableName)) return apply(callback);
      itemDb.get(key, (getErr, oldImage) => {
        if (getErr && getErr.name !== 'NotFoundError') return callback(getErr);
        apply((err, result) => {
          if (err) return callback(err);
          this.record(tableName, oldImage ?? undefined, newImage).then(() => callback(null, result));
        });
      });
    };
    wrapper.put = (key, item, callback) => write(key, item, (done) => itemDb.put(key, item, done), callback);
    wrapper.del = (key, callback) => write(key, undefined, (done) => itemDb.del(key, done), callback);
    return wrapper;
  }
}

/** Whether a write changed the item: DynamoDB emits no record for a write that leaves it as it was. */
export function changed(oldImage: Image | undefined, newImage: Image | undefined): boolean {
  if (!oldImage || !newImage) return oldImage !== newImage;
  return canonical(oldImage) !== canonical(newImage);
}

/** JSON with object keys sorted, so equal items compare equal whatever order their attributes were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
