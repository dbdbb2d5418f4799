import type {
  CreateTableCommandInput,
  CreateTableCommandOutput,
  DeleteTableCommandOutput,
  DescribeContinuousBackupsCommandInput,
  DescribeContinuousBackupsCommandOutput,
  DescribeEndpointsCommandOutput,
  DescribeLimitsCommandOutput,
  DescribeTableCommandOutput,
  DescribeTimeToLiveCommandInput,
  DescribeTimeToLiveCommandOutput,
  PointInTimeRecoveryDescription,
  Tag,
  UpdateContinuousBackupsCommandInput,
  UpdateContinuousBackupsCommandOutput,
  UpdateTableCommandOutput,
  UpdateTimeToLiveCommandInput,
  UpdateTimeToLiveCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { AwsError } from '../../core/errors.js';
import type { ServiceRequest } from '../../core/types.js';
import type { JsonOperation } from '../../protocols/json.js';
import { DYNALITE_OPERATIONS, type DynaliteEngine, type TableRecord } from './engine.js';
import { collectionMetrics, singleItemWrite } from './item-writes.js';
import { PartiQl } from './partiql/partiql.js';
import { Transactions } from './transactions.js';
import { applyStreamSpecification, assertStreamChange, parseStreamSpecification } from './streams/table-streams.js';
import { changeSettings, publicDescription, settingsOf, type TableSettings } from './table-settings.js';

type Result<T extends { $metadata: unknown }> = Omit<T, '$metadata'>;
export type EngineFor = (req: ServiceRequest) => Promise<DynaliteEngine>;

/**
 * DynamoDB's operations: everything dynalite implements goes straight to it;
 * on top sit the table settings it lacks (TTL, point-in-time recovery), the
 * account-level calls SDKs and CloudFormation make (DescribeLimits,
 * DescribeEndpoints), and a few fixes to what it answers.
 */
export function dynamoDbOperations(engineFor: EngineFor): Record<string, JsonOperation> {
  const operations: Record<string, JsonOperation> = {};
  for (const operation of DYNALITE_OPERATIONS) {
    operations[operation] = async (input, req) => (await engineFor(req)).call(operation, input);
  }

  // Per engine, so a ClientRequestToken is remembered per account and region.
  const transactions = new WeakMap<DynaliteEngine, Transactions>();
  const transactionsOf = (engine: DynaliteEngine) => {
    let t = transactions.get(engine);
    if (!t) transactions.set(engine, (t = new Transactions()));
    return t;
  };

  const partiql = new PartiQl(transactionsOf);

  return {
    ...operations,

    ExecuteStatement: async (input, req) => partiql.execute(await engineFor(req), input),
    BatchExecuteStatement: async (input, req) => partiql.batch(await engineFor(req), input),
    ExecuteTransaction: async (input, req) => partiql.transaction(await engineFor(req), input),

    TransactWriteItems: async (input, req) => {
      const engine = await engineFor(req);
      return transactionsOf(engine).write(engine, input);
    },
    TransactGetItems: async (input, req) => {
      const engine = await engineFor(req);
      return transactionsOf(engine).get(engine, input);
    },

    PutItem: async (input, req) => singleItemWrite(await engineFor(req), 'PutItem', input),
    UpdateItem: async (input, req) => singleItemWrite(await engineFor(req), 'UpdateItem', input),
    DeleteItem: async (input, req) => singleItemWrite(await engineFor(req), 'DeleteItem', input),

    async BatchWriteItem(input, req) {
      const engine = await engineFor(req);
      const output = await engine.call('BatchWriteItem', input);
      if (input.ReturnItemCollectionMetrics === 'SIZE') output.ItemCollectionMetrics = await batchCollectionMetrics(engine, input.RequestItems);
      return output;
    },

    // dynalite checks `if (Segment && ...)`, so Segment 0 without TotalSegments slips through.
    async Scan(input, req) {
      if (input.Segment !== undefined && input.Segment !== null && (input.TotalSegments === undefined || input.TotalSegments === null)) {
        throw new AwsError('ValidationException', 'The TotalSegments parameter is required but was not present in the request when Segment parameter is present');
      }
      return (await engineFor(req)).call('Scan', input);
    },

    async CreateTable(input: CreateTableCommandInput, req): Promise<Result<CreateTableCommandOutput>> {
      const engine = await engineFor(req);
      // dynalite drops parameters it does not know, Tags and StreamSpecification among them: apply them once the table exists.
      const tags = validTags(input.Tags);
      const stream = parseStreamSpecification(input.StreamSpecification);
      let output: Result<CreateTableCommandOutput>;
      try {
        output = await engine.call('CreateTable', { ...input });
      } catch (err) {
        if (err instanceof AwsError && err.code === 'ResourceInUseException' && !err.message) {
          throw new AwsError(err.code, `Table already exists: ${input.TableName}`, err.statusCode);
        }
        throw err;
      }
      // dynalite makes the table ACTIVE on a zero-delay timer; answering after it keeps local runs
      // deterministic (a PutItem right after CreateTable must not find the table still CREATING).
      await engine.untilActive(input.TableName!);
      if (tags.length && output.TableDescription?.TableArn) {
        await engine.call('TagResource', { ResourceArn: output.TableDescription.TableArn, Tags: tags });
      }
      if (stream?.StreamEnabled) {
        await applyStreamSpecification(engine, input.TableName!, stream);
        const { Table } = await engine.call('DescribeTable', { TableName: input.TableName });
        const { StreamSpecification, LatestStreamArn, LatestStreamLabel } = publicDescription(Table);
        output.TableDescription = { ...output.TableDescription, StreamSpecification, LatestStreamArn, LatestStreamLabel };
      }
      return output;
    },

    async DescribeTable(input, req): Promise<Result<DescribeTableCommandOutput>> {
      const output = await (await engineFor(req)).call<Result<DescribeTableCommandOutput>>('DescribeTable', input);
      publicDescription(output.Table);
      return output;
    },

    async UpdateTable(input, req): Promise<Result<UpdateTableCommandOutput>> {
      const engine = await engineFor(req);
      const { StreamSpecification, ...rest } = input;
      const stream = parseStreamSpecification(StreamSpecification);
      if (stream) await assertStreamChange(engine, tableName(input.TableName), stream);
      // dynalite refuses an UpdateTable with nothing it knows to change: a stream-only update does not go to it.
      const dynaliteChanges = Object.keys(rest).some((k) => !['TableName', 'AttributeDefinitions'].includes(k));
      if (dynaliteChanges || !stream) {
        const output = await engine.call<Result<UpdateTableCommandOutput>>('UpdateTable', rest);
        await engine.untilActive(output.TableDescription!.TableName!);
      }
      if (stream) await applyStreamSpecification(engine, input.TableName, stream);
      const { Table } = await engine.call<Result<DescribeTableCommandOutput>>('DescribeTable', { TableName: input.TableName });
      return { TableDescription: publicDescription(Table) };
    },

    // Answers (DELETING, as AWS does) once the table is gone: dynalite removes it on a zero-delay timer,
    // and a caller's next DescribeTable or waiter should not catch it half-way.
    async DeleteTable(input, req): Promise<Result<DeleteTableCommandOutput>> {
      const engine = await engineFor(req);
      const output = await engine.call<Result<DeleteTableCommandOutput>>('DeleteTable', input);
      await engine.untilDeleted(output.TableDescription!.TableName!);
      // The table's stream closes with it; its records stay readable for their 24 hours, as on AWS.
      await engine.streams.disable(output.TableDescription!.TableName!);
      publicDescription(output.TableDescription);
      return output;
    },

    async DescribeTimeToLive(input: DescribeTimeToLiveCommandInput, req): Promise<Result<DescribeTimeToLiveCommandOutput>> {
      const table = await (await engineFor(req)).readTable(tableName(input.TableName));
      const ttl = settingsOf(table).timeToLive;
      return {
        TimeToLiveDescription: ttl?.enabled
          ? { TimeToLiveStatus: 'ENABLED', AttributeName: ttl.attributeName }
          : { TimeToLiveStatus: 'DISABLED' },
      };
    },

    // Recorded and reported; expired items are not swept (AWS gives no timing guarantee either).
    async UpdateTimeToLive(input: UpdateTimeToLiveCommandInput, req): Promise<Result<UpdateTimeToLiveCommandOutput>> {
      const name = tableName(input.TableName);
      const spec = input.TimeToLiveSpecification;
      if (!spec || typeof spec !== 'object') throw notNull('timeToLiveSpecification');
      if (typeof spec.Enabled !== 'boolean') throw notNull('timeToLiveSpecification.enabled');
      if (typeof spec.AttributeName !== 'string' || spec.AttributeName.length < 1 || spec.AttributeName.length > 255) {
        throw new AwsError('ValidationException', '1 validation error detected: Value at \'timeToLiveSpecification.attributeName\' failed to satisfy constraint: Member must have length between 1 and 255');
      }
      await (await engineFor(req)).updateTable(name, (table) =>
        changeSettings(table, (settings) => applyTimeToLive(settings, spec.Enabled!, spec.AttributeName!)),
      );
      return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
    },

    async DescribeContinuousBackups(input: DescribeContinuousBackupsCommandInput, req): Promise<Result<DescribeContinuousBackupsCommandOutput>> {
      const table = await (await engineFor(req)).readTable(tableName(input.TableName));
      return continuousBackups(table);
    },

    async UpdateContinuousBackups(input: UpdateContinuousBackupsCommandInput, req): Promise<Result<UpdateContinuousBackupsCommandOutput>> {
      const name = tableName(input.TableName);
      const spec = input.PointInTimeRecoverySpecification;
      if (!spec || typeof spec.PointInTimeRecoveryEnabled !== 'boolean') {
        throw notNull('pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled');
      }
      const days = spec.RecoveryPeriodInDays;
      if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 35)) {
        throw new AwsError('ValidationException', 'RecoveryPeriodInDays must be between 1 and 35');
      }
      const table = await (await engineFor(req)).updateTable(name, (t) =>
        changeSettings(t, (settings) => {
          const wasEnabled = settings.pointInTimeRecovery?.enabled;
          settings.pointInTimeRecovery = spec.PointInTimeRecoveryEnabled
            ? { enabled: true, recoveryPeriodInDays: days ?? 35, enabledAt: wasEnabled ? settings.pointInTimeRecovery?.enabledAt : Date.now() }
            : { enabled: false };
        }),
      );
      return continuousBackups(table);
    },

    // Account quotas as AWS documents their defaults; nothing here enforces them.
    async DescribeLimits(): Promise<Result<DescribeLimitsCommandOutput>> {
      return {
        AccountMaxReadCapacityUnits: 80000,
        AccountMaxWriteCapacityUnits: 80000,
        TableMaxReadCapacityUnits: 40000,
        TableMaxWriteCapacityUnits: 40000,
      };
    },

    // SDKs with endpoint discovery enabled ask this first; the answer is this very endpoint.
    async DescribeEndpoints(_input, req): Promise<Result<DescribeEndpointsCommandOutput>> {
      return { Endpoints: [{ Address: req.host, CachePeriodInMinutes: 1440 }] };
    },
  };
}

/** BatchWriteItem's ItemCollectionMetrics: per table with local secondary indexes, one entry per write. */
async function batchCollectionMetrics(engine: DynaliteEngine, requestItems: Record<string, any[]>) {
  const metrics: Record<string, unknown[]> = {};
  for (const [table, writes] of Object.entries(requestItems ?? {})) {
    for (const write of writes) {
      const entry = await collectionMetrics(engine, table, write.PutRequest?.Item ?? write.DeleteRequest?.Key);
      if (entry) (metrics[table] ??= []).push(entry);
    }
  }
  return metrics;
}

function applyTimeToLive(settings: TableSettings, enabled: boolean, attributeName: string): void {
  const current = settings.timeToLive;
  if (enabled && current?.enabled) {
    throw new AwsError('ValidationException', current.attributeName === attributeName
      ? 'TimeToLive is already enabled'
      : `TimeToLive is active on a different AttributeName: current AttributeName is ${current.attributeName}`);
  }
  if (!enabled && !current?.enabled) throw new AwsError('ValidationException', 'TimeToLive is already disabled');
  if (!enabled && current && current.attributeName !== attributeName) {
    throw new AwsError('ValidationException', `TimeToLive is active on a different AttributeName: current AttributeName is ${current.attributeName}`);
  }
  settings.timeToLive = { attributeName, enabled };
}

function continuousBackups(table: TableRecord): Result<DescribeContinuousBackupsCommandOutput> {
  const pitr = settingsOf(table).pointInTimeRecovery;
  const description: PointInTimeRecoveryDescription = pitr?.enabled
    ? {
        PointInTimeRecoveryStatus: 'ENABLED',
        RecoveryPeriodInDays: pitr.recoveryPeriodInDays,
        EarliestRestorableDateTime: new Date(pitr.enabledAt ?? Date.now()),
        LatestRestorableDateTime: new Date(),
      }
    : { PointInTimeRecoveryStatus: 'DISABLED' };
  return { ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: description } };
}

/** The same checks (and messages) dynalite applies to TableName in the operations it implements. */
function tableName(value: unknown): string {
  if (value === undefined || value === null) throw notNull('tableName');
  if (typeof value !== 'string') throw new AwsError('SerializationException', 'TableName must be a string');
  if (value.length < 3 || value.length > 255) {
    throw new AwsError('ValidationException', 'TableName must be at least 3 characters long and at most 255 characters long');
  }
  if (!/^[a-zA-Z0-9_.-]+$/.test(value)) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${value}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
  }
  return value;
}

function validTags(tags: unknown): Tag[] {
  if (tags === undefined || tags === null) return [];
  const valid = Array.isArray(tags) && tags.every((t) =>
    t && typeof t.Key === 'string' && t.Key.length >= 1 && t.Key.length <= 128 &&
    typeof t.Value === 'string' && t.Value.length <= 256);
  if (!valid) throw new AwsError('ValidationException', 'One or more parameter values were invalid: Tags must be a list of {Key, Value} with Key 1-128 and Value 0-256 characters');
  return tags as Tag[];
}

function notNull(member: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
}
