import type { Principal } from '../../../auth/types.js';
import type { CloudContext } from '../../../core/types.js';
import type { SqsProvider } from '../../sqs/index.js';
import type { WireMessage } from '../../sqs/receive.js';
import { parseQueueArn, queueUrl } from '../../sqs/queue-url.js';
import type { EventSourceMapping } from '../model/event-source-mappings.js';
import type { SqsBatchOutcome } from './sqs-event.js';

/** SQS returns at most 10 messages per receive; a larger batch is gathered over several, within the batching window. */
const MESSAGES_PER_RECEIVE = 10;
const LONG_POLL_SECONDS = 20;
const RETRY_DELAY_MS = 1000;

export interface QueuePollerOptions {
  ctx: CloudContext;
  mapping: () => EventSourceMapping | undefined;
  /** The function's execution role session, which reads and deletes the messages. */
  principal: () => Principal | undefined;
  invoke: (mapping: EventSourceMapping, messages: WireMessage[]) => Promise<SqsBatchOutcome>;
  log: (message: string) => void;
}

/**
 * One SQS mapping's poller: long-polls the queue as the function's role,
 * gathers up to BatchSize messages within MaximumBatchingWindowInSeconds,
 * invokes the function with them, and deletes what it processed. A failed
 * invocation deletes nothing, so the messages come back after the queue's
 * visibility timeout (and reach its dead-letter queue after maxReceiveCount).
 * One batch at a time, so MaximumConcurrency (at least 2) is never exceeded.
 */
export class QueuePoller {
  private readonly stopping = new AbortController();
  private idle?: AbortController;
  private loop?: Promise<void>;

  constructor(private readonly options: QueuePollerOptions) {}

  start(): void {
    this.loop = this.run();
  }

  /** Looks again now (the mapping was enabled or changed). */
  wake(): void {
    this.idle?.abort();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.idle?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const mapping = this.options.mapping();
      if (!mapping || mapping.state === 'Deleting') return;
      if (!mapping.enabled) {
        await this.pause(60_000);
        continue;
      }
      try {
        await this.pollOnce(mapping);
      } catch (err) {
        this.options.log(`polling ${mapping.eventSourceArn}: ${err instanceof Error ? err.message : err}`);
        await this.pause(RETRY_DELAY_MS);
      }
    }
  }

  private async pollOnce(mapping: EventSourceMapping): Promise<void> {
    const sqs = this.options.ctx.service<SqsProvider>('sqs');
    const queue = parseQueueArn(mapping.eventSourceArn);
    if (!sqs || !queue) throw new Error('the SQS service or the queue is not available');
    const principal = this.options.principal();
    await this.authorize(principal, 'sqs:ReceiveMessage', mapping);
    const caller = { accountId: queue.accountId, region: queue.region, endpoint: this.options.ctx.endpoint, principal };
    const url = queueUrl(this.options.ctx.endpoint, queue);

    const messages: WireMessage[] = [];
    const receive = async (waitSeconds: number, signal: AbortSignal) => {
      const { Messages } = await sqs.operations.ReceiveMessage(
        {
          QueueUrl: url,
          MaxNumberOfMessages: Math.min(MESSAGES_PER_RECEIVE, mapping.batchSize - messages.length),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        },
        { ...caller, signal },
      );
      messages.push(...(Messages ?? []));
    };
    await receive(LONG_POLL_SECONDS, this.stopping.signal);
    if (messages.length === 0) return;
    // The batching window opens with the first message; it closes when full or when the window ends.
    const windowMs = mapping.maximumBatchingWindowInSeconds * 1000;
    if (windowMs > 0 && messages.length < mapping.batchSize) {
      const window = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(windowMs)]);
      while (messages.length < mapping.batchSize && !window.aborted) await receive(LONG_POLL_SECONDS, window);
    }
    if (this.stopping.signal.aborted) return; // unprocessed: they come back after their visibility timeout

    const outcome = await this.options.invoke(mapping, messages);
    if (!outcome.ok) return;
    if (outcome.deleteIds.length === 0) return;
    await this.authorize(principal, 'sqs:DeleteMessage', mapping);
    for (const message of messages) {
      if (!outcome.deleteIds.includes(message.MessageId)) continue;
      await sqs.operations.DeleteMessage({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }, caller);
    }
  }

  private async authorize(principal: Principal | undefined, action: string, mapping: EventSourceMapping): Promise<void> {
    const authorizer = this.options.ctx.trust?.authorizer;
    if (!authorizer) return;
    if (!principal) throw new Error('the function has no execution role to poll the queue with');
    const region = parseQueueArn(mapping.eventSourceArn)!.region;
    await authorizer.check(principal, 'sqs', { action, resource: mapping.eventSourceArn }, { region });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const idle = new AbortController();
      this.idle = idle;
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      idle.signal.addEventListener('abort', done, { once: true });
    });
  }
}
