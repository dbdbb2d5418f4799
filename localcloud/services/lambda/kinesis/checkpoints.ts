import { rmSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../../core/state-files.js';

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

/**
 * Per-mapping shard checkpoints: the record a shard resumes after. Written
 * (atomically) only after a batch succeeded or was given up on, so a restart
 * redelivers at most the batch that was in flight, never an acknowledged one.
 */
export class CheckpointStore {
  private readonly cache = new Map<string, MappingCheckpoint>();

  constructor(private readonly dir: string | undefined) {}

  get(uuid: string): MappingCheckpoint {
    let checkpoint = this.cache.get(uuid);
    if (!checkpoint) {
      checkpoint = (this.dir ? readJsonFile<MappingCheckpoint>(this.file(uuid)) : undefined) ?? { shards: {} };
      this.cache.set(uuid, checkpoint);
    }
    return checkpoint;
  }

  update(uuid: string, change: (checkpoint: MappingCheckpoint) => void): void {
    const checkpoint = this.get(uuid);
    change(checkpoint);
    if (this.dir) writeJsonAtomic(this.file(uuid), checkpoint);
  }

  delete(uuid: string): void {
    this.cache.delete(uuid);
    if (this.dir) rmSync(this.file(uuid), { force: true });
  }

  private file(uuid: string): string {
    return path.join(this.dir!, `${uuid}.json`);
  }
}
