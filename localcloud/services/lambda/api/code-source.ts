import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsError } from '../../../core/errors.js';
import type { CloudContext } from '../../../core/types.js';
import { invalidParameter } from './errors.js';

/** The code fields of CreateFunction / UpdateFunctionCode as they travel (ZipFile is base64 on the wire). */
export interface WireCode {
  ZipFile?: unknown;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
  ImageUri?: string;
}

/** Lambda's limit for a zip uploaded directly (base64 in the request). */
const MAX_DIRECT_ZIP_BYTES = 50 * 1024 * 1024;

/**
 * The deployment package a request names: inline (ZipFile) or an object in
 * S3, read from localcloud's S3 through the S3 API, as Lambda reads it on AWS.
 */
export async function deploymentPackage(ctx: CloudContext, code: WireCode | undefined, accountId: string, region: string): Promise<Buffer> {
  if (code?.ImageUri) throw invalidParameter('localcloud runs zip deployment packages only; container images (ImageUri) are not supported');
  if (typeof code?.ZipFile === 'string' && code.ZipFile.length > 0) {
    const zip = Buffer.from(code.ZipFile, 'base64');
    if (zip.length > MAX_DIRECT_ZIP_BYTES) {
      throw new AwsError('RequestTooLargeException', `Request must be smaller than ${MAX_DIRECT_ZIP_BYTES} bytes for the CreateFunction operation`, 413);
    }
    return zip;
  }
  if (code?.S3Bucket || code?.S3Key) {
    if (!code.S3Bucket || !code.S3Key) throw invalidParameter('Both S3Bucket and S3Key must be provided.');
    return readFromS3(ctx, code.S3Bucket, code.S3Key, code.S3ObjectVersion, accountId, region);
  }
  throw invalidParameter('Please provide a source for function code.');
}

async function readFromS3(
  ctx: CloudContext,
  bucket: string,
  key: string,
  versionId: string | undefined,
  accountId: string,
  region: string,
): Promise<Buffer> {
  const s3 = new S3Client({ ...ctx.clientConfig(region, accountId), maxAttempts: 1 });
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (err) {
    const e = err as Error & { Code?: string };
    const code = e.name === 'NoSuchBucket' || e.name === 'NoSuchKey' || e.name === 'AccessDenied' ? e.name : (e.Code ?? e.name);
    throw invalidParameter(`Error occurred while GetObject. S3 Error Code: ${code}. S3 Error Message: ${e.message}`);
  } finally {
    s3.destroy();
  }
}
