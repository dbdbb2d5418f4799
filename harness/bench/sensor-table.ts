/** Reads of SensorDataTable that tell which events the processor has stored. */
import { BatchGetItemCommand, GetItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { itemKey } from './sensor-events.js';

/** BatchGetItem's limit on keys per call. */
export const MAX_KEYS_PER_BATCH_GET = 100;

export interface ItemRef {
  sensorId: string;
  timestamp: string;
}

export async function itemExists(ddb: DynamoDBClient, table: string, ref: ItemRef): Promise<boolean> {
  const { Item } = await ddb.send(
    new GetItemCommand({
      TableName: table,
      Key: { SensorId: { S: ref.sensorId }, Timestamp: { S: ref.timestamp } },
      ProjectionExpression: 'SensorId',
    }),
  );
  return Item !== undefined;
}

/**
 * Which of up to 100 items are readable now, in one BatchGetItem: the
 * latency phase's poll, one request for everything still in flight.
 * Keys DynamoDB leaves unprocessed count as not yet readable.
 */
export async function visibleItems(ddb: DynamoDBClient, table: string, refs: readonly ItemRef[]): Promise<Set<string>> {
  if (refs.length > MAX_KEYS_PER_BATCH_GET) throw new RangeError(`at most ${MAX_KEYS_PER_BATCH_GET} keys per BatchGetItem`);
  const found = new Set<string>();
  if (refs.length === 0) return found;
  const output = await ddb.send(
    new BatchGetItemCommand({
      RequestItems: {
        [table]: {
          Keys: refs.map((r) => ({ SensorId: { S: r.sensorId }, Timestamp: { S: r.timestamp } })),
          // Timestamp is a reserved word in expressions.
          ProjectionExpression: 'SensorId, #ts',
          ExpressionAttributeNames: { '#ts': 'Timestamp' },
        },
      },
    }),
  );
  for (const item of output.Responses?.[table] ?? []) {
    const sensor = item.SensorId?.S;
    const timestamp = item.Timestamp?.S;
    if (sensor !== undefined && timestamp !== undefined) found.add(itemKey(sensor, timestamp));
  }
  return found;
}

/** Every stored key of the given sensors (a paginated Query per sensor). */
export async function storedKeys(ddb: DynamoDBClient, table: string, sensors: Iterable<string>): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const sensor of sensors) {
    let start: Record<string, any> | undefined;
    do {
      const page = await ddb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'SensorId = :s',
          ExpressionAttributeValues: { ':s': { S: sensor } },
          ProjectionExpression: '#ts',
          ExpressionAttributeNames: { '#ts': 'Timestamp' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.Timestamp?.S !== undefined) keys.add(itemKey(sensor, item.Timestamp.S));
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return keys;
}
