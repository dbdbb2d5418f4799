import type { RequiredPermission } from '../types.js';
import { contextOf, permission, text, unmapped, type ActionMap } from './permission.js';

/** Bucket operations whose IAM action differs from `s3:<Operation>`, or that match it (listed so the table is complete). */
const BUCKET_ACTIONS: Record<string, string> = {
  CreateBucket: 's3:CreateBucket',
  DeleteBucket: 's3:DeleteBucket',
  HeadBucket: 's3:ListBucket',
  GetBucketLocation: 's3:GetBucketLocation',
  ListObjectVersions: 's3:ListBucketVersions',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  GetBucketPolicy: 's3:GetBucketPolicy',
  PutBucketPolicy: 's3:PutBucketPolicy',
  DeleteBucketPolicy: 's3:DeleteBucketPolicy',
  GetBucketCors: 's3:GetBucketCORS',
  PutBucketCors: 's3:PutBucketCORS',
  DeleteBucketCors: 's3:PutBucketCORS',
  GetBucketTagging: 's3:GetBucketTagging',
  PutBucketTagging: 's3:PutBucketTagging',
  DeleteBucketTagging: 's3:PutBucketTagging',
  GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  DeleteBucketLifecycle: 's3:PutLifecycleConfiguration',
  GetBucketWebsite: 's3:GetBucketWebsite',
  PutBucketWebsite: 's3:PutBucketWebsite',
  DeleteBucketWebsite: 's3:DeleteBucketWebsite',
  GetBucketReplication: 's3:GetReplicationConfiguration',
  PutBucketReplication: 's3:PutReplicationConfiguration',
  DeleteBucketReplication: 's3:PutReplicationConfiguration',
  GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
  PutObjectLockConfiguration: 's3:PutBucketObjectLockConfiguration',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  DeletePublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetBucketOwnershipControls: 's3:GetBucketOwnershipControls',
  PutBucketOwnershipControls: 's3:PutBucketOwnershipControls',
  DeleteBucketOwnershipControls: 's3:PutBucketOwnershipControls',
  GetBucketVersioning: 's3:GetBucketVersioning',
  PutBucketVersioning: 's3:PutBucketVersioning',
  GetBucketNotificationConfiguration: 's3:GetBucketNotification',
  PutBucketNotificationConfiguration: 's3:PutBucketNotification',
  GetBucketLogging: 's3:GetBucketLogging',
  PutBucketLogging: 's3:PutBucketLogging',
  GetBucketAccelerateConfiguration: 's3:GetAccelerateConfiguration',
  PutBucketAccelerateConfiguration: 's3:PutAccelerateConfiguration',
  GetBucketRequestPayment: 's3:GetBucketRequestPayment',
  PutBucketRequestPayment: 's3:PutBucketRequestPayment',
  GetBucketAcl: 's3:GetBucketAcl',
  PutBucketAcl: 's3:PutBucketAcl',
};

/**
 * Object operations and their action: `[action, action when a VersionId is given]`.
 * A HEAD is a GET without the body; every step of a multipart upload is a PutObject.
 */
const OBJECT_ACTIONS: Record<string, [string, string]> = {
  GetObject: ['s3:GetObject', 's3:GetObjectVersion'],
  HeadObject: ['s3:GetObject', 's3:GetObjectVersion'],
  DeleteObject: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  CreateMultipartUpload: ['s3:PutObject', 's3:PutObject'],
  UploadPart: ['s3:PutObject', 's3:PutObject'],
  CompleteMultipartUpload: ['s3:PutObject', 's3:PutObject'],
  AbortMultipartUpload: ['s3:AbortMultipartUpload', 's3:AbortMultipartUpload'],
  ListParts: ['s3:ListMultipartUploadParts', 's3:ListMultipartUploadParts'],
  GetObjectTagging: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'],
  PutObjectTagging: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'],
  DeleteObjectTagging: ['s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'],
  GetObjectAcl: ['s3:GetObjectAcl', 's3:GetObjectVersionAcl'],
  PutObjectAcl: ['s3:PutObjectAcl', 's3:PutObjectVersionAcl'],
};

/**
 * Amazon S3 (prefix `s3`). Buckets are `arn:aws:s3:::<bucket>` and objects
 * `arn:aws:s3:::<bucket>/<key>`: no region or account, bucket names are
 * global. Several operations share an action (HeadObject is s3:GetObject,
 * ListObjectsV2 is s3:ListBucket, multipart steps are s3:PutObject), and a
 * few need more than one (a copy reads its source; DeleteObjects deletes each
 * key; a PutObject that sets tags or an ACL needs those actions too).
 */
export const s3Permissions: ActionMap = (operation, input) => {
  const bucket = text(input?.Bucket) ?? '';
  const key = text(input?.Key) ?? '';
  const versioned = text(input?.VersionId) !== undefined;
  switch (operation) {
    case 'ListBuckets':
      return [permission('s3:ListAllMyBuckets', '*')];
    case 'ListObjects':
    case 'ListObjectsV2':
      return [permission('s3:ListBucket', bucketArn(bucket), listContext(input))];
    case 'ListObjectVersions':
      return [permission('s3:ListBucketVersions', bucketArn(bucket), listContext(input))];
    case 'PutObject':
    case 'PostObject': // a browser upload form
      return [permission('s3:PutObject', objectArn(bucket, key), writeContext(input)), ...writeExtras(input, bucket, key)];
    case 'CopyObject':
    case 'UploadPartCopy':
      return [
        permission('s3:PutObject', objectArn(bucket, key), contextOf({ ...writeContext(input), 's3:x-amz-copy-source': text(input?.CopySource) })),
        copySourcePermission(text(input?.CopySource) ?? ''),
        ...(operation === 'CopyObject' ? writeExtras(input, bucket, key) : []),
      ];
    case 'DeleteObjects': {
      const objects: unknown[] = Array.isArray(input?.Delete?.Objects) ? input.Delete.Objects : [];
      return objects.map((o: any) => permission(text(o?.VersionId) ? 's3:DeleteObjectVersion' : 's3:DeleteObject', objectArn(bucket, text(o?.Key) ?? '')));
    }
    case 'GetObjectAttributes':
      return [
        permission(versioned ? 's3:GetObjectVersion' : 's3:GetObject', objectArn(bucket, key)),
        permission(versioned ? 's3:GetObjectVersionAttributes' : 's3:GetObjectAttributes', objectArn(bucket, key)),
      ];
  }
  if (Object.hasOwn(OBJECT_ACTIONS, operation)) {
    const [plain, version] = OBJECT_ACTIONS[operation];
    return [permission(versioned ? version : plain, objectArn(bucket, key), versioned ? { 's3:versionid': input.VersionId } : undefined)];
  }
  if (Object.hasOwn(BUCKET_ACTIONS, operation)) return [permission(BUCKET_ACTIONS[operation], bucketArn(bucket))];
  return unmapped('s3', operation);
};

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** s3:ListBucket's condition keys: what the listing asked for. */
function listContext(input: any): RequiredPermission['context'] {
  return contextOf({
    's3:prefix': text(input?.Prefix),
    's3:delimiter': text(input?.Delimiter),
    's3:max-keys': text(input?.MaxKeys),
  });
}

/** A canned ACL the write sets (`x-amz-acl`). */
function writeContext(input: any): RequiredPermission['context'] {
  return contextOf({ 's3:x-amz-acl': text(input?.ACL) });
}

/** Setting tags or an ACL while writing needs the permission to set them. */
function writeExtras(input: any, bucket: string, key: string): RequiredPermission[] {
  const extras: RequiredPermission[] = [];
  if (text(input?.Tagging)) extras.push(permission('s3:PutObjectTagging', objectArn(bucket, key)));
  if (text(input?.ACL) || text(input?.GrantRead) || text(input?.GrantFullControl)) extras.push(permission('s3:PutObjectAcl', objectArn(bucket, key)));
  return extras;
}

/** `x-amz-copy-source: [/]bucket/url-encoded-key[?versionId=v]`: s3:GetObject (or its version action) on the source. */
function copySourcePermission(copySource: string): RequiredPermission {
  const [path, query = ''] = copySource.replace(/^\//, '').split('?', 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  const slash = decoded.indexOf('/');
  const bucket = slash < 0 ? decoded : decoded.slice(0, slash);
  const key = slash < 0 ? '' : decoded.slice(slash + 1);
  const versionId = new URLSearchParams(query).get('versionId');
  return permission(versionId ? 's3:GetObjectVersion' : 's3:GetObject', objectArn(bucket, key));
}
