import type { TrustBoundary } from '../../auth/index.js';
import type { ServiceRequest, ServiceResponse } from '../../core/types.js';
import type { Notifier, S3EventName } from './notifier.js';
import type { RequestPayload } from './payload.js';
import type { ObjectRecord } from './records.js';
import type { S3Store } from './store.js';

/** One S3 request on its way to a handler: where it points and what it carries. */
export interface S3Call {
  req: ServiceRequest;
  store: S3Store;
  /** Empty for service-level requests (ListBuckets). */
  bucket: string;
  /** Empty for service- and bucket-level requests. */
  key: string;
  /** The body, decoded from aws-chunked and verified against every checksum the client sent. */
  payload(): RequestPayload;
  /** The cloud's trust boundary, for requests that carry their own proof (browser upload forms). */
  trust?: TrustBoundary;
  /** Bucket notifications: validates configurations and delivers events. */
  notifier?: Notifier;
  /** Publishes an event about `key` of this bucket to its notification targets (delivered later, never failing the request). */
  notify(name: S3EventName, key: string, record?: ObjectRecord): void;
}

export type S3Handler = (call: S3Call) => Promise<ServiceResponse> | ServiceResponse;

/** An empty success, e.g. DeleteObject's 204. */
export function emptyResponse(status = 200, headers: Record<string, string> = {}): ServiceResponse {
  return { status, headers: { 'content-length': '0', ...headers } };
}
