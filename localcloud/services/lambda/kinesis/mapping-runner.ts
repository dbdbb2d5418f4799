import type { Shard } from '@aws-sdk/client-kinesis';
import type { EventSourceMapping } from '../model/event-source-mappings.js';
import { ShardPoller, type PollerContext } from './shard-poller.js';
import type { ShardPosition, StreamLocation } from './stream-reader.js';
import { WakeSignal } from './wake-signal.js';

const DISCOVERY_RETRY_MS = 2000;
/** Resharding is rare; looking for new shards this often is plenty. */
const REDISCOVERY_MS = 30_000;

/**
 * Runs one mapping: one poller per open shard, started in lineage order (a
 * child shard only after its parents were read to their end, as Lambda keeps
 * per-key ordering across resharding).
 */
export class MappingRunner {
  private readonly pollers = new Map<string, ShardPoller>();
  private readonly discoverySignal = new WakeSignal();
  private stopped = false;
  private loop?: Promise<void>;
  /** Resolves once shards were listed the first time (the mapping is then Enabled). */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  /** What the runner needs is what each of its shard pollers needs: it hands the context on. */
  constructor(private readonly context: PollerContext) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  /** The stream this mapping reads. */
  get stream(): StreamLocation {
    return this.context.reader.stream;
  }

  start(): void {
    this.loop = this.discoveryLoop();
  }

  /** New records on the stream: every shard poller looks now. */
  wake(): void {
    for (const poller of this.pollers.values()) poller.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.markReady();
    this.discoverySignal.notify();
    for (const poller of this.pollers.values()) poller.stop();
    await Promise.all([...this.pollers.values()].map((p) => p.finished));
    await this.loop;
    this.context.reader.close();
  }

  private async discoveryLoop(): Promise<void> {
    const uuid = this.context.mapping().uuid;
    // A LATEST mapping remembers when it first polled, so that after a restart
    // shards without a checkpoint resume from then rather than from "now".
    const resumed = this.context.checkpoints.get(uuid).latestSince !== undefined;
    if (!resumed) {
      this.context.checkpoints.update(uuid, (c) => (c.latestSince = Date.now()));
      // On disk before the first read: a crash must not turn it into a LATEST from the restart on.
      await this.context.checkpoints.written(uuid);
    }

    while (!this.stopped) {
      let shards: Shard[];
      try {
        shards = await this.context.reader.listShards();
      } catch (err) {
        this.context.log(`listing shards of ${this.context.reader.stream.streamArn}: ${(err as Error).message}`);
        await this.discoverySignal.wait(DISCOVERY_RETRY_MS);
        continue;
      }
      if (this.stopped) break;
      const started = this.startEligible(shards, resumed);
      await Promise.all(started.map((p) => p.positioned));
      this.markReady();
      await this.discoverySignal.wait(REDISCOVERY_MS);
    }
  }

  private startEligible(shards: Shard[], resumed: boolean): ShardPoller[] {
    const started: ShardPoller[] = [];
    const { checkpoints } = this.context;
    const mapping = this.context.mapping();
    const checkpoint = checkpoints.get(mapping.uuid);
    const listed = new Set(shards.map((s) => s.ShardId!));
    const finished = (id: string) => checkpoint.shards[id]?.finished === true;
    for (const shard of shards) {
      const id = shard.ShardId!;
      if (this.pollers.has(id) || finished(id)) continue;
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => !!p && listed.has(p));
      if (!parents.every(finished)) continue;
      // Children of shards we read continue their parents' data from its start.
      const position: ShardPosition = parents.length > 0 ? { type: 'TRIM_HORIZON' } : this.startingPosition(mapping, resumed);
      const poller = new ShardPoller(this.context, id, position);
      this.pollers.set(id, poller);
      started.push(poller);
      poller.finished.then((how) => {
        if (how !== 'shard-ended' || this.stopped) return;
        try {
          checkpoints.update(mapping.uuid, (c) => {
            c.shards[id] = { ...c.shards[id], finished: true };
          });
        } catch (err) {
          // Not fatal: after a restart the closed shard is read to its end again, without records.
          this.context.log(`recording the end of ${id}: ${err instanceof Error ? err.message : err}`);
        }
        this.pollers.delete(id);
        this.discoverySignal.notify();
      });
    }
    return started;
  }

  private startingPosition(mapping: EventSourceMapping, resumed: boolean): ShardPosition {
    switch (mapping.startingPosition) {
      case 'TRIM_HORIZON':
        return { type: 'TRIM_HORIZON' };
      case 'AT_TIMESTAMP':
        return { type: 'AT_TIMESTAMP', timestamp: new Date(mapping.startingPositionTimestamp ?? 0) };
      case 'LATEST':
      default: {
        const since = this.context.checkpoints.get(mapping.uuid).latestSince;
        return resumed && since !== undefined ? { type: 'AT_TIMESTAMP', timestamp: new Date(since) } : { type: 'LATEST' };
      }
    }
  }
}
