/**
 * Lambda handler `iot_s3_eventprocessor.handler`: archives the raw records of a
 * Kinesis batch as one S3 object in ArchiveBucket.
 *
 * It archives every record whether or not it is a valid sensor event — the
 * archive is the untouched input. A failed PutObject fails the invocation, so
 * the batch is delivered again and written again under the same key.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { archiveObject } from './archiver/archive.js';
import { configItemReader, createConfigLoader } from './shared/config.js';
import { createLogger } from './shared/log.js';

const s3 = new S3Client({});
const loadConfig = createConfigLoader(configItemReader(new DynamoDBClient({})), ['ArchiveBucket']);

export async function handler(event: KinesisStreamEvent, context: Context): Promise<void> {
  const log = createLogger({ function: context.functionName, awsRequestId: context.awsRequestId });
  const records = event.Records ?? [];
  if (records.length === 0) {
    log.info('Empty batch, nothing to archive', { event: 'batch-empty' });
    return;
  }
  try {
    const { ArchiveBucket } = await loadConfig();
    const object = archiveObject(records);
    await s3.send(
      new PutObjectCommand({
        Bucket: ArchiveBucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
      }),
    );
    log.info('Batch archived', {
      event: 'batch-archived',
      bucket: ArchiveBucket,
      key: object.key,
      records: records.length,
      bytes: object.body.length,
    });
  } catch (error) {
    log.error('Archiving failed; Lambda will deliver the batch again', { event: 'batch-failed', error });
    throw error;
  }
}
