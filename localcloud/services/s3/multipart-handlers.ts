import type {
  CompleteMultipartUploadOutput,
  CreateMultipartUploadOutput,
  ListMultipartUploadsOutput,
  ListPartsOutput,
  UploadPartCopyOutput,
  UploadPartOutput,
} from '@aws-sdk/client-s3';
import { integerParam } from './bucket-handlers.js';
import { emptyResponse, type S3Call, type S3Handler } from './call.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksums.js';
import { S3Error } from './errors.js';
import { attributesFromHeaders, requireObjectKey } from './object-attributes.js';
import { checksumFields, checksumHeaders, readCopySource } from './object-handlers.js';
import { ownerOf } from './owner.js';
import { children, childText, parseXmlBody, xmlResponse } from './xml.js';

const MAX_PART_NUMBER = 10000;

/** POST /bucket/key?uploads */
export const createMultipartUpload: S3Handler = async ({ req, store, bucket, key }) => {
  store.getBucket(bucket);
  requireObjectKey(key);
  const requested = req.headers['x-amz-checksum-algorithm']?.toUpperCase();
  if (requested !== undefined && !CHECKSUM_ALGORITHMS.includes(requested as ChecksumAlgorithm)) {
    throw S3Error.invalidRequest('Checksum algorithm provided is unsupported.');
  }
  const upload = await store.createUpload(bucket, key, attributesFromHeaders(req.headers), requested as ChecksumAlgorithm | undefined);
  const output: CreateMultipartUploadOutput = { Bucket: bucket, Key: key, UploadId: upload.uploadId };
  return xmlResponse('InitiateMultipartUploadResult', { ...output }, requested ? { 'x-amz-checksum-algorithm': requested } : {});
};

function partNumberOf(call: S3Call): number {
  return integerParam(call.req.query.get('partNumber') ?? '', 'partNumber', 1, MAX_PART_NUMBER);
}

/** PUT /bucket/key?partNumber=N&uploadId=U: UploadPart, or UploadPartCopy with `x-amz-copy-source`. */
export const uploadPart: S3Handler = async (call) => {
  const { req, store, bucket, key } = call;
  const uploadId = req.query.get('uploadId')!;
  const partNumber = partNumberOf(call);
  store.getUpload(bucket, uploadId, key);
  if (req.headers['x-amz-copy-source'] !== undefined) {
    const { data } = await readCopySource(call, req.headers['x-amz-copy-source-range']);
    const part = await store.putPart(bucket, uploadId, key, partNumber, data);
    const output: UploadPartCopyOutput = { CopyPartResult: { ETag: part.etag, LastModified: new Date(part.lastModified) } };
    return xmlResponse('CopyPartResult', { ...output.CopyPartResult });
  }
  const { body, checksum } = call.payload();
  const part = await store.putPart(bucket, uploadId, key, partNumber, body, checksum);
  const output: UploadPartOutput = { ETag: part.etag };
  return emptyResponse(200, { etag: output.ETag!, ...checksumHeaders(part.checksum) });
};

/** POST /bucket/key?uploadId=U with the chosen parts. */
export const completeMultipartUpload: S3Handler = async ({ req, store, bucket, key, payload, notify }) => {
  const uploadId = req.query.get('uploadId')!;
  store.getUpload(bucket, uploadId, key);
  const document = parseXmlBody(payload().body, 'CompleteMultipartUpload');
  const parts = children(document, 'Part').map((p) => {
    const number = childText(p, 'PartNumber');
    const etag = childText(p, 'ETag');
    if (number === undefined || etag === undefined || !/^\d+$/.test(number.trim())) throw S3Error.malformedXml();
    return { partNumber: Number(number), etag: etag.trim() };
  });
  const record = await store.completeUpload(bucket, uploadId, key, parts);
  notify('ObjectCreated:CompleteMultipartUpload', key, record);
  const output: CompleteMultipartUploadOutput = {
    Location: `${req.endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
    Bucket: bucket,
    Key: key,
    ETag: record.etag,
  };
  return xmlResponse('CompleteMultipartUploadResult', { ...output }, { 'x-amz-server-side-encryption': 'AES256' });
};

/** DELETE /bucket/key?uploadId=U */
export const abortMultipartUpload: S3Handler = async ({ req, store, bucket, key }) => {
  await store.abortUpload(bucket, req.query.get('uploadId')!, key);
  return emptyResponse(204);
};

/** GET /bucket/key?uploadId=U */
export const listParts: S3Handler = ({ req, store, bucket, key }) => {
  const upload = store.getUpload(bucket, req.query.get('uploadId')!, key);
  const maxParts = req.query.has('max-parts') ? integerParam(req.query.get('max-parts')!, 'max-parts', 0, 1000) : 1000;
  const marker = req.query.has('part-number-marker') ? integerParam(req.query.get('part-number-marker')!, 'part-number-marker', 0, MAX_PART_NUMBER) : 0;
  const all = Object.values(upload.parts).filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
  const parts = all.slice(0, maxParts);
  const owner = ownerOf(store.getBucket(bucket).accountId);
  const output: ListPartsOutput = {
    Bucket: bucket,
    Key: key,
    UploadId: upload.uploadId,
    PartNumberMarker: String(marker),
    NextPartNumberMarker: parts.length ? String(parts[parts.length - 1].partNumber) : undefined,
    MaxParts: maxParts,
    IsTruncated: all.length > parts.length,
    Parts: parts.map((p) => ({ PartNumber: p.partNumber, LastModified: new Date(p.lastModified), ETag: p.etag, Size: p.size, ...checksumFields(p.checksum) })),
    Initiator: owner,
    Owner: owner,
    StorageClass: 'STANDARD',
    ChecksumAlgorithm: upload.checksumAlgorithm as ListPartsOutput['ChecksumAlgorithm'],
  };
  const { Parts, ...rest } = output;
  return xmlResponse('ListPartsResult', { ...rest, Part: Parts });
};

/** GET /bucket?uploads */
export const listMultipartUploads: S3Handler = ({ req, store, bucket }) => {
  const prefix = req.query.get('prefix') ?? '';
  const maxUploads = req.query.has('max-uploads') ? integerParam(req.query.get('max-uploads')!, 'max-uploads', 0, 1000) : 1000;
  const all = store.listUploads(bucket).filter((u) => u.key.startsWith(prefix));
  const uploads = all.slice(0, maxUploads);
  const owner = ownerOf(store.getBucket(bucket).accountId);
  const output: ListMultipartUploadsOutput = {
    Bucket: bucket,
    Prefix: prefix,
    KeyMarker: req.query.get('key-marker') ?? '',
    UploadIdMarker: req.query.get('upload-id-marker') ?? '',
    MaxUploads: maxUploads,
    IsTruncated: all.length > uploads.length,
    Uploads: uploads.map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiated: new Date(u.initiated), StorageClass: 'STANDARD', Owner: owner, Initiator: owner })),
  };
  const { Uploads, ...rest } = output;
  return xmlResponse('ListMultipartUploadsResult', { ...rest, Upload: Uploads });
};
