import { bucketConfigurationHandlers, BUCKET_CONFIGURATION_NAMES } from './bucket-configurations.js';
import { createBucket, deleteBucket, deleteObjects, getBucketLocation, headBucket, listBuckets } from './bucket-handlers.js';
import type { S3Handler } from './call.js';
import { S3Error } from './errors.js';
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
/** `METHOD` or `METHOD ?subresource`. */
type RouteTable = Record<string, S3Handler>;

const bucketRoutes: RouteTable = {
  PUT: createBucket,
  HEAD: headBucket,
  DELETE: deleteBucket,
  GET: listObjects,
  'GET ?location': getBucketLocation,
  'POST ?delete': deleteObjects,
  'GET ?uploads': listMultipartUploads,
  'GET ?versions': listObjectVersions,
};
for (const name of BUCKET_CONFIGURATION_NAMES) {
  const handlers = bucketConfigurationHandlers(name);
  bucketRoutes[`GET ?${name}`] = handlers.get;
  bucketRoutes[`PUT ?${name}`] = handlers.put;
  if (handlers.delete) bucketRoutes[`DELETE ?${name}`] = handlers.delete;
}

const ROUTES: Record<Level, RouteTable> = {
  service: { GET: listBuckets },
  bucket: bucketRoutes,
  object: {
    PUT: putObject,
    GET: getObject,
    HEAD: headObject,
    DELETE: deleteObject,
    'POST ?uploads': createMultipartUpload,
    'PUT ?uploadId': uploadPart,
    'POST ?uploadId': completeMultipartUpload,
    'DELETE ?uploadId': abortMultipartUpload,
    'GET ?uploadId': listParts,
    'GET ?tagging': getObjectTagging,
    'PUT ?tagging': putObjectTagging,
    'DELETE ?tagging': deleteObjectTagging,
    'GET ?acl': getObjectAcl,
    'PUT ?acl': putObjectAcl,
  },
};

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
 * Picks the handler for a request: by level (no bucket, bucket, object),
 * method and sub-resource. A sub-resource S3 has but we do not is
 * NotImplemented (501); a method the resource does not take is MethodNotAllowed (405).
 */
export function route(method: string, bucket: string, key: string, query: URLSearchParams): S3Handler {
  const level: Level = !bucket ? 'service' : !key ? 'bucket' : 'object';
  const subresource = SUBRESOURCES.find((name) => query.has(name));
  const handler = ROUTES[level][subresource ? `${method} ?${subresource}` : method];
  if (handler) return handler;
  if (subresource && !Object.keys(ROUTES[level]).some((r) => r.endsWith(` ?${subresource}`))) throw S3Error.notImplemented();
  throw S3Error.methodNotAllowed(method, level === 'service' ? 'SERVICE' : level === 'bucket' ? 'BUCKET' : 'OBJECT');
}
