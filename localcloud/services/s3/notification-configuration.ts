import { randomUUID } from 'node:crypto';
import type { ResourcePolicyHolder } from '../../auth/authorizer.js';
import { evaluate } from '../../auth/policy/index.js';
import { AwsError } from '../../core/errors.js';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { S3Error } from './errors.js';
import { children, childText, parseXmlBody, type XmlNode } from './xml.js';

/**
 * A bucket's notification configuration
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html):
 * which events go to which Lambda function, SQS queue or SNS topic, filtered
 * by key prefix and suffix. Destinations are validated when the configuration
 * is put, as S3 does: the destination's service must be served here and its
 * resource policy must let s3.amazonaws.com deliver for this bucket.
 */

export type DestinationKind = 'lambda' | 'sqs' | 'sns';

export interface NotificationTarget {
  id: string;
  kind: DestinationKind;
  arn: string;
  /** As configured, e.g. `s3:ObjectCreated:*`. */
  events: string[];
  prefix?: string;
  suffix?: string;
}

const SECTIONS: [element: string, arnElement: string, kind: DestinationKind][] = [
  ['CloudFunctionConfiguration', 'CloudFunction', 'lambda'],
  ['QueueConfiguration', 'Queue', 'sqs'],
  ['TopicConfiguration', 'Topic', 'sns'],
];

/** The event types S3 publishes (and the wildcards over them) a configuration may name. */
const EVENT_TYPES = new Set([
  's3:ObjectCreated:*', 's3:ObjectCreated:Put', 's3:ObjectCreated:Post', 's3:ObjectCreated:Copy', 's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*', 's3:ObjectRemoved:Delete', 's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*', 's3:ObjectRestore:Post', 's3:ObjectRestore:Completed', 's3:ObjectRestore:Delete',
  's3:ReducedRedundancyLostObject', 's3:Replication:*', 's3:Replication:OperationFailedReplication',
  's3:Replication:OperationNotTracked', 's3:Replication:OperationMissedThreshold', 's3:Replication:OperationReplicatedAfterThreshold',
  's3:LifecycleExpiration:*', 's3:LifecycleExpiration:Delete', 's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition', 's3:IntelligentTiering', 's3:ObjectTagging:*', 's3:ObjectTagging:Put', 's3:ObjectTagging:Delete', 's3:ObjectAcl:Put',
]);

/** The targets of a stored configuration document (already validated when it was put). */
export function notificationTargets(document: string | undefined): NotificationTarget[] {
  if (!document) return [];
  const root = parseXmlBody(Buffer.from(document), 'NotificationConfiguration');
  // The SDK serializes LambdaFunctionConfigurations as <CloudFunctionConfiguration>, as does S3's own API.
  return SECTIONS.flatMap(([element, arnElement, kind]) => children(root, element).map((node) => target(node, arnElement, kind)));
}

function target(node: XmlNode, arnElement: string, kind: DestinationKind): NotificationTarget {
  const arn = childText(node, arnElement);
  if (!arn) throw S3Error.malformedXml();
  const events = children(node, 'Event').map((e) => String(e['#text'] ?? ''));
  if (events.length === 0) throw S3Error.malformedXml();
  const rules = children(children(children(node, 'Filter')[0] ?? {}, 'S3Key')[0] ?? {}, 'FilterRule');
  const filter: { prefix?: string; suffix?: string } = {};
  for (const rule of rules) {
    const name = (childText(rule, 'Name') ?? '').toLowerCase();
    if (name !== 'prefix' && name !== 'suffix') throw S3Error.invalidArgument('filter rule name must be either prefix or suffix', 'FilterRule.Name', childText(rule, 'Name'));
    if (filter[name] !== undefined) throw S3Error.invalidArgument('Cannot specify more than one prefix rule in a filter.', 'FilterRule.Name', name);
    filter[name] = childText(rule, 'Value') ?? '';
  }
  return { id: childText(node, 'Id') || randomUUID(), kind, arn, events, ...filter };
}

/**
 * Validates a configuration document about to be stored, and returns its
 * targets. Refuses with S3's InvalidArgument what AWS refuses: an unknown
 * event, an EventBridge configuration (EventBridge is not served here), and
 * destinations it cannot deliver to.
 */
export async function validateNotificationConfiguration(
  ctx: CloudContext,
  document: string,
  bucket: string,
  bucketAccountId: string,
  skipDestinationValidation = false,
): Promise<NotificationTarget[]> {
  const root = parseXmlBody(Buffer.from(document), 'NotificationConfiguration');
  if (children(root, 'EventBridgeConfiguration').length > 0 && !ctx.service('events')) {
    throw S3Error.invalidArgument('EventBridge is not served by this local cloud: an EventBridgeConfiguration would never deliver.', 'EventBridgeConfiguration', 'EventBridgeEnabled');
  }
  const targets = notificationTargets(document);
  for (const t of targets) {
    for (const event of t.events) {
      if (!EVENT_TYPES.has(event)) throw S3Error.invalidArgument('The event is not supported for notifications', 'Event', event);
    }
  }
  const failures: [arn: string, reason: string][] = [];
  for (const t of targets) {
    const reason = await destinationProblem(ctx, t, bucket, bucketAccountId, skipDestinationValidation);
    if (reason) failures.push([t.arn, reason]);
  }
  if (failures.length > 0) {
    const extra: Record<string, string> = {};
    failures.forEach(([arn, reason], i) => {
      extra[`ArgumentName${i + 1}`] = arn;
      extra[`ArgumentValue${i + 1}`] = reason;
    });
    throw new AwsError('InvalidArgument', 'Unable to validate the following destination configurations', 400, extra);
  }
  return targets;
}

const SERVICE_NAME: Record<DestinationKind, string> = { lambda: 'lambda', sqs: 'sqs', sns: 'sns' };
const DELIVERY_ACTION: Record<DestinationKind, string> = { lambda: 'lambda:InvokeFunction', sqs: 'sqs:SendMessage', sns: 'sns:Publish' };
const DENIED: Record<DestinationKind, (arn: string) => string> = {
  lambda: (arn) => `Not authorized to invoke function [${arn}]`,
  sqs: () => 'Permissions on the destination queue do not allow S3 to publish notifications from this bucket',
  sns: () => 'Permissions on the destination topic do not allow S3 to publish notifications from this bucket',
};

/**
 * Why S3 could not deliver to `t` (undefined when it can): the service, the
 * ARN, or the resource policy. `x-amz-skip-destination-validation` skips the
 * policy check, as on AWS (deliveries still check it); a service this cloud
 * does not serve is refused even then, since nothing could ever be delivered.
 */
async function destinationProblem(ctx: CloudContext, t: NotificationTarget, bucket: string, bucketAccountId: string, skipPolicyCheck: boolean): Promise<string | undefined> {
  const parts = t.arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== SERVICE_NAME[t.kind]) return `The ARN is not well formed for a ${t.kind} destination`;
  const service = ctx.service(SERVICE_NAME[t.kind]) as (ServiceProvider & Partial<ResourcePolicyHolder>) | undefined;
  if (!service) return `The ${t.kind} service is not served by this local cloud, so S3 cannot deliver to it`;
  if (skipPolicyCheck) return undefined;
  return (await deliveryAllowed(service, t, bucket, bucketAccountId)) ? undefined : DENIED[t.kind](t.arn);
}

/**
 * Whether the destination's resource policy lets the S3 service principal
 * deliver this bucket's events (with aws:SourceArn the bucket and
 * aws:SourceAccount its owner, as S3 sends them). Also checked before each
 * delivery: a permission removed later stops deliveries, as on AWS.
 */
export async function deliveryAllowed(
  service: ServiceProvider & Partial<ResourcePolicyHolder>,
  t: Pick<NotificationTarget, 'kind' | 'arn'>,
  bucket: string,
  bucketAccountId: string,
): Promise<boolean> {
  const [, , , region, accountId] = t.arn.split(':');
  const document = await service.resourcePolicy?.(accountId, region, t.arn);
  if (!document) return false;
  const decision = evaluate({
    principal: { kind: 'service', service: 's3.amazonaws.com', arn: 's3.amazonaws.com' },
    action: DELIVERY_ACTION[t.kind],
    resource: t.arn,
    resourceAccountId: accountId,
    context: { 'aws:SourceArn': `arn:aws:s3:::${bucket}`, 'aws:SourceAccount': bucketAccountId },
    identityPolicies: [],
    resourcePolicy: { id: `${t.kind}-resource-policy`, kind: 'resource', document },
  });
  return decision.effect === 'Allow';
}
