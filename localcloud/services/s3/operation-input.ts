import type { S3Call } from './call.js';
import { S3Error } from './errors.js';
import { childText, children, parseXmlBody } from './xml.js';

/** Query parameters that are input members, under their SDK names. */
const QUERY_MEMBERS: Record<string, string> = {
  prefix: 'Prefix',
  delimiter: 'Delimiter',
  'max-keys': 'MaxKeys',
  'max-uploads': 'MaxUploads',
  'max-parts': 'MaxParts',
  marker: 'Marker',
  'start-after': 'StartAfter',
  'continuation-token': 'ContinuationToken',
  'key-marker': 'KeyMarker',
  'version-id-marker': 'VersionIdMarker',
  versionId: 'VersionId',
  uploadId: 'UploadId',
  partNumber: 'PartNumber',
};

/** Headers that are input members, under their SDK names. */
const HEADER_MEMBERS: Record<string, string> = {
  'x-amz-copy-source': 'CopySource',
  'x-amz-tagging': 'Tagging',
  'x-amz-acl': 'ACL',
  'x-amz-grant-read': 'GrantRead',
  'x-amz-grant-full-control': 'GrantFullControl',
};

/**
 * The request as the SDK's input for `operation` would hold it, as far as
 * authorization needs: `Bucket`, `Key`, the listing and version parameters,
 * the copy source, tags and ACL a write sets, and DeleteObjects' keys (read
 * from its XML body, which the handler then reads from the same payload).
 */
export function operationInput(operation: string, call: S3Call): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (call.bucket) input.Bucket = call.bucket;
  if (call.key) input.Key = call.key;
  for (const [wireName, member] of Object.entries(QUERY_MEMBERS)) {
    const value = call.req.query.get(wireName);
    if (value !== null) input[member] = value;
  }
  for (const [header, member] of Object.entries(HEADER_MEMBERS)) {
    const value = call.req.headers[header];
    if (value !== undefined) input[member] = value;
  }
  if (operation === 'DeleteObjects') input.Delete = { Objects: objectsToDelete(call) };
  return input;
}

function objectsToDelete(call: S3Call): { Key: string; VersionId?: string }[] {
  const document = parseXmlBody(call.payload().body, 'Delete');
  return children(document, 'Object').map((o) => {
    const key = childText(o, 'Key');
    if (key === undefined) throw S3Error.malformedXml();
    const versionId = childText(o, 'VersionId');
    return versionId === undefined ? { Key: key } : { Key: key, VersionId: versionId };
  });
}
