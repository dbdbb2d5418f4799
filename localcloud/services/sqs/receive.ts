import { invalidValue, stringList } from './errors.js';
import { md5OfAttributes, type StoredAttributeValue } from './md5.js';
import { wireAttributes } from './message-input.js';
import { encodeReceiptHandle } from './receipt-handle.js';
import { deadLetterTarget } from './redrive.js';
import { DEDUPLICATION_WINDOW_MS, type Queue, Queue as QueueClass, type StoredMessage } from './queue.js';
import type { QueueSignals } from './queue-signals.js';
import { QueueStore } from './queue-store.js';
import { parseQueueArn } from './queue-url.js';

/** ReceiveMessage's input as both protocols deliver it (numbers may be text on the query protocol). */
export interface ReceiveInput {
  QueueUrl?: string;
  MaxNumberOfMessages?: number | string;
  VisibilityTimeout?: number | string;
  WaitTimeSeconds?: number | string;
  AttributeNames?: string[];
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
  ReceiveRequestAttemptId?: string;
}

export interface WireMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
}

const SYSTEM_ATTRIBUTES = new Set([
  'All', 'SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'SequenceNumber',
  'MessageDeduplicationId', 'MessageGroupId', 'AWSTraceHeader', 'DeadLetterQueueSourceArn',
]);

/**
 * ReceiveMessage: takes receivable messages (moving those past their
 * queue's maxReceiveCount to its dead-letter queue first), makes them
 * invisible for the visibility timeout, and long-polls up to WaitTimeSeconds
 * when there are none, waking on a send, on the next delayed or invisible
 * message becoming visible, when the client goes away, or when the cloud stops.
 */
export class MessageReceiver {
  constructor(
    private readonly store: QueueStore,
    private readonly signals: QueueSignals,
    private readonly now: () => number,
    private readonly stopping: () => boolean,
  ) {}

  async receive(queue: Queue, input: ReceiveInput, signal?: AbortSignal): Promise<{ Messages?: WireMessage[] }> {
    const max = integerIn(input.MaxNumberOfMessages, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
    const visibility =
      integerIn(input.VisibilityTimeout, 'VisibilityTimeout', 0, 43_200, 'Must be >= 0 and <= 43200, if provided.') ??
      Number(queue.attributes.VisibilityTimeout);
    const wait =
      integerIn(input.WaitTimeSeconds, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.') ??
      Number(queue.attributes.ReceiveMessageWaitTimeSeconds);
    const systemNames = [...(stringList(input.AttributeNames, 'AttributeNames') ?? []), ...(stringList(input.MessageSystemAttributeNames, 'MessageSystemAttributeNames') ?? [])];
    const attributeNames = stringList(input.MessageAttributeNames, 'MessageAttributeNames') ?? [];
    for (const name of systemNames) {
      if (!SYSTEM_ATTRIBUTES.has(name)) throw invalidValue('AttributeNames', name, `Unknown Attribute ${name}.`);
    }
    const attemptId = input.ReceiveRequestAttemptId;
    if (attemptId !== undefined && (typeof attemptId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(attemptId))) {
      throw invalidValue('ReceiveRequestAttemptId', attemptId, 'ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
    }
    const render = (taken: { message: StoredMessage; nonce: string }[]) =>
      taken.length === 0 ? {} : { Messages: taken.map(({ message, nonce }) => this.wire(queue, message, nonce, systemNames, attributeNames)) };

    const key = QueueStore.keyOf(queue.id);
    const deadline = this.now() + wait * 1000;
    for (;;) {
      if (this.store.get(queue.id) !== queue) return {}; // deleted while we waited
      const replay = queue.fifo && attemptId !== undefined ? this.replayAttempt(queue, attemptId) : undefined;
      if (replay) return render(replay);
      const taken = this.take(queue, max, visibility);
      if (queue.fifo && attemptId !== undefined && taken.length > 0) {
        queue.receiveAttempts.set(attemptId, {
          handles: taken.map(({ message, nonce }) => ({ messageId: message.messageId, nonce })),
          expiresAt: this.now() + DEDUPLICATION_WINDOW_MS,
        });
      }
      const now = this.now();
      if (taken.length > 0 || now >= deadline || signal?.aborted || this.stopping()) return render(taken);
      const nextVisible = queue.nextVisibleAt(now);
      await this.signals.wait(key, Math.min(deadline, nextVisible ?? deadline) - now, signal);
    }
  }

  /**
   * A retried FIFO receive with the same ReceiveRequestAttemptId gets the same
   * messages and receipt handles, as long as none of them was deleted or had
   * its visibility changed since.
   */
  private replayAttempt(queue: Queue, attemptId: string): { message: StoredMessage; nonce: string }[] | undefined {
    const attempt = queue.receiveAttempts.get(attemptId);
    if (!attempt || attempt.expiresAt <= this.now()) return undefined;
    const now = this.now();
    const replay: { message: StoredMessage; nonce: string }[] = [];
    for (const handle of attempt.handles) {
      const message = queue.find(handle.messageId);
      if (!message || message.receiptNonce !== handle.nonce || message.visibleAt <= now) return undefined;
      replay.push({ message, nonce: handle.nonce });
    }
    return replay;
  }

  /** Takes up to `max` messages now, after redriving those that have been received too often. */
  take(queue: Queue, max: number, visibilitySeconds: number): { message: StoredMessage; nonce: string }[] {
    const now = this.now();
    queue.expire(now);
    this.redrive(queue, now);
    const taken = queue.receivable(now, max).map((message) => {
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.receiptNonce = QueueClass.newNonce();
      message.visibleAt = now + visibilitySeconds * 1000;
      return { message, nonce: message.receiptNonce };
    });
    if (taken.length > 0) this.store.changed();
    return taken;
  }

  /** Moves visible messages whose receive count reached maxReceiveCount to the dead-letter queue. */
  private redrive(queue: Queue, now: number): void {
    const target = deadLetterTarget(queue);
    if (!target) return;
    const targetId = parseQueueArn(target.arn);
    const deadLetterQueue = targetId && this.store.get(targetId);
    if (!deadLetterQueue) return; // a deleted dead-letter queue: messages stay, as on AWS
    const exhausted = queue.messages.filter((m) => m.visibleAt <= now && m.receiveCount >= target.maxReceiveCount);
    for (const message of exhausted) {
      queue.remove(message);
      // The message keeps its id, body, attributes, sent time and receive count; it is visible at once.
      const moved: StoredMessage = { ...message, visibleAt: now, receiptNonce: undefined, deadLetterQueueSourceArn: queue.arn };
      if (deadLetterQueue.fifo) moved.sequenceNumber = deadLetterQueue.nextSequenceNumber();
      deadLetterQueue.add(moved);
    }
    if (exhausted.length > 0) {
      this.store.changed();
      this.signals.notify(QueueStore.keyOf(deadLetterQueue.id));
    }
  }

  private wire(queue: Queue, message: StoredMessage, nonce: string, systemNames: string[], attributeNames: string[]): WireMessage {
    const out: WireMessage = {
      MessageId: message.messageId,
      ReceiptHandle: encodeReceiptHandle({ queue: queue.id, messageId: message.messageId, nonce }),
      MD5OfBody: message.md5OfBody,
      Body: message.body,
    };
    const attributes = systemAttributes(message, systemNames);
    if (Object.keys(attributes).length > 0) out.Attributes = attributes;
    const selected = selectAttributes(message.messageAttributes ?? {}, attributeNames);
    if (Object.keys(selected).length > 0) {
      // The digest covers the attributes returned, which is what SDKs re-compute to verify.
      out.MD5OfMessageAttributes = md5OfAttributes(selected);
      out.MessageAttributes = wireAttributes(selected);
    }
    return out;
  }
}

function systemAttributes(message: StoredMessage, names: string[]): Record<string, string> {
  const all = names.includes('All');
  const wanted = (name: string) => all || names.includes(name);
  const out: Record<string, string> = {};
  if (wanted('SenderId')) out.SenderId = message.senderId;
  if (wanted('SentTimestamp')) out.SentTimestamp = String(message.sentTimestamp);
  if (wanted('ApproximateReceiveCount')) out.ApproximateReceiveCount = String(message.receiveCount);
  if (wanted('ApproximateFirstReceiveTimestamp')) out.ApproximateFirstReceiveTimestamp = String(message.firstReceiveTimestamp ?? message.sentTimestamp);
  if (wanted('SequenceNumber') && message.sequenceNumber) out.SequenceNumber = message.sequenceNumber;
  if (wanted('MessageDeduplicationId') && message.deduplicationId) out.MessageDeduplicationId = message.deduplicationId;
  if (wanted('MessageGroupId') && message.groupId) out.MessageGroupId = message.groupId;
  const trace = message.systemAttributes?.AWSTraceHeader?.StringValue;
  if (wanted('AWSTraceHeader') && trace) out.AWSTraceHeader = trace;
  if (wanted('DeadLetterQueueSourceArn') && message.deadLetterQueueSourceArn) out.DeadLetterQueueSourceArn = message.deadLetterQueueSourceArn;
  return out;
}

/** MessageAttributeNames: `All` or `.*`, exact names, and prefixes written `name.*`. */
function selectAttributes(attributes: Record<string, StoredAttributeValue>, names: string[]): Record<string, StoredAttributeValue> {
  if (names.length === 0) return {};
  const all = names.includes('All') || names.includes('.*');
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  const out: Record<string, StoredAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (all || names.includes(name) || prefixes.some((prefix) => name.startsWith(prefix))) out[name] = value;
  }
  return out;
}

function integerIn(value: unknown, name: string, min: number, max: number, reason: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : /^-?\d+$/.test(String(value).trim()) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) throw invalidValue(name, value, reason);
  return number;
}
