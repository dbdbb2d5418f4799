import path from 'node:path';
import { shuttingDown } from '../../core/callback-engine.js';
import { AwsError, toAwsError } from '../../core/errors.js';
import { PerAccountRegion } from '../../core/per-account-region.js';
import type { CloudContext, ServiceProvider, ServiceRequest, ServiceResponse } from '../../core/types.js';
import { jsonError, jsonProtocol, parseJsonBody } from '../../protocols/json.js';
import type { CloudWatchProvider } from '../cloudwatch/index.js';
import { ConsumerStore } from './consumers.js';
import { KinesaliteEngine } from './engine.js';
import { inProcessReader, type KinesisReader } from './in-process.js';
import { kinesisOperations } from './operations.js';
import type { StreamScope } from './stream-arn.js';
import { ShardSubscriptions } from './subscribe-to-shard.js';
import { ShardWriteBudget, type ShardWriteLimits } from './write-limits.js';

export type { KinesisReader } from './in-process.js';
export type { StreamScope } from './stream-arn.js';
export { AWS_SHARD_WRITE_LIMITS, type ShardWriteLimits } from './write-limits.js';

/** What other parts of the local cloud get from `ctx.service<KinesisProvider>('kinesis')`. */
export interface KinesisProvider extends ServiceProvider, KinesisReader {
  /**
   * Turns on AWS's per-shard write limits (`AWS_SHARD_WRITE_LIMITS`, or your
   * own), so producers meet ProvisionedThroughputExceededException as they
   * would on AWS; `undefined` turns them off again (the default).
   */
  setShardWriteLimits(limits: ShardWriteLimits | undefined): void;
}

/** Shards per account and region before CreateStream answers LimitExceededException. */
const SHARD_LIMIT = 50;
const CBOR = 'application/x-amz-cbor-1.1';
const SUBSCRIBE_TO_SHARD_TARGET = 'Kinesis_20131202.SubscribeToShard';
/** Operations served outside the JSON operation table (they answer event streams). */
export const STREAMING_OPERATIONS = ['SubscribeToShard'];

/**
 * Kinesis, served by kinesalite in-process: one engine per account and region
 * (streams are scoped to both on AWS), persisted under
 * `<stateDir>/kinesis/<account>/<region>/` or kept in memory; idle engines
 * past PerAccountRegion's bound are closed and reopen on their next request.
 * Every successful put emits `kinesis:records` on the bus so Lambda pollers
 * wake at once.
 */
export function createKinesisService(ctx: CloudContext): KinesisProvider {
  const engines = new PerAccountRegion<KinesaliteEngine>({
    open: (accountId, region) =>
      KinesaliteEngine.open({
        path: ctx.stateDir ? path.join(ctx.stateDir, 'kinesis', accountId, region) : undefined,
        accountId,
        region,
        shardLimit: SHARD_LIMIT,
      }),
    close: (engine) => engine.close(),
    closedError: () => shuttingDown('Kinesis'),
    // In memory, streams live only in their engine: only an engine without any may be closed when idle.
    canClose: ctx.stateDir ? undefined : async (engine) => (await engine.call('ListStreams', { Limit: 1 })).StreamNames.length === 0,
  });
  let writeBudget: ShardWriteBudget | undefined;
  const consumers = new ConsumerStore(ctx.stateDir ? path.join(ctx.stateDir, 'kinesis-consumers') : undefined);

  const operations = kinesisOperations({
    consumers,
    engineFor: (scope: StreamScope) => engines.get(scope.accountId, scope.region),
    onRecordsStored(scope, streamName) {
      try {
        ctx.bus.emit('kinesis:records', { accountId: scope.accountId, region: scope.region, streamName });
      } catch (err) {
        // A listener's failure must not turn a stored put into an error for the producer.
        ctx.log(`kinesis: a kinesis:records listener failed: ${err instanceof Error ? err.message : err}`);
      }
    },
    writeBudget: () => writeBudget,
    shardLimit: SHARD_LIMIT,
    publishMetrics(scope, data) {
      const cloudwatch = ctx.service<CloudWatchProvider>('cloudwatch');
      if (!cloudwatch) return;
      // Timestamped on the minute, as CloudWatch stores standard-resolution data.
      const timestamp = Math.floor(Date.now() / 60_000) * 60_000;
      cloudwatch.publish(
        scope.accountId,
        scope.region,
        'AWS/Kinesis',
        data.map((d) => ({
          metricName: d.metricName,
          dimensions: d.dimensions,
          sample: { timestamp, unit: d.unit, count: 1, sum: d.value, min: d.value, max: d.value },
        })),
      );
    },
  });
  const handleJson = jsonProtocol({ targetPrefix: 'Kinesis_20131202', version: '1.1', operations });
  const subscriptions = new ShardSubscriptions({
    operations,
    consumers,
    bus: ctx.bus,
    hold: (scope, read) => engines.use(scope.accountId, scope.region, read),
  });
  // SubscribeToShard answers an event stream, not a JSON document: it bypasses the JSON protocol's serializer.
  const subscribeToShard = async (req: ServiceRequest): Promise<ServiceResponse> => {
    try {
      const input = parseJsonBody(req.body);
      if (req.authorize) await req.authorize('SubscribeToShard', input);
      return await subscriptions.subscribe(input);
    } catch (err) {
      return jsonError(toAwsError(err), 'application/x-amz-json-1.1');
    }
  };

  return {
    name: 'kinesis',
    routes: { signingNames: ['kinesis'], targetPrefixes: ['Kinesis_20131202'] },
    async handle(req: ServiceRequest) {
      if (req.headers['content-type']?.startsWith(CBOR)) {
        // The Java SDK and the KCL default to CBOR; every JS client, the CLI and boto3 speak JSON.
        return jsonError(new AwsError('SerializationException', 'localcloud speaks AWS JSON 1.1 to Kinesis, not CBOR: disable CBOR in the client (Java SDK/KCL: AWS_CBOR_DISABLE=true)'), 'application/x-amz-json-1.1');
      }
      if (req.headers['x-amz-target'] === SUBSCRIBE_TO_SHARD_TARGET) return subscribeToShard(req);
      // Each request holds its account and region's engine, so an idle-engine sweep never closes it mid-request.
      return engines.use(req.accountId, req.region, () => handleJson(req));
    },
    ...heldWhileReading(inProcessReader(operations), (scope, read) => engines.use(scope.accountId, scope.region, read)),
    setShardWriteLimits(limits) {
      writeBudget = limits ? new ShardWriteBudget(limits) : undefined;
    },
    async start() {
      consumers.load();
      // Open the default account's store now, so a locked state directory fails the start, not a request.
      await engines.get(ctx.defaultAccountId, ctx.defaultRegion);
    },
    async stop() {
      subscriptions.stopAll();
      await engines.close();
    },
  };
}


/** The reader, each of whose reads holds its stream's engine open (as requests do) until it returns. */
function heldWhileReading(
  reader: KinesisReader,
  hold: <T>(scope: StreamScope, read: () => Promise<T>) => Promise<T>,
): KinesisReader {
  return {
    getShardIterator: (scope, input) => hold(scope, () => reader.getShardIterator(scope, input)),
    getRecords: (scope, input) => hold(scope, () => reader.getRecords(scope, input)),
    listShards: (scope, input) => hold(scope, () => reader.listShards(scope, input)),
    describeStreamSummary: (scope, input) => hold(scope, () => reader.describeStreamSummary(scope, input)),
  };
}
