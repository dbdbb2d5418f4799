import type {
  CreateEventSourceMappingRequest,
  EventSourceMappingConfiguration,
  ListEventSourceMappingsResponse,
  UpdateEventSourceMappingRequest,
} from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import { DescribeStreamConsumerCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { AwsError } from '../../../core/errors.js';
import type { CloudContext } from '../../../core/types.js';
import type { EventSourceManager } from '../kinesis/event-source-manager.js';
import { DynamoDbStreamReader } from '../dynamodb-streams/dynamodb-stream-reader.js';
import { StreamReader, type ShardReader, type StreamLocation } from '../kinesis/stream-reader.js';
import type { EventSourceMapping, MappingStore, StartingPosition } from '../model/event-source-mappings.js';
import { resolveVersion } from '../model/functions.js';
import { executionRolePrincipal } from '../runtime/credentials.js';
import { eventSourceMappingArn, functionArn, parseDynamoDbStreamArn, parseFunctionRef, parseKinesisStreamArn } from '../model/names.js';
import { createSqsMapping, sqsMappingConfiguration, updatedSqsSettings } from '../sqs/mapping-settings.js';
import { isSqsMapping, type SqsMappingManager } from '../sqs/sqs-mapping-manager.js';
import { conflict, invalidParameter, notFound } from './errors.js';
import { onFailureDestinationProblem } from '../destinations/on-failure.js';
import type { Caller, FunctionOperations } from './functions.js';
import { Validator } from './validation.js';

const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;

/** Create/Get/List/Update/DeleteEventSourceMapping for Kinesis streams (and consumers), DynamoDB table streams and SQS queues. */
export class EventSourceMappingOperations {
  constructor(
    private readonly ctx: CloudContext,
    private readonly mappings: MappingStore,
    private readonly manager: EventSourceManager,
    private readonly functionOps: FunctionOperations,
    /** Runs the SQS mappings (lambda/sqs/); without it, queue sources are refused like any unsupported source. */
    private readonly sqsMappings?: SqsMappingManager,
  ) {}

  async create(input: CreateEventSourceMappingRequest, caller: Caller): Promise<EventSourceMappingConfiguration> {
    if (this.sqsMappings && input.EventSourceArn && isSqsMapping({ eventSourceArn: input.EventSourceArn })) return this.createForQueue(input, caller, this.sqsMappings);
    new Validator()
      .required(input.FunctionName, 'functionName')
      .oneOf(input.StartingPosition, 'startingPosition', STARTING_POSITIONS)
      .throwIfInvalid();
    validateSettings(input);
    this.validateOnFailureDestination(input);
    if (!input.EventSourceArn) throw invalidParameter('EventSourceArn is required.');
    const table = parseDynamoDbStreamArn(input.EventSourceArn);
    const stream = table ? { ...table, streamName: table.tableName } : parseKinesisStreamArn(input.EventSourceArn);
    if (!stream) {
      throw invalidParameter(`localcloud's event source mappings read Kinesis streams (and their consumers), DynamoDB table streams and SQS queues; unsupported event source: ${input.EventSourceArn}`);
    }
    if (!input.StartingPosition) throw invalidParameter(`StartingPosition is required for ${table ? 'DynamoDB' : 'Kinesis'} event sources.`);
    // DynamoDB Streams has no AT_TIMESTAMP iterator.
    if (table && input.StartingPosition === 'AT_TIMESTAMP') throw invalidParameter('Unsupported starting position for DynamoDB stream event sources: AT_TIMESTAMP');
    if (input.StartingPosition === 'AT_TIMESTAMP' && !input.StartingPositionTimestamp) {
      throw invalidParameter('StartingPositionTimestamp must be provided when StartingPosition is AT_TIMESTAMP.');
    }
    const { fn, ref } = this.functionOps.resolve(input.FunctionName!, undefined, caller);
    const target = functionArn(fn, ref.qualifier);
    const duplicate = this.mappings
      .all()
      .find((m) => m.eventSourceArn === input.EventSourceArn && sameFunction(m.functionArn, target) && m.state !== 'Deleting');
    if (duplicate) {
      throw conflict(
        `The event source arn (" ${input.EventSourceArn} ") and function (" ${fn.name} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${duplicate.uuid}`,
      );
    }
    const location = 'streamArn' in stream ? stream : { ...stream, streamArn: input.EventSourceArn };
    await this.assertStreamExists(location);
    if ('consumerArn' in stream && stream.consumerArn) await this.assertConsumerExists(stream.consumerArn, location);
    // Lambda checks a table stream's mapping against the function's role at once, as AWS does.
    if (table) await this.assertRoleCanRead(location, resolveVersion(fn, ref.qualifier).role, fn.name);

    const mapping: EventSourceMapping = {
      uuid: randomUUID(),
      accountId: fn.accountId,
      region: fn.region,
      functionArn: target,
      eventSourceArn: input.EventSourceArn,
      enabled: input.Enabled ?? true,
      state: 'Creating',
      batchSize: input.BatchSize ?? 100,
      maximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
      startingPosition: input.StartingPosition as StartingPosition,
      startingPositionTimestamp: timestampMs(input.StartingPositionTimestamp),
      maximumRecordAgeInSeconds: input.MaximumRecordAgeInSeconds ?? -1,
      maximumRetryAttempts: input.MaximumRetryAttempts ?? -1,
      bisectBatchOnFunctionError: input.BisectBatchOnFunctionError ?? false,
      parallelizationFactor: input.ParallelizationFactor ?? 1,
      tumblingWindowInSeconds: input.TumblingWindowInSeconds ?? 0,
      functionResponseTypes: [...(input.FunctionResponseTypes ?? [])],
      onFailureDestination: input.DestinationConfig?.OnFailure?.Destination,
      lastModified: Date.now(),
      lastProcessingResult: 'No records processed',
    };
    this.mappings.save(mapping);
    this.manager.created(mapping);
    return toMappingConfiguration(mapping);
  }

  /** An SQS queue's mapping: its own settings and checks (lambda/sqs/mapping-settings.ts). */
  private async createForQueue(input: CreateEventSourceMappingRequest, caller: Caller, sqs: SqsMappingManager): Promise<EventSourceMappingConfiguration> {
    new Validator().required(input.FunctionName, 'functionName').throwIfInvalid();
    const { fn, version, ref } = this.functionOps.resolve(input.FunctionName!, undefined, caller);
    const target = functionArn(fn, ref.qualifier);
    const duplicate = this.mappings
      .all()
      .find((m) => m.eventSourceArn === input.EventSourceArn && sameFunction(m.functionArn, target) && m.state !== 'Deleting');
    if (duplicate) {
      throw conflict(
        `An event source mapping with SQS arn (" ${input.EventSourceArn} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${duplicate.uuid}`,
      );
    }
    const mapping = await createSqsMapping(this.ctx, input, {
      functionArn: target,
      accountId: fn.accountId,
      region: fn.region,
      timeout: version.timeout,
      role: sqs.roleOf(target),
    });
    this.mappings.save(mapping);
    sqs.created(mapping);
    return toMappingConfiguration(mapping);
  }

  /** A stream mapping's OnFailure destination must be one Lambda can deliver to here (see destinations/on-failure.ts). */
  private validateOnFailureDestination(input: Partial<CreateEventSourceMappingRequest>): void {
    const destination = input.DestinationConfig?.OnFailure?.Destination;
    if (destination === undefined) return;
    const problem = onFailureDestinationProblem(this.ctx, destination);
    if (problem) throw invalidParameter(problem);
  }

  get(uuid: string): EventSourceMappingConfiguration {
    return toMappingConfiguration(this.require(uuid));
  }

  list(query: { eventSourceArn?: string; functionName?: string; marker?: string; maxItems?: number }, caller: Caller): ListEventSourceMappingsResponse {
    new Validator().range(query.maxItems, 'maxItems', 1, 10000).throwIfInvalid();
    let items = this.mappings.all().filter((m) => m.accountId === caller.accountId && m.region === caller.region);
    if (query.eventSourceArn) items = items.filter((m) => m.eventSourceArn === query.eventSourceArn);
    if (query.functionName) {
      const ref = parseFunctionRef(query.functionName, caller.accountId, caller.region);
      const wanted = functionArn(ref, ref.qualifier);
      items = items.filter((m) => (ref.qualifier ? m.functionArn === wanted : sameFunction(m.functionArn, wanted)));
    }
    items.sort((a, b) => a.lastModified - b.lastModified || a.uuid.localeCompare(b.uuid));
    const start = query.marker ? items.findIndex((m) => m.uuid === query.marker) : 0;
    if (start < 0) throw invalidParameter(`Invalid marker: ${query.marker}`);
    const max = query.maxItems ?? 100;
    const page = items.slice(start, start + max);
    return {
      EventSourceMappings: page.map(toMappingConfiguration),
      NextMarker: start + max < items.length ? items[start + max].uuid : undefined,
    };
  }

  update(uuid: string, input: UpdateEventSourceMappingRequest, caller: Caller): EventSourceMappingConfiguration {
    const mapping = this.require(uuid);
    const queueSettings = isSqsMapping(mapping) ? updatedSqsSettings(mapping, input) : undefined;
    if (!queueSettings) {
      validateSettings(input);
      this.validateOnFailureDestination(input);
    }
    if (mapping.state === 'Creating' || mapping.state === 'Deleting' || mapping.state === 'Updating') throw resourceInUse(mapping);
    let target = mapping.functionArn;
    if (input.FunctionName) {
      const { fn, ref } = this.functionOps.resolve(input.FunctionName, undefined, caller);
      target = functionArn(fn, ref.qualifier);
    }
    const enabled = input.Enabled ?? mapping.enabled;
    const updated: EventSourceMapping = {
      ...mapping,
      functionArn: target,
      enabled,
      state: enabled === mapping.enabled ? 'Updating' : enabled ? 'Enabling' : 'Disabling',
      batchSize: input.BatchSize ?? mapping.batchSize,
      maximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? mapping.maximumBatchingWindowInSeconds,
      maximumRecordAgeInSeconds: input.MaximumRecordAgeInSeconds ?? mapping.maximumRecordAgeInSeconds,
      maximumRetryAttempts: input.MaximumRetryAttempts ?? mapping.maximumRetryAttempts,
      bisectBatchOnFunctionError: input.BisectBatchOnFunctionError ?? mapping.bisectBatchOnFunctionError,
      parallelizationFactor: input.ParallelizationFactor ?? mapping.parallelizationFactor,
      tumblingWindowInSeconds: input.TumblingWindowInSeconds ?? mapping.tumblingWindowInSeconds,
      functionResponseTypes: input.FunctionResponseTypes ? [...input.FunctionResponseTypes] : mapping.functionResponseTypes,
      onFailureDestination: input.DestinationConfig ? input.DestinationConfig.OnFailure?.Destination : mapping.onFailureDestination,
      ...queueSettings,
      lastModified: Date.now(),
    };
    this.mappings.save(updated);
    if (queueSettings) this.sqsMappings?.updated(updated);
    else this.manager.updated(updated);
    return toMappingConfiguration(updated);
  }

  delete(uuid: string): EventSourceMappingConfiguration {
    const mapping = this.require(uuid);
    if (mapping.state === 'Deleting') throw resourceInUse(mapping);
    const deleting: EventSourceMapping = { ...mapping, state: 'Deleting', lastModified: Date.now() };
    this.mappings.save(deleting);
    void (isSqsMapping(mapping) && this.sqsMappings ? this.sqsMappings.deleted(uuid) : this.manager.deleted(uuid));
    return toMappingConfiguration(deleting);
  }

  private require(uuid: string): EventSourceMapping {
    const mapping = this.mappings.get(uuid);
    if (!mapping) throw notFound('The resource you requested does not exist.');
    return mapping;
  }

  /** Lambda refuses mappings to consumers that are not registered. */
  private async assertConsumerExists(consumerArn: string, stream: StreamLocation): Promise<void> {
    const kinesis = new KinesisClient(this.ctx.clientConfig(stream.region, stream.accountId));
    try {
      await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') throw invalidParameter(`Stream consumer not found: ${consumerArn}`);
    } finally {
      kinesis.destroy();
    }
  }

  /** A table stream the function's role cannot read is refused with Lambda's message. */
  private async assertRoleCanRead(stream: StreamLocation, roleArn: string, functionName: string): Promise<void> {
    const reader = new DynamoDbStreamReader(this.ctx, stream, () => executionRolePrincipal(this.ctx, roleArn, functionName));
    try {
      await reader.describe();
    } catch (err) {
      if ((err as { code?: string }).code !== 'AccessDeniedException') return;
      throw invalidParameter(
        `Cannot access stream ${stream.streamArn}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.`,
      );
    }
  }

  /** Lambda refuses mappings to streams that do not exist. */
  private async assertStreamExists(stream: StreamLocation): Promise<void> {
    const isTableStream = parseDynamoDbStreamArn(stream.streamArn) !== undefined;
    if (isTableStream && !this.ctx.service('dynamodb')) {
      throw invalidParameter(`DynamoDB is not served by this local cloud: cannot read ${stream.streamArn}`);
    }
    const reader: ShardReader = isTableStream ? new DynamoDbStreamReader(this.ctx, stream) : new StreamReader(this.ctx, stream);
    try {
      await reader.describe();
    } catch (err) {
      const name = (err as { name?: string; code?: string }).code ?? (err as Error).name;
      if (name === 'ResourceNotFoundException') throw invalidParameter(`Stream not found: ${stream.streamArn}`);
      // Kinesis unreachable or not answering: the pollers will report it; do not refuse the mapping for that.
    } finally {
      reader.close();
    }
  }
}

/** A mapping in a transitional state (Creating, Updating, Deleting) cannot be changed yet. */
function resourceInUse(mapping: EventSourceMapping): AwsError {
  return new AwsError(
    'ResourceInUseException',
    `Cannot update the event source mapping ${mapping.uuid} because it is in use (state ${mapping.state}). Please try again later.`,
    400,
  );
}

/** Settings shared by Create and Update, with Lambda's limits for Kinesis. */
function validateSettings(input: Partial<CreateEventSourceMappingRequest>): void {
  // Better refused than silently ignored: the function would see records the filter should drop.
  if (input.FilterCriteria?.Filters?.length) throw invalidParameter('localcloud does not support FilterCriteria on event source mappings yet.');
  new Validator()
    .range(input.BatchSize, 'batchSize', 1, 10000)
    .range(input.MaximumBatchingWindowInSeconds, 'maximumBatchingWindowInSeconds', 0, 300)
    .range(input.MaximumRetryAttempts, 'maximumRetryAttempts', -1, 10000)
    .range(input.MaximumRecordAgeInSeconds, 'maximumRecordAgeInSeconds', -1, 604800)
    .range(input.ParallelizationFactor, 'parallelizationFactor', 1, 10)
    .range(input.TumblingWindowInSeconds, 'tumblingWindowInSeconds', 0, 900)
    .throwIfInvalid();
  const age = input.MaximumRecordAgeInSeconds;
  if (age !== undefined && age !== -1 && age < 60) {
    throw invalidParameter('MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.');
  }
  for (const type of input.FunctionResponseTypes ?? []) {
    if (type !== 'ReportBatchItemFailures') throw invalidParameter(`Unsupported FunctionResponseType: ${type}`);
  }
  if (input.DestinationConfig?.OnSuccess?.Destination) {
    throw invalidParameter('OnSuccess destinations are not supported for stream event source mappings.');
  }
}

/** Same function, whatever the qualifier. */
function sameFunction(a: string, b: string): boolean {
  const base = (arn: string) => arn.split(':').slice(0, 7).join(':');
  return base(a) === base(b);
}

function timestampMs(value: Date | number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  // On the wire the timestamp is epoch seconds.
  return typeof value === 'number' ? value * 1000 : Date.parse(value);
}

export function toMappingConfiguration(m: EventSourceMapping): EventSourceMappingConfiguration {
  if (isSqsMapping(m)) return sqsMappingConfiguration(m);
  return {
    UUID: m.uuid,
    StartingPosition: m.startingPosition,
    StartingPositionTimestamp: m.startingPositionTimestamp !== undefined ? new Date(m.startingPositionTimestamp) : undefined,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
    ParallelizationFactor: m.parallelizationFactor,
    EventSourceArn: m.eventSourceArn,
    FunctionArn: m.functionArn,
    LastModified: new Date(m.lastModified),
    LastProcessingResult: m.lastProcessingResult,
    State: m.state,
    StateTransitionReason: 'User action',
    DestinationConfig: { OnFailure: m.onFailureDestination ? { Destination: m.onFailureDestination } : {} },
    MaximumRecordAgeInSeconds: m.maximumRecordAgeInSeconds,
    BisectBatchOnFunctionError: m.bisectBatchOnFunctionError,
    MaximumRetryAttempts: m.maximumRetryAttempts,
    TumblingWindowInSeconds: m.tumblingWindowInSeconds,
    FunctionResponseTypes: m.functionResponseTypes as EventSourceMappingConfiguration['FunctionResponseTypes'],
    EventSourceMappingArn: eventSourceMappingArn(m.region, m.accountId, m.uuid),
  };
}
