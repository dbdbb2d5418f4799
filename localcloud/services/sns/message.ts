import { createHash } from 'node:crypto';
import type { MessageAttribute } from './filter-policy.js';

/** A message as Publish accepted it, before it is shaped for each subscription. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  /** The message every protocol gets, or (MessageStructure=json) the `default` one. */
  message: string;
  /** MessageStructure=json: the message per protocol (`sqs`, `lambda`, `http`, ...). */
  perProtocol?: Record<string, string>;
  attributes: Record<string, MessageAttribute>;
  timestamp: string;
  /** FIFO topics. */
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
}

/** The text a subscription of `protocol` receives. */
export const messageFor = (m: PublishedMessage, protocol: string) => m.perProtocol?.[protocol] ?? m.message;

/** Message attributes as SNS envelopes spell them: `{Name: {Type, Value}}`, binary values base64. */
export function envelopeAttributes(attributes: Record<string, MessageAttribute>): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = { Type: a.DataType, Value: a.StringValue ?? binaryBase64(a.BinaryValue) };
  }
  return out;
}

export function binaryBase64(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return String(value);
}

/**
 * A stand-in for SNS's signature: the same field, base64 like AWS's, derived
 * from the message so it changes with it. It is not an RSA signature and
 * cannot be verified against a certificate; see the README.
 */
export function localSignature(fields: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64');
}

export const signingCertUrl = (region: string) => `https://sns.${region}.amazonaws.com/SimpleNotificationService-localcloud.pem`;

/** The body SNS posts to HTTP endpoints and sends to queues without raw delivery. */
export function notificationEnvelope(m: PublishedMessage, protocol: string, region: string, unsubscribeUrl: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    Type: 'Notification',
    MessageId: m.messageId,
    ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
    TopicArn: m.topicArn,
    ...(m.subject !== undefined ? { Subject: m.subject } : {}),
    Message: messageFor(m, protocol),
    Timestamp: m.timestamp,
  };
  return {
    ...fields,
    SignatureVersion: '1',
    Signature: localSignature(fields),
    SigningCertURL: signingCertUrl(region),
    UnsubscribeURL: unsubscribeUrl,
    ...(Object.keys(m.attributes).length > 0 ? { MessageAttributes: envelopeAttributes(m.attributes) } : {}),
  };
}

/** The event an SNS-triggered Lambda function receives. */
export function lambdaEvent(m: PublishedMessage, subscriptionArn: string, region: string, unsubscribeUrl: string): Record<string, unknown> {
  const fields = {
    Type: 'Notification',
    MessageId: m.messageId,
    TopicArn: m.topicArn,
    Subject: m.subject ?? null,
    Message: messageFor(m, 'lambda'),
    Timestamp: m.timestamp,
  };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          ...fields,
          SignatureVersion: '1',
          Signature: localSignature(fields),
          SigningCertUrl: signingCertUrl(region),
          UnsubscribeUrl: unsubscribeUrl,
          MessageAttributes: envelopeAttributes(m.attributes),
        },
      },
    ],
  };
}
