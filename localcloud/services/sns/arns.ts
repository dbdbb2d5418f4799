/** Topic and subscription ARNs: `arn:aws:sns:<region>:<account>:<topic>[:<subscription-id>]`. */
export interface TopicId {
  accountId: string;
  region: string;
  name: string;
}

const TOPIC_ARN = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([\w-]{1,256}(?:\.fifo)?)$/;
const SUBSCRIPTION_ARN = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([\w-]{1,256}(?:\.fifo)?):([0-9a-f-]{36})$/;

/** Topic names: 1-256 letters, digits, hyphens and underscores; FIFO topics end in `.fifo`. */
export const TOPIC_NAME = /^[\w-]{1,256}$/;

export const topicArn = (id: TopicId) => `arn:aws:sns:${id.region}:${id.accountId}:${id.name}`;

export function parseTopicArn(arn: string): TopicId | undefined {
  const match = TOPIC_ARN.exec(arn);
  return match ? { region: match[1], accountId: match[2], name: match[3] } : undefined;
}

export function parseSubscriptionArn(arn: string): (TopicId & { subscriptionId: string }) | undefined {
  const match = SUBSCRIPTION_ARN.exec(arn);
  return match ? { region: match[1], accountId: match[2], name: match[3], subscriptionId: match[4] } : undefined;
}

export const isFifoName = (name: string) => name.endsWith('.fifo');
