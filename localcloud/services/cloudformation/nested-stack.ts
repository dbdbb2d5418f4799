/**
 * AWS::CloudFormation::Stack: a child stack built from a template in S3. The
 * child is an ordinary stack (its own events, resources and rollback); the
 * parent's resource waits for it and, when it fails, quotes the child's
 * failing resources and their reasons. Ref is the child's stack ID;
 * Fn::GetAtt `Outputs.<Name>` reads the child's outputs.
 */
import type { StackRecord } from './model.js';
import { ResourceFailure, type ResourceProvider, type ResourceRequest } from './provider.js';
import type { StackService, StackSettings } from './stack-service.js';
import type { StackStore } from './store.js';

export function nestedStackProvider(stacks: StackService, store: StackStore): ResourceProvider {
  return {
    type: 'AWS::CloudFormation::Stack',
    requiredProperties: ['TemplateURL'],
    alwaysUpdate: true,
    async create(request) {
      const child = await stacks.createNestedStack(request.stack.stackId, request.logicalId, childSettings(request));
      request.progress('Resource creation Initiated', child.stackId);
      const settled = await waitFor(stacks, child.stackId, request.signal);
      if (settled.status !== 'CREATE_COMPLETE') {
        throw new ResourceFailure(`Embedded stack ${child.stackId} was not successfully created: ${childFailure(settled, store)}`, child.stackId);
      }
      return { physicalId: child.stackId };
    },
    async update(request) {
      const updated = await stacks.updateNestedStack(request.physicalId, childSettings(request));
      if (updated) {
        const settled = await waitFor(stacks, request.physicalId, request.signal);
        if (settled.status !== 'UPDATE_COMPLETE') {
          throw new ResourceFailure(
            `Embedded stack ${settled.stackId} was not successfully updated. Currently in ${settled.status} with reason: ${childFailure(settled, store)}`,
          );
        }
      }
      return { physicalId: request.physicalId };
    },
    async delete(request) {
      const child = store.stackById(request.physicalId);
      if (!child || child.status === 'DELETE_COMPLETE') return;
      await stacks.settled(child.stackId);
      stacks.deleteStack({ accountId: child.accountId, region: child.region }, child.stackId);
      const settled = await stacks.settled(child.stackId);
      if (settled.status !== 'DELETE_COMPLETE') {
        throw new ResourceFailure(`Embedded stack ${child.stackId} was not successfully deleted: ${childFailure(settled, store)}`);
      }
    },
    getAtt(attribute, resource) {
      if (!attribute.startsWith('Outputs.') || !resource.physicalId) return undefined;
      const name = attribute.slice('Outputs.'.length);
      return store.stackById(resource.physicalId)?.outputs.find((output) => output.OutputKey === name)?.OutputValue;
    },
  };
}

function childSettings(request: ResourceRequest): StackSettings {
  const properties = request.properties;
  const parameters = Object.entries((properties.Parameters ?? {}) as Record<string, unknown>).map(([key, value]) => ({
    ParameterKey: key,
    ParameterValue: Array.isArray(value) ? value.join(',') : String(value),
  }));
  return {
    TemplateURL: String(properties.TemplateURL),
    Parameters: parameters,
    ...(properties.TimeoutInMinutes !== undefined ? { TimeoutInMinutes: Number(properties.TimeoutInMinutes) } : {}),
    ...(Array.isArray(properties.NotificationARNs) ? { NotificationARNs: properties.NotificationARNs.map(String) } : {}),
    ...(Array.isArray(properties.Tags) ? { Tags: properties.Tags } : {}),
  };
}

/** The child's settled state, or a cancellation when the parent's operation gives up first. */
async function waitFor(stacks: StackService, stackId: string, signal: AbortSignal): Promise<StackRecord> {
  if (signal.aborted) throw new ResourceFailure('Resource creation cancelled');
  let onAbort!: () => void;
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ResourceFailure('Resource creation cancelled', stackId));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([stacks.settled(stackId), cancelled]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** The child's own summary plus each failing resource and its reason, so the parent's event says what went wrong. */
function childFailure(child: StackRecord, store: StackStore): string {
  const failures = store
    .eventsOf(child.stackId)
    .filter((event) => event.LogicalResourceId !== child.stackName && event.ResourceStatus.endsWith('_FAILED') && event.ResourceStatusReason)
    .filter((event) => !/cancelled$/.test(event.ResourceStatusReason!))
    .map((event) => `${event.LogicalResourceId}: ${event.ResourceStatusReason}`);
  const firstFailedStatus = store
    .eventsOf(child.stackId)
    .find((event) => event.LogicalResourceId === child.stackName && /FAILED|ROLLBACK_IN_PROGRESS/.test(event.ResourceStatus));
  const summary = firstFailedStatus?.ResourceStatusReason ?? child.statusReason ?? child.status;
  return [summary, ...new Set(failures)].join(' ');
}
