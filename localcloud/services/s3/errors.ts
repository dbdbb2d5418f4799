import { randomBytes } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { ServiceResponse } from '../../core/types.js';
import { escapeXml } from '../../protocols/xml.js';

/**
 * S3's own error vocabulary. Messages follow the wording S3 uses, because
 * tools and people grep for them; the extra fields (`BucketName`, `Key`, ...)
 * are the ones S3 puts next to `<Message>`.
 */
export const S3Error = {
  noSuchBucket: (bucket: string) =>
    new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket }),
  noSuchKey: (key: string) => new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }),
  noSuchUpload: (uploadId: string) =>
    new AwsError('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404, { UploadId: uploadId }),
  bucketNotEmpty: (bucket: string) =>
    new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new AwsError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: bucket }),
  bucketAlreadyExists: (bucket: string) =>
    new AwsError('BucketAlreadyExists', 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', 409, { BucketName: bucket }),
  invalidBucketName: (bucket: string) =>
    new AwsError('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket }),
  invalidRange: (range: string, size: number) =>
    new AwsError('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: range, ActualObjectSize: String(size) }),
  malformedXml: () =>
    new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new AwsError('InvalidArgument', message, 400, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' }),
  invalidRequest: (message: string) => new AwsError('InvalidRequest', message, 400),
  methodNotAllowed: (method: string, resourceType: 'SERVICE' | 'BUCKET' | 'OBJECT') =>
    new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, { Method: method, ResourceType: resourceType }),
  notImplemented: () =>
    new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501),
  preconditionFailed: (condition: string) =>
    new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition }),
  /** 304 travels as an error so the handler stops, but it has no body on the wire. */
  notModified: () => new AwsError('NotModified', 'Not Modified', 304),
  badDigest: (what: string) => new AwsError('BadDigest', `The ${what} you specified did not match the calculated checksum.`, 400),
  invalidUri: () => new AwsError('InvalidURI', "Couldn't parse the specified URI.", 400),
  accessDenied: (message = 'Access Denied', extra: Record<string, string> = {}) => new AwsError('AccessDenied', message, 403, extra),
} as const;

const NO_BODY_STATUSES = new Set([204, 304]);

/**
 * `<Error><Code>..</Code><Message>..</Message>..<RequestId>..</RequestId></Error>`,
 * S3's error document (no `ErrorResponse` wrapper, unlike the query protocol).
 * HEAD responses and 304s carry no body, so clients derive the error from the status.
 */
export function s3ErrorResponse(error: AwsError, method: string, requestId: string): ServiceResponse {
  const hostId = randomBytes(24).toString('base64');
  const headers: Record<string, string> = { 'x-amz-id-2': hostId };
  if (method === 'HEAD' || NO_BODY_STATUSES.has(error.statusCode)) {
    return { status: error.statusCode, headers: { ...headers, 'content-length': '0' } };
  }
  const extras = Object.entries(error.extra)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return {
    status: error.statusCode,
    headers: { ...headers, 'content-type': 'application/xml' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message>${extras}` +
      `<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`,
  };
}
