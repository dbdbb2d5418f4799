import type {
  CreateEventSourceMappingRequest,
  EventSourceMappingConfiguration,
  UpdateEventSourceMappingRequest,
} from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../../../auth/types.js';
import type { CloudContext } from '../../../core/types.js';
import type { SqsProvider } from '../../sqs/index.js';
import { parseQueueArn } from '../../sqs/queue-url.js';
import { invalidParameter } from '../api/errors.js';
import { Validator } from '../api/validation.js';
import type { EventSourceMapping } from '../model/event-source-mappings.js';
import { eventSourceMappingArn } from '../model/names.js';

/** Settings that only stream sources (Kinesis, DynamoDB streams) or other sources have: refused for a queue, never ignored. */
const NOT_FOR_QUEUES = [
  'StartingPosition', 'StartingPositionTimestamp', 'ParallelizationFactor', 'BisectBatchOnFunctionError', 'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds', 'TumblingWindowInSeconds', 'DestinationConfig', 'Topics', 'Queues', 'SourceAccessConfigurations',
  'SelfManagedEventSource', 'AmazonManagedKafkaEventSourceConfig', 'SelfManagedKafkaEventSourceConfig', 'DocumentDBEventSourceConfig',
] as const;

/** Lambda's SQS limits: BatchSize 1–10,000 (10 for FIFO), a window of up to 300 s, MaximumConcurrency 2–1,000. */
function validate(input: Partial<CreateEventSourceMappingRequest>, fifo: boolean, current?: EventSourceMapping): void {
  for (const name of NOT_FOR_QUEUES) {
    if (input[name as keyof typeof input] !== undefined) throw invalidParameter(`${name} is not valid for SQS event sources.`);
  }
  if (input.FilterCriteria?.Filters?.length) throw invalidParameter('localcloud does not support FilterCriteria on event source mappings yet.');
  new Validator()
    .range(input.BatchSize, 'batchSize', 1, 10000)
    .range(input.MaximumBatchingWindowInSeconds, 'maximumBatchingWindowInSeconds', 0, 300)
    .range(input.ScalingConfig?.MaximumConcurrency, 'scalingConfig.maximumConcurrency', 2, 1000)
    .throwIfInvalid();
  const batchSize = input.BatchSize ?? current?.batchSize ?? 10;
  const window = input.MaximumBatchingWindowInSeconds ?? current?.maximumBatchingWindowInSeconds ?? 0;
  if (fifo && batchSize > 10) throw invalidParameter('BatchSize must be between 1 and 10 for FIFO queues.');
  if (fifo && window > 0) throw invalidParameter('Batching window is not supported for FIFO queues.');
  if (batchSize > 10 && window < 1) {
    throw invalidParameter('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
  }
  for (const type of input.FunctionResponseTypes ?? []) {
    if (type !== 'ReportBatchItemFailures') throw invalidParameter(`Unsupported FunctionResponseType: ${type}`);
  }
}

/** What CreateEventSourceMapping checks of an SQS source, as Lambda does before it accepts the mapping. */
async function assertUsable(
  ctx: CloudContext,
  queueArn: string,
  functionTimeout: number,
  role: Principal | undefined,
): Promise<void> {
  const id = parseQueueArn(queueArn)!;
  const queue = ctx.service<SqsProvider>('sqs')?.operations.queueByArn(queueArn);
  if (!queue) {
    throw invalidParameter(`Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.`);
  }
  const visibility = Number(queue.attributes.VisibilityTimeout);
  if (visibility < functionTimeout) {
    throw invalidParameter(`Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${functionTimeout} seconds`);
  }
  const authorizer = ctx.trust?.authorizer;
  if (!authorizer || ctx.trust?.mode === 'off') return;
  for (const action of ['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes']) {
    try {
      if (!role) throw new Error('no role');
      await authorizer.check(role, 'sqs', { action: `sqs:${action}`, resource: queueArn }, { region: id.region });
    } catch {
      throw invalidParameter(`The function execution role does not have permissions to call ${action} on SQS`);
    }
  }
}

/** A new SQS mapping, validated; `functionArn` is the (possibly qualified) target. */
export async function createSqsMapping(
  ctx: CloudContext,
  input: CreateEventSourceMappingRequest,
  target: { functionArn: string; accountId: string; region: string; timeout: number; role: Principal | undefined },
): Promise<EventSourceMapping> {
  const queueArn = input.EventSourceArn!;
  validate(input, queueArn.endsWith('.fifo'));
  await assertUsable(ctx, queueArn, target.timeout, target.role);
  return {
    uuid: randomUUID(),
    accountId: target.accountId,
    region: target.region,
    functionArn: target.functionArn,
    eventSourceArn: queueArn,
    enabled: input.Enabled ?? true,
    state: 'Creating',
    batchSize: input.BatchSize ?? 10,
    maximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
    maximumRecordAgeInSeconds: -1,
    maximumRetryAttempts: -1,
    bisectBatchOnFunctionError: false,
    parallelizationFactor: 1,
    tumblingWindowInSeconds: 0,
    functionResponseTypes: [...(input.FunctionResponseTypes ?? [])],
    maximumConcurrency: input.ScalingConfig?.MaximumConcurrency,
    lastModified: Date.now(),
    lastProcessingResult: 'No records processed',
  };
}

/** UpdateEventSourceMapping's changes to an SQS mapping (the function, enabled state and transitions are the caller's). */
export function updatedSqsSettings(mapping: EventSourceMapping, input: UpdateEventSourceMappingRequest): Partial<EventSourceMapping> {
  validate(input, mapping.eventSourceArn.endsWith('.fifo'), mapping);
  return {
    batchSize: input.BatchSize ?? mapping.batchSize,
    maximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? mapping.maximumBatchingWindowInSeconds,
    functionResponseTypes: input.FunctionResponseTypes ? [...input.FunctionResponseTypes] : mapping.functionResponseTypes,
    maximumConcurrency: input.ScalingConfig ? input.ScalingConfig.MaximumConcurrency : mapping.maximumConcurrency,
  };
}

/** The API shape of an SQS mapping: what Lambda reports for a queue source (no stream settings). */
export function sqsMappingConfiguration(m: EventSourceMapping): EventSourceMappingConfiguration {
  return {
    UUID: m.uuid,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
    EventSourceArn: m.eventSourceArn,
    FunctionArn: m.functionArn,
    LastModified: new Date(m.lastModified),
    State: m.state,
    StateTransitionReason: 'USER_INITIATED',
    FunctionResponseTypes: m.functionResponseTypes as EventSourceMappingConfiguration['FunctionResponseTypes'],
    ...(m.maximumConcurrency !== undefined ? { ScalingConfig: { MaximumConcurrency: m.maximumConcurrency } } : {}),
    EventSourceMappingArn: eventSourceMappingArn(m.region, m.accountId, m.uuid),
  };
}
