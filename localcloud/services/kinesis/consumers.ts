import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Consumer, ConsumerDescription } from '@aws-sdk/client-kinesis';
import { AwsError } from '../../core/errors.js';
import { fromPathSegment, safePathSegment, writeFileAtomic } from '../../core/state-files.js';
import type { KinesaliteEngine } from './engine.js';
import { parseStreamArn, streamArn, type StreamScope } from './stream-arn.js';

/** Kinesis allows 20 enhanced fan-out consumers per stream. */
export const MAX_CONSUMERS_PER_STREAM = 20;

const CONSUMER_ARN = /^(arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128}))\/consumer\/([a-zA-Z0-9_.-]{1,128}):(\d+)$/;
const CONSUMER_ARN_PATTERN = '^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+';
const CONSUMER_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/** A registered enhanced fan-out consumer. Timestamps are epoch seconds (the ARN carries the same). */
export interface ConsumerRecord {
  name: string;
  arn: string;
  streamArn: string;
  createdAt: number;
}

export interface ParsedConsumerArn extends StreamScope {
  streamArn: string;
  streamName: string;
  consumerName: string;
}

/** The parts of `arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<creation epoch seconds>`, or undefined. */
export function parseConsumerArn(arn: unknown): ParsedConsumerArn | undefined {
  const match = typeof arn === 'string' ? CONSUMER_ARN.exec(arn) : null;
  if (!match) return undefined;
  return { streamArn: match[1], region: match[2], accountId: match[3], streamName: match[4], consumerName: match[5] };
}

function consumerArnOrThrow(arn: unknown, member = 'consumerARN'): ParsedConsumerArn {
  const parsed = parseConsumerArn(arn);
  if (!parsed) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${String(arn)}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${CONSUMER_ARN_PATTERN}`);
  }
  return parsed;
}

/**
 * Enhanced fan-out consumers per account and region, in memory and written
 * whole to `<stateDir>/kinesis-consumers/<account>/<region>.json` after each
 * change (kinesalite has no notion of them).
 */
export class ConsumerStore {
  private readonly regions = new Map<string, Map<string, ConsumerRecord>>();

  constructor(private readonly dir: string | undefined) {}

  load(): void {
    if (!this.dir || !existsSync(this.dir)) return;
    for (const accountDir of readdirSync(this.dir, { withFileTypes: true })) {
      if (!accountDir.isDirectory()) continue;
      for (const file of readdirSync(path.join(this.dir, accountDir.name))) {
        if (!file.endsWith('.json')) continue;
        const scope = { accountId: fromPathSegment(accountDir.name), region: fromPathSegment(file.slice(0, -'.json'.length)) };
        try {
          const consumers = JSON.parse(readFileSync(path.join(this.dir, accountDir.name, file), 'utf8')) as ConsumerRecord[];
          const target = this.regionFor(scope);
          for (const c of consumers) target.set(c.arn, c);
        } catch {
          // A damaged file loses its consumers rather than the cloud its start.
        }
      }
    }
  }

  ofStream(scope: StreamScope, streamArnValue: string): ConsumerRecord[] {
    return [...this.regionFor(scope).values()].filter((c) => c.streamArn === streamArnValue).sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));
  }

  byArn(scope: StreamScope, arn: string): ConsumerRecord | undefined {
    return this.regionFor(scope).get(arn);
  }

  byName(scope: StreamScope, streamArnValue: string, name: string): ConsumerRecord | undefined {
    return this.ofStream(scope, streamArnValue).find((c) => c.name === name);
  }

  add(scope: StreamScope, consumer: ConsumerRecord): void {
    this.regionFor(scope).set(consumer.arn, consumer);
    this.save(scope);
  }

  remove(scope: StreamScope, arn: string): void {
    if (this.regionFor(scope).delete(arn)) this.save(scope);
  }

  removeStream(scope: StreamScope, streamArnValue: string): void {
    const consumers = this.regionFor(scope);
    let removed = false;
    for (const [arn, c] of consumers) if (c.streamArn === streamArnValue) removed = consumers.delete(arn) || removed;
    if (removed) this.save(scope);
  }

  private save(scope: StreamScope): void {
    if (!this.dir) return;
    const file = path.join(this.dir, safePathSegment(scope.accountId), `${safePathSegment(scope.region)}.json`);
    writeFileAtomic(file, JSON.stringify([...this.regionFor(scope).values()]));
  }

  private regionFor(scope: StreamScope): Map<string, ConsumerRecord> {
    const key = `${scope.accountId}\u0000${scope.region}`;
    let consumers = this.regions.get(key);
    if (!consumers) {
      consumers = new Map();
      this.regions.set(key, consumers);
    }
    return consumers;
  }
}

type EngineFor = (scope: StreamScope) => Promise<KinesaliteEngine>;

/**
 * RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers and
 * DeregisterStreamConsumer. Consumers become ACTIVE at once (AWS takes
 * seconds): RegisterStreamConsumer answers CREATING, as on AWS, and the
 * next read sees ACTIVE.
 */
export function consumerOperations(store: ConsumerStore, engineFor: EngineFor) {
  /** The stream an input names by StreamARN, which must exist and be ACTIVE. */
  async function activeStream(arn: unknown): Promise<StreamScope & { streamName: string; streamArn: string }> {
    const target = parseStreamArn(arn, 'streamARN');
    const stream = await (await engineFor(target)).readStream(target.streamName);
    if (stream.StreamStatus !== 'ACTIVE' && stream.StreamStatus !== 'UPDATING') {
      throw new AwsError('ResourceInUseException', `Stream ${target.streamName} under account ${target.accountId} not ACTIVE, instead in state ${stream.StreamStatus}`);
    }
    return { ...target, streamArn: streamArn(target, target.streamName) };
  }

  /** A consumer named by ConsumerARN, or by StreamARN and ConsumerName — exactly one of the two ways. */
  async function findConsumer(input: { StreamARN?: unknown; ConsumerName?: unknown; ConsumerARN?: unknown }): Promise<{ scope: StreamScope; consumer: ConsumerRecord }> {
    const byArn = input.ConsumerARN !== undefined && input.ConsumerARN !== null;
    const byName = input.StreamARN !== undefined || input.ConsumerName !== undefined;
    if (byArn === byName || (!byArn && (input.StreamARN === undefined || input.ConsumerName === undefined))) {
      throw new AwsError('InvalidArgumentException', 'Either ConsumerARN or both StreamARN and ConsumerName must be provided.');
    }
    if (byArn) {
      const parsed = consumerArnOrThrow(input.ConsumerARN);
      const consumer = store.byArn(parsed, String(input.ConsumerARN));
      if (!consumer) throw consumerNotFound(String(input.ConsumerARN), parsed.accountId);
      return { scope: parsed, consumer };
    }
    const stream = parseStreamArn(input.StreamARN, 'streamARN');
    const name = consumerName(input.ConsumerName);
    const consumer = store.byName(stream, streamArn(stream, stream.streamName), name);
    if (!consumer) throw new AwsError('ResourceNotFoundException', `Consumer ${name} under stream ${stream.streamName} under account ${stream.accountId} not found.`);
    return { scope: stream, consumer };
  }

  return {
    async RegisterStreamConsumer(input: any): Promise<{ Consumer: Consumer }> {
      const name = consumerName(input.ConsumerName);
      if (input.Tags !== undefined && (typeof input.Tags !== 'object' || input.Tags === null || Object.keys(input.Tags).length > 50)) {
        throw new AwsError('ValidationException', "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have at most 50 entries");
      }
      const stream = await activeStream(input.StreamARN);
      const existing = store.ofStream(stream, stream.streamArn);
      if (existing.some((c) => c.name === name)) {
        throw new AwsError('ResourceInUseException', `Consumer ${name} under stream ${stream.streamName} under account ${stream.accountId} already exists.`);
      }
      if (existing.length >= MAX_CONSUMERS_PER_STREAM) {
        throw new AwsError('LimitExceededException', `Stream ${stream.streamName} under account ${stream.accountId} has reached the limit of ${MAX_CONSUMERS_PER_STREAM} registered consumers.`);
      }
      const createdAt = Math.floor(Date.now() / 1000);
      const consumer: ConsumerRecord = { name, arn: `${stream.streamArn}/consumer/${name}:${createdAt}`, streamArn: stream.streamArn, createdAt };
      store.add(stream, consumer);
      return { Consumer: { ConsumerName: name, ConsumerARN: consumer.arn, ConsumerStatus: 'CREATING', ConsumerCreationTimestamp: createdAt as unknown as Date } };
    },

    async DescribeStreamConsumer(input: any): Promise<{ ConsumerDescription: ConsumerDescription }> {
      const { consumer } = await findConsumer(input);
      return {
        ConsumerDescription: {
          ConsumerName: consumer.name,
          ConsumerARN: consumer.arn,
          ConsumerStatus: 'ACTIVE',
          ConsumerCreationTimestamp: consumer.createdAt as unknown as Date,
          StreamARN: consumer.streamArn,
        },
      };
    },

    async ListStreamConsumers(input: any): Promise<{ Consumers: Consumer[]; NextToken?: string }> {
      const maxResults = input.MaxResults ?? 100;
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10000) {
        throw new AwsError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 10000`);
      }
      const stream = await activeStream(input.StreamARN);
      let offset = 0;
      if (input.NextToken !== undefined) {
        const decoded = typeof input.NextToken === 'string' ? Buffer.from(input.NextToken, 'base64url').toString('utf8') : '';
        const match = /^consumers:(\d+):(.*)$/.exec(decoded);
        if (!match || match[2] !== stream.streamArn) throw new AwsError('InvalidArgumentException', `Invalid NextToken: ${String(input.NextToken)}`);
        offset = Number(match[1]);
      }
      const all = store.ofStream(stream, stream.streamArn);
      const page = all.slice(offset, offset + maxResults);
      const next = offset + maxResults < all.length ? Buffer.from(`consumers:${offset + maxResults}:${stream.streamArn}`).toString('base64url') : undefined;
      return {
        Consumers: page.map((c) => ({ ConsumerName: c.name, ConsumerARN: c.arn, ConsumerStatus: 'ACTIVE', ConsumerCreationTimestamp: c.createdAt as unknown as Date })),
        ...(next ? { NextToken: next } : {}),
      };
    },

    async DeregisterStreamConsumer(input: any): Promise<Record<string, never>> {
      const { scope, consumer } = await findConsumer(input);
      store.remove(scope, consumer.arn);
      return {};
    },
  };
}

function consumerName(value: unknown): string {
  if (value === undefined || value === null) {
    throw new AwsError('ValidationException', "1 validation error detected: Value null at 'consumerName' failed to satisfy constraint: Member must not be null");
  }
  if (typeof value !== 'string' || !CONSUMER_NAME.test(value)) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${String(value)}' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
  }
  return value;
}

export function consumerNotFound(arn: string, accountId: string): AwsError {
  return new AwsError('ResourceNotFoundException', `Consumer ${arn} under account ${accountId} not found.`);
}
