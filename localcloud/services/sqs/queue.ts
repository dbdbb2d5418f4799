import { randomBytes, randomUUID } from 'node:crypto';
import { defaultAttributes, intAttribute } from './queue-attributes.js';
import type { StoredAttributeValue } from './md5.js';

/** A message as the queue keeps it. Times are epoch milliseconds. */
export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, StoredAttributeValue>;
  md5OfMessageAttributes?: string;
  systemAttributes?: Record<string, StoredAttributeValue>;
  md5OfSystemAttributes?: string;
  sentTimestamp: number;
  senderId: string;
  /** When the message may next be received (its delay, then each visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** The nonce of the receipt handle of the latest receive; older handles still delete, as on AWS. */
  receiptNonce?: string;
  /** Bytes counted toward the queue's bound: body and attributes. */
  size: number;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  /** Set when the message was moved here from a dead-letter source. */
  deadLetterQueueSourceArn?: string;
}

export interface QueueIdentity {
  accountId: string;
  region: string;
  name: string;
}

/** A remembered FIFO deduplication id: within the 5-minute window a repeat send returns the first message's id. */
interface DeduplicationEntry {
  messageId: string;
  sequenceNumber: string;
  expiresAt: number;
}

/** A FIFO ReceiveRequestAttemptId's answer, replayed when the same attempt is retried. */
export interface ReceiveAttempt {
  handles: { messageId: string; nonce: string }[];
  expiresAt: number;
}

export const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

/**
 * One queue: its attributes, tags and messages, and the rules that decide
 * which messages a receive may take. Time is passed in, so the rules are
 * plain functions of state and clock.
 */
export class Queue {
  readonly fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string> = {};
  /** Arrival order, which is also each FIFO group's order. */
  messages: StoredMessage[] = [];
  storedBytes = 0;
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  lastPurgeAt?: number;
  deduplication = new Map<string, DeduplicationEntry>();
  receiveAttempts = new Map<string, ReceiveAttempt>();
  private sequence: bigint;

  constructor(
    readonly id: QueueIdentity,
    attributes: Record<string, string>,
    now: number,
  ) {
    this.fifo = id.name.endsWith('.fifo');
    this.attributes = { ...defaultAttributes(this.fifo), ...attributes };
    this.createdTimestamp = now;
    this.lastModifiedTimestamp = now;
    // Sequence numbers are large, increasing decimal strings, as on AWS.
    this.sequence = 18_000_000_000_000_000_000n + BigInt(now) * 1_000_000n;
  }

  get arn(): string {
    return `arn:aws:sqs:${this.id.region}:${this.id.accountId}:${this.id.name}`;
  }

  nextSequenceNumber(): string {
    this.sequence += 1n;
    return this.sequence.toString();
  }

  /** Restores the counter from persisted state, so numbers keep increasing across restarts. */
  restoreSequence(value: string): void {
    const restored = BigInt(value);
    if (restored > this.sequence) this.sequence = restored;
  }

  get sequenceState(): string {
    return this.sequence.toString();
  }

  add(message: StoredMessage): void {
    this.messages.push(message);
    this.storedBytes += message.size;
  }

  remove(message: StoredMessage): void {
    const index = this.messages.indexOf(message);
    if (index < 0) return;
    this.messages.splice(index, 1);
    this.storedBytes -= message.size;
  }

  find(messageId: string): StoredMessage | undefined {
    return this.messages.find((m) => m.messageId === messageId);
  }

  purge(now: number): void {
    this.messages = [];
    this.storedBytes = 0;
    this.lastPurgeAt = now;
  }

  /**
   * Drops messages older than MessageRetentionPeriod and stale deduplication
   * and attempt entries; says whether any message was dropped.
   */
  expire(now: number): boolean {
    const retentionMs = intAttribute(this.attributes, 'MessageRetentionPeriod') * 1000;
    let dropped = false;
    if (this.messages.some((m) => now - m.sentTimestamp >= retentionMs)) {
      const kept = this.messages.filter((m) => now - m.sentTimestamp < retentionMs);
      this.messages = kept;
      this.storedBytes = kept.reduce((sum, m) => sum + m.size, 0);
      dropped = true;
    }
    for (const [key, entry] of this.deduplication) if (entry.expiresAt <= now) this.deduplication.delete(key);
    for (const [key, entry] of this.receiveAttempts) if (entry.expiresAt <= now) this.receiveAttempts.delete(key);
    return dropped;
  }

  counts(now: number): { visible: number; notVisible: number; delayed: number } {
    let visible = 0;
    let notVisible = 0;
    let delayed = 0;
    for (const message of this.messages) {
      if (message.visibleAt <= now) visible++;
      else if (message.receiveCount === 0) delayed++;
      else notVisible++;
    }
    return { visible, notVisible, delayed };
  }

  /** When the next invisible or delayed message becomes receivable, if any is waiting. */
  nextVisibleAt(now: number): number | undefined {
    let next: number | undefined;
    for (const message of this.messages) {
      if (message.visibleAt > now && (next === undefined || message.visibleAt < next)) next = message.visibleAt;
    }
    return next;
  }

  /**
   * The messages a receive may take now, at most `max`. Standard queues take
   * any visible message; FIFO queues take messages in order from groups that
   * have nothing in flight, keeping a group's messages together.
   */
  receivable(now: number, max: number): StoredMessage[] {
    if (!this.fifo) {
      const picked: StoredMessage[] = [];
      for (const message of this.messages) {
        if (message.visibleAt <= now) picked.push(message);
        if (picked.length >= max) break;
      }
      return picked;
    }
    const lockedGroups = new Set<string>();
    for (const message of this.messages) {
      if (message.visibleAt > now && message.receiveCount > 0) lockedGroups.add(message.groupId ?? '');
    }
    const picked: StoredMessage[] = [];
    const blockedGroups = new Set<string>(lockedGroups);
    for (const message of this.messages) {
      const group = message.groupId ?? '';
      if (blockedGroups.has(group)) continue;
      if (message.visibleAt > now) {
        // A delayed message holds back the rest of its group: order within a group is strict.
        blockedGroups.add(group);
        continue;
      }
      picked.push(message);
      if (picked.length >= max) break;
    }
    return picked;
  }

  static newMessageId(): string {
    return randomUUID();
  }

  static newNonce(): string {
    return randomBytes(12).toString('hex');
  }
}
