import { bucketConfigurationHandlers, BUCKET_CONFIGURATION_NAMES } from './bucket-configurations.js';
import { createBucket, deleteBucket, deleteObjects, getBucketLocation, headBucket, listBuckets } from './bucket-handlers.js';
import type { S3Handler } from './call.js';
import { S3Error } from './errors.js';
import { getObjectAttributes } from './get-object-attributes.js';
import { postObject } from './post-object.js';
import { listObjects, listObjectVersions } from './list-handlers.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from './multipart-handlers.js';
import {
  deleteObject,
  deleteObjectTagging,
  getObject,
  getObjectAcl,
  getObjectTagging,
  headObject,
  putObject,
  putObjectAcl,
  putObjectTagging,
} from './object-handlers.js';

type Level = 'service' | 'bucket' | 'object';

/**
 * A handler and the API operation it serves, as the SDK names it (what IAM
 * authorizes). Where one handler serves two operations, the name is picked
 * from the request (`list-type=2` is ListObjectsV2, `x-amz-copy-source`
 * turns a PUT into a copy).
 */
export interface S3Route {
  operation: string | ((query: URLSearchParams, headers: Record<string, string>) => string);
  handler: S3Handler;
}
/** `METHOD` or `METHOD ?subresource`. */
type RouteTable = Record<string, S3Route>;

const copying = (plain: string, copy: string) => (_query: URLSearchParams, headers: Record<string, string>) =>
  headers['x-amz-copy-source'] !== undefined ? copy : plain;

const bucketRoutes: RouteTable = {
  PUT: { operation: 'CreateBucket', handler: createBucket },
  HEAD: { operation: 'HeadBucket', handler: headBucket },
  DELETE: { operation: 'DeleteBucket', handler: deleteBucket },
  GET: { operation: (query) => (query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects'), handler: listObjects },
  'GET ?location': { operation: 'GetBucketLocation', handler: getBucketLocation },
  'POST ?delete': { operation: 'DeleteObjects', handler: deleteObjects },
  // A browser upload form: not an SDK operation, authorized as s3:PutObject by its form's signer.
  POST: { operation: 'PostObject', handler: postObject },
  'GET ?uploads': { operation: 'ListMultipartUploads', handler: listMultipartUploads },
  'GET ?versions': { operation: 'ListObjectVersions', handler: listObjectVersions },
};

/** The SDK's operations for each stored bucket sub-resource: [get, put, delete]. */
const CONFIGURATION_OPERATIONS: Record<string, [get: string, put: string, remove?: string]> = {
  policy: ['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy'],
  cors: ['GetBucketCors', 'PutBucketCors', 'DeleteBucketCors'],
  tagging: ['GetBucketTagging', 'PutBucketTagging', 'DeleteBucketTagging'],
  lifecycle: ['GetBucketLifecycleConfiguration', 'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle'],
  website: ['GetBucketWebsite', 'PutBucketWebsite', 'DeleteBucketWebsite'],
  replication: ['GetBucketReplication', 'PutBucketReplication', 'DeleteBucketReplication'],
  'object-lock': ['GetObjectLockConfiguration', 'PutObjectLockConfiguration'],
  encryption: ['GetBucketEncryption', 'PutBucketEncryption', 'DeleteBucketEncryption'],
  publicAccessBlock: ['GetPublicAccessBlock', 'PutPublicAccessBlock', 'DeletePublicAccessBlock'],
  ownershipControls: ['GetBucketOwnershipControls', 'PutBucketOwnershipControls', 'DeleteBucketOwnershipControls'],
  versioning: ['GetBucketVersioning', 'PutBucketVersioning'],
  notification: ['GetBucketNotificationConfiguration', 'PutBucketNotificationConfiguration'],
  logging: ['GetBucketLogging', 'PutBucketLogging'],
  accelerate: ['GetBucketAccelerateConfiguration', 'PutBucketAccelerateConfiguration'],
  requestPayment: ['GetBucketRequestPayment', 'PutBucketRequestPayment'],
  acl: ['GetBucketAcl', 'PutBucketAcl'],
};
for (const name of BUCKET_CONFIGURATION_NAMES) {
  const handlers = bucketConfigurationHandlers(name);
  const [get, put, remove] = CONFIGURATION_OPERATIONS[name] ?? [`GetBucket:${name}`, `PutBucket:${name}`, `DeleteBucket:${name}`];
  bucketRoutes[`GET ?${name}`] = { operation: get, handler: handlers.get };
  bucketRoutes[`PUT ?${name}`] = { operation: put, handler: handlers.put };
  if (handlers.delete) bucketRoutes[`DELETE ?${name}`] = { operation: remove ?? `DeleteBucket:${name}`, handler: handlers.delete };
}

const ROUTES: Record<Level, RouteTable> = {
  service: { GET: { operation: 'ListBuckets', handler: listBuckets } },
  bucket: bucketRoutes,
  object: {
    PUT: { operation: copying('PutObject', 'CopyObject'), handler: putObject },
    GET: { operation: 'GetObject', handler: getObject },
    HEAD: { operation: 'HeadObject', handler: headObject },
    DELETE: { operation: 'DeleteObject', handler: deleteObject },
    'POST ?uploads': { operation: 'CreateMultipartUpload', handler: createMultipartUpload },
    'PUT ?uploadId': { operation: copying('UploadPart', 'UploadPartCopy'), handler: uploadPart },
    'POST ?uploadId': { operation: 'CompleteMultipartUpload', handler: completeMultipartUpload },
    'DELETE ?uploadId': { operation: 'AbortMultipartUpload', handler: abortMultipartUpload },
    'GET ?uploadId': { operation: 'ListParts', handler: listParts },
    'GET ?tagging': { operation: 'GetObjectTagging', handler: getObjectTagging },
    'PUT ?tagging': { operation: 'PutObjectTagging', handler: putObjectTagging },
    'DELETE ?tagging': { operation: 'DeleteObjectTagging', handler: deleteObjectTagging },
    'GET ?acl': { operation: 'GetObjectAcl', handler: getObjectAcl },
    'PUT ?acl': { operation: 'PutObjectAcl', handler: putObjectAcl },
    'GET ?attributes': { operation: 'GetObjectAttributes', handler: getObjectAttributes },
  },
};

/**
 * Every operation this S3 serves, with the request shapes that reach each
 * variant (for tests that check every operation has an IAM mapping).
 */
export function s3Operations(): string[] {
  const names = new Set<string>();
  const variants: [URLSearchParams, Record<string, string>][] = [
    [new URLSearchParams(), {}],
    [new URLSearchParams('list-type=2'), { 'x-amz-copy-source': '/b/k' }],
  ];
  for (const table of Object.values(ROUTES)) {
    for (const { operation } of Object.values(table)) {
      for (const [query, headers] of variants) names.add(typeof operation === 'string' ? operation : operation(query, headers));
    }
  }
  return [...names];
}

/**
 * Every query parameter S3 treats as naming a sub-resource, in the order they
 * take precedence (`?uploadId&partNumber` is a part, not a plain object). Other
 * query parameters (`x-id`, `prefix`, `X-Amz-*`, `response-*`) are arguments.
 */
const SUBRESOURCES = [
  'uploadId', 'uploads', 'delete', 'location', 'tagging', 'acl', 'policy', 'policyStatus', 'cors', 'lifecycle',
  'website', 'versioning', 'versions', 'encryption', 'replication', 'object-lock', 'publicAccessBlock',
  'ownershipControls', 'notification', 'logging', 'accelerate', 'requestPayment', 'analytics', 'inventory',
  'metrics', 'intelligent-tiering', 'metadataConfiguration', 'metadataTable', 'session', 'attributes', 'legal-hold',
  'retention', 'restore', 'select', 'torrent', 'renameObject',
];

/**
 * Picks the handler for a request, and names its operation: by level (no
 * bucket, bucket, object), method and sub-resource. A sub-resource S3 has but
 * we do not is NotImplemented (501); a method the resource does not take is
 * MethodNotAllowed (405).
 */
export function route(
  method: string,
  bucket: string,
  key: string,
  query: URLSearchParams,
  headers: Record<string, string>,
): { operation: string; handler: S3Handler } {
  const level: Level = !bucket ? 'service' : !key ? 'bucket' : 'object';
  const subresource = SUBRESOURCES.find((name) => query.has(name));
  const found = ROUTES[level][subresource ? `${method} ?${subresource}` : method];
  if (found) return { operation: typeof found.operation === 'string' ? found.operation : found.operation(query, headers), handler: found.handler };
  if (subresource && !Object.keys(ROUTES[level]).some((r) => r.endsWith(` ?${subresource}`))) throw S3Error.notImplemented();
  throw S3Error.methodNotAllowed(method, level === 'service' ? 'SERVICE' : level === 'bucket' ? 'BUCKET' : 'OBJECT');
}
