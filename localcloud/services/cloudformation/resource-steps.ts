/**
 * One resource's part in an operation: evaluate its properties, call its
 * provider, and record every status transition as an event. The deployer
 * decides which step runs when; the steps decide what each looks like.
 */
import type { Principal } from '../../auth/types.js';
import type { CloudContext } from '../../core/types.js';
import { changedProperties, deepEqual } from './deep-equal.js';
import type { EventRecorder } from './events.js';
import type { ResourceRecord, StackRecord } from './model.js';
import { generatePhysicalName } from './names.js';
import type { DeploymentPlan } from './plan.js';
import { failureReason, ResourceFailure, type ProvisionResult, type ResourceProvider, type ResourceRequest } from './provider.js';
import type { ProviderRegistry } from './registry.js';
import { resourceProperties } from './scope.js';
import type { EvaluationScope } from './template/index.js';

/** What a stack operation carries through its steps. */
export interface OperationContext {
  stack: StackRecord;
  plan: DeploymentPlan;
  scope: EvaluationScope;
  signal: AbortSignal;
  /** True once the operation gave up (a sibling failed or the stack timed out). */
  cancelled(): boolean;
}

/** How a resource took part in an update, so a rollback knows what to undo. */
export interface UpdateTouch {
  logicalId: string;
  kind: 'created' | 'updated' | 'replaced';
  /** The record before the update (updated / replaced). */
  previous?: ResourceRecord;
  /** The record the update produced (replaced: the new physical resource, deleted if the update rolls back). */
  current: ResourceRecord;
}

export class ResourceSteps {
  /** SDK clients by class and region, shared by every provider call of this cloud. */
  private readonly clients = new Map<unknown, Map<string, unknown>>();

  constructor(
    private readonly ctx: CloudContext,
    private readonly registry: ProviderRegistry,
    private readonly events: EventRecorder,
  ) {}

  /** Creates a resource; during an update, `touches` learns about it before the provider runs. */
  async create(op: OperationContext, logicalId: string, touches?: UpdateTouch[]): Promise<void> {
    const record = this.newRecord(op, logicalId);
    op.stack.resources[logicalId] = record;
    touches?.push({ logicalId, kind: 'created', current: record });
    await this.provision(op, record, 'CREATE', undefined, (provider, properties) => provider.create(this.request(op, record, properties)));
  }

  /**
   * Brings an existing resource to its new declaration: nothing when the
   * properties did not change, an in-place update when the provider can do
   * it, otherwise a replacement (the old physical resource is deleted later,
   * in the cleanup phase). `touches` learns what was done before the
   * provider runs, so a failed update can still be rolled back.
   */
  async update(op: OperationContext, logicalId: string, previous: ResourceRecord, touches: UpdateTouch[]): Promise<void> {
    const declaration = op.plan.template.Resources[logicalId]!;
    const provider = this.registry.get(declaration.Type)!;
    const record = op.stack.resources[logicalId]!;
    let properties: Record<string, unknown>;
    try {
      properties = resourceProperties(op.plan, logicalId, op.scope);
    } catch (err) {
      this.events.resourceStatus(op.stack, record, 'UPDATE_FAILED', (err as Error).message);
      throw err;
    }
    const sameType = previous.type === declaration.Type;
    this.applyDeclaration(op, record, logicalId);
    if (sameType && !provider.alwaysUpdate && deepEqual(properties, previous.properties)) return;

    const replace =
      !sameType ||
      !provider.update ||
      changedProperties(previous.properties, properties).some((name) => provider.replaceOnChange?.includes(name)) ||
      provider.requiresReplacement?.(previous.properties, properties) === true;

    if (!replace) {
      const touch: UpdateTouch = { logicalId, kind: 'updated', previous, current: record };
      touches.push(touch);
      await this.provision(
        op,
        record,
        'UPDATE',
        undefined,
        (p, props) =>
          p.update!({
            ...this.request(op, record, props),
            physicalId: previous.physicalId!,
            previousProperties: previous.properties,
            attributes: previous.attributes,
          }),
        properties,
      );
      // A provider may answer an update with a new physical ID (custom resources do): the old one goes in cleanup.
      if (record.physicalId !== previous.physicalId) touch.kind = 'replaced';
      return;
    }

    const nameProperty = provider.nameProperty;
    if (nameProperty && properties[nameProperty] !== undefined && deepEqual(properties[nameProperty], previous.properties[nameProperty])) {
      const reason =
        `CloudFormation cannot update a stack when a custom-named resource requires replacing. ` +
        `Rename ${String(properties[nameProperty])} and update the stack again.`;
      this.events.resourceStatus(op.stack, record, 'UPDATE_FAILED', reason);
      throw new ResourceFailure(reason);
    }
    const current = this.newRecord(op, logicalId);
    current.physicalId = previous.physicalId;
    op.stack.resources[logicalId] = current;
    touches.push({ logicalId, kind: 'replaced', previous, current });
    this.events.resourceStatus(
      op.stack,
      current,
      'UPDATE_IN_PROGRESS',
      'Requested update requires the creation of a new physical resource; hence creating one.',
    );
    current.physicalId = undefined;
    await this.provision(op, current, 'UPDATE', 'Resource creation Initiated', (p, props) => p.create(this.request(op, current, props)), properties);
  }

  /**
   * Puts an updated resource back the way it was (update rollback): an
   * in-place update to the previous properties.
   */
  async revert(op: OperationContext, touch: UpdateTouch): Promise<void> {
    const previous = touch.previous!;
    const provider = this.registry.get(previous.type)!;
    const current = touch.current;
    const restored: ResourceRecord = { ...previous, physicalId: current.physicalId ?? previous.physicalId };
    op.stack.resources[touch.logicalId] = restored;
    this.events.resourceStatus(op.stack, restored, 'UPDATE_IN_PROGRESS', undefined, previous.properties);
    try {
      const result = await provider.update!({
        ...this.request(op, restored, previous.properties),
        physicalId: restored.physicalId!,
        previousProperties: current.properties,
        attributes: current.attributes,
      });
      restored.physicalId = result.physicalId;
      restored.attributes = result.attributes ?? previous.attributes;
      this.events.resourceStatus(op.stack, restored, 'UPDATE_COMPLETE');
    } catch (err) {
      this.events.resourceStatus(op.stack, restored, 'UPDATE_FAILED', failureReason(err));
      throw err;
    }
  }

  /**
   * Deletes one physical resource. DeletionPolicy Retain keeps it
   * (DELETE_SKIPPED), or UpdateReplacePolicy for the old resource of a
   * replacement; Snapshot is treated as Delete, with a note, since nothing
   * here takes snapshots. A resource that never got a physical ID has
   * nothing to delete.
   */
  async delete(op: OperationContext, record: ResourceRecord, options: { rollback?: boolean; replaced?: boolean } = {}): Promise<void> {
    if (record.status === 'DELETE_COMPLETE' || record.status === 'DELETE_SKIPPED') return;
    const policy = options.replaced ? record.updateReplacePolicy : record.deletionPolicy;
    if (policy === 'Retain' || (policy === 'RetainExceptOnCreate' && !options.rollback)) {
      this.events.resourceStatus(op.stack, record, 'DELETE_SKIPPED');
      return;
    }
    if (record.physicalId === undefined) {
      this.events.resourceStatus(op.stack, record, 'DELETE_COMPLETE');
      return;
    }
    const note = policy === 'Snapshot' ? 'DeletionPolicy Snapshot is treated as Delete: localcloud takes no snapshots' : undefined;
    this.events.resourceStatus(op.stack, record, 'DELETE_IN_PROGRESS', note);
    const provider = this.registry.get(record.type);
    try {
      if (!provider) throw new ResourceFailure(`Resource type ${record.type} is no longer supported; the resource was left in place`);
      await provider.delete({ ...this.request(op, record, record.properties), physicalId: record.physicalId, attributes: record.attributes });
      this.events.resourceStatus(op.stack, record, 'DELETE_COMPLETE');
    } catch (err) {
      this.events.resourceStatus(op.stack, record, 'DELETE_FAILED', failureReason(err));
      throw err;
    }
  }

  /**
   * Evaluates the properties (unless given), records IN_PROGRESS, runs the
   * provider and records COMPLETE or FAILED. A failure that names a physical
   * ID keeps it on the record so a rollback can delete it.
   */
  private async provision(
    op: OperationContext,
    record: ResourceRecord,
    action: 'CREATE' | 'UPDATE',
    inProgressReason: string | undefined,
    run: (provider: ResourceProvider, properties: Record<string, unknown>) => Promise<ProvisionResult>,
    given?: Record<string, unknown>,
  ): Promise<void> {
    const provider = this.registry.get(record.type)!;
    let properties = given;
    try {
      properties ??= resourceProperties(op.plan, record.logicalId, op.scope);
    } catch (err) {
      this.events.resourceStatus(op.stack, record, `${action}_FAILED`, (err as Error).message);
      throw err;
    }
    record.properties = properties;
    this.events.resourceStatus(op.stack, record, `${action}_IN_PROGRESS`, inProgressReason, properties);
    try {
      const missing = (provider.requiredProperties ?? []).filter((name) => properties[name] === undefined);
      if (missing.length > 0) {
        throw new ResourceFailure(
          `Properties validation failed for resource ${record.logicalId} with message: #: required key [${missing[0]}] not found`,
        );
      }
      if (op.cancelled()) throw new ResourceFailure(`Resource ${action === 'CREATE' ? 'creation' : 'update'} cancelled`);
      const result = await run(provider, properties);
      record.physicalId = result.physicalId;
      record.attributes = result.attributes ?? {};
      this.events.resourceStatus(op.stack, record, `${action}_COMPLETE`);
    } catch (err) {
      if (err instanceof ResourceFailure && err.physicalId !== undefined) record.physicalId = err.physicalId;
      const reason = op.cancelled() && !(err instanceof ResourceFailure) ? `Resource ${action === 'CREATE' ? 'creation' : 'update'} cancelled` : failureReason(err);
      this.events.resourceStatus(op.stack, record, `${action}_FAILED`, reason);
      throw err;
    }
  }

  private newRecord(op: OperationContext, logicalId: string): ResourceRecord {
    const declaration = op.plan.template.Resources[logicalId]!;
    const record: ResourceRecord = {
      logicalId,
      type: declaration.Type,
      status: 'CREATE_IN_PROGRESS',
      updatedAt: new Date().toISOString(),
      properties: {},
      attributes: {},
      dependsOn: [],
    };
    this.applyDeclaration(op, record, logicalId);
    return record;
  }

  /** The template-level attributes of a resource (not its properties), refreshed on every deployment. */
  private applyDeclaration(op: OperationContext, record: ResourceRecord, logicalId: string): void {
    const declaration = op.plan.template.Resources[logicalId]!;
    record.dependsOn = [...(op.plan.graph.get(logicalId) ?? [])];
    record.deletionPolicy = typeof declaration.DeletionPolicy === 'string' ? declaration.DeletionPolicy : undefined;
    record.updateReplacePolicy = typeof declaration.UpdateReplacePolicy === 'string' ? declaration.UpdateReplacePolicy : undefined;
    record.metadata = declaration.Metadata;
  }

  /**
   * A client that acts for the stack: as the stack's service role when it has
   * one, else as whoever started its last operation (AWS's rule), so IAM
   * decides what a deployment may create exactly as it would for the caller.
   */
  private client<C>(Client: new (config: ReturnType<CloudContext['clientConfig']>) => C, stack: StackRecord): C {
    let byActor = this.clients.get(Client);
    if (!byActor) this.clients.set(Client, (byActor = new Map()));
    const actor = actingPrincipal(stack);
    const key = `${stack.region}/${stack.accountId}/${actor?.arn ?? 'root'}`;
    let client = byActor.get(key) as C | undefined;
    if (!client) {
      if (byActor.size >= MAX_CLIENTS_PER_CLASS) this.evictOldest(byActor);
      byActor.set(key, (client = new Client(this.ctx.clientConfig(stack.region, stack.accountId, actor))));
    }
    return client;
  }

  private evictOldest(clients: Map<string, unknown>): void {
    const [oldestKey, oldest] = clients.entries().next().value!;
    clients.delete(oldestKey);
    (oldest as { destroy?: () => void }).destroy?.();
  }

  /** Closes the shared clients' connections (service stop). */
  destroyClients(): void {
    for (const byActor of this.clients.values()) {
      for (const client of byActor.values()) (client as { destroy?: () => void }).destroy?.();
    }
    this.clients.clear();
  }

  request(op: OperationContext, record: ResourceRecord, properties: Record<string, unknown>): ResourceRequest {
    const stack = op.stack;
    return {
      logicalId: record.logicalId,
      resourceType: record.type,
      properties,
      stack: { stackId: stack.stackId, stackName: stack.stackName, region: stack.region, accountId: stack.accountId },
      clientConfig: this.ctx.clientConfig(stack.region, stack.accountId, actingPrincipal(stack)),
      client: (Client) => this.client(Client, stack),
      cloud: this.ctx,
      physicalName: (options) => generatePhysicalName(stack.stackName, record.logicalId, options),
      signal: op.signal,
      progress: (reason, physicalId) => {
        if (physicalId !== undefined) record.physicalId = physicalId;
        this.events.resourceStatus(stack, record, record.status, reason);
      },
    };
  }
}

/** Distinct (region, account, principal) clients kept per SDK client class. */
const MAX_CLIENTS_PER_CLASS = 50;

/** Who CloudFormation acts as for a stack: a session of its service role, or the caller of its last operation. */
export function actingPrincipal(stack: StackRecord): Principal | undefined {
  if (stack.roleArn) {
    const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]{1,64})$/.exec(stack.roleArn);
    if (match) {
      return {
        kind: 'assumed-role',
        accountId: match[1],
        arn: `arn:aws:sts::${match[1]}:assumed-role/${match[2]}/AWSCloudFormation`,
        roleArn: stack.roleArn,
        roleName: match[2],
        sessionName: 'AWSCloudFormation',
        userId: `${match[2]}:AWSCloudFormation`,
      };
    }
  }
  return stack.actingAs;
}
