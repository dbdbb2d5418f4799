import type { _Record } from '@aws-sdk/client-kinesis';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Principal } from '../../auth/types.js';
import type { AwsError } from '../../core/errors.js';
import type { CloudContext, ServiceProvider, ServiceRequest, ServiceResponse } from '../../core/types.js';
import { AliasOperations } from './api/aliases.js';
import { CODE_PATH_PREFIX, CodeUrls } from './api/code-urls.js';
import { lambdaErrorResponse } from './api/errors.js';
import { EventSourceMappingOperations } from './api/event-source-mappings.js';
import { FunctionOperations } from './api/functions.js';
import { InvokeOperation } from './api/invoke.js';
import { LayerOperations, layerVersionPolicy } from './api/layers.js';
import { PermissionOperations, policyDocument } from './api/permissions.js';
import { lambdaRouter, type LambdaRouter } from './api/routes.js';
import type { BatchOutcome } from './kinesis/batch-delivery.js';
import { CheckpointStore } from './kinesis/checkpoints.js';
import { EventSourceManager } from './kinesis/event-source-manager.js';
import { dynamodbEvent } from './dynamodb-streams/dynamodb-event.js';
import { kinesisEvent } from './kinesis/kinesis-event.js';
import { partialBatchResponse, sqsEvent, type SqsBatchOutcome } from './sqs/sqs-event.js';
import { SqsMappingManager } from './sqs/sqs-mapping-manager.js';
import type { WireMessage } from '../sqs/receive.js';
import { CodeStore } from './model/code-store.js';
import type { EventSourceMapping } from './model/event-source-mappings.js';
import { MappingStore } from './model/event-source-mappings.js';
import { FunctionStore, resolveVersion, versionToRun } from './model/functions.js';
import { LayerStore, parseLayerVersionArn } from './model/layers.js';
import { parseDynamoDbStreamArn, parseFunctionRef, type FunctionRef } from './model/names.js';
import { AsyncInvocations } from './runtime/async-invocations.js';
import { FunctionRuntime } from './runtime/invoker.js';
import { prepareRuntimeModules } from './runtime/runtime-modules.js';
import { executionRolePrincipal } from './runtime/credentials.js';

/**
 * AWS Lambda: the API (functions, invocations, permissions, event source
 * mappings), Node.js execution environments behind the Lambda Runtime API,
 * and Kinesis pollers. State lives under `<stateDir>/lambda/` when the cloud
 * has a state directory:
 *
 *   functions/<account>/<region>/<name>.json   configuration, versions, aliases, policy
 *   layers/<account>/<region>/<name>.json      layer versions and their policies
 *   zips/<sha256>.zip                          deployment packages by content
 *   code/<sha256>/                             extracted code (LAMBDA_TASK_ROOT) and layers
 *   code/opt/<sha256>/                         a combination of layers merged: a function's /opt
 *   code/node_modules/                         SDK v3 + cfn-response for function code
 *   event-source-mappings/<uuid>.json          mapping settings
 *   checkpoints/<uuid>.json                    per-shard positions of each mapping
 */
export function createLambdaService(ctx: CloudContext): ServiceProvider {
  return new LambdaProvider(ctx);
}

export class LambdaProvider implements ServiceProvider {
  readonly name = 'lambda';
  readonly routes = { signingNames: ['lambda'], pathPrefixes: [CODE_PATH_PREFIX] };
  readonly errorResponse = (error: AwsError): ServiceResponse => lambdaErrorResponse(error);

  readonly functions: FunctionStore;
  readonly layers: LayerStore;
  readonly runtime: FunctionRuntime;
  readonly eventSources: EventSourceManager;
  readonly queueSources: SqsMappingManager;
  private readonly mappings: MappingStore;
  private readonly code: CodeStore;
  private readonly codeUrls: CodeUrls;
  private readonly asyncInvocations: AsyncInvocations;
  private readonly route: LambdaRouter;
  /** In-memory clouds extract code into a temporary directory, removed on stop. */
  private readonly temporaryRoot?: string;

  constructor(private readonly ctx: CloudContext) {
    const stateRoot = ctx.stateDir ? path.join(ctx.stateDir, 'lambda') : undefined;
    if (!stateRoot) this.temporaryRoot = mkdtempSync(path.join(os.tmpdir(), 'localcloud-lambda-'));
    const codeRoot = path.join(stateRoot ?? this.temporaryRoot!, 'code');
    mkdirSync(codeRoot, { recursive: true });

    this.functions = new FunctionStore(stateRoot && path.join(stateRoot, 'functions'));
    this.layers = new LayerStore(stateRoot && path.join(stateRoot, 'layers'));
    this.mappings = new MappingStore(stateRoot && path.join(stateRoot, 'event-source-mappings'));
    this.code = new CodeStore(stateRoot && path.join(stateRoot, 'zips'), codeRoot);
    this.codeUrls = new CodeUrls(this.code);
    this.runtime = new FunctionRuntime(ctx, { codeStore: this.code, runtimeModulesDir: prepareRuntimeModules(codeRoot) });
    this.runtime.findFunction = (name) => {
      const fn = this.functions.get(parseFunctionRef(name, ctx.defaultAccountId, ctx.defaultRegion));
      return fn && { fn, version: fn.latest };
    };
    this.asyncInvocations = new AsyncInvocations((m) => ctx.log(m));
    const checkpoints = new CheckpointStore(stateRoot && path.join(stateRoot, 'checkpoints'), (m) => ctx.log(`lambda: ${m}`));
    this.eventSources = new EventSourceManager(
      ctx,
      this.mappings,
      checkpoints,
      (m, shardId, records) => this.invokeWithBatch(m, shardId, records),
      (functionArn) => this.executionRoleOf(functionArn),
      stateRoot,
    );

    this.queueSources = new SqsMappingManager(
      ctx,
      this.mappings,
      (m, messages) => this.invokeWithMessages(m, messages),
      (functionArn) => this.executionRoleOf(functionArn),
    );

    const layerOps = new LayerOperations(ctx, this.layers, this.code, this.codeUrls);
    const functionOps = new FunctionOperations(ctx, this.functions, this.code, this.runtime, this.codeUrls, (arns, caller) =>
      layerOps.functionLayers(arns, caller),
    );
    this.route = lambdaRouter({
      layers: layerOps,
      aliases: new AliasOperations(this.functions, functionOps),
      functions: functionOps,
      invoke: new InvokeOperation(functionOps, this.runtime, this.asyncInvocations),
      permissions: new PermissionOperations(this.functions, functionOps),
      mappings: new EventSourceMappingOperations(ctx, this.mappings, this.eventSources, functionOps, this.queueSources),
    });
  }

  /** The role session a function's mappings read their stream as (its qualified version's role). */
  private executionRoleOf(functionArn: string): Principal | undefined {
    const ref = parseFunctionRef(functionArn, this.ctx.defaultAccountId, this.ctx.defaultRegion);
    const fn = this.functions.get(ref);
    if (!fn) return undefined;
    let version;
    try {
      version = resolveVersion(fn, ref.qualifier);
    } catch {
      return undefined; // the version or alias is gone: the mapping's invocations fail as not found
    }
    return executionRolePrincipal(this.ctx, version.role, fn.name);
  }

  async start(): Promise<void> {
    this.functions.load();
    this.layers.load();
    // Code in use: every function version's package and layers (kept after a layer version is deleted), every live layer version.
    const referenced = new Set([
      ...this.functions.all().flatMap((fn) => [fn.latest, ...fn.versions].flatMap((v) => [v.codeHash, ...(v.layers ?? []).map((l) => l.codeHash)])),
      ...this.layers.all().flatMap((layer) => layer.versions.map((v) => v.codeHash)),
    ]);
    this.code.collectGarbage(referenced);
    this.mappings.load();
    this.eventSources.start();
    this.queueSources.start();
  }

  async stop(): Promise<void> {
    // Pollers first (so no new batch starts), then the processes; in-flight
    // batches end unacknowledged and are redelivered after a restart.
    const pollersStopped = Promise.all([this.eventSources.stop(), this.queueSources.stop()]);
    await this.asyncInvocations.stop().catch(() => undefined);
    await this.runtime.stop();
    await pollersStopped;
    if (this.temporaryRoot) rmSync(this.temporaryRoot, { recursive: true, force: true });
  }

  /**
   * Stops the execution environments of `functionArn` as they become idle,
   * until it is invoked again: CloudFormation calls this once a stack
   * operation whose custom resources the function served has settled, since
   * a custom-resource function is rarely called again soon and each warm
   * environment is a Node process of about 60 MB.
   */
  releaseEnvironments(functionArn: string): void {
    let fn;
    try {
      fn = this.functions.get(parseFunctionRef(functionArn, this.ctx.defaultAccountId, this.ctx.defaultRegion));
    } catch {
      return; // not a function ARN: nothing runs for it
    }
    if (fn) this.runtime.drainFunction(fn);
  }

  handle(req: ServiceRequest): Promise<ServiceResponse> {
    if (req.path.startsWith(CODE_PATH_PREFIX)) return Promise.resolve(this.codeUrls.serve(req));
    return this.route(req);
  }

  /**
   * The resource-based policy (AddPermission's statements, as GetPolicy
   * returns them) of the function, version or alias `resourceArn` names, or
   * of a layer version (AddLayerVersionPermission's), for the
   * policy evaluator; undefined when there is none. A bare name or partial
   * ARN resolves in `accountId` and `region`.
   */
  async resourcePolicy(accountId: string, region: string, resourceArn: string): Promise<string | undefined> {
    const layerVersion = parseLayerVersionArn(resourceArn);
    if (layerVersion) {
      const layer = this.layers.get(layerVersion);
      const version = layer?.versions.find((v) => v.version === layerVersion.version);
      return layer && version ? layerVersionPolicy(layer, version) : undefined;
    }
    let ref: FunctionRef;
    try {
      ref = parseFunctionRef(resourceArn, accountId, region);
    } catch {
      return undefined;
    }
    const fn = this.functions.get(ref);
    return fn ? policyDocument(fn, ref.qualifier) : undefined;
  }

  /** ARN of the function an event source mapping invokes (its `lambda:FunctionArn`), if the mapping exists. */
  eventSourceMappingFunctionArn(uuid: string): string | undefined {
    return this.mappings.get(uuid)?.functionArn;
  }

  /** An event source mapping's invocation: the Kinesis (or DynamoDB stream) event for one shard's batch. */
  private async invokeWithBatch(mapping: EventSourceMapping, shardId: string, records: _Record[]): Promise<BatchOutcome> {
    const ref = parseFunctionRef(mapping.functionArn, mapping.accountId, mapping.region);
    const fn = this.functions.get(ref);
    if (!fn) return { ok: false, reason: 'function not found' };
    let version;
    try {
      // A mapping on an alias follows it (and its routing weights) at every batch.
      version = versionToRun(fn, ref.qualifier);
    } catch {
      return { ok: false, reason: 'function version or alias not found' };
    }
    const event = parseDynamoDbStreamArn(mapping.eventSourceArn)
      ? dynamodbEvent(records, mapping.eventSourceArn)
      : kinesisEvent(records, { shardId, roleArn: version.role, region: mapping.region, eventSourceArn: mapping.eventSourceArn });
    const output = await this.runtime.invoke({ fn, version, invokedArn: mapping.functionArn, payload: Buffer.from(JSON.stringify(event)) });
    if (output.functionError) return { ok: false, reason: output.errorType ?? 'Unhandled' };
    if (!mapping.functionResponseTypes.includes('ReportBatchItemFailures')) return { ok: true };
    return partialBatchOutcome(output.payload, records);
  }

  /** An SQS mapping's invocation: the SQS event for a batch of messages, and which of them to delete. */
  private async invokeWithMessages(mapping: EventSourceMapping, messages: WireMessage[]): Promise<SqsBatchOutcome> {
    const ref = parseFunctionRef(mapping.functionArn, mapping.accountId, mapping.region);
    const fn = this.functions.get(ref);
    if (!fn) return { ok: false, reason: 'function not found' };
    let version;
    try {
      // A mapping on an alias follows it (and its routing weights) at every batch.
      version = versionToRun(fn, ref.qualifier);
    } catch {
      return { ok: false, reason: 'function version or alias not found' };
    }
    const event = sqsEvent(messages, { eventSourceArn: mapping.eventSourceArn, region: mapping.region });
    const output = await this.runtime.invoke({ fn, version, invokedArn: mapping.functionArn, payload: Buffer.from(JSON.stringify(event)) });
    if (output.functionError) return { ok: false, reason: output.errorType ?? 'Unhandled' };
    const ids = messages.map((m) => m.MessageId);
    if (!mapping.functionResponseTypes.includes('ReportBatchItemFailures')) return { ok: true, deleteIds: ids };
    return partialBatchResponse(output.payload, ids);
  }
}

/**
 * ReportBatchItemFailures: `{"batchItemFailures": [{"itemIdentifier": seq}]}`
 * marks the batch as done up to the first failed record. An identifier that is
 * empty or not in the batch fails the whole batch, as on AWS.
 */
function partialBatchOutcome(payload: Buffer, records: _Record[]): BatchOutcome {
  let response: unknown;
  try {
    response = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: true };
  }
  const failures = (response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return { ok: true };
  const positions = failures.map((f) => records.findIndex((r) => r.SequenceNumber === (f as { itemIdentifier?: unknown })?.itemIdentifier));
  if (positions.some((p) => p < 0)) return { ok: false, reason: 'invalid batchItemFailures identifier' };
  return { ok: true, failedFrom: records[Math.min(...positions)].SequenceNumber! };
}
