import { invalidParameter, invalidValue, missingParameter, overLimit } from './errors.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import { assertValidCharacters, parseMessageAttributes } from './message-input.js';
import { DEDUPLICATION_WINDOW_MS, Queue, type StoredMessage } from './queue.js';
import type { QueueSignals } from './queue-signals.js';
import { QueueStore } from './queue-store.js';
import { createHash } from 'node:crypto';

/** SendMessage's input as both protocols deliver it (numbers may be text on the query protocol). */
export interface SendInput {
  QueueUrl?: string;
  MessageBody?: string;
  DelaySeconds?: number | string;
  MessageAttributes?: unknown;
  MessageSystemAttributes?: unknown;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

export interface SendOutput {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

/** MessageGroupId and MessageDeduplicationId: up to 128 alphanumerics and punctuation. */
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

/** Validates and enqueues single messages; SendMessageBatch runs it per entry. */
export class MessageSender {
  constructor(
    private readonly store: QueueStore,
    private readonly signals: QueueSignals,
    private readonly now: () => number,
    private readonly limits: { messagesPerQueue: number; bytesPerQueue: number },
  ) {}

  send(queue: Queue, input: SendInput, senderId: string): SendOutput {
    const body = input.MessageBody;
    if (typeof body !== 'string' || body === '') throw missingParameter('MessageBody');
    assertValidCharacters(body, '');
    const { attributes, size: attributesSize } = parseMessageAttributes(input.MessageAttributes);
    const system = parseMessageAttributes(input.MessageSystemAttributes, true);
    const size = Buffer.byteLength(body, 'utf8') + attributesSize;
    const maxSize = Number(queue.attributes.MaximumMessageSize);
    if (size > maxSize) {
      throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
    }
    const delay = this.delayOf(queue, input.DelaySeconds);
    const { groupId, deduplicationId } = this.fifoIdsOf(queue, input, body);

    const now = this.now();
    queue.expire(now);
    const md5OfBody = md5Hex(body);
    const md5OfMessageAttributes = attributes ? md5OfAttributes(attributes) : undefined;
    const md5OfSystemAttributes = system.attributes ? md5OfAttributes(system.attributes) : undefined;
    const output = (messageId: string, sequenceNumber?: string): SendOutput => ({
      MessageId: messageId,
      MD5OfMessageBody: md5OfBody,
      ...(md5OfMessageAttributes ? { MD5OfMessageAttributes: md5OfMessageAttributes } : {}),
      ...(md5OfSystemAttributes ? { MD5OfMessageSystemAttributes: md5OfSystemAttributes } : {}),
      ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
    });

    let deduplicationKey: string | undefined;
    if (queue.fifo) {
      deduplicationKey = queue.attributes.DeduplicationScope === 'messageGroup' ? `${groupId}\u0000${deduplicationId}` : deduplicationId!;
      const seen = queue.deduplication.get(deduplicationKey);
      // A repeat within the window is accepted and answered with the first message's id, but not enqueued.
      if (seen && seen.expiresAt > now) return output(seen.messageId, seen.sequenceNumber);
    }
    if (queue.messages.length >= this.limits.messagesPerQueue || queue.storedBytes + size > this.limits.bytesPerQueue) {
      throw overLimit(
        `localcloud holds at most ${this.limits.messagesPerQueue} messages or ${this.limits.bytesPerQueue} bytes per queue; receive and delete messages before sending more.`,
      );
    }

    const message: StoredMessage = {
      messageId: Queue.newMessageId(),
      body,
      md5OfBody,
      messageAttributes: attributes,
      md5OfMessageAttributes,
      systemAttributes: system.attributes,
      md5OfSystemAttributes,
      sentTimestamp: now,
      senderId,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      size,
    };
    if (queue.fifo) {
      message.groupId = groupId;
      message.deduplicationId = deduplicationId;
      message.sequenceNumber = queue.nextSequenceNumber();
      queue.deduplication.set(deduplicationKey!, { messageId: message.messageId, sequenceNumber: message.sequenceNumber, expiresAt: now + DEDUPLICATION_WINDOW_MS });
    } else if (groupId !== undefined) {
      // Standard queues accept a MessageGroupId (fair queues) and report it back.
      message.groupId = groupId;
    }
    queue.add(message);
    this.store.changed();
    if (delay === 0) this.signals.notify(QueueStore.keyOf(queue.id));
    return output(message.messageId, message.sequenceNumber);
  }

  private delayOf(queue: Queue, value: unknown): number {
    if (value === undefined || value === null || value === '') return Number(queue.attributes.DelaySeconds);
    const delay = typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : NaN;
    if (queue.fifo) {
      // FIFO queues delay whole queues only (the DelaySeconds attribute), never single messages.
      throw invalidValue('DelaySeconds', value, 'The request include parameter that is not valid for this queue type.');
    }
    if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
      throw invalidValue('DelaySeconds', value, 'DelaySeconds must be >= 0 and <= 900.');
    }
    return delay;
  }

  private fifoIdsOf(queue: Queue, input: SendInput, body: string): { groupId?: string; deduplicationId?: string } {
    const groupId = input.MessageGroupId;
    let deduplicationId = input.MessageDeduplicationId;
    if (groupId !== undefined && !FIFO_ID.test(groupId)) {
      throw invalidValue('MessageGroupId', groupId, 'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
    }
    if (!queue.fifo) {
      if (deduplicationId !== undefined) {
        throw invalidValue('MessageDeduplicationId', deduplicationId, 'The request includes a parameter that is not valid for this queue type.');
      }
      return { groupId };
    }
    if (groupId === undefined) throw missingParameter('MessageGroupId');
    if (deduplicationId !== undefined) {
      if (!FIFO_ID.test(deduplicationId)) {
        throw invalidValue('MessageDeduplicationId', deduplicationId, 'MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
      }
    } else if (queue.attributes.ContentBasedDeduplication === 'true') {
      deduplicationId = createHash('sha256').update(body, 'utf8').digest('hex');
    } else {
      throw invalidParameter('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
    return { groupId, deduplicationId };
  }
}
