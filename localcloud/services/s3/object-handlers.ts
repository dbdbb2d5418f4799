import type { CopyObjectOutput, GetObjectTaggingOutput, PutObjectOutput } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { ServiceResponse } from '../../core/types.js';
import { defaultAcl, tagsOfDocument } from './bucket-configurations.js';
import { emptyResponse, type S3Call, type S3Handler } from './call.js';
import { CHECKSUM_ALGORITHMS, checksumHeaderName, computeChecksum, type ChecksumAlgorithm, type ObjectChecksum } from './checksums.js';
import { S3Error } from './errors.js';
import { attributesFromHeaders, objectHeaders, requireObjectKey, responseOverrides, tagsFromHeader, validateTags } from './object-attributes.js';
import { checkReadPreconditions, checkWritePreconditions } from './preconditions.js';
import { parseRange, type ByteRange } from './ranges.js';
import type { ObjectAttributes, ObjectRecord } from './records.js';
import { xmlResponse } from './xml.js';

/** PUT /bucket/key: PutObject, or CopyObject when `x-amz-copy-source` is present. */
export const putObject: S3Handler = async (call) => {
  const { req, store, bucket, key } = call;
  if (req.headers['x-amz-copy-source'] !== undefined) return copyObject(call);
  store.getBucket(bucket);
  requireObjectKey(key);
  const { body, checksum } = call.payload();
  const attributes: ObjectAttributes = { ...attributesFromHeaders(req.headers), checksum };
  const record = await store.putObject(bucket, key, body, attributes, (current) => checkWritePreconditions(req.headers, key, current));
  call.notify('ObjectCreated:Put', key, record);
  const output: PutObjectOutput = { ETag: record.etag, ServerSideEncryption: 'AES256' };
  return emptyResponse(200, {
    etag: output.ETag!,
    'x-amz-server-side-encryption': output.ServerSideEncryption!,
    ...checksumHeaders(record.checksum),
  });
};

export const getObject: S3Handler = (call) => readObject(call, true);
export const headObject: S3Handler = (call) => readObject(call, false);

/** GetObject and HeadObject: the same headers, conditions and ranges; HEAD sends no bytes. */
async function readObject({ req, store, bucket, key }: S3Call, withBody: boolean): Promise<ServiceResponse> {
  store.getBucket(bucket);
  const current = store.getObject(bucket, key);
  checkReadPreconditions(req.headers, current);
  const range = partOrRange(req, current);
  const { record, data } = withBody
    ? await store.readObject(bucket, key, range)
    : { record: current, data: undefined };
  const headers: Record<string, string> = {
    ...objectHeaders(record, { withChecksum: req.headers['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED' && !range }),
    ...responseOverrides(req.query),
    'content-length': String(range ? range.end - range.start : record.size),
  };
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end - 1}/${record.size}`;
  return { status: range ? 206 : 200, headers, body: data };
}

/** `partNumber=1` of a single-part object is the whole object; other parts do not exist. */
function partOrRange(req: S3Call['req'], record: ObjectRecord): ByteRange | undefined {
  const partNumber = req.query.get('partNumber');
  if (partNumber !== null) {
    if (partNumber !== '1') throw new AwsError('InvalidPartNumber', 'The requested partnumber is not satisfiable', 416, { PartNumberRequested: partNumber, ActualPartCount: '1' });
    return undefined;
  }
  return parseRange(req.headers['range'], record.size);
}

export const deleteObject: S3Handler = async ({ store, bucket, key, notify }) => {
  store.getBucket(bucket);
  await store.deleteObject(bucket, key);
  notify('ObjectRemoved:Delete', key);
  return emptyResponse(204);
};

// ---- CopyObject ------------------------------------------------------------------------

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

/** `x-amz-copy-source: [/]bucket/url-encoded-key[?versionId=...]`. */
export function parseCopySource(header: string): CopySource {
  const invalid = () => S3Error.invalidArgument('Invalid copy source object key', 'x-amz-copy-source', header);
  let value = header.trim();
  let versionId: string | undefined;
  const question = value.indexOf('?');
  if (question >= 0) {
    versionId = new URLSearchParams(value.slice(question + 1)).get('versionId') ?? undefined;
    value = value.slice(0, question);
  }
  try {
    value = decodeURIComponent(value);
  } catch {
    throw S3Error.invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', header);
  }
  if (value.startsWith('/')) value = value.slice(1);
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) throw invalid();
  return { bucket: value.slice(0, slash), key: value.slice(slash + 1), versionId };
}

function directive(headers: Record<string, string>, name: string): 'COPY' | 'REPLACE' {
  const value = (headers[name] ?? 'COPY').toUpperCase();
  if (value !== 'COPY' && value !== 'REPLACE') throw S3Error.invalidArgument(`Unknown ${name === 'x-amz-metadata-directive' ? 'metadata' : 'tagging'} directive.`, name, headers[name]);
  return value;
}

/** Reads a copy source under its own preconditions (`x-amz-copy-source-if-*`). */
export async function readCopySource(call: S3Call, rangeHeader?: string): Promise<{ source: CopySource; record: ObjectRecord; data: Buffer }> {
  const source = parseCopySource(call.req.headers['x-amz-copy-source']);
  if (source.versionId !== undefined && source.versionId !== 'null') {
    throw new AwsError('NoSuchVersion', 'The specified version does not exist.', 404, { Key: source.key, VersionId: source.versionId });
  }
  const current = call.store.getObject(source.bucket, source.key);
  checkReadPreconditions(call.req.headers, current, 'copySource');
  let range: ByteRange | undefined;
  if (rangeHeader !== undefined) {
    range = parseRange(rangeHeader, current.size);
    if (!range) throw S3Error.invalidArgument('The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', 'x-amz-copy-source-range', rangeHeader);
  }
  const { record, data } = await call.store.readObject(source.bucket, source.key, range);
  return { source, record, data };
}

export async function copyObject(call: S3Call): Promise<ServiceResponse> {
  const { req, store, bucket, key } = call;
  store.getBucket(bucket);
  requireObjectKey(key);
  const metadataDirective = directive(req.headers, 'x-amz-metadata-directive');
  const taggingDirective = directive(req.headers, 'x-amz-tagging-directive');
  const { source, record: from, data } = await readCopySource(call);
  const changesSomething = metadataDirective === 'REPLACE' || req.headers['x-amz-storage-class'] !== undefined ||
    req.headers['x-amz-website-redirect-location'] !== undefined || req.headers['x-amz-server-side-encryption'] !== undefined;
  if (source.bucket === bucket && source.key === key && !changesSomething) {
    throw S3Error.invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  const replaced = attributesFromHeaders(req.headers);
  const attributes: ObjectAttributes = {
    ...(metadataDirective === 'REPLACE' ? replaced : pickAttributes(from)),
    storageClass: req.headers['x-amz-storage-class'] !== undefined ? replaced.storageClass : from.storageClass,
    tags: taggingDirective === 'REPLACE' ? tagsFromHeader(req.headers['x-amz-tagging']) : from.tags,
    checksum: copiedChecksum(req.headers['x-amz-checksum-algorithm'], from, data),
  };
  const record = await store.putObject(bucket, key, data, attributes);
  call.notify('ObjectCreated:Copy', key, record);
  const output: CopyObjectOutput = {
    CopyObjectResult: { ETag: record.etag, LastModified: new Date(record.lastModified), ...checksumFields(record.checksum) },
    ServerSideEncryption: 'AES256',
  };
  return xmlResponse('CopyObjectResult', { ...output.CopyObjectResult }, { 'x-amz-server-side-encryption': output.ServerSideEncryption! });
}

function pickAttributes(record: ObjectRecord): ObjectAttributes {
  const { key: _key, size: _size, etag: _etag, lastModified: _lastModified, blobRef: _blobRef, parts: _parts, ...attributes } = record;
  return attributes;
}

/** A copy keeps the source's checksum unless the request names another algorithm. */
function copiedChecksum(requested: string | undefined, from: ObjectRecord, data: Buffer): ObjectChecksum | undefined {
  if (requested === undefined) return from.checksum;
  const algorithm = requested.toUpperCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(algorithm)) throw S3Error.invalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  return { algorithm, value: computeChecksum(algorithm, data) };
}

export function checksumHeaders(checksum: ObjectChecksum | undefined): Record<string, string> {
  return checksum ? { [checksumHeaderName(checksum.algorithm)]: checksum.value, 'x-amz-checksum-type': 'FULL_OBJECT' } : {};
}

/** `ChecksumCRC32` & co., as XML results name them. */
export function checksumFields(checksum: ObjectChecksum | undefined): Record<string, string> {
  return checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value, ChecksumType: 'FULL_OBJECT' } : {};
}

// ---- object sub-resources ----------------------------------------------------------------

export const getObjectTagging: S3Handler = ({ store, bucket, key }) => {
  const output: GetObjectTaggingOutput = { TagSet: store.getObject(bucket, key).tags };
  return xmlResponse('Tagging', { TagSet: { Tag: output.TagSet } });
};

export const putObjectTagging: S3Handler = async ({ store, bucket, key, payload }) => {
  store.getObject(bucket, key);
  const tags = tagsOfDocument(payload().body.toString('utf8'));
  validateTags(tags);
  await store.setObjectTags(bucket, key, tags);
  return emptyResponse(200);
};

export const deleteObjectTagging: S3Handler = async ({ store, bucket, key }) => {
  await store.setObjectTags(bucket, key, []);
  return emptyResponse(204);
};

export const getObjectAcl: S3Handler = ({ req, store, bucket, key }) => {
  store.getObject(bucket, key);
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: defaultAcl(req.accountId) };
};

/** ACLs are accepted and not enforced (buckets default to BucketOwnerEnforced, where ACLs do nothing). */
export const putObjectAcl: S3Handler = ({ store, bucket, key }) => {
  store.getObject(bucket, key);
  return emptyResponse(200);
};
