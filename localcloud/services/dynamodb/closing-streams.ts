import { Readable } from 'node:stream';

/**
 * dynalite's LevelDB streams, rewritten so that they close their iterator.
 *
 * dynalite (4.x) turns LevelDB iterators into Node streams for every Query,
 * Scan, ListTables and table deletion. Its streams end the iterator through
 * `iterator.return()`, which abstract-level iterators (classic-level on disk,
 * memory-level in memory) do not have: they are closed with `close()`. So
 * no iterator was ever closed — not at the natural end, not when a Query
 * stops early at its Limit, not on a read error — and each one stayed
 * attached to the database (a native LevelDB iterator and its snapshot on
 * disk), holding memory until the engine closed: 20,000 queries took a
 * local cloud from 190 to 792 MB.
 *
 * dynalite's actions reach these streams through the database object
 * (`db.createKeyStream`, and its per-table wrappers call
 * `db.createValueStream`), so replacing the two methods there, once, when the
 * engine opens, covers every caller without touching dynalite. The
 * replacements read the same items in the same order; only the ending
 * differs. Remove this module once dynalite closes its iterators itself.
 */

/** The part of an abstract-level iterator the streams use. */
interface LevelIterator<T> {
  nextv(size: number): Promise<T[]>;
  close(): Promise<void>;
}

/** The part of dynalite's LevelDB handle this module replaces or reads from. */
export interface DynaliteLevel {
  keys(options?: unknown): LevelIterator<unknown>;
  values(options?: unknown): LevelIterator<unknown>;
  createKeyStream(options?: unknown): Readable;
  createValueStream(options?: unknown): Readable;
}

/**
 * A stream of `iterator`'s items that closes the iterator however the stream
 * ends: after the last item, when a reader stops early (`destroy()`), or on a
 * read error. abstract-level defers a `close()` until a read in progress
 * finishes, so closing mid-read is safe.
 */
export function closingIteratorStream<T>(iterator: LevelIterator<T>): Readable {
  return new Readable({
    objectMode: true,
    // autoDestroy (Node's default) destroys the stream after 'end', which closes the iterator.
    read(size) {
      iterator.nextv(size).then(
        (items) => {
          if (this.destroyed) return;
          if (items.length === 0) this.push(null);
          else for (const item of items) this.push(item);
        },
        (err: Error) => this.destroy(err),
      );
    },
    destroy(err, callback) {
      iterator.close().then(
        () => callback(err),
        (closeErr: Error) => callback(err ?? closeErr),
      );
    },
  });
}

const installed = new WeakSet<object>();

/** Replaces `createKeyStream` and `createValueStream` on dynalite's LevelDB handle (once). */
export function installClosingStreams(db: DynaliteLevel): void {
  if (installed.has(db)) return;
  db.createKeyStream = (options) => closingIteratorStream(db.keys(options));
  db.createValueStream = (options) => closingIteratorStream(db.values(options));
  installed.add(db);
}
