import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../core/state-files.js';
import { topicArn, type TopicId } from './arns.js';

/** How long after a change the state is written: changes in a burst share one write. */
const PERSIST_DELAY_MS = 250;

export interface Topic {
  id: TopicId;
  arn: string;
  /** Settable attributes as SNS spells them (DisplayName, Policy, FifoTopic, ...). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Subscriptions removed from this topic, for the SubscriptionsDeleted attribute. */
  deletedSubscriptions: number;
  /** FIFO topics: deduplication ids seen in the last five minutes, with the message id they got. */
  deduplication: Record<string, { messageId: string; sequenceNumber: string; expiresAt: number }>;
  sequence: number;
}

export interface Subscription {
  arn: string;
  topicArn: string;
  owner: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
  pendingConfirmation: boolean;
  /** Proves a ConfirmSubscription (or a visit to the SubscribeURL) came from the endpoint that was sent it. */
  confirmationToken: string;
  /** Proves a visit to the UnsubscribeURL came from a message of this subscription. */
  unsubscribeToken: string;
  /** ConfirmSubscription's AuthenticateOnUnsubscribe: only signed Unsubscribe calls may remove it. */
  authenticateOnUnsubscribe?: boolean;
}

interface Persisted {
  topics: Topic[];
  subscriptions: Subscription[];
}

const keyOf = (id: TopicId) => topicArn(id);

/**
 * Topics and subscriptions of every account and region, persisted as one
 * document under `<stateDir>/sns/state.json` (written atomically a short while
 * after each change, and on stop), or kept in memory without a state directory.
 */
export class SnsStore {
  private readonly topics = new Map<string, Topic>();
  private readonly subscriptions = new Map<string, Subscription>();
  private persistTimer?: NodeJS.Timeout;
  private readonly file?: string;

  constructor(stateDir: string | undefined) {
    this.file = stateDir ? path.join(stateDir, 'sns', 'state.json') : undefined;
  }

  topic(id: TopicId): Topic | undefined {
    return this.topics.get(keyOf(id));
  }

  topicByArn(arn: string): Topic | undefined {
    return this.topics.get(arn);
  }

  putTopic(topic: Topic): void {
    this.topics.set(topic.arn, topic);
    this.changed();
  }

  deleteTopic(topic: Topic): void {
    this.topics.delete(topic.arn);
    for (const sub of this.subscriptionsOf(topic.arn)) this.subscriptions.delete(sub.arn);
    this.changed();
  }

  /** Topics of one account and region, in ARN order (ListTopics pages through them). */
  listTopics(accountId: string, region: string): Topic[] {
    return [...this.topics.values()].filter((t) => t.id.accountId === accountId && t.id.region === region).sort((a, b) => (a.arn < b.arn ? -1 : 1));
  }

  subscription(arn: string): Subscription | undefined {
    return this.subscriptions.get(arn);
  }

  putSubscription(sub: Subscription): void {
    this.subscriptions.set(sub.arn, sub);
    this.changed();
  }

  deleteSubscription(sub: Subscription): void {
    this.subscriptions.delete(sub.arn);
    const topic = this.topics.get(sub.topicArn);
    if (topic) topic.deletedSubscriptions++;
    this.changed();
  }

  subscriptionsOf(topicArnValue: string): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => s.topicArn === topicArnValue);
  }

  /** Subscriptions to topics of one account and region, in ARN order. */
  listSubscriptions(accountId: string, region: string): Subscription[] {
    const prefix = `arn:aws:sns:${region}:${accountId}:`;
    return [...this.subscriptions.values()].filter((s) => s.topicArn.startsWith(prefix)).sort((a, b) => (a.arn < b.arn ? -1 : 1));
  }

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
    const state: Persisted = { topics: [...this.topics.values()], subscriptions: [...this.subscriptions.values()] };
    writeJsonAtomic(this.file, state);
  }

  load(): void {
    if (!this.file) return;
    const saved = readJsonFile<Persisted>(this.file);
    for (const topic of saved?.topics ?? []) this.topics.set(topic.arn, topic);
    for (const sub of saved?.subscriptions ?? []) this.subscriptions.set(sub.arn, sub);
  }
}
