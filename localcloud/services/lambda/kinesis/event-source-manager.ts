import type { _Record } from '@aws-sdk/client-kinesis';
import path from 'node:path';
import { JsonLinesFile } from '../../../core/state-files.js';
import type { Principal } from '../../../auth/types.js';
import type { CloudContext, CloudEvents } from '../../../core/types.js';
import type { EventSourceMapping, MappingStore } from '../model/event-source-mappings.js';
import { DynamoDbStreamReader } from '../dynamodb-streams/dynamodb-stream-reader.js';
import { parseDynamoDbStreamArn, parseKinesisStreamArn } from '../model/names.js';
import { OnFailureDestinations, type FailureCondition } from '../destinations/on-failure.js';
import type { BatchOutcome } from './batch-delivery.js';
import type { CheckpointStore } from './checkpoints.js';
import { MappingRunner } from './mapping-runner.js';
import { StreamReader, type ShardReader } from './stream-reader.js';

/** Invokes the mapping's function with a batch of one shard's records. */
export type BatchInvoker = (mapping: EventSourceMapping, shardId: string, records: _Record[]) => Promise<BatchOutcome>;

/** A batch given up on (retries exhausted or records too old), as Lambda would report it to an on-failure destination. */
export interface DiscardedBatch {
  mappingUuid: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  reason: string;
  timestamp: string;
}

/**
 * Runs every Kinesis event source mapping: starts a runner per mapping (on
 * creation and on restart), wakes its pollers when Kinesis announces new
 * records on the bus, and walks mappings through Lambda's states
 * (Creating → Enabled, Updating → Enabled/Disabled, Deleting → gone).
 */
export class EventSourceManager {
  private readonly runners = new Map<string, MappingRunner>();
  private readonly discards?: JsonLinesFile;
  private readonly recentDiscards: DiscardedBatch[] = [];
  private readonly onFailure: OnFailureDestinations;
  /** The last function error per mapping and shard: the on-failure record reports it. */
  private readonly lastErrors = new Map<string, string>();
  private readonly onRecords = (event: CloudEvents['kinesis:records']) => {
    for (const runner of this.runners.values()) {
      const { stream } = runner;
      if (stream.streamName === event.streamName && stream.region === event.region && stream.accountId === event.accountId) runner.wake();
    }
  };
  private readonly onTableStreamRecords = (event: CloudEvents['dynamodb:stream-records']) => {
    for (const runner of this.runners.values()) if (runner.stream.streamArn === event.streamArn) runner.wake();
  };

  constructor(
    private readonly ctx: CloudContext,
    private readonly store: MappingStore,
    private readonly checkpoints: CheckpointStore,
    private readonly invoke: BatchInvoker,
    /** Who a mapping reads its stream as: its function's execution role. */
    private readonly readerOf: (functionArn: string) => Principal | undefined,
    stateDir: string | undefined,
  ) {
    if (stateDir) this.discards = new JsonLinesFile(path.join(stateDir, 'discarded-batches.jsonl'));
    this.onFailure = new OnFailureDestinations(ctx);
  }

  start(): void {
    this.ctx.bus.on('kinesis:records', this.onRecords);
    this.ctx.bus.on('dynamodb:stream-records', this.onTableStreamRecords);
    for (const mapping of this.store.all()) {
      if (!parseKinesisStreamArn(mapping.eventSourceArn)) continue; // other sources have their own managers
      if (mapping.state === 'Deleting') this.forget(mapping.uuid);
      else this.run(mapping);
    }
  }

  async stop(): Promise<void> {
    this.ctx.bus.off('kinesis:records', this.onRecords);
    this.ctx.bus.off('dynamodb:stream-records', this.onTableStreamRecords);
    const runners = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(runners.map((r) => r.stop()));
    await this.checkpoints.flush();
    this.discards?.close();
  }

  /** A new mapping: it reports Creating until its pollers hold their starting positions. */
  created(mapping: EventSourceMapping): void {
    this.run(mapping);
  }

  /** Settings changed: pollers read them live (and look at once, e.g. when re-enabled); the state settles on the next turn. */
  updated(mapping: EventSourceMapping): void {
    this.runners.get(mapping.uuid)?.wake();
    setImmediate(() => this.settle(mapping.uuid));
  }

  /** Stops the mapping's pollers, then forgets it and its checkpoints. */
  async deleted(uuid: string): Promise<void> {
    const runner = this.runners.get(uuid);
    this.runners.delete(uuid);
    try {
      await runner?.stop();
      this.forget(uuid);
    } catch (err) {
      this.ctx.log(`lambda: deleting event source mapping ${uuid}: ${err instanceof Error ? err.message : err}`);
    }
  }

  /** Batches given up on since start (most recent last), for diagnostics and tests. */
  discarded(): readonly DiscardedBatch[] {
    return this.recentDiscards;
  }

  private run(mapping: EventSourceMapping): void {
    const uuid = mapping.uuid;
    const runner = new MappingRunner({
      reader: this.readerFor(mapping),
      checkpoints: this.checkpoints,
      mapping: () => this.store.get(uuid) ?? mapping,
      invoke: (records, shardId) => this.invokeAndRecord(uuid, shardId, records),
      skipped: (shardId, records, reason) => this.discard(uuid, shardId, records, reason),
      log: (message) => this.ctx.log(`lambda: event source mapping ${uuid}: ${message}`),
    });
    this.runners.set(uuid, runner);
    runner.start();
    runner.ready.then(() => this.settle(uuid));
  }

  /** Kinesis streams and DynamoDB table streams are read alike; each through its own API, as the function's role. */
  private readerFor(mapping: EventSourceMapping): ShardReader {
    const actingAs = () => this.readerOf((this.store.get(mapping.uuid) ?? mapping).functionArn);
    const table = parseDynamoDbStreamArn(mapping.eventSourceArn);
    if (table) {
      return new DynamoDbStreamReader(this.ctx, { ...table, streamName: table.tableName, streamArn: mapping.eventSourceArn }, actingAs);
    }
    const stream = parseKinesisStreamArn(mapping.eventSourceArn)!;
    return new StreamReader(this.ctx, stream, actingAs);
  }

  private async invokeAndRecord(uuid: string, shardId: string, records: _Record[]): Promise<BatchOutcome> {
    const mapping = this.store.get(uuid);
    if (!mapping) return { ok: false, reason: 'mapping deleted' };
    let outcome: BatchOutcome;
    try {
      outcome = await this.invoke(mapping, shardId, records);
    } catch (err) {
      outcome = { ok: false, reason: (err as Error).message };
    }
    if (outcome.ok) this.lastErrors.delete(`${uuid}/${shardId}`);
    else this.lastErrors.set(`${uuid}/${shardId}`, outcome.reason);
    const current = this.store.get(uuid);
    if (current) {
      // Kept in memory: rewriting the mapping's file for every batch would cost more than it tells.
      current.lastProcessingResult = outcome.ok && !('failedFrom' in outcome) ? 'OK' : `PROBLEM: Function call failed`;
    }
    return outcome;
  }

  private discard(uuid: string, shardId: string, records: _Record[], reason: string): void {
    const entry: DiscardedBatch = {
      mappingUuid: uuid,
      shardId,
      startSequenceNumber: records[0].SequenceNumber!,
      endSequenceNumber: records[records.length - 1].SequenceNumber!,
      batchSize: records.length,
      reason,
      timestamp: new Date().toISOString(),
    };
    this.recentDiscards.push(entry);
    if (this.recentDiscards.length > 1000) this.recentDiscards.shift();
    this.discards?.append([entry]);
    this.ctx.log(
      `lambda: event source mapping ${uuid} discarded ${records.length} record(s) of ${shardId} ` +
        `(${entry.startSequenceNumber}..${entry.endSequenceNumber}): ${reason}`,
    );
    this.sendToOnFailureDestination(uuid, shardId, records, reason);
  }

  /** Lambda reports a batch it gave up on to the mapping's on-failure destination (SQS queue or SNS topic), if it has one. */
  private sendToOnFailureDestination(uuid: string, shardId: string, records: _Record[], reason: string): void {
    const mapping = this.store.get(uuid);
    if (!mapping?.onFailureDestination) return;
    const condition: FailureCondition = reason.startsWith('older than') ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted';
    const retries = Math.max(mapping.maximumRetryAttempts, 0);
    void this.onFailure.deliver(
      mapping.onFailureDestination,
      {
        functionArn: mapping.functionArn,
        eventSourceArn: mapping.eventSourceArn,
        tableStream: parseDynamoDbStreamArn(mapping.eventSourceArn) !== undefined,
        shardId,
        records,
        condition,
        approximateInvokeCount: condition === 'RetryAttemptsExhausted' ? retries + 1 : 1,
        functionError: this.lastErrors.get(`${uuid}/${shardId}`) ? 'Unhandled' : undefined,
      },
      this.readerOf(mapping.functionArn),
    );
  }

  /** Transitional states end once the runner is in place. Runs from timers: never throws. */
  private settle(uuid: string): void {
    const mapping = this.store.get(uuid);
    if (!mapping || mapping.state === 'Deleting' || !this.runners.has(uuid)) return;
    const state = mapping.enabled ? 'Enabled' : 'Disabled';
    if (mapping.state === state) return;
    try {
      this.store.save({ ...mapping, state });
    } catch (err) {
      this.ctx.log(`lambda: event source mapping ${uuid}: cannot record state ${state}: ${err instanceof Error ? err.message : err}`);
    }
  }

  private forget(uuid: string): void {
    this.store.delete(uuid);
    this.checkpoints.delete(uuid);
  }
}
