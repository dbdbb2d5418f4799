/**
 * CloudFormation resource types of S3 (AWS::S3::Bucket, AWS::S3::BucketPolicy),
 * provisioned through the S3 API like any client would, so bucket names and
 * configurations are validated exactly as for users.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  DeleteBucketWebsiteCommand,
  DeletePublicAccessBlockCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type BucketLocationConstraint,
  type CORSRule,
  type LifecycleRule,
  type NotificationConfiguration,
  type NotificationConfigurationFilter,
} from '@aws-sdk/client-s3';
import { deepEqual } from '../cloudformation/deep-equal.js';
import {
  ignoreNotFound,
  policyJson,
  tagList,
  toBoolean,
  toNumber,
  type Properties,
  type ResourceProvider,
  type ResourceRequest,
} from '../cloudformation/provider.js';

/** Bucket properties this provider applies; anything else is reported as ignored. */
const SUPPORTED = [
  'BucketName',
  'Tags',
  'VersioningConfiguration',
  'CorsConfiguration',
  'WebsiteConfiguration',
  'PublicAccessBlockConfiguration',
  'BucketEncryption',
  'LifecycleConfiguration',
  'NotificationConfiguration',
];

function bucketAttributes(name: string, region: string) {
  return {
    Arn: `arn:aws:s3:::${name}`,
    DomainName: `${name}.s3.amazonaws.com`,
    RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
    DualStackDomainName: `${name}.s3.dualstack.${region}.amazonaws.com`,
    WebsiteURL: `http://${name}.s3-website-${region}.amazonaws.com`,
  };
}

/** Each configuration block: how to apply it from template properties, and how to remove it. */
const CONFIGURATIONS: {
  property: string;
  put: (s3: S3Client, bucket: string, value: any) => Promise<unknown>;
  remove?: (s3: S3Client, bucket: string) => Promise<unknown>;
}[] = [
  {
    property: 'Tags',
    put: (s3, Bucket, tags) => s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: tagList(tags) } })),
    remove: (s3, Bucket) => s3.send(new DeleteBucketTaggingCommand({ Bucket })),
  },
  {
    property: 'VersioningConfiguration',
    put: (s3, Bucket, value) => s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: value.Status } })),
    // A versioned bucket can only be suspended, never unversioned again.
    remove: (s3, Bucket) => s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } })),
  },
  {
    property: 'CorsConfiguration',
    put: (s3, Bucket, value) =>
      s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: (value.CorsRules ?? []).map(corsRule) } })),
    remove: (s3, Bucket) => s3.send(new DeleteBucketCorsCommand({ Bucket })),
  },
  {
    property: 'WebsiteConfiguration',
    put: (s3, Bucket, value) =>
      s3.send(
        new PutBucketWebsiteCommand({
          Bucket,
          WebsiteConfiguration: {
            ...(value.IndexDocument ? { IndexDocument: { Suffix: value.IndexDocument } } : {}),
            ...(value.ErrorDocument ? { ErrorDocument: { Key: value.ErrorDocument } } : {}),
            ...(value.RedirectAllRequestsTo ? { RedirectAllRequestsTo: value.RedirectAllRequestsTo } : {}),
          },
        }),
      ),
    remove: (s3, Bucket) => s3.send(new DeleteBucketWebsiteCommand({ Bucket })),
  },
  {
    property: 'PublicAccessBlockConfiguration',
    put: (s3, Bucket, value) =>
      s3.send(
        new PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: toBoolean(value.BlockPublicAcls),
            BlockPublicPolicy: toBoolean(value.BlockPublicPolicy),
            IgnorePublicAcls: toBoolean(value.IgnorePublicAcls),
            RestrictPublicBuckets: toBoolean(value.RestrictPublicBuckets),
          },
        }),
      ),
    remove: (s3, Bucket) => s3.send(new DeletePublicAccessBlockCommand({ Bucket })),
  },
  {
    property: 'BucketEncryption',
    put: (s3, Bucket, value) =>
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: (value.ServerSideEncryptionConfiguration ?? []).map((rule: any) => ({
              ApplyServerSideEncryptionByDefault: rule.ServerSideEncryptionByDefault
                ? { SSEAlgorithm: rule.ServerSideEncryptionByDefault.SSEAlgorithm, KMSMasterKeyID: rule.ServerSideEncryptionByDefault.KMSMasterKeyID }
                : undefined,
              BucketKeyEnabled: toBoolean(rule.BucketKeyEnabled),
            })),
          },
        }),
      ),
    remove: (s3, Bucket) => s3.send(new DeleteBucketEncryptionCommand({ Bucket })),
  },
  {
    property: 'LifecycleConfiguration',
    put: (s3, Bucket, value) =>
      s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: (value.Rules ?? []).map(lifecycleRule) } })),
    remove: (s3, Bucket) => s3.send(new DeleteBucketLifecycleCommand({ Bucket })),
  },
  {
    // Through PutBucketNotificationConfiguration, so destinations are validated (and refused) as for any client.
    property: 'NotificationConfiguration',
    put: (s3, Bucket, value) => s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: notificationConfiguration(value) })),
    remove: (s3, Bucket) => s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: {} })),
  },
];

/** The template's `NotificationConfiguration` (Function/Queue/Topic, `Filter.S3Key.Rules`) as the S3 API's. */
function notificationConfiguration(value: any): NotificationConfiguration {
  const filter = (f: any): NotificationConfigurationFilter | undefined =>
    f?.S3Key ? { Key: { FilterRules: (f.S3Key.Rules ?? []).map((r: any) => ({ Name: r.Name, Value: r.Value })) } } : undefined;
  return {
    LambdaFunctionConfigurations: (value.LambdaConfigurations ?? []).map((c: any) => ({ LambdaFunctionArn: c.Function, Events: [c.Event], Filter: filter(c.Filter) })),
    QueueConfigurations: (value.QueueConfigurations ?? []).map((c: any) => ({ QueueArn: c.Queue, Events: [c.Event], Filter: filter(c.Filter) })),
    TopicConfigurations: (value.TopicConfigurations ?? []).map((c: any) => ({ TopicArn: c.Topic, Events: [c.Event], Filter: filter(c.Filter) })),
    ...(value.EventBridgeConfiguration?.EventBridgeEnabled !== undefined && String(value.EventBridgeConfiguration.EventBridgeEnabled) === 'true'
      ? { EventBridgeConfiguration: {} }
      : {}),
  };
}

function corsRule(rule: any): CORSRule {
  return {
    ID: rule.Id,
    AllowedMethods: rule.AllowedMethods,
    AllowedOrigins: rule.AllowedOrigins,
    AllowedHeaders: rule.AllowedHeaders,
    ExposeHeaders: rule.ExposedHeaders,
    MaxAgeSeconds: toNumber(rule.MaxAge),
  };
}

function lifecycleRule(rule: any): LifecycleRule {
  const expirationDays = toNumber(rule.ExpirationInDays);
  return {
    ID: rule.Id,
    Status: rule.Status,
    Filter: { Prefix: rule.Prefix ?? '' },
    ...(expirationDays !== undefined || rule.ExpirationDate
      ? { Expiration: { Days: expirationDays, Date: rule.ExpirationDate ? new Date(rule.ExpirationDate) : undefined } }
      : {}),
    ...(rule.NoncurrentVersionExpirationInDays !== undefined
      ? { NoncurrentVersionExpiration: { NoncurrentDays: toNumber(rule.NoncurrentVersionExpirationInDays) } }
      : {}),
    ...(rule.AbortIncompleteMultipartUpload
      ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: toNumber(rule.AbortIncompleteMultipartUpload.DaysAfterInitiation) } }
      : {}),
  };
}

/** Applies every configuration block that differs between `previous` and `next`. */
async function applyConfigurations(s3: S3Client, bucket: string, next: Properties, previous: Properties = {}): Promise<void> {
  for (const configuration of CONFIGURATIONS) {
    const [value, old] = [next[configuration.property], previous[configuration.property]];
    if (deepEqual(value, old)) continue;
    if (value !== undefined) await configuration.put(s3, bucket, value);
    else await configuration.remove?.(s3, bucket);
  }
}

function noteIgnored(request: ResourceRequest): void {
  const ignored = Object.keys(request.properties).filter((name) => !SUPPORTED.includes(name));
  if (ignored.length > 0) request.progress(`localcloud does not apply these AWS::S3::Bucket properties: [${ignored.join(', ')}]`);
}

const bucket: ResourceProvider = {
  type: 'AWS::S3::Bucket',
  attributes: ['Arn', 'DomainName', 'DualStackDomainName', 'RegionalDomainName', 'WebsiteURL'],
  nameProperty: 'BucketName',
  replaceOnChange: ['BucketName', 'ObjectLockEnabled'],
  async create(request) {
    // CloudFormation lower-cases generated bucket names: `mystack-mybucket-1a2b3c4d5e6f`.
    const name = (request.properties.BucketName as string | undefined) ?? request.physicalName({ maxLength: 63, lowerCase: true });
    const s3 = request.client(S3Client);
    const region = request.stack.region;
    await s3.send(
      new CreateBucketCommand({
        Bucket: name,
        ...(region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
      }),
    );
    noteIgnored(request);
    await applyConfigurations(s3, name, request.properties);
    return { physicalId: name, attributes: bucketAttributes(name, region) };
  },
  async update(request) {
    noteIgnored(request);
    await applyConfigurations(request.client(S3Client), request.physicalId, request.properties, request.previousProperties);
    return { physicalId: request.physicalId, attributes: bucketAttributes(request.physicalId, request.stack.region) };
  },
  async delete(request) {
    // A bucket that still holds objects fails to delete (BucketNotEmpty), exactly as on AWS.
    await request.client(S3Client).send(new DeleteBucketCommand({ Bucket: request.physicalId })).catch(ignoreNotFound);
  },
};

const bucketPolicy: ResourceProvider = {
  type: 'AWS::S3::BucketPolicy',
  requiredProperties: ['Bucket', 'PolicyDocument'],
  replaceOnChange: ['Bucket'],
  async create(request) {
    const name = String(request.properties.Bucket);
    await request.client(S3Client).send(new PutBucketPolicyCommand({ Bucket: name, Policy: policyJson(request.properties.PolicyDocument) }));
    return { physicalId: name };
  },
  async update(request) {
    await request
      .client(S3Client)
      .send(new PutBucketPolicyCommand({ Bucket: request.physicalId, Policy: policyJson(request.properties.PolicyDocument) }));
    return { physicalId: request.physicalId };
  },
  async delete(request) {
    await request.client(S3Client).send(new DeleteBucketPolicyCommand({ Bucket: request.physicalId })).catch(ignoreNotFound);
  },
};

export const resourceProviders: ResourceProvider[] = [bucket, bucketPolicy];
