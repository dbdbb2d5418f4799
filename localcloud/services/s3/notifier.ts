import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ResourcePolicyHolder } from '../../auth/authorizer.js';
import type { Principal } from '../../auth/types.js';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { deliveryAllowed, notificationTargets, validateNotificationConfiguration, type NotificationTarget } from './notification-configuration.js';
import type { BucketRecord, ObjectRecord } from './records.js';

/**
 * Delivers S3 event notifications
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html)
 * to Lambda (asynchronous invoke), SQS and SNS through their public APIs, as
 * the bucket owner's account would be reached by S3. Deliveries never delay
 * the request that caused them: events wait in one bounded FIFO drained by a
 * single worker, so events of a key arrive in the order they happened. When
 * the queue is full, or a delivery fails, the event is logged and dropped;
 * nothing here throws into a request.
 */

/** What happened to an object, as S3 names it in `eventName` (without the `s3:` prefix). */
export type S3EventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete'
  | 'ObjectRemoved:DeleteMarkerCreated';

export interface ObjectEvent {
  name: S3EventName;
  bucket: BucketRecord;
  key: string;
  /** The object written (absent for removals). */
  record?: ObjectRecord;
  principal?: Principal;
  requestId: string;
  sourceIp: string;
  region: string;
}

/** Events waiting for delivery; past this, new ones are logged and dropped. */
const MAX_QUEUED = 10_000;

interface Delivery {
  target: NotificationTarget;
  bucket: BucketRecord;
  message: string;
}

export class Notifier {
  private readonly queue: Delivery[] = [];
  private draining = false;
  private sequence = 0n;

  constructor(private readonly ctx: CloudContext) {}

  /** Checks a configuration about to be stored (see validateNotificationConfiguration); returns its targets. */
  validate(document: string, bucket: BucketRecord, skipDestinationValidation = false): Promise<NotificationTarget[]> {
    return validateNotificationConfiguration(this.ctx, document, bucket.name, bucket.accountId, skipDestinationValidation);
  }

  /** Queues the event for every target of the bucket's configuration that it matches. */
  publish(event: ObjectEvent): void {
    let targets: NotificationTarget[];
    try {
      targets = notificationTargets(event.bucket.configurations.notification);
    } catch (err) {
      this.ctx.log(`s3: notification configuration of ${event.bucket.name} unreadable: ${err instanceof Error ? err.message : err}`);
      return;
    }
    const sequencer = (++this.sequence).toString(16).toUpperCase().padStart(18, '0');
    for (const target of targets) {
      if (!matches(target, event)) continue;
      this.enqueue({ target, bucket: event.bucket, message: JSON.stringify(eventMessage(event, target, sequencer)) });
    }
  }

  /** The `s3:TestEvent` S3 sends a queue or topic when a configuration names it. */
  publishTestEvent(bucket: BucketRecord, targets: NotificationTarget[], requestId: string): void {
    const message = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: bucket.name, RequestId: requestId, HostId: hostId() });
    for (const target of targets) if (target.kind !== 'lambda') this.enqueue({ target, bucket, message });
  }

  private enqueue(delivery: Delivery): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.ctx.log(`s3: notification queue full (${MAX_QUEUED}); dropped an event of ${delivery.bucket.name} for ${delivery.target.arn}`);
      return;
    }
    this.queue.push(delivery);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        try {
          await this.deliver(next);
        } catch (err) {
          this.ctx.log(`s3: notification of ${next.bucket.name} to ${next.target.arn} failed: ${err instanceof Error ? err.message : err}`);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async deliver({ target, bucket, message }: Delivery): Promise<void> {
    const service = this.ctx.service(target.kind) as (ServiceProvider & Partial<ResourcePolicyHolder>) | undefined;
    if (!service) throw new Error(`the ${target.kind} service is not served`);
    if (!(await deliveryAllowed(service, target, bucket.name, bucket.accountId))) {
      throw new Error(`its resource policy no longer allows s3.amazonaws.com to deliver for this bucket`);
    }
    const [, , , region, accountId] = target.arn.split(':');
    const config = this.ctx.clientConfig(region, accountId);
    if (target.kind === 'lambda') {
      const client = new LambdaClient(config);
      try {
        await client.send(new InvokeCommand({ FunctionName: target.arn, InvocationType: 'Event', Payload: Buffer.from(message) }));
      } finally {
        client.destroy();
      }
    } else if (target.kind === 'sqs') {
      const client = new SQSClient(config);
      try {
        const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: target.arn.split(':')[5], QueueOwnerAWSAccountId: accountId }));
        await client.send(new SendMessageCommand({ QueueUrl, MessageBody: message }));
      } finally {
        client.destroy();
      }
    } else {
      const client = new SNSClient(config);
      try {
        await client.send(new PublishCommand({ TopicArn: target.arn, Message: message, Subject: 'Amazon S3 Notification' }));
      } finally {
        client.destroy();
      }
    }
  }
}

/** The event type (`s3:ObjectCreated:*` covers every ObjectCreated) and the key's prefix and suffix. */
function matches(target: NotificationTarget, event: ObjectEvent): boolean {
  const [family] = event.name.split(':');
  const named = target.events.some((e) => e === `s3:${event.name}` || e === `s3:${family}:*`);
  if (!named) return false;
  if (target.prefix !== undefined && !event.key.startsWith(target.prefix)) return false;
  if (target.suffix !== undefined && !event.key.endsWith(target.suffix)) return false;
  return true;
}

/** Event message structure 2.1. Keys are URL-encoded as in a form (a space is `+`). */
function eventMessage(event: ObjectEvent, target: NotificationTarget, sequencer: string) {
  const { record } = event;
  const object: Record<string, unknown> = { key: encodeKey(event.key) };
  if (record) {
    object.size = record.size;
    object.eTag = record.etag.replace(/^"|"$/g, '');
  }
  object.sequencer = sequencer;
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: event.bucket.region,
        eventTime: new Date().toISOString(),
        eventName: event.name,
        userIdentity: { principalId: principalId(event.principal, event.bucket.accountId) },
        requestParameters: { sourceIPAddress: event.sourceIp },
        responseElements: { 'x-amz-request-id': event.requestId, 'x-amz-id-2': hostId() },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: target.id,
          bucket: { name: event.bucket.name, ownerIdentity: { principalId: event.bucket.accountId }, arn: `arn:aws:s3:::${event.bucket.name}` },
          object,
        },
      },
    ],
  };
}

function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** `AWS:<user or role session id>` for IAM identities, the account for its root, `Anonymous` when unsigned. */
function principalId(principal: Principal | undefined, ownerAccountId: string): string {
  if (!principal) return ownerAccountId;
  switch (principal.kind) {
    case 'user':
    case 'assumed-role':
      return `AWS:${principal.userId}`;
    case 'root':
      return principal.accountId;
    case 'anonymous':
      return 'Anonymous';
    default:
      return principal.arn;
  }
}

function hostId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64');
}
