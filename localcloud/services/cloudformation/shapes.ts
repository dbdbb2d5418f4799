/**
 * Records in the shapes the CloudFormation API answers with, typed by the
 * SDK's own models. Timestamps stay ISO strings: the XML writer emits them
 * as they are, and the SDK parses them into Dates.
 */
import type {
  Change,
  ChangeSetSummary,
  DescribeChangeSetOutput,
  Stack,
  StackEvent as SdkStackEvent,
  StackResource,
  StackResourceDetail,
  StackResourceSummary,
  StackSummary,
} from '@aws-sdk/client-cloudformation';
import type { ChangeSetRecord, ResourceRecord, StackEvent, StackRecord } from './model.js';

/** The SDK types say Date; on the wire it is text, so records keep ISO strings and are cast here. */
const asDate = (iso: string | undefined) => iso as unknown as Date;

const NOT_CHECKED = { StackDriftStatus: 'NOT_CHECKED' } as const;
const RESOURCE_NOT_CHECKED = { StackResourceDriftStatus: 'NOT_CHECKED' } as const;

export function stackShape(stack: StackRecord): Stack {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    ChangeSetId: stack.changeSetId,
    Description: stack.description,
    Parameters: stack.parameters,
    CreationTime: asDate(stack.createdAt),
    DeletionTime: asDate(stack.deletedAt),
    LastUpdatedTime: asDate(stack.lastUpdatedAt),
    RollbackConfiguration: {},
    StackStatus: stack.status,
    StackStatusReason: stack.statusReason,
    DisableRollback: stack.disableRollback,
    NotificationARNs: stack.notificationArns,
    TimeoutInMinutes: stack.timeoutInMinutes,
    Capabilities: stack.capabilities.length > 0 ? (stack.capabilities as Stack['Capabilities']) : undefined,
    Outputs: stack.outputs.length > 0 ? stack.outputs : undefined,
    RoleARN: stack.roleArn,
    Tags: stack.tags,
    EnableTerminationProtection: stack.enableTerminationProtection,
    ParentId: stack.parentId,
    RootId: stack.rootId,
    DriftInformation: NOT_CHECKED,
  };
}

export function stackSummaryShape(stack: StackRecord): StackSummary {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    TemplateDescription: stack.description,
    CreationTime: asDate(stack.createdAt),
    LastUpdatedTime: asDate(stack.lastUpdatedAt),
    DeletionTime: asDate(stack.deletedAt),
    StackStatus: stack.status,
    StackStatusReason: stack.statusReason,
    ParentId: stack.parentId,
    RootId: stack.rootId,
    DriftInformation: NOT_CHECKED,
  };
}

export function eventShape(event: StackEvent): SdkStackEvent {
  return { ...event, Timestamp: asDate(event.Timestamp) } as SdkStackEvent;
}

export function resourceShape(stack: StackRecord, resource: ResourceRecord): StackResource {
  return {
    StackName: stack.stackName,
    StackId: stack.stackId,
    LogicalResourceId: resource.logicalId,
    PhysicalResourceId: resource.physicalId,
    ResourceType: resource.type,
    Timestamp: asDate(resource.updatedAt),
    ResourceStatus: resource.status,
    ResourceStatusReason: resource.statusReason,
    Description: resource.description,
    DriftInformation: RESOURCE_NOT_CHECKED,
  };
}

export function resourceDetailShape(stack: StackRecord, resource: ResourceRecord): StackResourceDetail {
  return {
    StackName: stack.stackName,
    StackId: stack.stackId,
    LogicalResourceId: resource.logicalId,
    PhysicalResourceId: resource.physicalId,
    ResourceType: resource.type,
    LastUpdatedTimestamp: asDate(resource.updatedAt),
    ResourceStatus: resource.status,
    ResourceStatusReason: resource.statusReason,
    Description: resource.description,
    Metadata: resource.metadata === undefined ? undefined : JSON.stringify(resource.metadata),
    DriftInformation: RESOURCE_NOT_CHECKED,
  };
}

export function resourceSummaryShape(resource: ResourceRecord): StackResourceSummary {
  return {
    LogicalResourceId: resource.logicalId,
    PhysicalResourceId: resource.physicalId,
    ResourceType: resource.type,
    LastUpdatedTimestamp: asDate(resource.updatedAt),
    ResourceStatus: resource.status,
    ResourceStatusReason: resource.statusReason,
    DriftInformation: RESOURCE_NOT_CHECKED,
  };
}

export function changeSetShape(changeSet: ChangeSetRecord): Omit<DescribeChangeSetOutput, '$metadata'> {
  return {
    ChangeSetName: changeSet.changeSetName,
    ChangeSetId: changeSet.changeSetId,
    StackId: changeSet.stackId,
    StackName: changeSet.stackName,
    Description: changeSet.description,
    Parameters: changeSet.parameters,
    CreationTime: asDate(changeSet.createdAt),
    ExecutionStatus: changeSet.executionStatus,
    Status: changeSet.status,
    StatusReason: changeSet.statusReason,
    NotificationARNs: changeSet.notificationArns,
    Capabilities: changeSet.capabilities.length > 0 ? (changeSet.capabilities as DescribeChangeSetOutput['Capabilities']) : undefined,
    Tags: changeSet.tags,
    Changes: changeSet.changes as Change[],
    IncludeNestedStacks: false,
  };
}

export function changeSetSummaryShape(changeSet: ChangeSetRecord): ChangeSetSummary {
  return {
    StackId: changeSet.stackId,
    StackName: changeSet.stackName,
    ChangeSetId: changeSet.changeSetId,
    ChangeSetName: changeSet.changeSetName,
    ExecutionStatus: changeSet.executionStatus,
    Status: changeSet.status,
    StatusReason: changeSet.statusReason,
    CreationTime: asDate(changeSet.createdAt),
    Description: changeSet.description,
    IncludeNestedStacks: false,
  };
}
