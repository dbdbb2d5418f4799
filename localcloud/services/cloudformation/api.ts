/**
 * The CloudFormation API operations (query protocol): each takes the SDK's
 * input shape (decoded from the form, scalars as strings) and returns the
 * SDK's output shape. The work is in StackService, ChangeSetService and the
 * store; this is the glue.
 */
import type {
  CreateChangeSetCommandInput,
  CreateChangeSetCommandOutput,
  CreateStackCommandInput,
  CreateStackCommandOutput,
  DeleteChangeSetCommandInput,
  DeleteStackCommandInput,
  DescribeChangeSetCommandInput,
  DescribeChangeSetCommandOutput,
  DescribeStackEventsCommandInput,
  DescribeStackEventsCommandOutput,
  DescribeStackResourceCommandInput,
  DescribeStackResourceCommandOutput,
  DescribeStackResourcesCommandInput,
  DescribeStackResourcesCommandOutput,
  DescribeStacksCommandInput,
  DescribeStacksCommandOutput,
  ExecuteChangeSetCommandInput,
  GetTemplateCommandInput,
  GetTemplateCommandOutput,
  GetTemplateSummaryCommandInput,
  GetTemplateSummaryCommandOutput,
  ListChangeSetsCommandInput,
  ListChangeSetsCommandOutput,
  ListExportsCommandOutput,
  ListImportsCommandInput,
  ListImportsCommandOutput,
  ListStackResourcesCommandInput,
  ListStackResourcesCommandOutput,
  ListStacksCommandInput,
  ListStacksCommandOutput,
  UpdateStackCommandInput,
  UpdateStackCommandOutput,
  ValidateTemplateCommandInput,
  ValidateTemplateCommandOutput,
} from '@aws-sdk/client-cloudformation';
import type { ServiceRequest } from '../../core/types.js';
import type { QueryOperation } from '../../protocols/query.js';
import type { ChangeSetService } from './change-sets.js';
import { stackNotFound, validationError } from './errors.js';
import { isDeleted, type StackRecord } from './model.js';
import { asValidationError, checkTemplate } from './plan.js';
import type { ProviderRegistry } from './registry.js';
import {
  changeSetShape,
  changeSetSummaryShape,
  eventShape,
  resourceDetailShape,
  resourceShape,
  resourceSummaryShape,
  stackShape,
  stackSummaryShape,
} from './shapes.js';
import type { Caller, StackService } from './stack-service.js';
import type { StackStore } from './store.js';
import type { TemplateLoader } from './template-source.js';
import { requiredCapabilities, type ParameterDeclaration, type Template } from './template/index.js';

type Out<T> = Omit<T, '$metadata'>;

export interface ApiDependencies {
  store: StackStore;
  stacks: StackService;
  changeSets: ChangeSetService;
  registry: ProviderRegistry;
  loader: TemplateLoader;
}

const caller = (req: ServiceRequest): Caller => ({ accountId: req.accountId, region: req.region, principal: req.principal });

/**
 * How long CreateStack, UpdateStack, DeleteStack and ExecuteChangeSet may
 * wait for their operation to finish before answering. The operation stays
 * asynchronous, as on AWS, but a local stack usually settles in well under a
 * second, and the waiters of the SDKs and the AWS CLI sleep 30 s after a first
 * look that finds a stack still in progress. LOCALCLOUD_CFN_SETTLE_MS=0 turns
 * the grace off.
 */
const SETTLE_GRACE_MS = Number(process.env.LOCALCLOUD_CFN_SETTLE_MS ?? 1500);

export function cloudFormationOperations(deps: ApiDependencies): Record<string, QueryOperation> {
  const { store, stacks, changeSets, registry, loader } = deps;

  /** A stack by name (live only) or ID (deleted too), for the Describe/List calls. */
  const anyStack = (req: ServiceRequest, nameOrId: string | undefined): StackRecord => {
    if (!nameOrId) throw validationError("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
    const stack = store.findStack(req.accountId, req.region, nameOrId);
    if (!stack) throw stackNotFound(nameOrId);
    return stack;
  };

  /** A template from TemplateBody, TemplateURL or (GetTemplateSummary) an existing stack, parsed and validated. */
  const templateFrom = async (req: ServiceRequest, input: { TemplateBody?: string; TemplateURL?: string; StackName?: string }) => {
    const body = input.StackName
      ? anyStack(req, input.StackName).templateBody
      : (await loader.load(input, req.region))!;
    try {
      return checkTemplate(body, registry);
    } catch (err) {
      throw asValidationError(err);
    }
  };

  /** Resolves when the stack's operation has finished, or after the grace period, whichever comes first. */
  async function briefly(stackId: string | undefined): Promise<void> {
    if (!stackId || !(SETTLE_GRACE_MS > 0)) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      stacks.settled(stackId).catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, SETTLE_GRACE_MS))),
    ]);
    clearTimeout(timer);
  }

  return {
    async CreateStack(input: CreateStackCommandInput, req): Promise<Out<CreateStackCommandOutput>> {
      const stack = await stacks.createStack(caller(req), input);
      await briefly(stack.stackId);
      return { StackId: stack.stackId };
    },

    async UpdateStack(input: UpdateStackCommandInput, req): Promise<Out<UpdateStackCommandOutput>> {
      const stack = await stacks.updateStack(caller(req), input);
      await briefly(stack.stackId);
      return { StackId: stack.stackId };
    },

    async DeleteStack(input: DeleteStackCommandInput, req) {
      stacks.deleteStack(caller(req), input.StackName, input.RetainResources);
      await briefly(input.StackName ? store.findStack(req.accountId, req.region, input.StackName)?.stackId : undefined);
      return undefined;
    },

    DescribeStacks(input: DescribeStacksCommandInput, req): Out<DescribeStacksCommandOutput> {
      if (input.StackName) return { Stacks: [stackShape(anyStack(req, input.StackName))] };
      const live = store.listStacks(req.accountId, req.region).filter((s) => !isDeleted(s));
      return { Stacks: newestFirst(live).map(stackShape) };
    },

    ListStacks(input: ListStacksCommandInput & { StackStatusFilter?: string[] }, req): Out<ListStacksCommandOutput> {
      const filter = input.StackStatusFilter ?? [];
      const all = store.listStacks(req.accountId, req.region).filter((s) => filter.length === 0 || filter.includes(s.status));
      return { StackSummaries: newestFirst(all).map(stackSummaryShape) };
    },

    DescribeStackEvents(input: DescribeStackEventsCommandInput, req): Out<DescribeStackEventsCommandOutput> {
      const stack = anyStack(req, input.StackName);
      return { StackEvents: [...store.eventsOf(stack.stackId)].reverse().map(eventShape) };
    },

    DescribeStackResource(input: DescribeStackResourceCommandInput, req): Out<DescribeStackResourceCommandOutput> {
      const stack = anyStack(req, input.StackName);
      const resource = input.LogicalResourceId ? stack.resources[input.LogicalResourceId] : undefined;
      if (!resource) throw validationError(`Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`);
      return { StackResourceDetail: resourceDetailShape(stack, resource) };
    },

    DescribeStackResources(input: DescribeStackResourcesCommandInput, req): Out<DescribeStackResourcesCommandOutput> {
      if (!input.StackName && !input.PhysicalResourceId) {
        throw validationError('Either StackName or PhysicalResourceId must be specified.');
      }
      let stack: StackRecord | undefined;
      if (input.StackName) {
        stack = anyStack(req, input.StackName);
      } else {
        stack = store
          .listStacks(req.accountId, req.region)
          .find((s) => !isDeleted(s) && Object.values(s.resources).some((r) => r.physicalId === input.PhysicalResourceId));
        if (!stack) throw validationError(`Stack for ${input.PhysicalResourceId} does not exist`);
      }
      const resources = Object.values(stack.resources).filter(
        (r) => !input.LogicalResourceId || r.logicalId === input.LogicalResourceId,
      );
      return { StackResources: resources.map((r) => resourceShape(stack, r)) };
    },

    ListStackResources(input: ListStackResourcesCommandInput, req): Out<ListStackResourcesCommandOutput> {
      const stack = anyStack(req, input.StackName);
      return { StackResourceSummaries: Object.values(stack.resources).map(resourceSummaryShape) };
    },

    GetTemplate(input: GetTemplateCommandInput, req): Out<GetTemplateCommandOutput> {
      if (input.ChangeSetName) {
        const changeSet = changeSets.find(caller(req), input.ChangeSetName, input.StackName);
        return { TemplateBody: changeSet.templateBody, StagesAvailable: ['Original', 'Processed'] };
      }
      const stack = anyStack(req, input.StackName);
      return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
    },

    async ValidateTemplate(input: ValidateTemplateCommandInput, req): Promise<Out<ValidateTemplateCommandOutput>> {
      const template = await templateFrom(req, input);
      return {
        Parameters: Object.entries(template.Parameters ?? {}).map(([name, declaration]) => declaredParameter(name, declaration)),
        Description: template.Description,
        ...capabilitiesOf(template),
        DeclaredTransforms: [],
      };
    },

    async GetTemplateSummary(input: GetTemplateSummaryCommandInput, req): Promise<Out<GetTemplateSummaryCommandOutput>> {
      const template = await templateFrom(req, input);
      return {
        Parameters: Object.entries(template.Parameters ?? {}).map(([name, declaration]) => ({
          ...declaredParameter(name, declaration),
          ParameterType: declaration.Type,
          ParameterConstraints: declaration.AllowedValues ? { AllowedValues: declaration.AllowedValues.map(String) } : {},
        })),
        Description: template.Description,
        ...capabilitiesOf(template),
        ResourceTypes: [...new Set(Object.values(template.Resources).map((r) => r.Type))],
        Version: template.AWSTemplateFormatVersion,
        Metadata: template.Metadata === undefined ? undefined : JSON.stringify(template.Metadata),
        DeclaredTransforms: [],
        ResourceIdentifierSummaries: resourceIdentifierSummaries(template),
      };
    },

    async CreateChangeSet(input: CreateChangeSetCommandInput, req): Promise<Out<CreateChangeSetCommandOutput>> {
      const changeSet = await changeSets.create(caller(req), input);
      return { Id: changeSet.changeSetId, StackId: changeSet.stackId };
    },

    DescribeChangeSet(input: DescribeChangeSetCommandInput, req): Out<DescribeChangeSetCommandOutput> {
      return changeSetShape(changeSets.find(caller(req), input.ChangeSetName, input.StackName));
    },

    async ExecuteChangeSet(input: ExecuteChangeSetCommandInput, req) {
      const { stackId } = changeSets.find(caller(req), input.ChangeSetName, input.StackName);
      changeSets.execute(caller(req), input.ChangeSetName, input.StackName, input.DisableRollback);
      await briefly(stackId);
      return {};
    },

    DeleteChangeSet(input: DeleteChangeSetCommandInput, req) {
      changeSets.delete(caller(req), input.ChangeSetName, input.StackName);
      return {};
    },

    ListChangeSets(input: ListChangeSetsCommandInput, req): Out<ListChangeSetsCommandOutput> {
      return { Summaries: changeSets.list(caller(req), input.StackName).map(changeSetSummaryShape) };
    },

    ListImports(input: ListImportsCommandInput, req): Out<ListImportsCommandOutput> {
      const exportName = input.ExportName;
      if (!exportName || !store.exports(req.accountId, req.region).has(exportName)) {
        throw validationError(`Export '${exportName}' does not exist.`);
      }
      const importers = store.listStacks(req.accountId, req.region).filter((s) => !isDeleted(s) && s.imports?.includes(exportName));
      return { Imports: importers.map((s) => s.stackName) };
    },

    ListExports(_input: unknown, req): Out<ListExportsCommandOutput> {
      const exports = store.exports(req.accountId, req.region);
      return {
        Exports: [...exports].map(([name, { value, stackId }]) => ({ ExportingStackId: stackId, Name: name, Value: value })),
      };
    },
  };
}

function newestFirst(stacks: StackRecord[]): StackRecord[] {
  return [...stacks].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** A declared parameter as ValidateTemplate reports it (GetTemplateSummary adds its type and constraints). */
function declaredParameter(name: string, declaration: ParameterDeclaration) {
  return {
    ParameterKey: name,
    DefaultValue: declaration.Default === undefined ? undefined : String(declaration.Default),
    NoEcho: isNoEcho(declaration.NoEcho),
    Description: declaration.Description,
  };
}

function isNoEcho(value: unknown): boolean {
  return value === true || String(value).toLowerCase() === 'true';
}

/** The capabilities a template needs and why, as ValidateTemplate and GetTemplateSummary report them. */
function capabilitiesOf(template: Template) {
  const { capabilities, reason } = requiredCapabilities(template);
  return { Capabilities: capabilities.length > 0 ? capabilities : undefined, CapabilitiesReason: reason };
}

/** Which properties identify a resource of each type (GetTemplateSummary), for the types that have a name property. */
function resourceIdentifierSummaries(template: Template) {
  const byType = new Map<string, string[]>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    byType.set(resource.Type, [...(byType.get(resource.Type) ?? []), logicalId]);
  }
  return [...byType].map(([type, logicalIds]) => ({ ResourceType: type, LogicalResourceIds: logicalIds, ResourceIdentifiers: [] }));
}
