/**
 * The page's two calls into the stack, made from the browser with the
 * TestClient keys — exactly what the TestClient policy allows: Kinesis
 * PutRecord(s) on the stream and Lambda Invoke on the API function.
 */
import { KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { PageConfig } from '../shared/api.js';
import { encodeEvent, type SensorEventPayload } from './event-input.js';

/** PutRecords takes at most 500 records per call. */
export const MAX_RECORDS_PER_CALL = 500;

/** A reading as the query API returns it. */
export interface Reading {
  SensorId: string;
  Timestamp: string;
  Value: number;
}

export interface BatchResult {
  sent: number;
  failed: number;
  /** The first failure's code, e.g. ProvisionedThroughputExceededException. */
  failureCode?: string;
}

/** The API function ran but threw: Lambda reports it with X-Amz-Function-Error. */
export class FunctionError extends Error {
  override name = 'FunctionError';
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(`the API function failed: ${errorType}: ${errorMessage}`);
  }
}

export class Backend {
  readonly streamName: string;
  readonly functionName: string;
  private readonly kinesis: KinesisClient;
  private readonly lambda: LambdaClient;

  constructor(config: PageConfig) {
    const clientConfig = {
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      credentials: { accessKeyId: config.outputs.AccessKeyId ?? '', secretAccessKey: config.outputs.SecretAccessKey ?? '' },
    };
    this.streamName = config.outputs.KinesisStream ?? '';
    this.functionName = config.outputs.LambdaAPIFunction ?? '';
    this.kinesis = new KinesisClient(clientConfig);
    this.lambda = new LambdaClient(clientConfig);
  }

  /** The sensor ID is the partition key, so one sensor's readings stay in order on one shard. */
  async putEvent(event: SensorEventPayload): Promise<{ shardId?: string; sequenceNumber?: string }> {
    const output = await this.kinesis.send(
      new PutRecordCommand({ StreamName: this.streamName, PartitionKey: event.sensorid, Data: encodeEvent(event) }),
    );
    return { shardId: output.ShardId, sequenceNumber: output.SequenceNumber };
  }

  /** One PutRecords call; records the stream refused (throttling) are counted, not retried. */
  async putEvents(events: SensorEventPayload[]): Promise<BatchResult> {
    if (events.length > MAX_RECORDS_PER_CALL) throw new RangeError(`at most ${MAX_RECORDS_PER_CALL} records per PutRecords call`);
    const output = await this.kinesis.send(
      new PutRecordsCommand({
        StreamName: this.streamName,
        Records: events.map((event) => ({ PartitionKey: event.sensorid, Data: encodeEvent(event) })),
      }),
    );
    const failed = output.FailedRecordCount ?? 0;
    const failureCode = output.Records?.find((r) => r.ErrorCode)?.ErrorCode;
    return { sent: events.length - failed, failed, ...(failureCode ? { failureCode } : {}) };
  }

  /** `{"operation": "query", "sensorid": ...}`: the 20 newest readings, newest first. */
  async query(sensorId: string): Promise<Reading[]> {
    const output = await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        Payload: new TextEncoder().encode(JSON.stringify({ operation: 'query', sensorid: sensorId })),
      }),
    );
    const text = output.Payload ? new TextDecoder().decode(output.Payload) : '';
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new Error(`the API function answered something that is not JSON: ${text.slice(0, 120)}`);
    }
    if (output.FunctionError) {
      const { errorType, errorMessage } = (body ?? {}) as { errorType?: string; errorMessage?: string };
      throw new FunctionError(errorType ?? output.FunctionError, errorMessage ?? text);
    }
    const items = (body as { Items?: unknown } | undefined)?.Items;
    if (!Array.isArray(items)) throw new Error(`the API function's answer has no Items list: ${text.slice(0, 120)}`);
    return items.filter(isReading);
  }
}

function isReading(item: unknown): item is Reading {
  const r = item as Partial<Reading> | null;
  return !!r && typeof r.SensorId === 'string' && typeof r.Timestamp === 'string' && typeof r.Value === 'number';
}
