/**
 * Lambda handler `iot_ddb_cw_eventprocessor.handler`: stores each sensor event
 * of a Kinesis batch in SensorDataTable and publishes it as a CloudWatch metric.
 *
 * Throwing fails the invocation, and Lambda then redelivers the whole batch;
 * that is reserved for failures a retry can fix (throttling, outages). Bad
 * records are skipped, logged and counted instead, so they cannot block the shard.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { METRIC_NAMESPACE } from './shared/constants.js';
import { configItemReader, createConfigLoader } from './shared/config.js';
import { createLogger } from './shared/log.js';
import type { BatchWriter } from './ddb-cw/batch-write.js';
import { processSensorBatch } from './ddb-cw/process-batch.js';

// Created once per execution environment. Default configuration: region,
// credentials and endpoint (AWS_ENDPOINT_URL locally) come from the environment.
const dynamodb = new DynamoDBClient({});
const cloudwatch = new CloudWatchClient({});
const loadConfig = createConfigLoader(configItemReader(dynamodb), ['SensorDataTable']);

const writeBatch: BatchWriter = async (requestItems) => {
  const output = await dynamodb.send(new BatchWriteItemCommand({ RequestItems: requestItems }));
  return output.UnprocessedItems;
};

async function putMetricData(datums: MetricDatum[]): Promise<void> {
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: datums }));
}

export async function handler(event: KinesisStreamEvent, context: Context): Promise<void> {
  const log = createLogger({ function: context.functionName, awsRequestId: context.awsRequestId });
  try {
    const { SensorDataTable } = await loadConfig();
    const summary = await processSensorBatch(event.Records ?? [], {
      tableName: SensorDataTable,
      writeBatch,
      putMetricData,
      log,
      writeRetry: {
        timeLeftMs: typeof context.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : undefined,
      },
    });
    log.info('Batch processed', { event: 'batch-processed', ...summary });
  } catch (error) {
    log.error('Batch failed; Lambda will deliver it again', { event: 'batch-failed', error });
    throw error;
  }
}
