import type {
  AttributeValue,
  BatchExecuteStatementInput,
  BatchExecuteStatementOutput,
  BatchStatementResponse,
  ExecuteStatementInput,
  ExecuteStatementOutput,
  ExecuteTransactionInput,
  ExecuteTransactionOutput,
  KeySchemaElement,
  TransactGetItem,
  TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { AwsError } from '../../../core/errors.js';
import type { DynaliteEngine, TableRecord } from '../engine.js';
import type { Transactions } from '../transactions.js';
import { allOf, conjuncts, equalityOn, ExpressionWriter, mentions } from './expressions.js';
import { parseStatement, type Operand, type Statement } from './statement-parser.js';
import { singleItemWrite } from '../item-writes.js';

type Item = Record<string, AttributeValue>;
type Result<T> = Omit<T, '$metadata'>;
/** A statement as one item operation: what ExecuteStatement runs, and what transactions and batches are built from. */
type ItemOperation =
  | { operation: 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'GetItem'; input: Record<string, any>; insert?: boolean }
  | { operation: 'Query' | 'Scan'; input: Record<string, any> };

const MAX_BATCH_STATEMENTS = 25;
const MAX_TRANSACTION_STATEMENTS = 100;

const duplicateItem = () => new AwsError('DuplicateItemException', 'Duplicate primary key exists in table');

/**
 * ExecuteStatement, BatchExecuteStatement and ExecuteTransaction: each
 * statement is parsed (statement-parser.ts) and run as the item operation,
 * Query or Scan it stands for, so PartiQL sees the same items, conditions,
 * errors and stream records as the rest of the API.
 */
export class PartiQl {
  constructor(private readonly transactions: (engine: DynaliteEngine) => Transactions) {}

  async execute(engine: DynaliteEngine, input: ExecuteStatementInput): Promise<Result<ExecuteStatementOutput>> {
    const statement = parseStatement(input.Statement, input.Parameters);
    const plan = await planOf(engine, statement, input.ConsistentRead);
    if (plan.operation === 'Query' || plan.operation === 'Scan') {
      const fingerprint = createHash('sha256').update(String(input.Statement)).digest('hex').slice(0, 16);
      const start = input.NextToken ? decodeNextToken(input.NextToken, fingerprint) : undefined;
      if (input.Limit !== undefined && (!Number.isInteger(input.Limit) || input.Limit < 1)) {
        throw new AwsError('ValidationException', `1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
      }
      const output = await engine.call(plan.operation, {
        ...plan.input,
        ...(input.Limit ? { Limit: input.Limit } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
        ...(input.ReturnConsumedCapacity ? { ReturnConsumedCapacity: input.ReturnConsumedCapacity } : {}),
      });
      return {
        Items: output.Items,
        ...(output.LastEvaluatedKey ? { NextToken: encodeNextToken(output.LastEvaluatedKey, fingerprint), LastEvaluatedKey: output.LastEvaluatedKey } : {}),
        ...(output.ConsumedCapacity ? { ConsumedCapacity: output.ConsumedCapacity } : {}),
      };
    }
    if (plan.operation === 'GetItem') {
      const { Item, ConsumedCapacity } = await engine.call('GetItem', { ...plan.input, ...(input.ReturnConsumedCapacity ? { ReturnConsumedCapacity: input.ReturnConsumedCapacity } : {}) });
      return { Items: Item ? [Item] : [], ...(ConsumedCapacity ? { ConsumedCapacity } : {}) };
    }
    await runWrite(engine, plan, input.ReturnValuesOnConditionCheckFailure);
    return { Items: [] };
  }

  async batch(engine: DynaliteEngine, input: BatchExecuteStatementInput): Promise<Result<BatchExecuteStatementOutput>> {
    const statements = input.Statements;
    if (!Array.isArray(statements) || statements.length < 1 || statements.length > MAX_BATCH_STATEMENTS) {
      throw new AwsError('ValidationException', `1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length between 1 and ${MAX_BATCH_STATEMENTS}`);
    }
    const parsed = statements.map((s) => parseStatement(s.Statement, s.Parameters));
    assertAllReadsOrAllWrites(parsed, 'BatchExecuteStatement');
    const responses: BatchStatementResponse[] = [];
    for (const [i, statement] of parsed.entries()) {
      try {
        const plan = await planOf(engine, statement, statements[i].ConsistentRead);
        if (plan.operation === 'Query' || plan.operation === 'Scan') {
          throw new AwsError('ValidationException', 'Batch read statements must name each item by its full primary key');
        }
        if (plan.operation === 'GetItem') {
          const { Item } = await engine.call('GetItem', plan.input);
          responses.push({ TableName: statement.table, ...(Item ? { Item } : {}) });
        } else {
          await runWrite(engine, plan, statements[i].ReturnValuesOnConditionCheckFailure);
          responses.push({ TableName: statement.table });
        }
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        const code = err.code.replace(/Exception$/, '').replace(/^ConditionalCheckFailed$/, 'ConditionalCheckFailed').replace(/^Validation$/, 'ValidationError');
        const item = (err.extra as Record<string, unknown>).Item as Item | undefined;
        responses.push({ TableName: statement.table, Error: { Code: code as 'ValidationError', Message: err.message, ...(item ? { Item: item } : {}) } });
      }
    }
    return { Responses: responses };
  }

  async transaction(engine: DynaliteEngine, input: ExecuteTransactionInput): Promise<Result<ExecuteTransactionOutput>> {
    const statements = input.TransactStatements;
    if (!Array.isArray(statements) || statements.length < 1 || statements.length > MAX_TRANSACTION_STATEMENTS) {
      throw new AwsError('ValidationException', `1 validation error detected: Value at 'transactStatements' failed to satisfy constraint: Member must have length between 1 and ${MAX_TRANSACTION_STATEMENTS}`);
    }
    const parsed = statements.map((s) => parseStatement(s.Statement, s.Parameters));
    const reads = assertAllReadsOrAllWrites(parsed, 'ExecuteTransaction');
    const plans = await Promise.all(parsed.map((s) => planOf(engine, s)));
    if (reads) {
      const gets: TransactGetItem[] = plans.map((plan) => {
        if (plan.operation !== 'GetItem') throw new AwsError('ValidationException', 'Transaction read statements must name each item by its full primary key');
        const { ConsistentRead: _ignored, ...get } = plan.input;
        return { Get: get as TransactGetItem['Get'] };
      });
      const output = await this.transactions(engine).get(engine, { TransactItems: gets, ReturnConsumedCapacity: input.ReturnConsumedCapacity });
      return { Responses: output.Responses, ...(output.ConsumedCapacity ? { ConsumedCapacity: output.ConsumedCapacity } : {}) };
    }
    const writes: TransactWriteItem[] = plans.map((plan, i) => {
      const onFailure = statements[i].ReturnValuesOnConditionCheckFailure ? { ReturnValuesOnConditionCheckFailure: statements[i].ReturnValuesOnConditionCheckFailure } : {};
      if (plan.operation === 'PutItem') return { Put: { ...plan.input, ...onFailure } as TransactWriteItem['Put'] };
      if (plan.operation === 'UpdateItem') return { Update: { ...plan.input, ...onFailure } as TransactWriteItem['Update'] };
      return { Delete: { ...plan.input, ...onFailure } as TransactWriteItem['Delete'] };
    });
    try {
      const output = await this.transactions(engine).write(engine, {
        TransactItems: writes,
        ClientRequestToken: input.ClientRequestToken,
        ReturnConsumedCapacity: input.ReturnConsumedCapacity,
      });
      return output.ConsumedCapacity ? { ConsumedCapacity: output.ConsumedCapacity } : {};
    } catch (err) {
      // An INSERT whose key exists is cancelled as a duplicate, not as a failed condition.
      const reasons = err instanceof AwsError ? ((err.extra as Record<string, unknown>).CancellationReasons as { Code?: string; Message?: string }[] | undefined) : undefined;
      if (reasons) {
        reasons.forEach((reason, i) => {
          if (parsed[i].verb === 'INSERT' && reason.Code === 'ConditionalCheckFailed') Object.assign(reason, { Code: 'DuplicateItem', Message: 'Duplicate primary key exists in table' });
        });
        throw new AwsError(err instanceof AwsError ? err.code : 'TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`, 400, (err as AwsError).extra);
      }
      throw err;
    }
  }
}

function assertAllReadsOrAllWrites(statements: Statement[], operation: string): boolean {
  const reads = statements.filter((s) => s.verb === 'SELECT').length;
  if (reads > 0 && reads < statements.length) {
    throw new AwsError('ValidationException', `${operation} statements must be all reads (SELECT) or all writes (INSERT, UPDATE, DELETE)`);
  }
  return reads > 0;
}

async function runWrite(engine: DynaliteEngine, plan: ItemOperation, onFailure?: string): Promise<void> {
  try {
    await singleItemWrite(engine, plan.operation as 'PutItem', { ...plan.input, ...(onFailure ? { ReturnValuesOnConditionCheckFailure: onFailure } : {}) });
  } catch (err) {
    if ('insert' in plan && plan.insert && err instanceof AwsError && err.code === 'ConditionalCheckFailedException') throw duplicateItem();
    throw err;
  }
}

/** The item operation, Query or Scan a statement stands for. */
async function planOf(engine: DynaliteEngine, statement: Statement, consistentRead?: boolean): Promise<ItemOperation> {
  const table = await engine.readTable(statement.table);
  const keySchema = table.KeySchema as KeySchemaElement[];
  const writer = new ExpressionWriter();
  switch (statement.verb) {
    case 'INSERT': {
      const hash = keySchema.find((k) => k.KeyType === 'HASH')!.AttributeName!;
      return {
        operation: 'PutItem',
        insert: true,
        input: { TableName: table.TableName, Item: statement.item.M, ConditionExpression: `attribute_not_exists(${writer.name(hash)})`, ...writer.attributes() },
      };
    }
    case 'UPDATE': {
      const { key, rest } = fullKey(statement.where, keySchema);
      const UpdateExpression = writer.update(statement.actions);
      // UPDATE changes an item that exists; it never creates one.
      const exists = `attribute_exists(${writer.name(keySchema[0].AttributeName!)})`;
      const condition = allOf(rest);
      return {
        operation: 'UpdateItem',
        input: { TableName: table.TableName, Key: key, UpdateExpression, ConditionExpression: condition ? `${exists} AND (${writer.condition(condition)})` : exists, ...writer.attributes() },
      };
    }
    case 'DELETE': {
      const { key, rest } = fullKey(statement.where, keySchema);
      const condition = allOf(rest);
      return { operation: 'DeleteItem', input: { TableName: table.TableName, Key: key, ...(condition ? { ConditionExpression: writer.condition(condition) } : {}), ...writer.attributes() } };
    }
    case 'SELECT':
      return planSelect(table, statement, writer, consistentRead);
  }
}

function planSelect(table: TableRecord, statement: Extract<Statement, { verb: 'SELECT' }>, writer: ExpressionWriter, consistentRead?: boolean): ItemOperation {
  const indexKeySchema = statement.index ? indexKeys(table, statement.index) : (table.KeySchema as KeySchemaElement[]);
  const parts = conjuncts(statement.where);
  const projection = statement.projection ? { ProjectionExpression: statement.projection.map((p) => writer.path(p)).join(', ') } : {};
  const base = { TableName: table.TableName, ...(statement.index ? { IndexName: statement.index } : {}), ...(consistentRead ? { ConsistentRead: true } : {}) };

  // A full primary key and nothing else: one GetItem.
  if (!statement.index) {
    const keyed = tryFullKey(parts, indexKeySchema);
    if (keyed && keyed.rest.length === 0) return { operation: 'GetItem', input: { ...base, Key: keyed.key, ...projection, ...writer.attributes() } };
  }
  // Equality on the partition key: a Query, range conditions as key conditions, the rest as a filter.
  const [hash, range] = [indexKeySchema.find((k) => k.KeyType === 'HASH')!.AttributeName!, indexKeySchema.find((k) => k.KeyType === 'RANGE')?.AttributeName];
  const hashAt = parts.findIndex((p) => equalityOn(p, hash) !== undefined);
  if (hashAt >= 0) {
    const keyParts = [parts[hashAt]];
    const rest = parts.filter((_, i) => i !== hashAt);
    const rangeAt = range ? rest.findIndex((p) => isRangeKeyCondition(p, range)) : -1;
    if (rangeAt >= 0) keyParts.push(...rest.splice(rangeAt, 1));
    // The filter of a Query may not name key attributes: such statements are scanned instead.
    if (!rest.some((p) => indexKeySchema.some((k) => mentions(p, k.AttributeName!)))) {
      const filter = allOf(rest);
      return {
        operation: 'Query',
        input: {
          ...base,
          KeyConditionExpression: keyParts.map((p) => writer.condition(p)).join(' AND '),
          ...(filter ? { FilterExpression: writer.condition(filter) } : {}),
          ...projection,
          ...writer.attributes(),
        },
      };
    }
  }
  return { operation: 'Scan', input: { ...base, ...(statement.where ? { FilterExpression: writer.condition(statement.where) } : {}), ...projection, ...writer.attributes() } };
}

function isRangeKeyCondition(condition: ReturnType<typeof conjuncts>[number], range: string): boolean {
  const onRange = (o: Operand) => 'path' in o && o.path.length === 1 && 'name' in o.path[0] && o.path[0].name === range;
  if (condition.op === 'compare') return (onRange(condition.left) && 'value' in condition.right) || false;
  if (condition.op === 'between') return onRange(condition.subject) && 'value' in condition.low && 'value' in condition.high;
  if (condition.op === 'function' && condition.name === 'begins_with') return onRange(condition.args[0]) && 'value' in condition.args[1];
  return false;
}

function indexKeys(table: TableRecord, index: string): KeySchemaElement[] {
  const found = [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])].find((i: { IndexName: string }) => i.IndexName === index);
  if (!found) throw new AwsError('ValidationException', `The table does not have the specified index: ${index}`);
  return found.KeySchema;
}

function tryFullKey(parts: ReturnType<typeof conjuncts>, keySchema: KeySchemaElement[]): { key: Item; rest: typeof parts } | undefined {
  const key: Item = {};
  const rest = [...parts];
  for (const { AttributeName } of keySchema) {
    const at = rest.findIndex((p) => equalityOn(p, AttributeName!) !== undefined);
    if (at < 0) return undefined;
    key[AttributeName!] = equalityOn(rest[at], AttributeName!)!;
    rest.splice(at, 1);
  }
  return { key, rest };
}

function fullKey(where: Parameters<typeof conjuncts>[0], keySchema: KeySchemaElement[]): { key: Item; rest: ReturnType<typeof conjuncts> } {
  const keyed = tryFullKey(conjuncts(where), keySchema);
  if (!keyed) throw new AwsError('ValidationException', 'Where clause does not contain a mandatory equality on all key attributes');
  return keyed;
}

function encodeNextToken(key: Item, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ k: key, s: fingerprint })).toString('base64url');
}

function decodeNextToken(token: string, fingerprint: string): Item {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: Item; s?: string };
    if (decoded.s === fingerprint && decoded.k && typeof decoded.k === 'object') return decoded.k;
  } catch {
    // Falls through to the error below.
  }
  throw new AwsError('ValidationException', 'Invalid NextToken');
}
