import type {
  ListObjectVersionsOutput,
  ListObjectsCommandInput,
  ListObjectsOutput,
  ListObjectsV2CommandInput,
  ListObjectsV2Output,
  _Object,
} from '@aws-sdk/client-s3';
import { integerParam } from './bucket-handlers.js';
import type { S3Call, S3Handler } from './call.js';
import { S3Error } from './errors.js';
import { ownerOf } from './owner.js';
import type { ObjectRecord } from './records.js';
import { xmlResponse } from './xml.js';

const MAX_KEYS = 1000;

/** GET /bucket: ListObjectsV2 with `list-type=2`, the original ListObjects otherwise. */
export const listObjects: S3Handler = (call) => {
  const listType = call.req.query.get('list-type');
  if (listType === '2') return listObjectsV2(call);
  if (listType !== null) throw S3Error.invalidArgument('Invalid List Type specified in Request', 'list-type', listType);
  return listObjectsV1(call);
};

interface CommonParams {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  urlEncoded: boolean;
}

function commonParams(q: URLSearchParams): CommonParams {
  const encodingType = q.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw S3Error.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
  }
  const maxKeys = q.has('max-keys') ? integerParam(q.get('max-keys')!, 'max-keys', 0, 2147483647) : MAX_KEYS;
  return {
    prefix: q.get('prefix') ?? '',
    delimiter: q.get('delimiter') || undefined,
    maxKeys: Math.min(maxKeys, MAX_KEYS),
    urlEncoded: encodingType === 'url',
  };
}

function listObjectsV2({ req, store, bucket }: S3Call) {
  const q = req.query;
  const params = commonParams(q);
  const input: ListObjectsV2CommandInput = {
    Bucket: bucket,
    Prefix: params.prefix,
    Delimiter: params.delimiter,
    MaxKeys: params.maxKeys,
    ContinuationToken: q.get('continuation-token') ?? undefined,
    StartAfter: q.get('start-after') ?? undefined,
    FetchOwner: q.get('fetch-owner') === 'true',
  };
  const after = input.ContinuationToken !== undefined ? decodeContinuationToken(input.ContinuationToken) : input.StartAfter;
  const page = store.listObjects(bucket, { prefix: params.prefix, delimiter: params.delimiter, after, maxKeys: params.maxKeys });
  const encode = encoder(params.urlEncoded);
  const owner = input.FetchOwner ? ownerOf(store.getBucket(bucket).accountId) : undefined;
  const output: ListObjectsV2Output = {
    Name: bucket,
    Prefix: encode(params.prefix),
    Delimiter: params.delimiter === undefined ? undefined : encode(params.delimiter),
    MaxKeys: params.maxKeys,
    KeyCount: page.objects.length + page.commonPrefixes.length,
    IsTruncated: page.isTruncated,
    EncodingType: params.urlEncoded ? 'url' : undefined,
    ContinuationToken: input.ContinuationToken,
    NextContinuationToken: page.isTruncated && page.lastEntry !== undefined ? encodeContinuationToken(page.lastEntry) : undefined,
    StartAfter: input.StartAfter === undefined ? undefined : encode(input.StartAfter),
    Contents: page.objects.map((o) => objectEntry(o, encode, owner)),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  };
  return xmlResponse('ListBucketResult', { ...output });
}

function listObjectsV1({ req, store, bucket }: S3Call) {
  const params = commonParams(req.query);
  const input: ListObjectsCommandInput = { Bucket: bucket, Marker: req.query.get('marker') ?? undefined };
  const page = store.listObjects(bucket, { prefix: params.prefix, delimiter: params.delimiter, after: input.Marker, maxKeys: params.maxKeys });
  const encode = encoder(params.urlEncoded);
  const owner = ownerOf(store.getBucket(bucket).accountId);
  const output: ListObjectsOutput = {
    Name: bucket,
    Prefix: encode(params.prefix),
    Marker: encode(input.Marker ?? ''),
    // S3 sends NextMarker only with a delimiter; without one, clients continue from the last key.
    NextMarker: page.isTruncated && params.delimiter !== undefined && page.lastEntry !== undefined ? encode(page.lastEntry) : undefined,
    Delimiter: params.delimiter === undefined ? undefined : encode(params.delimiter),
    MaxKeys: params.maxKeys,
    IsTruncated: page.isTruncated,
    EncodingType: params.urlEncoded ? 'url' : undefined,
    Contents: page.objects.map((o) => objectEntry(o, encode, owner)),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  };
  return xmlResponse('ListBucketResult', { ...output });
}

/**
 * GET /bucket?versions. Buckets here keep one version per key, so every
 * object is its own latest version, with S3's version ID for unversioned
 * objects ("null"). Tools that empty buckets version by version work unchanged.
 */
export const listObjectVersions: S3Handler = ({ req, store, bucket }) => {
  const params = commonParams(req.query);
  const keyMarker = req.query.get('key-marker') ?? undefined;
  const page = store.listObjects(bucket, { prefix: params.prefix, delimiter: params.delimiter, after: keyMarker, maxKeys: params.maxKeys });
  const encode = encoder(params.urlEncoded);
  const owner = ownerOf(store.getBucket(bucket).accountId);
  const output: ListObjectVersionsOutput = {
    Name: bucket,
    Prefix: encode(params.prefix),
    Delimiter: params.delimiter === undefined ? undefined : encode(params.delimiter),
    KeyMarker: encode(keyMarker ?? ''),
    VersionIdMarker: req.query.get('version-id-marker') ?? '',
    NextKeyMarker: page.isTruncated && page.lastEntry !== undefined ? encode(page.lastEntry) : undefined,
    NextVersionIdMarker: page.isTruncated ? 'null' : undefined,
    MaxKeys: params.maxKeys,
    IsTruncated: page.isTruncated,
    EncodingType: params.urlEncoded ? 'url' : undefined,
    Versions: page.objects.map((o) => {
      const { Key, LastModified, ETag, Size, ChecksumAlgorithm, ChecksumType } = objectEntry(o, encode, owner);
      return { Key, VersionId: 'null', IsLatest: true, LastModified, ETag, Size, ChecksumAlgorithm, ChecksumType, StorageClass: 'STANDARD', Owner: owner };
    }),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  };
  const { Versions, ...rest } = output;
  return xmlResponse('ListVersionsResult', { ...rest, Version: Versions });
};

function objectEntry(record: ObjectRecord, encode: (s: string) => string, owner: _Object['Owner']): _Object {
  return {
    Key: encode(record.key),
    LastModified: new Date(record.lastModified),
    ETag: record.etag,
    ChecksumAlgorithm: record.checksum ? [record.checksum.algorithm] : undefined,
    ChecksumType: record.checksum ? 'FULL_OBJECT' : undefined,
    Size: record.size,
    Owner: owner,
    StorageClass: (record.storageClass ?? 'STANDARD') as _Object['StorageClass'],
  };
}

/**
 * `encoding-type=url`: S3 form-encodes names in the response so that keys
 * with characters XML 1.0 cannot carry survive; slashes stay readable.
 */
function encoder(urlEncoded: boolean): (s: string) => string {
  if (!urlEncoded) return (s) => s;
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** Continuation tokens are opaque to clients; ours wraps the last entry of the previous page. */
function encodeContinuationToken(lastEntry: string): string {
  return Buffer.from(`v1:${lastEntry}`, 'utf8').toString('base64');
}

function decodeContinuationToken(token: string): string {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith('v1:')) throw S3Error.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  return text.slice(3);
}
