/** The bucket the stack reads its code from: created when missing, uploads skipped when unchanged. */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UserError, errorMessage, errorName, httpStatus } from '../support/errors.js';
import type { Connection } from '../targets/types.js';
import { callerAccount } from '../targets/clients.js';
import type { Artifact } from './artifacts.js';

/** Local clouds are single-user: one fixed name. On AWS bucket names are global, so the account and region go in. */
export async function defaultCodeBucket(connection: Connection): Promise<string> {
  if (connection.local) return 'iot-backend-code';
  const account = connection.accountId ?? (await callerAccount(connection));
  return `iot-backend-code-${account}-${connection.region}`;
}

/** Creates the bucket unless it exists; true when it was created now. */
export async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch (error) {
    const status = httpStatus(error);
    if (status === 403) {
      throw new UserError(`code bucket '${bucket}' exists but these credentials may not use it (403): choose another name with CODE_BUCKET`);
    }
    if (status === 301) {
      throw new UserError(`code bucket '${bucket}' exists in another region; Lambda needs its code in ${region}: choose another name with CODE_BUCKET`);
    }
    if (status !== 404 && errorName(error) !== 'NotFound' && errorName(error) !== 'NoSuchBucket') throw error;
  }
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that rejects an explicit location constraint.
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
    return true;
  } catch (error) {
    const name = errorName(error);
    if (name === 'BucketAlreadyOwnedByYou') return false;
    if (name === 'BucketAlreadyExists') {
      throw new UserError(`code bucket name '${bucket}' is taken by another account: choose another with CODE_BUCKET`);
    }
    throw new UserError(`could not create code bucket '${bucket}': ${errorMessage(error)}`);
  }
}

export interface UploadResult {
  uploaded: Artifact[];
  unchanged: Artifact[];
}

/**
 * Uploads what differs from the bucket. An object is unchanged when its ETag
 * is the file's MD5 (single-part uploads) or its stored sha256 metadata
 * matches (buckets whose ETags are not MD5s, e.g. with SSE-KMS).
 */
export async function uploadArtifacts(s3: S3Client, bucket: string, artifacts: readonly Artifact[]): Promise<UploadResult> {
  const result: UploadResult = { uploaded: [], unchanged: [] };
  await Promise.all(
    artifacts.map(async (artifact) => {
      if (await isUnchanged(s3, bucket, artifact)) {
        result.unchanged.push(artifact);
        return;
      }
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: artifact.key,
          Body: artifact.body,
          ContentType: artifact.contentType,
          Metadata: { sha256: artifact.sha256 },
        }),
      );
      result.uploaded.push(artifact);
    }),
  );
  const byKey = (a: Artifact, b: Artifact) => a.key.localeCompare(b.key);
  result.uploaded.sort(byKey);
  result.unchanged.sort(byKey);
  return result;
}

async function isUnchanged(s3: S3Client, bucket: string, artifact: Artifact): Promise<boolean> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: artifact.key }));
    const etag = head.ETag?.replace(/"/g, '');
    return etag === artifact.md5 || head.Metadata?.sha256 === artifact.sha256;
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}

/** Deletes every object in the bucket (all pages); returns how many. */
export async function emptyBucket(s3: S3Client, bucket: string, prefix?: string): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]));
    if (keys.length > 0) {
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        throw new Error(`could not delete ${failed.length} object(s) of ${bucket}, e.g. ${failed[0]?.Key}: ${failed[0]?.Message}`);
      }
      deleted += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}

/** Deletes the bucket when it exists and is empty; true when it was deleted. */
export async function deleteBucketIfEmpty(s3: S3Client, bucket: string): Promise<boolean> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
  if ((page.Contents ?? []).length > 0) return false;
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  return true;
}

export async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}
