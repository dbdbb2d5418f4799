/**
 * Every status transition of a stack or of one of its resources becomes a
 * stack event, and the record it describes is saved with it, so what
 * DescribeStacks/DescribeStackResources show and what the events say never
 * disagree.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceRecord, ResourceStatus, StackRecord, StackStatus } from './model.js';
import type { StackStore } from './store.js';

export class EventRecorder {
  /** The last event time per stack: events get strictly increasing times, so sorting by Timestamp keeps their order and event IDs stay unique. */
  private readonly lastTime = new Map<string, number>();

  constructor(private readonly store: StackStore) {}

  stackStatus(stack: StackRecord, status: StackStatus, reason?: string): void {
    const now = this.timestamp(stack.stackId);
    stack.status = status;
    stack.statusReason = reason;
    if (status === 'DELETE_COMPLETE') stack.deletedAt = now;
    this.store.saveStack(stack);
    this.store.addEvent({
      EventId: randomUUID(),
      StackId: stack.stackId,
      StackName: stack.stackName,
      LogicalResourceId: stack.stackName,
      PhysicalResourceId: stack.stackId,
      ResourceType: 'AWS::CloudFormation::Stack',
      Timestamp: now,
      ResourceStatus: status,
      ...(reason ? { ResourceStatusReason: reason } : {}),
    });
  }

  resourceStatus(
    stack: StackRecord,
    resource: ResourceRecord,
    status: ResourceStatus,
    reason?: string,
    properties?: Record<string, unknown>,
  ): void {
    const now = this.timestamp(stack.stackId);
    resource.status = status;
    resource.statusReason = reason;
    resource.updatedAt = now;
    this.store.saveStack(stack);
    this.store.addEvent({
      EventId: `${resource.logicalId}-${status}-${now}`,
      StackId: stack.stackId,
      StackName: stack.stackName,
      LogicalResourceId: resource.logicalId,
      PhysicalResourceId: resource.physicalId ?? '',
      ResourceType: resource.type,
      Timestamp: now,
      ResourceStatus: status,
      ...(reason ? { ResourceStatusReason: reason } : {}),
      ...(properties ? { ResourceProperties: JSON.stringify(properties) } : {}),
    });
  }

  private timestamp(stackId: string): string {
    const time = Math.max(Date.now(), (this.lastTime.get(stackId) ?? 0) + 1);
    this.lastTime.set(stackId, time);
    return new Date(time).toISOString();
  }
}
