/**
 * Why a request's authentication was refused. Each reason maps to one error
 * per protocol (see `authError`); the optional fields carry what AWS puts in
 * that error (S3's StringToSign, RequestTime, ...).
 */
export type AuthFailureReason =
  /** A broken Authorization header, or an incomplete or invalid set of X-Amz-* query parameters. */
  | 'Malformed'
  /** A header-signed request with neither X-Amz-Date nor a usable Date header. */
  | 'MissingDate'
  | 'SignatureDoesNotMatch'
  /** S3: the hex x-amz-content-sha256 the client signed is not the hash of the body it sent. */
  | 'ContentSha256Mismatch'
  /** A presigned URL past X-Amz-Date + X-Amz-Expires (SigV2: past Expires). */
  | 'Expired'
  /** A presigned URL whose X-Amz-Date is more than 15 minutes ahead of the server. */
  | 'NotYetValid'
  /** A header-signed request more than 15 minutes away from the server clock. */
  | 'TimeTooSkewed'
  /** The credential scope names another date than X-Amz-Date, or a region or service this endpoint is not. */
  | 'ScopeMismatch'
  /** `host` (or, for S3, an `x-amz-*` header) present in the request but not signed. */
  | 'HeadersNotSigned'
  | 'MissingAuthentication';

export interface AuthFailureContext {
  presigned?: boolean;
  accessKeyId?: string;
  algorithm?: string;
  canonicalRequest?: string;
  stringToSign?: string;
  signatureProvided?: string;
  /** The request time as the client wrote it (X-Amz-Date, ISO 8601 basic). */
  amzDate?: string;
  serverTime?: Date;
  /** Presigned: when it stopped (or starts) being valid. */
  expiresAt?: Date;
  expiresSeconds?: number;
  /** TimeTooSkewed: whether the request is too old or too far in the future. */
  skew?: 'past' | 'future';
  headersNotSigned?: string[];
  /** ScopeMismatch: which part of the scope is wrong. */
  scopePart?: 'date' | 'region' | 'service';
  expectedScopeValue?: string;
  actualScopeValue?: string;
  clientContentSha256?: string;
  computedContentSha256?: string;
  /** SigV2 signs with HMAC-SHA1 and has no canonical request. */
  signatureVersion?: 2 | 4;
}

export class AuthFailure extends Error {
  readonly reason: AuthFailureReason;
  /** A sentence for people: the message of protocols whose wording has no fixed text for this case. */
  readonly detail: string;
  readonly context: AuthFailureContext;

  constructor(reason: AuthFailureReason, detail: string, context: AuthFailureContext = {}) {
    super(`${reason}: ${detail}`);
    this.name = 'AuthFailure';
    this.reason = reason;
    this.detail = detail;
    this.context = context;
  }
}
