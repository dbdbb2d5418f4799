import type { AttributeValue, ItemCollectionMetrics, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { AwsError } from '../../core/errors.js';
import type { DynaliteEngine, TableRecord } from './engine.js';

type Item = Record<string, AttributeValue>;
export type SingleWrite = 'PutItem' | 'UpdateItem' | 'DeleteItem';

/**
 * What DynamoDB's single-item writes do that dynalite does not: the old
 * item on a failed condition (ReturnValuesOnConditionCheckFailure=ALL_OLD),
 * item collection metrics on tables with local secondary indexes, and
 * refusing ReturnValues a DeleteItem cannot honour.
 */
export async function singleItemWrite(engine: DynaliteEngine, operation: SingleWrite, input: Record<string, any>): Promise<any> {
  const { ReturnValuesOnConditionCheckFailure: onFailure, ...rest } = input;
  assertReturnValuesOnFailure(onFailure);
  if (operation === 'DeleteItem' && ['UPDATED_NEW', 'ALL_NEW', 'UPDATED_OLD'].includes(input.ReturnValues)) {
    throw new AwsError('ValidationException', 'Return values set to invalid value');
  }
  try {
    const output = await engine.call(operation, rest);
    if (input.ReturnItemCollectionMetrics === 'SIZE') {
      const metrics = await collectionMetrics(engine, input.TableName, operation === 'PutItem' ? input.Item : input.Key);
      if (metrics) output.ItemCollectionMetrics = metrics;
    }
    return output;
  } catch (err) {
    if (onFailure === 'ALL_OLD' && err instanceof AwsError && err.code === 'ConditionalCheckFailedException') {
      const key = operation === 'PutItem' ? keyOf(input.Item, (await engine.readTable(input.TableName)).KeySchema) : input.Key;
      const { Item } = await engine.call('GetItem', { TableName: input.TableName, Key: key, ConsistentRead: true });
      if (Item) withFields(err, { Item });
    }
    throw err;
  }
}

/** `ReturnValuesOnConditionCheckFailure`'s enum, as DynamoDB's model checks it. */
export function assertReturnValuesOnFailure(value: unknown, member = 'returnValuesOnConditionCheckFailure'): void {
  if (value === undefined || value === null || value === 'ALL_OLD' || value === 'NONE') return;
  throw new AwsError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`);
}

/**
 * ItemCollectionMetrics for a write to `tableName` touching the collection of
 * `keyOrItem`'s partition key: only tables with local secondary indexes have
 * item collections. DynamoDB gives the size as an estimate range in GB; a
 * local collection is far below the first gigabyte.
 */
export async function collectionMetrics(engine: DynaliteEngine, tableName: string, keyOrItem: Item): Promise<ItemCollectionMetrics | undefined> {
  const table = await engine.readTable(tableName);
  if (!table.LocalSecondaryIndexes?.length) return undefined;
  const hash = (table.KeySchema as KeySchemaElement[]).find((k) => k.KeyType === 'HASH')!.AttributeName!;
  return { ItemCollectionKey: { [hash]: keyOrItem[hash] }, SizeEstimateRangeGB: [0, 1] };
}

export function keyOf(item: Item, keySchema: TableRecord['KeySchema']): Item {
  const key: Item = {};
  for (const { AttributeName } of keySchema as KeySchemaElement[]) if (item[AttributeName!]) key[AttributeName!] = item[AttributeName!];
  return key;
}

/**
 * Adds structured members to an error's JSON body (DynamoDB's `Item`,
 * `CancellationReasons`): the JSON protocol spreads `extra` into the body,
 * whatever the values' type.
 */
export function withFields(error: AwsError, fields: Record<string, unknown>): AwsError {
  Object.assign(error.extra as Record<string, unknown>, fields);
  return error;
}
