/**
 * Helpers for the CloudFormation tests: waiting for a stack to settle through
 * the public API, reading its events, and a controllable fake resource type
 * (registered only in tests) to drive the engine without other services.
 */
import {
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type CloudFormationClient,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import type { CloudFormationService } from '../../localcloud/services/cloudformation/index.js';
import { ResourceFailure, type ResourceProvider } from '../../localcloud/services/cloudformation/provider.js';
import type { TestCloud } from '../support/cloud.js';

/** Polls DescribeStacks (every 25 ms) until the stack leaves *_IN_PROGRESS; returns the settled stack. */
export async function settledStack(cfn: CloudFormationClient, stackName: string, timeoutMs = 20_000): Promise<Stack> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks![0]!;
    if (!stack.StackStatus!.endsWith('_IN_PROGRESS')) return stack;
    if (Date.now() > deadline) throw new Error(`stack ${stackName} still ${stack.StackStatus} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Oldest first, unlike the API. */
export async function eventsOf(cfn: CloudFormationClient, stackName: string): Promise<StackEvent[]> {
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
  return [...StackEvents!].reverse();
}

/** "Logical STATUS" lines, oldest first: compact to assert on. */
export async function eventLines(cfn: CloudFormationClient, stackName: string): Promise<string[]> {
  return (await eventsOf(cfn, stackName)).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
}

export function cloudFormationService(cloud: TestCloud): CloudFormationService {
  return cloud.cloud.context.service<CloudFormationService>('cloudformation')!;
}

export interface FakeCall {
  action: 'create' | 'update' | 'delete';
  logicalId: string;
  physicalId?: string;
  properties: Record<string, any>;
  start: number;
  end?: number;
}

/**
 * `Test::Thing`: creates nothing real. Properties steer it: `DelayMs` (how
 * long each call takes, cut short when the operation is cancelled unless
 * `IgnoreCancel`), `Fail` (create fails with this message),
 * `FailUpdate`, `FailDelete`; `Name` changes replace it, anything else updates
 * in place. GetAtt `Value` is `value-<Name>`. Every call is logged in `calls`.
 */
export function registerFakeType(cloud: TestCloud, calls: FakeCall[]): void {
  // Honours the operation's signal, as a provider's long wait must.
  const wait = (ms: unknown, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, Number(ms ?? 0));
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new ResourceFailure('Resource creation cancelled'));
      }, { once: true });
    });
  const provider: ResourceProvider = {
    type: 'Test::Thing',
    attributes: ['Value', 'Name'],
    replaceOnChange: ['Name'],
    nameProperty: 'Name',
    async create(request) {
      const call: FakeCall = { action: 'create', logicalId: request.logicalId, properties: request.properties, start: Date.now() };
      calls.push(call);
      await wait(request.properties.DelayMs, request.properties.IgnoreCancel ? undefined : request.signal);
      call.end = Date.now();
      if (request.properties.Fail) throw new ResourceFailure(String(request.properties.Fail));
      const physicalId = request.properties.Name ?? request.physicalName({ maxLength: 64 });
      call.physicalId = physicalId;
      return { physicalId, attributes: { Value: `value-${request.properties.Name ?? 'unnamed'}`, Name: physicalId } };
    },
    async update(request) {
      const call: FakeCall = { action: 'update', logicalId: request.logicalId, physicalId: request.physicalId, properties: request.properties, start: Date.now() };
      calls.push(call);
      await wait(request.properties.DelayMs, request.properties.IgnoreCancel ? undefined : request.signal);
      call.end = Date.now();
      if (request.properties.FailUpdate) throw new ResourceFailure(String(request.properties.FailUpdate));
      return { physicalId: request.physicalId, attributes: { Value: `value-${request.properties.Name ?? 'unnamed'}`, Name: request.physicalId } };
    },
    async delete(request) {
      const call: FakeCall = { action: 'delete', logicalId: request.logicalId, physicalId: request.physicalId, properties: request.properties, start: Date.now() };
      calls.push(call);
      await wait(request.properties.DelayMs, request.properties.IgnoreCancel ? undefined : request.signal);
      call.end = Date.now();
      if (request.properties.FailDelete) throw new ResourceFailure(String(request.properties.FailDelete));
    },
  };
  cloudFormationService(cloud).registry.register(provider);
}
