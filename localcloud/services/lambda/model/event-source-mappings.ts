import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../../core/state-files.js';

export type MappingState = 'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/** An event source mapping (a Kinesis stream's or an SQS queue's), as stored (the API shape is derived from it). */
export interface EventSourceMapping {
  uuid: string;
  accountId: string;
  region: string;
  /** The function's (possibly qualified) ARN, as the mapping reports it. */
  functionArn: string;
  eventSourceArn: string;
  enabled: boolean;
  state: MappingState;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** Kinesis only: SQS mappings have none. */
  startingPosition?: StartingPosition;
  /** Epoch milliseconds, for AT_TIMESTAMP. */
  startingPositionTimestamp?: number;
  /** -1: records never expire. */
  maximumRecordAgeInSeconds: number;
  /** -1: retry until the record expires. */
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  parallelizationFactor: number;
  tumblingWindowInSeconds: number;
  functionResponseTypes: string[];
  onFailureDestination?: string;
  /** SQS only: ScalingConfig.MaximumConcurrency. */
  maximumConcurrency?: number;
  /** Epoch milliseconds. */
  lastModified: number;
  lastProcessingResult: string;
}

/**
 * Mappings by UUID, written through to `<stateDir>/lambda/event-source-mappings/<uuid>.json`.
 */
export class MappingStore {
  private readonly mappings = new Map<string, EventSourceMapping>();

  constructor(private readonly dir: string | undefined) {}

  load(): void {
    if (!this.dir) return;
    let files: string[];
    try {
      files = readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch {
      return;
    }
    for (const file of files) {
      const mapping = readJsonFile<EventSourceMapping>(path.join(this.dir, file));
      if (mapping) this.mappings.set(mapping.uuid, mapping);
    }
  }

  get(uuid: string): EventSourceMapping | undefined {
    return this.mappings.get(uuid);
  }

  all(): EventSourceMapping[] {
    return [...this.mappings.values()];
  }

  save(mapping: EventSourceMapping): void {
    this.mappings.set(mapping.uuid, mapping);
    if (this.dir) writeJsonAtomic(path.join(this.dir, `${mapping.uuid}.json`), mapping);
  }

  delete(uuid: string): void {
    this.mappings.delete(uuid);
    if (this.dir) rmSync(path.join(this.dir, `${uuid}.json`), { force: true });
  }
}
