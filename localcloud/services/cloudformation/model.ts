/**
 * What the CloudFormation service remembers: stacks, their resources, events
 * and change sets. Plain JSON-serialisable records, so the store can persist
 * them as they are and the API layer can shape them into the SDK's types.
 */
import type { Change, ResourceStatus, StackStatus, Tag } from '@aws-sdk/client-cloudformation';
import type { Principal } from '../../auth/types.js';

export type { ResourceStatus, StackStatus, Tag };

export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

export interface ResourceRecord {
  logicalId: string;
  type: string;
  /** Unset until the provider has created something (or said what it created). */
  physicalId?: string;
  status: ResourceStatus;
  statusReason?: string;
  /** ISO time of the last status change. */
  updatedAt: string;
  /** The properties as last applied, every intrinsic already evaluated. */
  properties: Record<string, unknown>;
  /** What Fn::GetAtt returns, as the provider reported it. */
  attributes: Record<string, unknown>;
  /** The logical IDs this resource depended on when it was last deployed: deletion runs in reverse. */
  dependsOn: string[];
  deletionPolicy?: string;
  updateReplacePolicy?: string;
  description?: string;
  metadata?: unknown;
}

export interface StackRecord {
  stackId: string;
  stackName: string;
  accountId: string;
  region: string;
  status: StackStatus;
  statusReason?: string;
  description?: string;
  /** Exactly the bytes the caller submitted (GetTemplate returns them unchanged). */
  templateBody: string;
  /** Parameter values the caller supplied; the template's defaults fill the rest at deploy time. */
  suppliedParameters: Record<string, string>;
  /** Parameters as DescribeStacks shows them (NoEcho masked). */
  parameters: { ParameterKey: string; ParameterValue: string; ResolvedValue?: string }[];
  capabilities: string[];
  tags: Tag[];
  notificationArns: string[];
  timeoutInMinutes?: number;
  disableRollback: boolean;
  roleArn?: string;
  /** Who the stack's last operation was started by; CloudFormation provisions as them (unless roleArn is set). */
  actingAs?: Principal;
  enableTerminationProtection: boolean;
  createdAt: string;
  lastUpdatedAt?: string;
  deletedAt?: string;
  outputs: StackOutput[];
  resources: Record<string, ResourceRecord>;
  /** For nested stacks: the stack ID of the parent and of the top-level stack. */
  parentId?: string;
  rootId?: string;
  /** The change set that was last executed, if the stack was deployed through one. */
  changeSetId?: string;
  /** Export names this stack reads with Fn::ImportValue: their exporter cannot be deleted while it does. */
  imports?: string[];
}

export interface StackEvent {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceType: string;
  Timestamp: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  ResourceProperties?: string;
  ClientRequestToken?: string;
}

export type ChangeSetStatus = 'CREATE_PENDING' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'DELETE_COMPLETE' | 'FAILED';
export type ExecutionStatus = 'UNAVAILABLE' | 'AVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED' | 'OBSOLETE';

export interface ChangeSetRecord {
  changeSetId: string;
  changeSetName: string;
  stackId: string;
  stackName: string;
  changeSetType: 'CREATE' | 'UPDATE';
  description?: string;
  status: ChangeSetStatus;
  statusReason?: string;
  executionStatus: ExecutionStatus;
  createdAt: string;
  templateBody: string;
  suppliedParameters: Record<string, string>;
  /** Parameters as DescribeChangeSet shows them. */
  parameters: { ParameterKey: string; ParameterValue: string }[];
  capabilities: string[];
  tags: Tag[];
  notificationArns: string[];
  roleArn?: string;
  changes: Change[];
}

/** The statuses in which a stack is gone: it no longer answers to its name. */
export function isDeleted(stack: Pick<StackRecord, 'status'>): boolean {
  return stack.status === 'DELETE_COMPLETE';
}

/** Statuses in which an operation is running: no other operation may start. */
export function isInProgress(status: string): boolean {
  return status.endsWith('_IN_PROGRESS');
}
