import type {
  AttributeValue,
  CancellationReason,
  ConsumedCapacity,
  ItemCollectionMetrics,
  TransactGetItemsCommandInput,
  TransactGetItemsCommandOutput,
  TransactWriteItemsCommandInput,
  TransactWriteItemsCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { EngineCalls, engineModule, type EngineError } from '../../core/callback-engine.js';
import { AwsError } from '../../core/errors.js';
import type { DynaliteEngine, DynaliteOperation, EngineRun, TableRecord } from './engine.js';
import { assertReturnValuesOnFailure, collectionMetrics, withFields } from './item-writes.js';

type Item = Record<string, AttributeValue>;
type Result<T extends { $metadata: unknown }> = Omit<T, '$metadata'>;

/** AWS's current limit on actions per transaction (raised from 25 in 2022). */
export const MAX_TRANSACTION_ACTIONS = 100;
/** How long a ClientRequestToken makes a TransactWriteItems idempotent. */
export const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;
const MAX_REMEMBERED_TOKENS = 10_000;

interface DynaliteDb {
  validateKey(key: Item, table: TableRecord): Error | null | undefined;
  validateItem(item: Item, table: TableRecord): Error | null | undefined;
  validateUpdates(attributeUpdates: unknown, expressionUpdates: unknown, table: TableRecord): Error | null | undefined;
  createKey(item: Item, table: TableRecord): string;
  checkConditional(data: unknown, existing: Item | undefined): Error | null | undefined;
  capacityUnits(item: Item | undefined, isRead: boolean, isConsistent?: boolean): number;
}
const db = engineModule<DynaliteDb>('dynalite', 'db');

type WriteKind = 'ConditionCheck' | 'Put' | 'Update' | 'Delete';
const WRITE_KINDS: WriteKind[] = ['ConditionCheck', 'Put', 'Update', 'Delete'];
/** The single-item operation whose validation (and, except for ConditionCheck, action) each kind shares. */
const OPERATION_OF: Record<WriteKind, DynaliteOperation> = { ConditionCheck: 'DeleteItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' };

interface PlannedWrite {
  kind: WriteKind;
  input: Record<string, any>;
  /** dynalite's validated form: the parsed condition lives here. */
  data: any;
  table: TableRecord;
  key: Item;
  returnOldOnFailure: boolean;
}

/**
 * TransactWriteItems and TransactGetItems. A transaction runs alone on its
 * engine (the write gate keeps every other operation out), which gives the
 * all-or-nothing and isolation DynamoDB promises: first every condition is
 * checked against the items as they are, then the writes run through
 * dynalite's own actions; should one of them fail after all (an update that
 * does not apply), those already made are undone before anyone can see them.
 */
export class Transactions {
  /** ClientRequestToken → what it was used with and answered, for ten minutes. */
  private readonly tokens = new Map<string, { fingerprint: string; at: number; output: Result<TransactWriteItemsCommandOutput> }>();

  async write(engine: DynaliteEngine, input: TransactWriteItemsCommandInput): Promise<Result<TransactWriteItemsCommandOutput>> {
    const items = assertTransactItems(input.TransactItems);
    const token = input.ClientRequestToken;
    if (token !== undefined && (typeof token !== 'string' || token.length < 1 || token.length > 36)) {
      throw new AwsError('ValidationException', "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36");
    }
    assertEnum(input.ReturnConsumedCapacity, 'returnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE']);
    assertEnum(input.ReturnItemCollectionMetrics, 'returnItemCollectionMetrics', ['SIZE', 'NONE']);

    return engine.exclusive(async (run, recordChange) => {
      const fingerprint = createHash('sha256').update(JSON.stringify([items, input.ReturnConsumedCapacity, input.ReturnItemCollectionMetrics])).digest('hex');
      const previous = token === undefined ? undefined : this.remembered(token);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          throw new AwsError('IdempotentParameterMismatchException', 'Request parameters do not match the parameters of a previous request with the same ClientRequestToken');
        }
        return previous.output;
      }

      const planned = await planWrites(engine, items);
      const before = await Promise.all(planned.map((w) => currentItem(run, w)));
      const reasons = planned.map((w, i): CancellationReason => {
        if (!db.checkConditional(w.data, before[i])) return { Code: 'None' };
        const reason: CancellationReason = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
        if (w.returnOldOnFailure && before[i]) reason.Item = before[i];
        return reason;
      });
      if (reasons.some((r) => r.Code !== 'None')) throw cancelled(reasons);

      const after = await applyAll(run, planned, before);
      for (const [i, w] of planned.entries()) {
        if (w.kind !== 'ConditionCheck') await recordChange(w.table.TableName, before[i], after[i]);
      }

      const output: Result<TransactWriteItemsCommandOutput> = {};
      if (input.ReturnConsumedCapacity === 'TOTAL' || input.ReturnConsumedCapacity === 'INDEXES') {
        output.ConsumedCapacity = consumed(planned.map((w, i) => ({ table: w.table.TableName, units: 2 * db.capacityUnits(after[i] ?? before[i], w.kind === 'ConditionCheck', true) })), input.ReturnConsumedCapacity);
      }
      if (input.ReturnItemCollectionMetrics === 'SIZE') {
        const metrics: Record<string, ItemCollectionMetrics[]> = {};
        for (const w of planned) {
          if (w.kind === 'ConditionCheck') continue;
          const entry = await collectionMetrics(engine, w.table.TableName, w.key);
          if (entry) (metrics[w.table.TableName] ??= []).push(entry);
        }
        output.ItemCollectionMetrics = metrics;
      }
      if (token !== undefined) this.remember(token, fingerprint, output);
      return output;
    });
  }

  async get(engine: DynaliteEngine, input: TransactGetItemsCommandInput): Promise<Result<TransactGetItemsCommandOutput>> {
    const items = assertTransactItems(input.TransactItems);
    assertEnum(input.ReturnConsumedCapacity, 'returnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE']);
    const gets = items.map((item, i) => {
      const keys = Object.keys(item ?? {});
      if (keys.length !== 1 || keys[0] !== 'Get' || !item.Get) {
        throw new AwsError('ValidationException', `1 validation error detected: Value null at 'transactItems.${i + 1}.member.get' failed to satisfy constraint: Member must not be null`);
      }
      return item.Get as Record<string, any>;
    });
    return engine.exclusive(async (run) => {
      const seen = new Set<string>();
      for (const get of gets) {
        await engine.validated('GetItem', get);
        const table = await engine.readTable(get.TableName);
        throwIf(db.validateKey(get.Key, table));
        const identity = `${table.TableName}\u0000${db.createKey(get.Key, table)}`;
        if (seen.has(identity)) throw multipleOperationsOnOneItem();
        seen.add(identity);
      }
      const found = await Promise.all(gets.map((get) => run('GetItem', { ...get, ConsistentRead: true })));
      const output: Result<TransactGetItemsCommandOutput> = { Responses: found.map((r) => (r.Item ? { Item: r.Item } : {})) };
      if (input.ReturnConsumedCapacity === 'TOTAL' || input.ReturnConsumedCapacity === 'INDEXES') {
        output.ConsumedCapacity = consumed(gets.map((get, i) => ({ table: get.TableName, units: 2 * db.capacityUnits(found[i].Item, true, true) })), input.ReturnConsumedCapacity);
      }
      return output;
    });
  }

  private remembered(token: string) {
    const entry = this.tokens.get(token);
    if (entry && entry.at < Date.now() - IDEMPOTENCY_WINDOW_MS) {
      this.tokens.delete(token);
      return undefined;
    }
    return entry;
  }

  private remember(token: string, fingerprint: string, output: Result<TransactWriteItemsCommandOutput>): void {
    this.tokens.set(token, { fingerprint, at: Date.now(), output });
    // Oldest first in a Map: forget past the window, and past the bound whatever their age.
    for (const [old, entry] of this.tokens) {
      if (this.tokens.size <= MAX_REMEMBERED_TOKENS && entry.at >= Date.now() - IDEMPOTENCY_WINDOW_MS) break;
      this.tokens.delete(old);
    }
  }
}

function assertTransactItems(items: unknown): any[] {
  if (items === undefined || items === null) {
    throw new AwsError('ValidationException', "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
  }
  if (!Array.isArray(items)) throw new AwsError('SerializationException', 'TransactItems must be a list');
  if (items.length < 1 || items.length > MAX_TRANSACTION_ACTIONS) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length ${items.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_TRANSACTION_ACTIONS}`}`);
  }
  return items;
}

async function planWrites(engine: DynaliteEngine, items: any[]): Promise<PlannedWrite[]> {
  const seen = new Set<string>();
  const planned: PlannedWrite[] = [];
  for (const item of items) {
    const kinds = WRITE_KINDS.filter((k) => item && typeof item === 'object' && item[k] !== undefined && item[k] !== null);
    if (kinds.length !== 1 || Object.keys(item).length !== 1) {
      throw new AwsError('ValidationException', 'TransactItems can only contain one of Check, Put, Update or Delete');
    }
    const kind = kinds[0];
    const { ReturnValuesOnConditionCheckFailure: onFailure, ...input } = item[kind] as Record<string, any>;
    assertReturnValuesOnFailure(onFailure);
    if (kind === 'ConditionCheck' && !input.ConditionExpression) {
      throw new AwsError('ValidationException', "1 validation error detected: Value null at 'transactItems.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null");
    }
    const data = await engine.validated(OPERATION_OF[kind], input);
    const table = await engine.readTable(input.TableName);
    const key = kind === 'Put' ? keyFrom(input.Item, table) : input.Key;
    throwIf(kind === 'Put' ? db.validateItem(input.Item, table) : db.validateKey(input.Key, table));
    // An update of a key attribute is refused up front, as DynamoDB does, not found when the writes run.
    if (kind === 'Update') throwIf(db.validateUpdates(data.AttributeUpdates, data._updates, table));
    const identity = `${table.TableName}\u0000${db.createKey(key, table)}`;
    if (seen.has(identity)) throw multipleOperationsOnOneItem();
    seen.add(identity);
    planned.push({ kind, input, data, table, key, returnOldOnFailure: onFailure === 'ALL_OLD' });
  }
  return planned;
}

async function currentItem(run: EngineRun, write: PlannedWrite): Promise<Item | undefined> {
  const { Item } = await run('GetItem', { TableName: write.table.TableName, Key: write.key, ConsistentRead: true });
  return Item;
}

/** Makes the writes in order; on a failure undoes those made and cancels the transaction. Returns each item as it now is. */
async function applyAll(run: EngineRun, planned: PlannedWrite[], before: (Item | undefined)[]): Promise<(Item | undefined)[]> {
  const after: (Item | undefined)[] = [...before];
  for (const [i, w] of planned.entries()) {
    if (w.kind === 'ConditionCheck') continue;
    try {
      const output = await run(OPERATION_OF[w.kind], w.kind === 'Update' ? { ...w.input, ReturnValues: 'ALL_NEW' } : w.input);
      after[i] = w.kind === 'Put' ? w.input.Item : w.kind === 'Update' ? output.Attributes : undefined;
    } catch (err) {
      for (let j = i - 1; j >= 0; j--) {
        const undo = planned[j];
        if (undo.kind === 'ConditionCheck') continue;
        if (before[j]) await run('PutItem', { TableName: undo.table.TableName, Item: before[j] });
        else await run('DeleteItem', { TableName: undo.table.TableName, Key: undo.key });
      }
      const message = err instanceof AwsError ? err.message : String(err);
      throw cancelled(planned.map((_, k): CancellationReason => (k === i ? { Code: 'ValidationError', Message: message } : { Code: 'None' })));
    }
  }
  return after;
}

function cancelled(reasons: CancellationReason[]): AwsError {
  const error = new AwsError('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`);
  return withFields(error, { CancellationReasons: reasons });
}

const multipleOperationsOnOneItem = () => new AwsError('ValidationException', 'Transaction request cannot include multiple operations on one item');

function keyFrom(item: Item, table: TableRecord): Item {
  const key: Item = {};
  for (const { AttributeName } of table.KeySchema as { AttributeName: string }[]) if (item?.[AttributeName]) key[AttributeName] = item[AttributeName];
  return key;
}

function consumed(uses: { table: string; units: number }[], mode: 'TOTAL' | 'INDEXES'): ConsumedCapacity[] {
  const byTable = new Map<string, number>();
  for (const { table, units } of uses) byTable.set(table, (byTable.get(table) ?? 0) + units);
  return [...byTable].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits, ...(mode === 'INDEXES' ? { Table: { CapacityUnits } } : {}) }));
}

function assertEnum(value: unknown, member: string, allowed: string[]): void {
  if (value === undefined || value === null || allowed.includes(value as string)) return;
  throw new AwsError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
}

const engineErrors = new EngineCalls('DynamoDB', 'InternalServerError');

/** dynalite's checks answer with its own error objects: thrown as the AwsErrors they stand for. */
function throwIf(error: Error | null | undefined): void {
  if (error) throw engineErrors.toAwsError(error as EngineError);
}
