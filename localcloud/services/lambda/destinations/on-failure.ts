import { randomUUID } from 'node:crypto';
import type { _Record } from '@aws-sdk/client-kinesis';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Principal } from '../../../auth/types.js';
import type { CloudContext } from '../../../core/types.js';

/** Why Lambda gave up on a batch, as an on-failure record's `requestContext.condition` names it. */
export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** What Lambda knows about a batch it gave up on. */
export interface FailedBatch {
  functionArn: string;
  eventSourceArn: string;
  /** Table streams report `DDBStreamBatchInfo`, Kinesis streams `KinesisBatchInfo`. */
  tableStream: boolean;
  shardId: string;
  records: _Record[];
  condition: FailureCondition;
  approximateInvokeCount: number;
  functionError?: string;
}

/** A destination ARN Lambda accepts for stream mappings: an SQS queue or an SNS topic. */
export function parseOnFailureDestination(arn: string): { service: 'sqs' | 'sns'; region: string; accountId: string; name: string } | undefined {
  const match = /^arn:aws[a-z-]*:(sqs|sns):([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$/.exec(arn);
  if (!match) return undefined;
  return { service: match[1] as 'sqs' | 'sns', region: match[2], accountId: match[3], name: match[4] };
}

/**
 * Why Lambda (here) cannot take `arn` as a stream mapping's OnFailure
 * destination, or undefined when it can. S3 buckets are valid on AWS but not
 * delivered to here: refused rather than accepted and dropped.
 */
export function onFailureDestinationProblem(ctx: CloudContext, arn: string): string | undefined {
  if (/^arn:aws[a-z-]*:s3:::/.test(arn)) return `localcloud does not deliver on-failure records to S3 buckets yet; use an SQS queue or SNS topic: ${arn}`;
  const destination = parseOnFailureDestination(arn);
  if (!destination) return `The provided destination ${arn} is invalid: stream event source mappings accept an SQS queue or SNS topic ARN as OnFailure destination.`;
  if (destination.name.endsWith('.fifo')) return `FIFO queues and topics are not supported as OnFailure destinations: ${arn}`;
  if (!ctx.service(destination.service)) return `${destination.service === 'sqs' ? 'SQS' : 'SNS'} is not served by this localcloud, so on-failure records could never be delivered to ${arn}`;
  return undefined;
}

/** The invocation record Lambda sends to a stream mapping's on-failure destination (it names the records; it does not carry them). */
export function onFailureRecord(batch: FailedBatch, now = new Date()): Record<string, unknown> {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  const batchInfo = {
    shardId: batch.shardId,
    startSequenceNumber: first.SequenceNumber,
    endSequenceNumber: last.SequenceNumber,
    approximateArrivalOfFirstRecord: first.ApproximateArrivalTimestamp?.toISOString(),
    approximateArrivalOfLastRecord: last.ApproximateArrivalTimestamp?.toISOString(),
    batchSize: batch.records.length,
    streamArn: batch.eventSourceArn,
  };
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.approximateInvokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: executedVersion(batch.functionArn),
      functionError: batch.functionError ?? 'Unhandled',
    },
    version: '1.0',
    timestamp: now.toISOString(),
    [batch.tableStream ? 'DDBStreamBatchInfo' : 'KinesisBatchInfo']: batchInfo,
  };
}

/**
 * Sends on-failure records through SQS's or SNS's public API, acting as the
 * function's execution role (on AWS the role needs sqs:SendMessage or
 * sns:Publish on the destination). A failed delivery is logged: the batch is
 * already given up on and the shard moves on either way.
 */
export class OnFailureDestinations {
  constructor(private readonly ctx: CloudContext) {}

  async deliver(destinationArn: string, batch: FailedBatch, actingAs: Principal | undefined): Promise<void> {
    const destination = parseOnFailureDestination(destinationArn);
    try {
      if (!destination) throw new Error('not an SQS queue or SNS topic ARN');
      if (!this.ctx.service(destination.service)) throw new Error(`${destination.service} is not served by this cloud`);
      const config = this.ctx.clientConfig(destination.region, destination.accountId, actingAs);
      const body = JSON.stringify(onFailureRecord(batch));
      if (destination.service === 'sqs') {
        const sqs = new SQSClient(config);
        try {
          const queueUrl = `${config.endpoint}/${destination.accountId}/${destination.name}`;
          await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
        } finally {
          sqs.destroy();
        }
      } else {
        const sns = new SNSClient(config);
        try {
          await sns.send(new PublishCommand({ TopicArn: destinationArn, Message: body }));
        } finally {
          sns.destroy();
        }
      }
    } catch (err) {
      this.ctx.log(`lambda: on-failure destination ${destinationArn}: delivery failed: ${err instanceof Error ? err.message : err}`);
    }
  }
}

function executedVersion(functionArn: string): string {
  const qualifier = functionArn.split(':')[7];
  return qualifier && /^\d+$/.test(qualifier) ? qualifier : '$LATEST';
}
