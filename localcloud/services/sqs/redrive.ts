import { invalidValue } from './errors.js';
import { parseJsonObject } from './queue-attributes.js';
import type { Queue, QueueIdentity } from './queue.js';
import type { QueueStore } from './queue-store.js';
import { parseQueueArn, queueArn } from './queue-url.js';

export interface DeadLetterTarget {
  arn: string;
  maxReceiveCount: number;
}

/** The queue's redrive policy, if it has one (validated when set). */
export function deadLetterTarget(queue: Queue): DeadLetterTarget | undefined {
  const policy = queue.attributes.RedrivePolicy ? parseJsonObject(queue.attributes.RedrivePolicy) : undefined;
  if (!policy || typeof policy.deadLetterTargetArn !== 'string') return undefined;
  return { arn: policy.deadLetterTargetArn, maxReceiveCount: Number(policy.maxReceiveCount) };
}

/**
 * Checks RedrivePolicy and RedriveAllowPolicy as SQS does when they are set:
 * the dead-letter queue must exist, be of the source's type, in its account
 * and Region, and allow this source; maxReceiveCount is 1 to 1000.
 */
export function checkRedrivePolicies(store: QueueStore, source: QueueIdentity, fifo: boolean, attributes: Record<string, string>): void {
  const redrive = attributes.RedrivePolicy;
  if (redrive) {
    const policy = parseJsonObject(redrive)!;
    const reason = (text: string) => invalidValue('RedrivePolicy', redrive, text);
    for (const key of Object.keys(policy)) {
      if (key !== 'deadLetterTargetArn' && key !== 'maxReceiveCount') throw reason(`Unknown attribute name ${key}.`);
    }
    if (typeof policy.deadLetterTargetArn !== 'string') throw reason('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
    if (policy.maxReceiveCount === undefined) throw reason('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
    const count = Number(policy.maxReceiveCount);
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw reason(`Invalid value for maxReceiveCount: ${String(policy.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
    }
    const targetId = parseQueueArn(policy.deadLetterTargetArn);
    const target = targetId && store.get(targetId);
    if (!targetId || !target || targetId.accountId !== source.accountId || targetId.region !== source.region) {
      throw reason('Dead letter target does not exist.');
    }
    if (target.fifo !== fifo) throw reason('Dead-letter queue must be of the same type as the source queue (standard or FIFO).');
    if (!allowsSource(target, queueArn(source))) throw reason(`Queue ${queueArn(source)} is not allowed to use ${target.arn} as its dead-letter queue.`);
  }
  const allow = attributes.RedriveAllowPolicy;
  if (allow) {
    const policy = parseJsonObject(allow)!;
    const reason = (text: string) => invalidValue('RedriveAllowPolicy', allow, text);
    const permission = policy.redrivePermission;
    if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') {
      throw reason('Invalid value for redrivePermission: must be one of allowAll, denyAll, byQueue.');
    }
    const sources = policy.sourceQueueArns;
    if (permission === 'byQueue') {
      if (!Array.isArray(sources) || sources.length === 0 || sources.length > 10 || !sources.every((s) => typeof s === 'string')) {
        throw reason('sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.');
      }
    } else if (sources !== undefined) {
      throw reason('sourceQueueArns is only allowed when redrivePermission is byQueue.');
    }
  }
}

/** Whether the queue's RedriveAllowPolicy lets `sourceArn` use it as a dead-letter queue (no policy: everyone). */
function allowsSource(target: Queue, sourceArn: string): boolean {
  const policy = target.attributes.RedriveAllowPolicy ? parseJsonObject(target.attributes.RedriveAllowPolicy) : undefined;
  if (!policy) return true;
  if (policy.redrivePermission === 'denyAll') return false;
  if (policy.redrivePermission === 'byQueue') return Array.isArray(policy.sourceQueueArns) && policy.sourceQueueArns.includes(sourceArn);
  return true;
}
