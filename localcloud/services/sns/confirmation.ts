import { randomUUID } from 'node:crypto';
import type { CloudContext } from '../../core/types.js';
import { postWithRetries } from './delivery.js';
import { localSignature, signingCertUrl } from './message.js';
import type { Subscription, Topic } from './store.js';

/**
 * The links SNS puts in its messages. AWS's SubscribeURL and UnsubscribeURL
 * are unsigned GETs that the token in them authorizes; here they are served
 * under this path, which the SNS provider answers without SigV4 (the tokens
 * are the proof), so an HTTP subscriber can confirm by visiting the link as
 * it would on AWS.
 */
export const LINK_PATH = '/_aws/sns/';

export const subscribeUrl = (endpoint: string, topic: Topic, sub: Subscription) =>
  `${endpoint}${LINK_PATH}confirm?TopicArn=${encodeURIComponent(topic.arn)}&Token=${sub.confirmationToken}`;

export const unsubscribeUrl = (endpoint: string, sub: Subscription) =>
  `${endpoint}${LINK_PATH}unsubscribe?SubscriptionArn=${encodeURIComponent(sub.arn)}&Token=${sub.unsubscribeToken}`;

/** Posts the SubscriptionConfirmation message to a new HTTP(S) subscription, in the background. */
export function sendConfirmationRequest(ctx: CloudContext, topic: Topic, sub: Subscription): void {
  const messageId = randomUUID();
  const url = subscribeUrl(ctx.endpoint, topic, sub);
  const fields = {
    Type: 'SubscriptionConfirmation',
    MessageId: messageId,
    Token: sub.confirmationToken,
    TopicArn: topic.arn,
    Message: `You have chosen to subscribe to the topic ${topic.arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: url,
    Timestamp: new Date().toISOString(),
  };
  const body = JSON.stringify({ ...fields, SignatureVersion: '1', Signature: localSignature(fields), SigningCertURL: signingCertUrl(topic.id.region) });
  postWithRetries(sub.endpoint, body, undefined, {
    'x-amz-sns-message-type': 'SubscriptionConfirmation',
    'x-amz-sns-message-id': messageId,
    'x-amz-sns-topic-arn': topic.arn,
  }).catch((err) => ctx.log(`sns: could not send the subscription confirmation to ${sub.endpoint}: ${err instanceof Error ? err.message : err}`));
}
