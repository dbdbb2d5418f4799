/** A request as the gateway received it, before any decoding: what a signature covers. */
export interface SignedRequest {
  method: string;
  /** The path as sent on the wire, still percent-encoded (no query). */
  rawPath: string;
  /** Everything after the `?`, as sent; empty when there is none. */
  rawQuery: string;
  /**
   * Lower-case names. A header sent more than once may be passed as an array
   * of its values (the canonical form joins them with `,`); for HTTP/2 the
   * gateway supplies `host` from `:authority`.
   */
  headers: Record<string, string | readonly string[]>;
  body: Buffer;
  /**
   * The bucket named by the Host header of a virtual-hosted S3 request. Only
   * Signature Version 2 needs it: its string to sign names `/bucket/key` even
   * when the path is just `/key`.
   */
  virtualHostedBucket?: string;
}

/** What a request claims about its signer, read without any secret. */
export type AuthInfo =
  | { kind: 'none' }
  | SigV4Auth
  | { kind: 'sigv2-header' | 'sigv2-presigned'; accessKeyId: string; signature: string; expires?: number };

export interface SigV4Auth {
  kind: 'header' | 'presigned';
  accessKeyId: string;
  /** The credential scope's date, `yyyymmdd`. */
  date: string;
  region: string;
  service: string;
  /** Lower-case names in the order the signer listed them. */
  signedHeaders: string[];
  signature: string;
  /** The request time in ISO 8601 basic format (`20130524T000000Z`), from X-Amz-Date or the Date header. */
  amzDate: string;
  /** Presigned only: X-Amz-Expires. */
  expiresSeconds?: number;
  /** X-Amz-Security-Token (header or query) of temporary credentials. */
  sessionToken?: string;
}
