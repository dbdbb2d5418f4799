/**
 * The stack operations behind the API, in terms of records rather than wire
 * shapes: checks what AWS checks before accepting a request (names, state,
 * template, parameters, capabilities), records the stack, and hands the work
 * to the deployer, which runs it in the background as AWS does.
 */
import type { Principal } from '../../auth/types.js';
import { deepEqual } from './deep-equal.js';
import type { StackDeployer, OnFailure } from './deployer.js';
import { alreadyExists, stackNotFound, validationError } from './errors.js';
import type { EventRecorder } from './events.js';
import { isDeleted, isInProgress, type StackRecord, type Tag } from './model.js';
import { assertValidStackName, generatePhysicalName, stackArn } from './names.js';
import { asValidationError, checkCapabilities, planDeployment, type DeploymentPlan, type ParameterStoreReader, type PlanOptions } from './plan.js';
import type { ProviderRegistry } from './registry.js';
import { stackContext } from './scope.js';
import type { StackStore } from './store.js';
import type { TemplateLoader, TemplateSource } from './template-source.js';
import { describeParameters } from './template/index.js';

/** Who is asking: the SigV4 scope of the request. */
export interface Caller {
  accountId: string;
  region: string;
  /** Who asked: CloudFormation provisions as the caller unless the stack has a service role. */
  principal?: Principal;
}

export interface ParameterInput {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean | string;
}

export interface StackSettings extends TemplateSource {
  StackName?: string;
  Parameters?: ParameterInput[];
  Capabilities?: string[];
  Tags?: Tag[];
  NotificationARNs?: string[];
  TimeoutInMinutes?: number | string;
  DisableRollback?: boolean | string;
  OnFailure?: string;
  RoleARN?: string;
  EnableTerminationProtection?: boolean | string;
  UsePreviousTemplate?: boolean | string;
}

/** Statuses from which UpdateStack is allowed, as on AWS. */
const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

export class StackService {
  constructor(
    private readonly store: StackStore,
    private readonly deployer: StackDeployer,
    private readonly events: EventRecorder,
    private readonly registry: ProviderRegistry,
    private readonly loader: TemplateLoader,
    /** Parameter Store, for SSM parameter types and dynamic references (absent: those are refused). */
    private readonly parameterStore?: ParameterStoreReader,
  ) {}

  // --- CreateStack ----------------------------------------------------------

  async createStack(caller: Caller, input: StackSettings, parent?: StackRecord): Promise<StackRecord> {
    assertValidStackName(input.StackName);
    const stackName = input.StackName;
    this.assertNameFree(caller, stackName);
    const body = (await this.loader.load(input, caller.region))!;
    const stack = this.newStackRecord(caller, stackName, body, input, parent);
    const plan = this.plan(stack, body, stack.suppliedParameters);
    checkCapabilities(plan.template, stack.capabilities);
    const onFailure = onFailureOf(input);
    stack.parameters = describeParameters(plan.parameters);
    stack.description = plan.template.Description;
    // Checked again after the template was fetched: another CreateStack may have taken the name meanwhile.
    this.assertNameFree(caller, stackName);
    stack.actingAs = caller.principal ?? parent?.actingAs;
    this.store.saveStack(stack);
    this.deployer.startCreate(stack, plan, onFailure);
    return stack;
  }

  newStackRecord(caller: Caller, stackName: string, body: string, input: StackSettings, parent?: StackRecord): StackRecord {
    const timeout = input.TimeoutInMinutes === undefined ? undefined : Number(input.TimeoutInMinutes);
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) {
      throw validationError(`1 validation error detected: Value '${input.TimeoutInMinutes}' at 'timeoutInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    return {
      stackId: stackArn(caller.region, caller.accountId, stackName),
      stackName,
      accountId: caller.accountId,
      region: caller.region,
      status: 'CREATE_IN_PROGRESS',
      templateBody: body,
      suppliedParameters: suppliedParameters(input.Parameters, {}),
      parameters: [],
      capabilities: [...(input.Capabilities ?? [])],
      tags: [...(input.Tags ?? [])],
      notificationArns: [...(input.NotificationARNs ?? [])],
      ...(timeout !== undefined ? { timeoutInMinutes: timeout } : {}),
      disableRollback: truthy(input.DisableRollback),
      ...(input.RoleARN ? { roleArn: input.RoleARN } : {}),
      enableTerminationProtection: truthy(input.EnableTerminationProtection),
      createdAt: new Date().toISOString(),
      outputs: [],
      resources: {},
      ...(parent ? { parentId: parent.stackId, rootId: parent.rootId ?? parent.stackId } : {}),
    };
  }

  // --- UpdateStack ----------------------------------------------------------

  async updateStack(caller: Caller, input: StackSettings): Promise<StackRecord> {
    const stack = this.liveStack(caller, input.StackName);
    this.assertUpdatable(stack);
    const usePrevious = truthy(input.UsePreviousTemplate);
    if (usePrevious && (input.TemplateBody !== undefined || input.TemplateURL !== undefined)) {
      throw validationError('You cannot specify both usePreviousTemplate and Template Body/Template URL');
    }
    const body = usePrevious ? stack.templateBody : (await this.loader.load(input, caller.region))!;
    const supplied = suppliedParameters(input.Parameters, stack.suppliedParameters);
    const plan = this.plan(stack, body, supplied);
    const capabilities = input.Capabilities ?? [];
    checkCapabilities(plan.template, capabilities);
    const tags = input.Tags ?? stack.tags;
    const parameters = describeParameters(plan.parameters);
    if (body === stack.templateBody && deepEqual(parameters, stack.parameters) && deepEqual(tags, stack.tags)) {
      throw validationError('No updates are to be performed.');
    }
    this.assertUpdatable(stack);
    stack.actingAs = caller.principal ?? stack.actingAs;
    this.startUpdate(stack, plan, { body, supplied, capabilities, tags, notificationArns: input.NotificationARNs });
    return stack;
  }

  /** Starts an update to an already planned deployment (UpdateStack, ExecuteChangeSet, nested stacks). */
  startUpdate(
    stack: StackRecord,
    plan: DeploymentPlan,
    settings: { body: string; supplied: Record<string, string>; capabilities: string[]; tags: Tag[]; notificationArns?: string[] },
  ): void {
    const previous = this.plan(stack, stack.templateBody, stack.suppliedParameters, { deployed: stack.parameters });
    this.deployer.startUpdate(stack, plan, previous, {
      templateBody: settings.body,
      suppliedParameters: settings.supplied,
      parameters: describeParameters(plan.parameters),
      capabilities: [...settings.capabilities],
      tags: [...settings.tags],
      ...(settings.notificationArns ? { notificationArns: [...settings.notificationArns] } : {}),
      description: plan.template.Description,
    });
  }

  // --- DeleteStack ----------------------------------------------------------

  deleteStack(caller: Caller, nameOrId: string | undefined, retainResources: string[] = []): void {
    if (!nameOrId) throw validationError("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
    const stack = this.store.findStack(caller.accountId, caller.region, nameOrId);
    // Deleting what is gone (or going) is not an error on AWS.
    if (!stack || isDeleted(stack) || stack.status === 'DELETE_IN_PROGRESS') return;
    stack.actingAs = caller.principal ?? stack.actingAs;
    if (stack.enableTerminationProtection) {
      throw validationError(`Stack [${stack.stackName}] cannot be deleted while TerminationProtection is enabled`);
    }
    if (isInProgress(stack.status) && stack.status !== 'REVIEW_IN_PROGRESS') {
      throw validationError(`Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`);
    }
    if (retainResources.length > 0 && stack.status !== 'DELETE_FAILED') {
      throw validationError(
        `Invalid operation on stack [${stack.stackId}]. RetainResources can only be specified when the stack is in the DELETE_FAILED state`,
      );
    }
    this.assertExportsUnused(stack);
    if (stack.status === 'REVIEW_IN_PROGRESS') {
      // Nothing was ever deployed: only the placeholder and its change sets go.
      for (const changeSet of this.store.changeSetsOf(stack.stackId)) this.store.removeChangeSet(changeSet.changeSetId);
      this.events.stackStatus(stack, 'DELETE_COMPLETE');
      return;
    }
    this.deployer.startDelete(stack, retainResources);
  }

  // --- nested stacks --------------------------------------------------------

  /** Creates a nested stack named `<parent>-<LogicalId>-<RANDOM>` from a template in S3. */
  async createNestedStack(parentId: string, logicalId: string, settings: StackSettings): Promise<StackRecord> {
    const parent = this.store.stackById(parentId);
    if (!parent) throw new Error(`parent stack ${parentId} not found`);
    const stackName = generatePhysicalName(parent.stackName, logicalId, { maxLength: 128 });
    return this.createStack(
      { accountId: parent.accountId, region: parent.region },
      { ...settings, StackName: stackName, Capabilities: parent.capabilities, DisableRollback: false },
      parent,
    );
  }

  /** Updates a nested stack; false when there was nothing to update. */
  async updateNestedStack(stackId: string, settings: StackSettings): Promise<boolean> {
    const stack = this.store.stackById(stackId);
    if (!stack) throw new Error(`nested stack ${stackId} not found`);
    try {
      await this.updateStack({ accountId: stack.accountId, region: stack.region }, {
        ...settings,
        StackName: stackId,
        Capabilities: this.store.stackById(stack.parentId ?? '')?.capabilities ?? stack.capabilities,
      });
      return true;
    } catch (err) {
      if ((err as Error).message === 'No updates are to be performed.') return false;
      throw err;
    }
  }

  /** Resolves with the stack once its running operation (if any) has finished. */
  async settled(stackId: string): Promise<StackRecord> {
    await this.deployer.settled(stackId);
    return this.store.stackById(stackId)!;
  }

  // --- shared ---------------------------------------------------------------

  /** A live stack by name or ID, or AWS's "does not exist" ValidationError. */
  liveStack(caller: Caller, nameOrId: string | undefined): StackRecord {
    if (!nameOrId) throw validationError("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
    const stack = this.store.findStack(caller.accountId, caller.region, nameOrId);
    if (!stack || isDeleted(stack)) throw stackNotFound(nameOrId);
    return stack;
  }

  /** With `deployed`, re-plans the template the stack runs now (the rollback target): see {@link PlanOptions}. */
  plan(stack: StackRecord, body: string, supplied: Record<string, string>, options: PlanOptions = {}): DeploymentPlan {
    try {
      return planDeployment(body, supplied, stackContext(stack), this.registry, this.parameterStore, options);
    } catch (err) {
      throw asValidationError(err);
    }
  }

  /** As on AWS, a stack whose exports another stack imports cannot be deleted. */
  private assertExportsUnused(stack: StackRecord): void {
    for (const output of stack.outputs) {
      if (!output.ExportName) continue;
      const importer = this.store
        .listStacks(stack.accountId, stack.region)
        .find((other) => other !== stack && !isDeleted(other) && other.imports?.includes(output.ExportName!));
      if (importer) throw validationError(`Export ${output.ExportName} cannot be deleted as it is in use by ${importer.stackName}`);
    }
  }

  private assertUpdatable(stack: StackRecord): void {
    if (!UPDATABLE.has(stack.status)) {
      throw validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    }
  }

  private assertNameFree(caller: Caller, stackName: string): void {
    if (this.store.findStack(caller.accountId, caller.region, stackName)) throw alreadyExists(stackName);
  }
}

/** Parameter values from the request, taking UsePreviousValue from the stack's current ones. */
export function suppliedParameters(input: ParameterInput[] | undefined, previous: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const parameter of input ?? []) {
    if (!parameter?.ParameterKey) continue;
    if (truthy(parameter.UsePreviousValue)) {
      if (previous[parameter.ParameterKey] !== undefined) out[parameter.ParameterKey] = previous[parameter.ParameterKey]!;
      continue;
    }
    out[parameter.ParameterKey] = parameter.ParameterValue ?? '';
  }
  return out;
}

function onFailureOf(input: StackSettings): OnFailure {
  if (input.OnFailure !== undefined && input.DisableRollback !== undefined) {
    throw validationError('You cannot specify both DisableRollback and OnFailure.');
  }
  if (truthy(input.DisableRollback)) return 'DO_NOTHING';
  const onFailure = input.OnFailure ?? 'ROLLBACK';
  if (onFailure !== 'ROLLBACK' && onFailure !== 'DELETE' && onFailure !== 'DO_NOTHING') {
    throw validationError(
      `1 validation error detected: Value '${onFailure}' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]`,
    );
  }
  return onFailure;
}

/** Query-protocol booleans arrive as the strings "true"/"false". */
export function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}
