import { mkdirSync, rmSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile } from '../../../core/state-files.js';

export interface ShardCheckpoint {
  /** The last sequence number the function processed successfully (or that was skipped). */
  sequenceNumber?: string;
  /** A closed shard read to its end: its children may start. */
  finished?: boolean;
}

export interface MappingCheckpoint {
  /**
   * When a LATEST mapping first started polling (epoch ms). After a restart,
   * shards without a checkpoint resume AT_TIMESTAMP from here instead of
   * LATEST, so records put while localcloud was down are not skipped.
   */
  latestSince?: number;
  shards: Record<string, ShardCheckpoint>;
}

/** One mapping's file being brought up to date: at most one write in flight, the next one coalesced. */
interface PendingWrite {
  /** Resolves once the file holds the newest state (or the mapping's file is gone). */
  done: Promise<void>;
  /** Changed again while writing: write once more when the current write lands. */
  again: boolean;
}

/**
 * Per-mapping shard checkpoints: the record a shard resumes after. Changed
 * (in memory, at once) only after a batch succeeded or was given up on, and
 * written to `<dir>/<uuid>.json` behind the change, off the event loop: an
 * atomic replace costs the better part of a millisecond on ext4, which the
 * next invocation need not wait for. Writes of a mapping are ordered (one in
 * flight, the next carrying every change made meanwhile), so the file only
 * ever moves forward through states that were acknowledged: a crash before a
 * write lands redelivers records, as Lambda's at-least-once delivery may,
 * and never skips one. `written()` waits for what must be on disk before
 * going on; `flush()` for everything (stop).
 */
export class CheckpointStore {
  private readonly cache = new Map<string, MappingCheckpoint>();
  private readonly writes = new Map<string, PendingWrite>();
  private temporaryFiles = 0;

  constructor(
    private readonly dir: string | undefined,
    /** Where a failed write is reported (the next change writes again). */
    private readonly log: (message: string) => void = () => {},
  ) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  get(uuid: string): MappingCheckpoint {
    let checkpoint = this.cache.get(uuid);
    if (!checkpoint) {
      checkpoint = (this.dir ? readJsonFile<MappingCheckpoint>(this.file(uuid)) : undefined) ?? { shards: {} };
      this.cache.set(uuid, checkpoint);
    }
    return checkpoint;
  }

  /** Changes the checkpoint now; the file follows (see `written`). */
  update(uuid: string, change: (checkpoint: MappingCheckpoint) => void): void {
    change(this.get(uuid));
    this.schedule(uuid);
  }

  /** Resolves once the mapping's file holds every change made so far. */
  written(uuid: string): Promise<void> {
    return this.writes.get(uuid)?.done ?? Promise.resolve();
  }

  /** Resolves once every file holds every change made so far. */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes.values()].map((w) => w.done));
  }

  delete(uuid: string): void {
    this.cache.delete(uuid);
    if (!this.dir) return;
    // A write in flight would put the file back when it lands: the writer removes it after.
    const pending = this.writes.get(uuid);
    if (pending) pending.again = true;
    else rmSync(this.file(uuid), { force: true });
  }

  private schedule(uuid: string): void {
    if (!this.dir) return;
    const pending = this.writes.get(uuid);
    if (pending) {
      pending.again = true;
      return;
    }
    const write: PendingWrite = { again: false, done: Promise.resolve() };
    write.done = this.writeUntilCurrent(uuid, write).finally(() => this.writes.delete(uuid));
    this.writes.set(uuid, write);
  }

  private async writeUntilCurrent(uuid: string, write: PendingWrite): Promise<void> {
    const file = this.file(uuid);
    do {
      write.again = false;
      const checkpoint = this.cache.get(uuid);
      try {
        if (!checkpoint) {
          await rm(file, { force: true });
          return;
        }
        // The state as it is now, changes made since the last write included.
        const temporary = `${file}.${process.pid}.${++this.temporaryFiles}.tmp`;
        await writeFile(temporary, JSON.stringify(checkpoint));
        await rename(temporary, file);
      } catch (err) {
        this.log(`writing the checkpoint of ${uuid}: ${err instanceof Error ? err.message : err}`);
      }
    } while (write.again);
  }

  private file(uuid: string): string {
    return path.join(this.dir!, `${uuid}.json`);
  }
}
