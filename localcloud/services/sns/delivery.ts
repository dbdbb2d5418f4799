import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { CloudContext } from '../../core/types.js';
import { parseFunctionArn, parseQueueEndpointArn } from './endpoints.js';
import { binaryBase64, lambdaEvent, messageFor, notificationEnvelope, type PublishedMessage } from './message.js';
import { snsMayAct } from './service-access.js';
import type { Subscription } from './store.js';

/** Bounds that keep delivery from costing the cloud more than a subscriber is worth. */
export const DELIVERY_LIMITS = {
  /** Messages waiting for delivery across all subscriptions; more are dropped (and logged). */
  maxQueued: 10_000,
  /** HTTP(S) attempts per message (AWS's immediate-retry phase), and how long each may take. */
  httpAttempts: 3,
  httpTimeoutMs: 5_000,
  httpBackoffMs: 200,
} as const;

/** What delivery needs to know about the subscription's topic and the cloud. */
export interface DeliveryTarget {
  subscription: Subscription;
  region: string;
  fifo: boolean;
  unsubscribeUrl: string;
}

/**
 * Delivers published messages to subscriptions, asynchronously: Publish only
 * enqueues. Each subscription has its own chain, so messages reach a
 * subscriber in the order they were published (which FIFO topics promise)
 * and a slow endpoint delays only itself. Queues and functions are reached
 * through their public APIs, after their resource policies are checked as
 * AWS checks them; failures are logged, never thrown at the publisher.
 */
export class Deliveries {
  private readonly chains = new Map<string, Promise<void>>();
  private queued = 0;
  private stopped = false;
  /** Aborts HTTP deliveries in flight when the cloud stops, rather than waiting out their retries. */
  private readonly stopping = new AbortController();

  constructor(private readonly ctx: CloudContext) {}

  enqueue(target: DeliveryTarget, message: PublishedMessage): void {
    if (this.stopped) return;
    if (this.queued >= DELIVERY_LIMITS.maxQueued) {
      this.ctx.log(`sns: dropped message ${message.messageId} for ${target.subscription.arn}: ${DELIVERY_LIMITS.maxQueued} deliveries already waiting`);
      return;
    }
    this.queued++;
    const key = target.subscription.arn;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => (this.stopped ? undefined : this.deliver(target, message)))
      .catch((err) => this.failed(target, message, err))
      .finally(() => {
        this.queued--;
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    this.chains.set(key, next);
  }

  /** Waits (bounded by the callers' own timeouts) for deliveries in flight; new ones are refused. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Resolves once everything enqueued so far has been attempted (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  private async deliver(target: DeliveryTarget, message: PublishedMessage): Promise<void> {
    const { protocol } = target.subscription;
    if (protocol === 'sqs') return this.toQueue(target, message);
    if (protocol === 'lambda') return this.toFunction(target, message);
    if (protocol === 'http' || protocol === 'https') return this.toHttp(target, message);
  }

  private async failed(target: DeliveryTarget, message: PublishedMessage, err: unknown): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    this.ctx.log(`sns: delivery of ${message.messageId} to ${target.subscription.endpoint} (${target.subscription.arn}) failed: ${reason}`);
    const redrive = target.subscription.attributes.RedrivePolicy;
    if (!redrive) return;
    try {
      const { deadLetterTargetArn } = JSON.parse(redrive) as { deadLetterTargetArn: string };
      const body = JSON.stringify(notificationEnvelope(message, target.subscription.protocol, target.region, target.unsubscribeUrl));
      await this.sendToQueue(deadLetterTargetArn, target, message, body, {});
      this.ctx.log(`sns: moved ${message.messageId} to the dead-letter queue ${deadLetterTargetArn}`);
    } catch (dlqError) {
      this.ctx.log(`sns: could not move ${message.messageId} to the dead-letter queue: ${dlqError instanceof Error ? dlqError.message : dlqError}`);
    }
  }

  private async toQueue(target: DeliveryTarget, message: PublishedMessage): Promise<void> {
    const { subscription } = target;
    const raw = subscription.attributes.RawMessageDelivery === 'true';
    const body = raw ? messageFor(message, 'sqs') : JSON.stringify(notificationEnvelope(message, 'sqs', target.region, target.unsubscribeUrl));
    await this.sendToQueue(subscription.endpoint, target, message, body, raw ? sqsAttributes(message) : {});
  }

  private async sendToQueue(queueArn: string, target: DeliveryTarget, message: PublishedMessage, body: string, attributes: Record<string, MessageAttributeValue>): Promise<void> {
    const queue = parseQueueEndpointArn(queueArn);
    if (!queue) throw new Error(`${queueArn} is not a queue ARN`);
    const access = await snsMayAct(this.ctx, { service: 'sqs', action: 'sqs:SendMessage', arn: queueArn, accountId: queue.accountId, region: queue.region }, message.topicArn);
    if (!access.allowed) throw new Error(access.reason);
    const sqs = new SQSClient(this.ctx.clientConfig(queue.region, queue.accountId));
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name, QueueOwnerAWSAccountId: queue.accountId }));
      await sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: body,
          ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
          ...(queue.name.endsWith('.fifo') ? { MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId } : {}),
        }),
      );
    } finally {
      sqs.destroy();
    }
  }

  private async toFunction(target: DeliveryTarget, message: PublishedMessage): Promise<void> {
    const { subscription } = target;
    const fn = parseFunctionArn(subscription.endpoint);
    if (!fn) throw new Error(`${subscription.endpoint} is not a function ARN`);
    const access = await snsMayAct(
      this.ctx,
      { service: 'lambda', action: 'lambda:InvokeFunction', arn: subscription.endpoint, accountId: fn.accountId, region: fn.region },
      message.topicArn,
    );
    if (!access.allowed) throw new Error(access.reason);
    const lambda = new LambdaClient(this.ctx.clientConfig(fn.region, fn.accountId));
    try {
      const event = lambdaEvent(message, subscription.arn, target.region, target.unsubscribeUrl);
      await lambda.send(new InvokeCommand({ FunctionName: subscription.endpoint, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
    } finally {
      lambda.destroy();
    }
  }

  private async toHttp(target: DeliveryTarget, message: PublishedMessage): Promise<void> {
    const { subscription } = target;
    if (subscription.pendingConfirmation) throw new Error('the subscription is not confirmed');
    const raw = subscription.attributes.RawMessageDelivery === 'true';
    const body = raw ? messageFor(message, subscription.protocol) : JSON.stringify(notificationEnvelope(message, subscription.protocol, target.region, target.unsubscribeUrl));
    await postWithRetries(subscription.endpoint, body, this.stopping.signal, {
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': message.messageId,
      'x-amz-sns-topic-arn': message.topicArn,
      'x-amz-sns-subscription-arn': subscription.arn,
      ...(raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
    });
  }
}

/** Publish's message attributes as SQS message attributes (raw delivery keeps them as attributes). */
function sqsAttributes(message: PublishedMessage): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(message.attributes)) {
    out[name] = a.DataType.startsWith('Binary')
      ? { DataType: a.DataType, BinaryValue: Buffer.from(binaryBase64(a.BinaryValue), 'base64') }
      : { DataType: a.DataType, StringValue: a.StringValue ?? '' };
  }
  return out;
}

/** POSTs an SNS message to an HTTP(S) endpoint, retrying a bounded number of times on errors and non-2xx answers. */
export async function postWithRetries(url: string, body: string, cancel: AbortSignal | undefined, headers: Record<string, string>): Promise<void> {
  let lastError = '';
  for (let attempt = 1; attempt <= DELIVERY_LIMITS.httpAttempts; attempt++) {
    if (cancel?.aborted) throw new Error('the cloud is stopping');
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=UTF-8', 'user-agent': 'Amazon Simple Notification Service Agent', ...headers },
        body,
        signal: cancel ? AbortSignal.any([cancel, AbortSignal.timeout(DELIVERY_LIMITS.httpTimeoutMs)]) : AbortSignal.timeout(DELIVERY_LIMITS.httpTimeoutMs),
        redirect: 'manual',
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return;
      lastError = `the endpoint answered ${response.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (attempt < DELIVERY_LIMITS.httpAttempts) await new Promise((resolve) => setTimeout(resolve, DELIVERY_LIMITS.httpBackoffMs * attempt));
  }
  throw new Error(`${DELIVERY_LIMITS.httpAttempts} attempts failed; last: ${lastError}`);
}
