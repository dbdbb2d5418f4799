import { AwsError } from '../../core/errors.js';
import type { ServiceResponse } from '../../core/types.js';
import { emptyResponse, type S3Handler } from './call.js';
import { parseCorsConfiguration } from './cors.js';
import { validateTags } from './object-attributes.js';
import { ownerOf } from './owner.js';
import { children, childText, parseXmlBody, S3_XMLNS } from './xml.js';

/**
 * Bucket sub-resources the local cloud stores and returns as sent, most
 * without acting on them (a lifecycle rule never expires anything; CORS is
 * applied, by cors.ts). Each says what its document looks like, and what GET answers
 * before anything was stored: an S3 error, or S3's default for a new bucket.
 */
interface ConfigurationKind {
  /** Root element of the XML document; `json` for the bucket policy. */
  root: string | 'json';
  /** GET before any PUT: the NoSuch... error, or the default document. */
  whenMissing: { error: [code: string, message: string] } | { document: (accountId: string) => string };
  putStatus: 200 | 204;
  deletable: boolean;
  validate?: (document: string) => void;
}

const xml = (root: string, content = '') => `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${content}</${root}>`;

const KINDS: Record<string, ConfigurationKind> = {
  policy: {
    root: 'json',
    whenMissing: { error: ['NoSuchBucketPolicy', 'The bucket policy does not exist'] },
    putStatus: 204,
    deletable: true,
    validate: validatePolicy,
  },
  cors: {
    root: 'CORSConfiguration',
    whenMissing: { error: ['NoSuchCORSConfiguration', 'The CORS configuration does not exist'] },
    putStatus: 200,
    deletable: true,
    validate: (document) => void parseCorsConfiguration(document),
  },
  tagging: {
    root: 'Tagging',
    whenMissing: { error: ['NoSuchTagSet', 'The TagSet does not exist'] },
    putStatus: 204,
    deletable: true,
    validate: (document) => validateTags(tagsOfDocument(document)),
  },
  lifecycle: {
    root: 'LifecycleConfiguration',
    whenMissing: { error: ['NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'] },
    putStatus: 200,
    deletable: true,
  },
  website: {
    root: 'WebsiteConfiguration',
    whenMissing: { error: ['NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration'] },
    putStatus: 200,
    deletable: true,
  },
  replication: {
    root: 'ReplicationConfiguration',
    whenMissing: { error: ['ReplicationConfigurationNotFoundError', 'The replication configuration was not found'] },
    putStatus: 200,
    deletable: true,
  },
  'object-lock': {
    root: 'ObjectLockConfiguration',
    whenMissing: { error: ['ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket'] },
    putStatus: 200,
    deletable: false,
  },
  encryption: {
    root: 'ServerSideEncryptionConfiguration',
    whenMissing: {
      document: () =>
        xml('ServerSideEncryptionConfiguration', '<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule>'),
    },
    putStatus: 200,
    deletable: true,
  },
  publicAccessBlock: {
    root: 'PublicAccessBlockConfiguration',
    whenMissing: {
      document: () =>
        xml('PublicAccessBlockConfiguration', '<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>'),
    },
    putStatus: 200,
    deletable: true,
  },
  ownershipControls: {
    root: 'OwnershipControls',
    whenMissing: { document: () => xml('OwnershipControls', '<Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>') },
    putStatus: 200,
    deletable: true,
  },
  versioning: { root: 'VersioningConfiguration', whenMissing: { document: () => xml('VersioningConfiguration') }, putStatus: 200, deletable: false },
  notification: { root: 'NotificationConfiguration', whenMissing: { document: () => xml('NotificationConfiguration') }, putStatus: 200, deletable: false },
  logging: { root: 'BucketLoggingStatus', whenMissing: { document: () => xml('BucketLoggingStatus') }, putStatus: 200, deletable: false },
  accelerate: { root: 'AccelerateConfiguration', whenMissing: { document: () => xml('AccelerateConfiguration') }, putStatus: 200, deletable: false },
  requestPayment: {
    root: 'RequestPaymentConfiguration',
    whenMissing: { document: () => xml('RequestPaymentConfiguration', '<Payer>BucketOwner</Payer>') },
    putStatus: 200,
    deletable: false,
  },
  acl: { root: 'AccessControlPolicy', whenMissing: { document: defaultAcl }, putStatus: 200, deletable: false },
};

export const BUCKET_CONFIGURATION_NAMES = Object.keys(KINDS);

/** GET / PUT / DELETE handlers for one sub-resource. */
export function bucketConfigurationHandlers(name: string): { get: S3Handler; put: S3Handler; delete?: S3Handler } {
  const kind = KINDS[name];
  const contentType = kind.root === 'json' ? 'application/json' : 'application/xml';
  return {
    get: ({ req, store, bucket }): ServiceResponse => {
      const document = store.getBucket(bucket).configurations[name];
      if (document !== undefined) return { status: 200, headers: { 'content-type': contentType }, body: document };
      if ('error' in kind.whenMissing) {
        const [code, message] = kind.whenMissing.error;
        throw new AwsError(code, message, 404, { BucketName: bucket });
      }
      return { status: 200, headers: { 'content-type': contentType }, body: kind.whenMissing.document(req.accountId) };
    },
    put: async ({ req, store, bucket, payload, notifier }) => {
      const bucketRecord = store.getBucket(bucket);
      const body = payload().body;
      // A canned ACL travels as a header with no body.
      if (name === 'acl' && body.length === 0 && req.headers['x-amz-acl']) return emptyResponse(200);
      const document = body.toString('utf8');
      if (kind.root !== 'json') parseXmlBody(body, kind.root);
      kind.validate?.(document);
      // Notification destinations are checked before anything is stored; queues and topics then get S3's test event.
      const targets = name === 'notification' && notifier ? await notifier.validate(document, bucketRecord, req.headers['x-amz-skip-destination-validation']?.toLowerCase() === 'true') : undefined;
      await store.setBucketConfiguration(bucket, name, document);
      if (targets && notifier) notifier.publishTestEvent(bucketRecord, targets, req.requestId);
      return emptyResponse(kind.putStatus);
    },
    delete: kind.deletable
      ? async ({ store, bucket }) => {
          await store.setBucketConfiguration(bucket, name, undefined);
          return emptyResponse(204);
        }
      : undefined,
  };
}

function validatePolicy(document: string): void {
  let policy: unknown;
  try {
    policy = JSON.parse(document);
  } catch {
    policy = undefined;
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy) || !document.trimStart().startsWith('{')) {
    throw new AwsError('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", 400);
  }
  if (!('Statement' in policy)) throw new AwsError('MalformedPolicy', 'Missing required field Statement', 400);
}

export function tagsOfDocument(document: string): { Key: string; Value: string }[] {
  const tagging = parseXmlBody(Buffer.from(document), 'Tagging');
  const tagSet = children(tagging, 'TagSet')[0] ?? {};
  return children(tagSet, 'Tag').map((t) => ({ Key: childText(t, 'Key') ?? '', Value: childText(t, 'Value') ?? '' }));
}

export function defaultAcl(accountId: string): string {
  const { ID, DisplayName } = ownerOf(accountId);
  return xml(
    'AccessControlPolicy',
    `<Owner><ID>${ID}</ID><DisplayName>${DisplayName}</DisplayName></Owner><AccessControlList><Grant>` +
      `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${ID}</ID><DisplayName>${DisplayName}</DisplayName></Grantee>` +
      `<Permission>FULL_CONTROL</Permission></Grant></AccessControlList>`,
  );
}

