/**
 * Change sets: a deployment described before it is run. CREATE change sets
 * make a placeholder stack in REVIEW_IN_PROGRESS (as on AWS, which is how
 * tools such as SAM and CDK deploy); executing one runs the ordinary create
 * or update. Changes are computed at once, so a change set is CREATE_COMPLETE
 * (or FAILED, when nothing would change) by the time the call returns.
 */
import { AwsError } from '../../core/errors.js';
import { diffDeployment } from './change-set-diff.js';
import { deepEqual } from './deep-equal.js';
import type { StackDeployer } from './deployer.js';
import { changeSetNotFound, stackNotFound, validationError } from './errors.js';
import type { EventRecorder } from './events.js';
import { isDeleted, type ChangeSetRecord, type StackRecord } from './model.js';
import { assertValidStackName, changeSetArn } from './names.js';
import { checkCapabilities } from './plan.js';
import type { ProviderRegistry } from './registry.js';
import { suppliedParameters, truthy, type Caller, type StackService, type StackSettings } from './stack-service.js';
import type { StackStore } from './store.js';
import type { TemplateLoader } from './template-source.js';
import { describeParameters } from './template/index.js';

const CHANGE_SET_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set.";

export interface ChangeSetInput extends StackSettings {
  ChangeSetName?: string;
  ChangeSetType?: string;
  Description?: string;
}

export class ChangeSetService {
  constructor(
    private readonly store: StackStore,
    private readonly stacks: StackService,
    private readonly deployer: StackDeployer,
    private readonly events: EventRecorder,
    private readonly registry: ProviderRegistry,
    private readonly loader: TemplateLoader,
  ) {}

  async create(caller: Caller, input: ChangeSetInput): Promise<ChangeSetRecord> {
    const name = input.ChangeSetName;
    if (!name || name.length > 128 || !CHANGE_SET_NAME.test(name)) {
      throw validationError(
        `1 validation error detected: Value '${name ?? 'null'}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    }
    const type = (input.ChangeSetType ?? 'UPDATE') as string;
    if (type !== 'CREATE' && type !== 'UPDATE') {
      throw validationError(`ChangeSetType ${type} is not supported: use CREATE or UPDATE`);
    }
    const existing = input.StackName ? this.store.findStack(caller.accountId, caller.region, input.StackName) : undefined;
    let stack: StackRecord;
    if (type === 'CREATE') {
      assertValidStackName(input.StackName);
      if (existing && existing.status !== 'REVIEW_IN_PROGRESS') {
        throw validationError(`Stack [${existing.stackName}] already exists and cannot be created again with the changeSet [${name}].`);
      }
      stack = existing ?? this.placeholderStack(caller, input);
    } else {
      if (!existing || isDeleted(existing)) throw stackNotFound(input.StackName ?? 'null');
      if (existing.status === 'REVIEW_IN_PROGRESS') {
        throw validationError(`Stack [${existing.stackName}] does not exist: use ChangeSetType CREATE for a stack in REVIEW_IN_PROGRESS`);
      }
      stack = existing;
    }
    if (this.store.changeSetsOf(stack.stackId).some((c) => c.changeSetName === name)) {
      throw new AwsError('AlreadyExistsException', `ChangeSet ${name} already exists`, 400);
    }

    const usePrevious = truthy(input.UsePreviousTemplate);
    const body = usePrevious ? stack.templateBody : (await this.loader.load(input, caller.region))!;
    const supplied = suppliedParameters(input.Parameters, stack.suppliedParameters);
    const plan = this.stacks.plan(stack, body, supplied);
    checkCapabilities(plan.template, input.Capabilities ?? []);
    if (!existing) {
      this.store.saveStack(stack);
      this.events.stackStatus(stack, 'REVIEW_IN_PROGRESS', 'User Initiated');
    }

    const changes = diffDeployment(type === 'CREATE' ? { ...stack, resources: {} } : stack, plan, this.registry, this.store);
    const parameters = describeParameters(plan.parameters);
    // As UpdateStack's "No updates are to be performed": the same template, parameters and tags. (Nested
    // stacks always show up as an Automatic Modify, so the list of changes alone would never be empty.)
    const sameInputs = deepEqual(parameters, stack.parameters) && deepEqual(input.Tags ?? stack.tags, stack.tags);
    const unchanged = type === 'UPDATE' && sameInputs && (body === stack.templateBody || changes.length === 0);
    const changeSet: ChangeSetRecord = {
      changeSetId: changeSetArn(caller.region, caller.accountId, name),
      changeSetName: name,
      stackId: stack.stackId,
      stackName: stack.stackName,
      changeSetType: type,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      status: unchanged ? 'FAILED' : 'CREATE_COMPLETE',
      ...(unchanged ? { statusReason: NO_CHANGES } : {}),
      executionStatus: unchanged ? 'UNAVAILABLE' : 'AVAILABLE',
      createdAt: new Date().toISOString(),
      templateBody: body,
      suppliedParameters: supplied,
      parameters,
      capabilities: [...(input.Capabilities ?? [])],
      tags: [...(input.Tags ?? stack.tags)],
      notificationArns: [...(input.NotificationARNs ?? stack.notificationArns)],
      changes,
    };
    this.store.saveChangeSet(changeSet);
    return changeSet;
  }

  find(caller: Caller, changeSetName: string | undefined, stackName: string | undefined): ChangeSetRecord {
    if (!changeSetName) throw validationError("1 validation error detected: Value null at 'changeSetName' failed to satisfy constraint: Member must not be null");
    if (changeSetName.startsWith('arn:')) {
      const changeSet = this.store.changeSetById(changeSetName);
      if (!changeSet) throw changeSetNotFound(changeSetName);
      return changeSet;
    }
    if (!stackName) throw validationError('StackName must be specified if ChangeSetName is not specified as an ARN.');
    const stack = this.store.findStack(caller.accountId, caller.region, stackName);
    if (!stack) throw changeSetNotFound(changeSetName);
    const changeSet = this.store.changeSetsOf(stack.stackId).find((c) => c.changeSetName === changeSetName);
    if (!changeSet) throw changeSetNotFound(changeSetName);
    return changeSet;
  }

  list(caller: Caller, stackName: string | undefined): ChangeSetRecord[] {
    const stack = this.stacks.liveStack(caller, stackName);
    return this.store.changeSetsOf(stack.stackId);
  }

  execute(caller: Caller, changeSetName: string | undefined, stackName: string | undefined, disableRollback?: unknown): void {
    const changeSet = this.find(caller, changeSetName, stackName);
    if (changeSet.executionStatus !== 'AVAILABLE') {
      throw validationError(
        `ChangeSet [${changeSet.changeSetId}] cannot be executed in its current execution status of [${changeSet.executionStatus}]`,
      );
    }
    const stack = this.store.stackById(changeSet.stackId)!;
    stack.actingAs = caller.principal ?? stack.actingAs;
    const plan = this.stacks.plan(stack, changeSet.templateBody, changeSet.suppliedParameters);
    if (changeSet.changeSetType === 'CREATE') {
      Object.assign(stack, {
        templateBody: changeSet.templateBody,
        suppliedParameters: changeSet.suppliedParameters,
        parameters: changeSet.parameters,
        capabilities: changeSet.capabilities,
        tags: changeSet.tags,
        notificationArns: changeSet.notificationArns,
        description: plan.template.Description,
        disableRollback: truthy(disableRollback),
        changeSetId: changeSet.changeSetId,
      });
      this.deployer.startCreate(stack, plan, truthy(disableRollback) ? 'DO_NOTHING' : 'ROLLBACK');
    } else {
      if (!['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'].includes(stack.status)) {
        throw validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
      }
      stack.changeSetId = changeSet.changeSetId;
      this.stacks.startUpdate(stack, plan, {
        body: changeSet.templateBody,
        supplied: changeSet.suppliedParameters,
        capabilities: changeSet.capabilities,
        tags: changeSet.tags,
        notificationArns: changeSet.notificationArns,
      });
    }
    // As on AWS, executing a change set deletes every other change set of the stack: they were
    // computed against the stack as it was. The executed one stays, to be described.
    for (const other of this.store.changeSetsOf(stack.stackId)) {
      if (other === changeSet) this.store.saveChangeSet({ ...other, executionStatus: 'EXECUTE_IN_PROGRESS' });
      else this.store.removeChangeSet(other.changeSetId);
    }
    void this.deployer.settled(stack.stackId).then(() => {
      const current = this.store.changeSetById(changeSet.changeSetId);
      if (!current) return;
      const ok = ['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(stack.status);
      this.store.saveChangeSet({ ...current, executionStatus: ok ? 'EXECUTE_COMPLETE' : 'EXECUTE_FAILED' });
    });
  }

  delete(caller: Caller, changeSetName: string | undefined, stackName: string | undefined): void {
    const changeSet = this.find(caller, changeSetName, stackName);
    if (changeSet.executionStatus === 'EXECUTE_IN_PROGRESS') {
      throw validationError(`Cannot delete ChangeSet [${changeSet.changeSetId}] while its execution is in progress`);
    }
    this.store.removeChangeSet(changeSet.changeSetId);
  }

  private placeholderStack(caller: Caller, input: ChangeSetInput): StackRecord {
    const stack = this.stacks.newStackRecord(caller, input.StackName!, '', { ...input, Parameters: [] });
    stack.status = 'REVIEW_IN_PROGRESS';
    return stack;
  }
}
