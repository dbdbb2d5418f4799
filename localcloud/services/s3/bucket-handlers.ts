import type {
  CreateBucketCommandInput,
  DeleteObjectsCommandInput,
  DeleteObjectsOutput,
  GetBucketLocationOutput,
  ListBucketsCommandInput,
  ListBucketsOutput,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { emptyResponse, type S3Handler } from './call.js';
import { S3Error } from './errors.js';
import { isValidBucketName } from './naming.js';
import { ownerOf } from './owner.js';
import { children, childText, parseXmlBody, xmlResponse } from './xml.js';

const US_EAST_1 = 'us-east-1';

export const listBuckets: S3Handler = ({ req, store }) => {
  const q = req.query;
  const input: ListBucketsCommandInput = {
    MaxBuckets: q.has('max-buckets') ? integerParam(q.get('max-buckets')!, 'max-buckets', 1, 10000) : undefined,
    ContinuationToken: q.get('continuation-token') ?? undefined,
    Prefix: q.get('prefix') ?? undefined,
    BucketRegion: q.get('bucket-region') ?? undefined,
  };
  let buckets = store
    .listBuckets(req.accountId)
    .filter((b) => (!input.Prefix || b.name.startsWith(input.Prefix)) && (!input.BucketRegion || b.region === input.BucketRegion));
  if (input.ContinuationToken) buckets = buckets.filter((b) => b.name > input.ContinuationToken!);
  const page = input.MaxBuckets ? buckets.slice(0, input.MaxBuckets) : buckets;
  const output: ListBucketsOutput = {
    Owner: ownerOf(req.accountId),
    Buckets: page.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdAt), BucketRegion: b.region })),
    ContinuationToken: page.length < buckets.length ? page[page.length - 1].name : undefined,
    Prefix: input.Prefix,
  };
  return xmlResponse('ListAllMyBucketsResult', {
    Owner: output.Owner,
    Buckets: { Bucket: output.Buckets },
    ContinuationToken: output.ContinuationToken,
    Prefix: output.Prefix,
  });
};

/**
 * Bucket regions follow S3's rules for a regional endpoint: the location
 * constraint must name the region the request was signed for, and none means
 * us-east-1. Requests signed for us-east-1 act like the global endpoint and
 * may create a bucket in any region.
 */
export const createBucket: S3Handler = async ({ req, store, bucket, payload }) => {
  const body = payload().body;
  const configuration = body.length > 0 ? parseXmlBody(body, 'CreateBucketConfiguration') : undefined;
  const input: CreateBucketCommandInput = {
    Bucket: bucket,
    CreateBucketConfiguration: configuration && { LocationConstraint: childText(configuration, 'LocationConstraint') as never },
    ACL: req.headers['x-amz-acl'] as never,
  };
  if (!isValidBucketName(bucket)) throw S3Error.invalidBucketName(bucket);
  const region = bucketRegion(input.CreateBucketConfiguration?.LocationConstraint, req.region);
  const existing = store.findBucket(bucket);
  // S3's legacy rule: re-creating your own bucket in us-east-1 succeeds.
  if (existing && existing.accountId === req.accountId && existing.region === US_EAST_1 && region === US_EAST_1) {
    return emptyResponse(200, { location: `/${bucket}` });
  }
  await store.createBucket(bucket, req.accountId, region);
  return emptyResponse(200, { location: `/${bucket}` });
};

function bucketRegion(constraint: string | undefined, requestRegion: string): string {
  if (constraint === undefined || constraint === '') {
    if (requestRegion !== US_EAST_1) {
      throw new AwsError('IllegalLocationConstraintException', 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.', 400);
    }
    return US_EAST_1;
  }
  if (constraint === US_EAST_1 || !/^[a-z]{2}(-gov)?-[a-z]+-\d$|^EU$/.test(constraint)) {
    throw new AwsError('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, { LocationConstraint: constraint });
  }
  const region = constraint === 'EU' ? 'eu-west-1' : constraint;
  if (requestRegion !== US_EAST_1 && region !== requestRegion) {
    throw new AwsError('IllegalLocationConstraintException', `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`, 400);
  }
  return region;
}

export const headBucket: S3Handler = ({ store, bucket }) => {
  const record = store.getBucket(bucket);
  return emptyResponse(200, { 'x-amz-bucket-region': record.region, 'x-amz-access-point-alias': 'false' });
};

export const deleteBucket: S3Handler = async ({ store, bucket }) => {
  await store.deleteBucket(bucket);
  return emptyResponse(204);
};

export const getBucketLocation: S3Handler = ({ store, bucket }) => {
  const { region } = store.getBucket(bucket);
  // us-east-1 is spelled as an empty constraint, for historical reasons.
  const output: GetBucketLocationOutput = { LocationConstraint: region === US_EAST_1 ? undefined : (region as never) };
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${output.LocationConstraint ?? ''}</LocationConstraint>`,
  };
};

const MAX_DELETE_KEYS = 1000;

/** POST /bucket?delete: up to 1000 keys; each key succeeds or fails on its own. */
export const deleteObjects: S3Handler = async ({ req, store, bucket, payload, notify }) => {
  const { body, checksum } = payload();
  if (!checksum && req.headers['content-md5'] === undefined) {
    throw new AwsError('InvalidRequest', 'Missing required header for this request: Content-MD5', 400);
  }
  store.getBucket(bucket);
  const document = parseXmlBody(body, 'Delete');
  const objects = children(document, 'Object');
  const input: DeleteObjectsCommandInput = {
    Bucket: bucket,
    Delete: {
      Objects: objects.map((o) => {
        const key = childText(o, 'Key');
        if (key === undefined) throw S3Error.malformedXml();
        return { Key: key, VersionId: childText(o, 'VersionId') };
      }),
      Quiet: childText(document, 'Quiet')?.trim() === 'true',
    },
  };
  const toDelete = input.Delete!.Objects!;
  if (toDelete.length === 0 || toDelete.length > MAX_DELETE_KEYS) throw S3Error.malformedXml();
  const output: DeleteObjectsOutput = { Deleted: [], Errors: [] };
  for (const { Key, VersionId } of toDelete) {
    try {
      if (VersionId !== undefined && VersionId !== 'null') throw new AwsError('NoSuchVersion', 'The specified version does not exist.', 404);
      await store.deleteObject(bucket, Key!);
      notify('ObjectRemoved:Delete', Key!);
      if (!input.Delete!.Quiet) output.Deleted!.push({ Key, VersionId });
    } catch (err) {
      const error = err instanceof AwsError ? err : new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500);
      output.Errors!.push({ Key, VersionId, Code: error.code, Message: error.message });
    }
  }
  return xmlResponse('DeleteResult', { Deleted: output.Deleted, Error: output.Errors });
};

/** An integer query parameter within bounds, or InvalidArgument. */
export function integerParam(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
    throw S3Error.invalidArgument(`Provided ${name} not an integer or within integer range`, name, value);
  }
  return n;
}
