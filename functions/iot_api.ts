/**
 * Lambda handler `iot_api.handler`: returns the 20 newest readings of a sensor.
 * See ./api/query.ts for the request and response contract.
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { parseQueryRequest, queryInput, queryResponse, type QueryResponse } from './api/query.js';
import { configItemReader, createConfigLoader } from './shared/config.js';
import { createLogger } from './shared/log.js';

const dynamodb = new DynamoDBClient({});
const loadConfig = createConfigLoader(configItemReader(dynamodb), ['SensorDataTable']);

export async function handler(event: unknown, context: Context): Promise<QueryResponse> {
  const log = createLogger({ function: context.functionName, awsRequestId: context.awsRequestId });
  try {
    // Validate before touching DynamoDB: bad input should not cost a read.
    const request = parseQueryRequest(event);
    const { SensorDataTable } = await loadConfig();
    const output = await dynamodb.send(new QueryCommand(queryInput(SensorDataTable, request.sensorId)));
    const response = queryResponse(output);
    log.info('Query answered', { event: 'query', sensorId: request.sensorId, count: response.Count });
    return response;
  } catch (error) {
    log.warn('Query failed', { event: 'query-failed', error });
    throw error;
  }
}
