import type { GetObjectAttributesOutput, ObjectAttributes as AttributeName } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { integerParam } from './bucket-handlers.js';
import type { S3Handler } from './call.js';
import { S3Error } from './errors.js';
import { httpDate } from './object-attributes.js';
import { checkReadPreconditions } from './preconditions.js';
import type { ObjectRecord } from './records.js';
import { xmlResponse } from './xml.js';

const ATTRIBUTE_NAMES: readonly AttributeName[] = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];
const MAX_PART_NUMBER = 10000;
const DEFAULT_MAX_PARTS = 1000;

/**
 * GET /bucket/key?attributes: HeadObject and ListParts in one call, limited to
 * the attributes `x-amz-object-attributes` names. The ETag comes unquoted here,
 * unlike everywhere else in S3.
 */
export const getObjectAttributes: S3Handler = ({ req, store, bucket, key }) => {
  const wanted = requestedAttributes(req.headers['x-amz-object-attributes']);
  store.getBucket(bucket);
  const versionId = req.query.get('versionId');
  // Objects keep one version (see README), whose id is `null`.
  if (versionId !== null && versionId !== 'null') {
    throw new AwsError('NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: versionId });
  }
  const record = store.getObject(bucket, key);
  checkReadPreconditions(req.headers, record);

  const output: GetObjectAttributesOutput = {};
  if (wanted.has('ETag')) output.ETag = record.etag.replace(/^"|"$/g, '');
  if (wanted.has('Checksum') && record.checksum) {
    output.Checksum = { [`Checksum${record.checksum.algorithm}`]: record.checksum.value, ChecksumType: 'FULL_OBJECT' };
  }
  if (wanted.has('ObjectParts') && record.parts) output.ObjectParts = objectParts(record, req.headers);
  if (wanted.has('StorageClass')) output.StorageClass = (record.storageClass ?? 'STANDARD') as GetObjectAttributesOutput['StorageClass'];
  if (wanted.has('ObjectSize')) output.ObjectSize = record.size;

  // On the wire TotalPartsCount is <PartsCount>, and the parts are flattened <Part> elements.
  const { ObjectParts, ...rest } = output;
  const parts = ObjectParts && (({ TotalPartsCount, Parts, ...paging }) => ({ PartsCount: TotalPartsCount, ...paging, Part: Parts }))(ObjectParts);
  const headers: Record<string, string> = { 'last-modified': httpDate(record.lastModified) };
  if (versionId !== null) headers['x-amz-version-id'] = versionId;
  return xmlResponse('GetObjectAttributesResponse', { ...rest, ...(parts ? { ObjectParts: parts } : {}) }, headers);
};

/** `x-amz-object-attributes: ETag,ObjectSize`: required, and every name must be one S3 knows. */
function requestedAttributes(header: string | undefined): Set<AttributeName> {
  const names = (header ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) {
    throw S3Error.invalidRequest('The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty');
  }
  for (const name of names) {
    if (!ATTRIBUTE_NAMES.includes(name as AttributeName)) {
      throw S3Error.invalidArgument('Invalid attribute name specified.', 'x-amz-object-attributes', name);
    }
  }
  return new Set(names as AttributeName[]);
}

/** The object's parts after `x-amz-part-number-marker`, at most `x-amz-max-parts` of them, as ListParts pages them. */
function objectParts(record: ObjectRecord, headers: Record<string, string>): NonNullable<GetObjectAttributesOutput['ObjectParts']> {
  const all = record.parts ?? [];
  const maxHeader = headers['x-amz-max-parts'];
  const markerHeader = headers['x-amz-part-number-marker'];
  const maxParts = maxHeader !== undefined ? integerParam(maxHeader, 'x-amz-max-parts', 0, DEFAULT_MAX_PARTS) : DEFAULT_MAX_PARTS;
  const marker = markerHeader !== undefined ? integerParam(markerHeader, 'x-amz-part-number-marker', 0, MAX_PART_NUMBER) : 0;
  const after = all.filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  return {
    TotalPartsCount: all.length,
    PartNumberMarker: String(marker),
    NextPartNumberMarker: page.length ? String(page[page.length - 1].partNumber) : String(marker),
    MaxParts: maxParts,
    IsTruncated: after.length > page.length,
    Parts: page.map((part) => ({
      PartNumber: part.partNumber,
      Size: part.size,
      ...(part.checksum ? { [`Checksum${part.checksum.algorithm}`]: part.checksum.value } : {}),
    })),
  };
}
