import { AwsError } from '../core/errors.js';
import type { ServiceResponse } from '../core/types.js';
import { jsonError } from '../protocols/json.js';
import { queryError } from '../protocols/query.js';

/** Services whose REST protocol speaks XML: their clients parse an XML error, every other REST client JSON. */
const REST_XML_SERVICES = new Set(['route53', 'cloudfront', 's3-outposts', 's3control']);

/**
 * The answer to a request for a service localcloud does not serve: 501 with
 * LocalStack's code for it (`InternalFailure`), in the protocol family the
 * client expects, so its SDK shows the message instead of failing to parse
 * S3's XML. 501 is not among the statuses SDKs retry, so the client fails
 * at once. The message names the service and lists the ones served.
 */
export function unservedServiceResponse(
  service: string,
  served: readonly string[],
  request: { headers: Record<string, string>; requestId: string; formAction?: string | null },
): ServiceResponse {
  const error = new AwsError(
    'InternalFailure',
    `localcloud does not serve the ${service} service (it serves ${served.join(', ')}); point this client at AWS or at a local emulator of ${service}`,
    501,
  );
  const contentType = request.headers['content-type'] ?? '';
  if (request.headers['x-amz-target'] || contentType.startsWith('application/x-amz-json')) {
    return jsonError(error, contentType.startsWith('application/x-amz-json') ? contentType.split(';')[0] : 'application/x-amz-json-1.1');
  }
  if (request.formAction || REST_XML_SERVICES.has(service)) return queryError(error, request.requestId);
  return jsonError(error, 'application/json');
}
