/**
 * The CORS grant for an origin the cloud trusts (the test page's own origin,
 * `--allow-origin`): any method and header the browser asks for, and the
 * response headers the browser SDKs read. Never with credentials: AWS APIs
 * authenticate with signatures, not cookies, and cookies of other local
 * servers (ports do not separate cookies) have no business here.
 */
const EXPOSED_HEADERS = [
  'etag', 'content-length', 'content-type', 'content-range', 'last-modified', 'date',
  'x-amz-request-id', 'x-amz-id-2', 'x-amz-version-id', 'x-amz-delete-marker',
  'x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-sha1', 'x-amz-checksum-sha256',
  'x-amzn-requestid', 'x-amzn-errortype', 'x-amzn-error-message', 'x-amzn-query-error',
  'x-amz-function-error', 'x-amz-log-result', 'x-amz-executed-version', 'x-amzn-trace-id',
].join(', ');

export function corsGrant(origin: string, requestHeaders: Record<string, string>): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'HEAD, GET, PUT, POST, DELETE, OPTIONS, PATCH',
    'access-control-allow-headers': requestHeaders['access-control-request-headers'] ?? '*',
    'access-control-expose-headers': EXPOSED_HEADERS,
    'access-control-max-age': '86400',
    vary: 'Origin',
  };
}
