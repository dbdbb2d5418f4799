/**
 * The stack lifecycle: create, update and delete walk the dependency graph
 * (independent resources in parallel, deletion in reverse), move the stack
 * through AWS's statuses, and roll back when a resource fails. Operations run
 * in the background; `settled()` tells when one has finished.
 */
import type { CloudContext } from '../../core/types.js';
import type { EventRecorder } from './events.js';
import { isInProgress, type ResourceRecord, type StackRecord, type StackStatus } from './model.js';
import type { DeploymentPlan } from './plan.js';
import type { ProviderRegistry } from './registry.js';
import { ResourceSteps, type OperationContext, type UpdateTouch } from './resource-steps.js';
import { evaluationScope } from './scope.js';
import type { StackStore } from './store.js';
import { resolveOutputs } from './template/index.js';
import { reverseGraph, walkGraph } from './walk.js';

export type OnFailure = 'ROLLBACK' | 'DELETE' | 'DO_NOTHING';

/** What an update replaces, kept so a rollback can put it back. */
interface StackSnapshot {
  templateBody: string;
  suppliedParameters: Record<string, string>;
  parameters: StackRecord['parameters'];
  outputs: StackRecord['outputs'];
  resources: Record<string, ResourceRecord>;
  plan: DeploymentPlan;
  capabilities: string[];
  tags: StackRecord['tags'];
  description?: string;
  imports?: string[];
}

export class StackDeployer {
  private readonly running = new Map<string, Promise<void>>();
  /** Per stack: how to cancel the phases of its running operation (service stop). */
  private readonly cancellations = new Map<string, Set<() => void>>();
  readonly steps: ResourceSteps;
  /** How long a TimeoutInMinutes minute lasts: 60 s; tests shorten it to watch a timeout happen. */
  minuteMs = 60_000;
  /** Called with the stack's ID each time one of its operations has finished, whatever its outcome. */
  onOperationSettled?: (stackId: string) => void;

  constructor(
    private readonly ctx: CloudContext,
    private readonly store: StackStore,
    private readonly events: EventRecorder,
    private readonly registry: ProviderRegistry,
  ) {
    this.steps = new ResourceSteps(ctx, registry, events);
  }

  /** Resolves when the stack's current operation (if any) has finished. */
  settled(stackId: string): Promise<void> {
    return this.running.get(stackId) ?? Promise.resolve();
  }

  /** Resolves when every running operation has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** Asks every running operation to give up: waits end, nothing new starts (service stop). */
  cancelAll(): void {
    for (const phases of this.cancellations.values()) for (const cancel of phases) cancel();
  }

  startCreate(stack: StackRecord, plan: DeploymentPlan, onFailure: OnFailure): void {
    this.run(stack, () => this.create(stack, plan, onFailure));
  }

  /**
   * `changes` are the stack-level fields of the new deployment (template,
   * parameters, tags...): applied now, put back if the update rolls back.
   */
  startUpdate(stack: StackRecord, plan: DeploymentPlan, previous: DeploymentPlan, changes: Partial<StackRecord>): void {
    const before = snapshot(stack, previous);
    Object.assign(stack, changes);
    this.store.saveStack(stack);
    this.run(stack, () => this.update(stack, plan, before));
  }

  startDelete(stack: StackRecord, retain: readonly string[] = []): void {
    this.run(stack, () => this.delete(stack, retain));
  }

  private run(stack: StackRecord, operation: () => Promise<void>): void {
    const done = operation()
      .catch((err) => {
        // A bug in the engine must not leave the stack IN_PROGRESS forever.
        this.ctx.log(`cloudformation: ${stack.stackName}: ${err instanceof Error ? err.stack : err}`);
        if (isInProgress(stack.status)) this.events.stackStatus(stack, failedStatusFor(stack.status), `Internal failure: ${(err as Error).message}`);
      })
      .finally(() => {
        this.running.delete(stack.stackId);
        this.cancellations.delete(stack.stackId);
        this.onOperationSettled?.(stack.stackId);
      });
    this.running.set(stack.stackId, done);
  }

  // --- create ---------------------------------------------------------------

  private async create(stack: StackRecord, plan: DeploymentPlan, onFailure: OnFailure): Promise<void> {
    this.events.stackStatus(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    const op = this.operation(stack, plan, stack.timeoutInMinutes);
    const result = await walkGraph(plan.graph, (id) => this.steps.create(op.context, id), {
      onFailure: 'stop',
      onFirstFailure: () => op.cancel(),
    });
    op.finish();
    let failure = result.failed.size > 0 ? failedToMessage('create', [...result.failed.keys()]) : undefined;
    if (op.timedOut()) failure = 'Stack creation time exceeded the specified timeout.';
    if (!failure) {
      try {
        stack.outputs = resolveOutputs(plan.template.Outputs, op.context.scope);
        this.events.stackStatus(stack, 'CREATE_COMPLETE');
        return;
      } catch (err) {
        failure = (err as Error).message;
      }
    }
    if (onFailure === 'DO_NOTHING') {
      this.events.stackStatus(stack, 'CREATE_FAILED', failure);
      return;
    }
    this.events.stackStatus(stack, 'ROLLBACK_IN_PROGRESS', `${failure} Rollback requested by user.`);
    const cleanup = this.operation(stack, plan);
    const failedToDelete = await this.deleteResources(cleanup.context, Object.values(stack.resources), { rollback: true });
    if (failedToDelete.length > 0) {
      this.events.stackStatus(stack, 'ROLLBACK_FAILED', failedToMessage('delete', failedToDelete));
      return;
    }
    this.events.stackStatus(stack, 'ROLLBACK_COMPLETE');
    if (onFailure === 'DELETE') {
      this.events.stackStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
      this.events.stackStatus(stack, 'DELETE_COMPLETE');
    }
  }

  // --- update ---------------------------------------------------------------

  private async update(stack: StackRecord, plan: DeploymentPlan, before: StackSnapshot): Promise<void> {
    this.events.stackStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    // Every property and output is evaluated again, which records the imports the new template makes.
    stack.imports = [];
    const op = this.operation(stack, plan, stack.timeoutInMinutes);
    const touches: UpdateTouch[] = [];
    const result = await walkGraph(
      plan.graph,
      async (id) => {
        const previous = before.resources[id];
        const exists = previous?.physicalId !== undefined && !previous.status.endsWith('_FAILED') && previous.status !== 'DELETE_COMPLETE';
        if (exists) await this.steps.update(op.context, id, previous, touches);
        else await this.steps.create(op.context, id, touches);
      },
      { onFailure: 'stop', onFirstFailure: () => op.cancel() },
    );
    op.finish();

    let failure: string | undefined;
    if (result.failed.size > 0) {
      const created = [...result.failed.keys()].filter((id) => !before.resources[id]);
      failure = failedToMessage(created.length === result.failed.size ? 'create' : 'update', [...result.failed.keys()]);
    } else if (op.timedOut()) {
      failure = 'Stack update time exceeded the specified timeout.';
    } else {
      try {
        stack.outputs = resolveOutputs(plan.template.Outputs, op.context.scope);
      } catch (err) {
        failure = (err as Error).message;
      }
    }
    if (failure) return this.rollbackUpdate(stack, before, touches, failure);

    stack.lastUpdatedAt = new Date().toISOString();
    this.events.stackStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    const cleanup = this.operation(stack, plan);
    // The live records (not the snapshot): their events and statuses must land on what DescribeStackResources shows.
    const removed = Object.values(stack.resources).filter((r) => !plan.graph.has(r.logicalId));
    const replaced = touches.filter((t) => t.kind === 'replaced').map((t) => t.previous!);
    // Cleanup failures are reported on the resource; the update itself has succeeded, as on AWS.
    await this.deleteResources(cleanup.context, [...removed, ...replaced], { replaced: new Set(replaced) });
    forgetDeleted(stack, removed);
    this.events.stackStatus(stack, 'UPDATE_COMPLETE');
  }

  private async rollbackUpdate(stack: StackRecord, before: StackSnapshot, touches: UpdateTouch[], failure: string): Promise<void> {
    this.events.stackStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', failure);
    Object.assign(stack, {
      templateBody: before.templateBody,
      suppliedParameters: before.suppliedParameters,
      parameters: before.parameters,
      outputs: before.outputs,
      capabilities: before.capabilities,
      tags: before.tags,
      description: before.description,
      imports: before.imports,
    });
    const op = this.operation(stack, before.plan);
    const toDelete: ResourceRecord[] = [];
    const rollbackFailed: string[] = [];
    // Undo in the reverse order of what was done, so dependents go back before what they depend on.
    for (const touch of [...touches].reverse()) {
      if (touch.kind === 'created') {
        toDelete.push(touch.current);
        continue;
      }
      if (touch.kind === 'replaced') {
        stack.resources[touch.logicalId] = touch.previous!;
        this.events.resourceStatus(stack, touch.previous!, 'UPDATE_COMPLETE');
        if (touch.current.physicalId !== undefined && touch.current.physicalId !== touch.previous!.physicalId) toDelete.push(touch.current);
        continue;
      }
      try {
        await this.steps.revert(op.context, touch);
      } catch {
        rollbackFailed.push(touch.logicalId);
      }
    }
    if (rollbackFailed.length > 0) {
      this.events.stackStatus(stack, 'UPDATE_ROLLBACK_FAILED', failedToMessage('update', rollbackFailed));
      return;
    }
    this.events.stackStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    await this.deleteResources(op.context, toDelete, { rollback: true });
    forgetDeleted(stack, toDelete);
    this.events.stackStatus(stack, 'UPDATE_ROLLBACK_COMPLETE');
  }

  // --- delete ---------------------------------------------------------------

  private async delete(stack: StackRecord, retain: readonly string[]): Promise<void> {
    this.events.stackStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    const op = this.operation(stack, undefined);
    const records = Object.values(stack.resources).filter((r) => {
      if (!retain.includes(r.logicalId)) return true;
      this.events.resourceStatus(stack, r, 'DELETE_SKIPPED');
      return false;
    });
    const failed = await this.deleteResources(op.context, records, {});
    if (failed.length > 0) {
      this.events.stackStatus(stack, 'DELETE_FAILED', failedToMessage('delete', failed));
      return;
    }
    for (const changeSet of this.store.changeSetsOf(stack.stackId)) this.store.removeChangeSet(changeSet.changeSetId);
    this.events.stackStatus(stack, 'DELETE_COMPLETE');
  }

  /**
   * Deletes records in reverse dependency order, in parallel where nothing
   * depends on them, carrying on past failures with whatever does not depend
   * on a failed one. Returns the logical IDs that could not be deleted.
   */
  private async deleteResources(
    op: OperationContext,
    records: ResourceRecord[],
    options: { rollback?: boolean; replaced?: ReadonlySet<ResourceRecord> },
  ): Promise<string[]> {
    // Keyed by record, not logical ID: an update's cleanup may delete an old and a removed record side by side.
    const byKey = new Map(records.map((record, index) => [`${record.logicalId}#${index}`, record]));
    const keyOf = new Map([...byKey].map(([key, record]) => [record.logicalId, key]));
    const graph = new Map<string, Set<string>>();
    for (const [key, record] of byKey) {
      graph.set(key, new Set(record.dependsOn.map((id) => keyOf.get(id)).filter((k): k is string => k !== undefined && k !== key)));
    }
    const result = await walkGraph(
      reverseGraph(graph),
      async (key) => {
        const record = byKey.get(key)!;
        await this.steps.delete(op, record, { rollback: options.rollback, replaced: options.replaced?.has(record) });
      },
      { onFailure: 'continue' },
    );
    const failed = new Set([...result.failed.keys(), ...result.skipped].map((key) => byKey.get(key)!.logicalId));
    return [...failed];
  }

  // --- plumbing -------------------------------------------------------------

  /**
   * An operation context with its own cancellation: `cancel()` when a
   * sibling fails, and a timer when the stack has TimeoutInMinutes.
   */
  private operation(stack: StackRecord, plan: DeploymentPlan | undefined, timeoutInMinutes?: number) {
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      timeoutInMinutes !== undefined && timeoutInMinutes > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort(new Error('timed out'));
          }, timeoutInMinutes * this.minuteMs)
        : undefined;
    timer?.unref();
    const effectivePlan = plan ?? emptyPlan(stack);
    const context: OperationContext = {
      stack,
      plan: effectivePlan,
      scope: evaluationScope(stack, effectivePlan, this.registry, this.store),
      signal: controller.signal,
      cancelled: () => controller.signal.aborted,
    };
    const cancel = () => controller.abort(new Error('cancelled'));
    let phases = this.cancellations.get(stack.stackId);
    if (!phases) this.cancellations.set(stack.stackId, (phases = new Set()));
    phases.add(cancel);
    return {
      context,
      cancel,
      timedOut: () => timedOut,
      finish: () => clearTimeout(timer),
    };
  }

  /** Settles stacks whose operation a stop or crash cut short: nothing is running them any more. */
  settleInterrupted(): void {
    for (const stack of this.store.interrupted()) {
      for (const record of Object.values(stack.resources)) {
        if (isInProgress(record.status)) {
          this.events.resourceStatus(stack, record, failedResourceStatus(record.status), 'localcloud stopped during the operation');
        }
      }
      this.events.stackStatus(stack, failedStatusFor(stack.status), 'localcloud stopped during the operation');
    }
  }
}

/** Resources deleted (or retained) during an update are no longer part of the stack; a failed delete stays listed. */
function forgetDeleted(stack: StackRecord, records: ResourceRecord[]): void {
  for (const record of records) {
    const gone = record.status === 'DELETE_COMPLETE' || record.status === 'DELETE_SKIPPED';
    if (gone && stack.resources[record.logicalId] === record) delete stack.resources[record.logicalId];
  }
}

/** AWS's summary of which resources failed: "The following resource(s) failed to create: [A, B]." */
function failedToMessage(action: 'create' | 'update' | 'delete', logicalIds: string[]): string {
  return `The following resource(s) failed to ${action}: [${logicalIds.join(', ')}].`;
}

function failedStatusFor(status: StackStatus): StackStatus {
  if (status.startsWith('UPDATE_ROLLBACK')) return 'UPDATE_ROLLBACK_FAILED';
  if (status.startsWith('UPDATE')) return 'UPDATE_ROLLBACK_FAILED';
  if (status.startsWith('ROLLBACK')) return 'ROLLBACK_FAILED';
  if (status.startsWith('DELETE')) return 'DELETE_FAILED';
  return 'CREATE_FAILED';
}

function failedResourceStatus(status: string) {
  if (status.startsWith('UPDATE')) return 'UPDATE_FAILED' as const;
  if (status.startsWith('DELETE')) return 'DELETE_FAILED' as const;
  return 'CREATE_FAILED' as const;
}

function snapshot(stack: StackRecord, plan: DeploymentPlan): StackSnapshot {
  // The Parameter Store reader is a function (not cloneable) and holds no state: the copy shares it.
  const { parameterStore, ...data } = plan;
  const copy = structuredClone({
    templateBody: stack.templateBody,
    suppliedParameters: stack.suppliedParameters,
    parameters: stack.parameters,
    outputs: stack.outputs,
    resources: stack.resources,
    capabilities: stack.capabilities,
    tags: stack.tags,
    description: stack.description,
    imports: stack.imports,
    plan: data,
  });
  return { ...copy, plan: { ...copy.plan, ...(parameterStore ? { parameterStore } : {}) } };
}

/** Deleting needs no template: resources carry their own properties and dependencies. */
function emptyPlan(stack: StackRecord): DeploymentPlan {
  return {
    body: stack.templateBody,
    template: { Resources: {} },
    parameters: new Map(),
    conditions: new Map(),
    graph: new Map(),
  };
}
