/**
 * The query API: request validation, the DynamoDB Query it becomes, and the
 * response shape.
 *
 * Request: `{"operation": "query", "sensorid": "<id>"}`.
 * Response: `{"Items": [{"SensorId", "Timestamp", "Value"}, ...], "Count": n, "ScannedCount": n}`
 * — the original's shape (the test page reads `Items`), newest first, at most 20.
 * Bad input is thrown as an {@link InvalidRequestError}: Lambda answers with
 * `X-Amz-Function-Error: Unhandled` and `{"errorType": "InvalidRequestError",
 * "errorMessage": ...}`, the way AWS reports a failed function.
 */
import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { itemToJson, type JsonValue } from '../shared/attribute-values.js';
import { checkSensorId, MAX_SENSOR_ID_BYTES } from '../shared/sensor-event.js';

/** The original's "20 most recent items". */
export const QUERY_LIMIT = 20;

export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
}

export interface QueryRequest {
  operation: 'query';
  sensorId: string;
}

export interface QueryResponse {
  Items: Record<string, JsonValue>[];
  Count: number;
  ScannedCount: number;
}

export function parseQueryRequest(event: unknown): QueryRequest {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidRequestError('The request must be a JSON object like {"operation": "query", "sensorid": "<id>"}');
  }
  const { operation, sensorid } = event as Record<string, unknown>;
  if (operation !== 'query') {
    throw new InvalidRequestError(
      `Unsupported operation ${JSON.stringify(operation ?? null)}: the only operation is "query"`,
    );
  }
  const sensorId = checkSensorId(sensorid);
  if (typeof sensorId !== 'string') {
    throw new InvalidRequestError(
      `Invalid sensorid (${sensorId.reason}): ${sensorId.detail}. ` +
        `It must be a non-blank string of at most ${MAX_SENSOR_ID_BYTES} UTF-8 bytes`,
    );
  }
  return { operation, sensorId };
}

/** Newest first: the range key is the ISO timestamp, which sorts chronologically. */
export function queryInput(tableName: string, sensorId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: '#sensor = :sensor',
    ExpressionAttributeNames: { '#sensor': 'SensorId' },
    ExpressionAttributeValues: { ':sensor': { S: sensorId } },
    ScanIndexForward: false,
    Limit: QUERY_LIMIT,
  };
}

export function queryResponse(output: Pick<QueryCommandOutput, 'Items' | 'Count' | 'ScannedCount'>): QueryResponse {
  const items = (output.Items ?? []).map(itemToJson);
  return { Items: items, Count: output.Count ?? items.length, ScannedCount: output.ScannedCount ?? items.length };
}
