import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../core/state-files.js';
import { Queue, type QueueIdentity, type StoredMessage } from './queue.js';

/** How long after a change the state is written: changes in a burst share one write. */
const PERSIST_DELAY_MS = 250;

const keyOf = (id: QueueIdentity) => `${id.accountId}/${id.region}/${id.name}`;

/** A queue as written to disk. Binary attribute values are base64. */
interface PersistedQueue {
  id: QueueIdentity;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  lastPurgeAt?: number;
  sequence: string;
  messages: PersistedMessage[];
  deduplication: [string, { messageId: string; sequenceNumber: string; expiresAt: number }][];
}

type PersistedAttributes = Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
type PersistedMessage = Omit<StoredMessage, 'messageAttributes' | 'systemAttributes'> & {
  messageAttributes?: PersistedAttributes;
  systemAttributes?: PersistedAttributes;
};

/**
 * Every queue of every account and region, persisted as one document under
 * `<stateDir>/sqs/queues.json` (written atomically, a short while after each
 * change, and on stop), or kept in memory without a state directory.
 */
export class QueueStore {
  private readonly queues = new Map<string, Queue>();
  private persistTimer?: NodeJS.Timeout;
  private readonly file?: string;

  constructor(stateDir: string | undefined) {
    this.file = stateDir ? path.join(stateDir, 'sqs', 'queues.json') : undefined;
  }

  get(id: QueueIdentity): Queue | undefined {
    return this.queues.get(keyOf(id));
  }

  put(queue: Queue): void {
    this.queues.set(keyOf(queue.id), queue);
    this.changed();
  }

  delete(id: QueueIdentity): void {
    this.queues.delete(keyOf(id));
    this.changed();
  }

  /** Queues of one account and region, by name. */
  list(accountId: string, region: string): Queue[] {
    return [...this.queues.values()]
      .filter((q) => q.id.accountId === accountId && q.id.region === region)
      .sort((a, b) => (a.id.name < b.id.name ? -1 : a.id.name > b.id.name ? 1 : 0));
  }

  all(): IterableIterator<Queue> {
    return this.queues.values();
  }

  count(accountId: string, region: string): number {
    let n = 0;
    for (const q of this.queues.values()) if (q.id.accountId === accountId && q.id.region === region) n++;
    return n;
  }

  static keyOf = keyOf;

  /** Schedules a write of the state (no-op in memory). */
  changed(): void {
    if (!this.file || this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      this.flush();
    }, PERSIST_DELAY_MS);
    this.persistTimer.unref();
  }

  flush(): void {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    if (!this.file) return;
    writeJsonAtomic(this.file, [...this.queues.values()].map(persisted));
  }

  load(): void {
    if (!this.file) return;
    const saved = readJsonFile<PersistedQueue[]>(this.file) ?? [];
    for (const entry of saved) {
      const queue = new Queue(entry.id, entry.attributes, entry.createdTimestamp);
      queue.attributes = entry.attributes;
      queue.tags = entry.tags;
      queue.lastModifiedTimestamp = entry.lastModifiedTimestamp;
      queue.lastPurgeAt = entry.lastPurgeAt;
      queue.restoreSequence(entry.sequence);
      for (const message of entry.messages) queue.add(restored(message));
      queue.deduplication = new Map(entry.deduplication);
      this.queues.set(keyOf(entry.id), queue);
    }
  }
}

function persisted(queue: Queue): PersistedQueue {
  return {
    id: queue.id,
    attributes: queue.attributes,
    tags: queue.tags,
    createdTimestamp: queue.createdTimestamp,
    lastModifiedTimestamp: queue.lastModifiedTimestamp,
    lastPurgeAt: queue.lastPurgeAt,
    sequence: queue.sequenceState,
    messages: queue.messages.map((m) => ({
      ...m,
      messageAttributes: m.messageAttributes && toPersisted(m.messageAttributes),
      systemAttributes: m.systemAttributes && toPersisted(m.systemAttributes),
    })),
    deduplication: [...queue.deduplication.entries()],
  };
}

function toPersisted(attributes: NonNullable<StoredMessage['messageAttributes']>): PersistedAttributes {
  const out: PersistedAttributes = {};
  for (const [name, v] of Object.entries(attributes)) {
    out[name] = { DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue?.toString('base64') };
  }
  return out;
}

function restored(message: PersistedMessage): StoredMessage {
  const fromPersisted = (attributes: PersistedAttributes | undefined) => {
    if (!attributes) return undefined;
    const out: NonNullable<StoredMessage['messageAttributes']> = {};
    for (const [name, v] of Object.entries(attributes)) {
      out[name] = { DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue === undefined ? undefined : Buffer.from(v.BinaryValue, 'base64') };
    }
    return out;
  };
  return { ...message, messageAttributes: fromPersisted(message.messageAttributes), systemAttributes: fromPersisted(message.systemAttributes) };
}
