import { AwsError } from '../core/errors.js';
import { ROOT_SECRET, rootPrincipal, type CredentialDirectory, type IssuedCredential } from './credentials.js';
import type { IamMode } from './mode.js';
import {
  AuthFailure,
  authError,
  readAuth,
  signedTrailerOf,
  signsAnotherPayload,
  streamingScope,
  verify,
  verifyChunkSignatures,
  verifyWithoutSecret,
  verifyPostPolicySignature,
  type AuthInfo,
  type AuthProtocol,
  type PostPolicySignature,
  type SignedChunk,
  type SignedRequest,
  type SigV4Auth,
} from './sigv4/index.js';
import type { Principal } from './types.js';

/** The SigV4 signing name each service expects in a credential scope. */
const SIGNING_NAME_OF: Record<string, string> = {
  s3: 's3',
  lambda: 'lambda',
  dynamodb: 'dynamodb',
  kinesis: 'kinesis',
  logs: 'logs',
  cloudwatch: 'monitoring',
  iam: 'iam',
  sts: 'sts',
  cloudformation: 'cloudformation',
};

const PROTOCOL_OF: Record<string, AuthProtocol> = {
  s3: 's3',
  lambda: 'rest-json',
  dynamodb: 'json',
  kinesis: 'json',
  logs: 'json',
  // CloudWatch speaks JSON 1.0 but keeps its query-era error codes (awsQueryCompatible).
  cloudwatch: 'query',
  iam: 'query',
  sts: 'query',
  cloudformation: 'query',
};

export interface Authenticated {
  principal: Principal;
  /** The access key the request was signed with, when it was signed. */
  accessKeyId?: string;
  /** The credential scope's region, when the request carries one. */
  region?: string;
  /**
   * For an S3 upload whose chunks are signed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`):
   * checks the decoded chunks (and trailers) against the chain that starts at
   * the header's seed signature, throwing S3's 403 SignatureDoesNotMatch.
   * Absent when there is nothing to check, or when the key's secret is not
   * checked (the account roots).
   */
  verifyStreamingChunks?: StreamingChunkVerifier;
}

/** Checks an upload's decoded aws-chunked chunks, and its trailers (names lower-case, in the order sent). */
export type StreamingChunkVerifier = (chunks: readonly SignedChunk[], trailers: Record<string, string>) => void;

const SIGNED_STREAMING = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const SIGNED_STREAMING_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';

/**
 * Turns a request's signature into a principal: the access key must be one
 * the cloud knows, the signature must verify against its secret, the time
 * must be within AWS's limits, and temporary credentials must carry their
 * live session token. Failures are thrown as the service's own AWS error.
 *
 * In `report` mode a failure is logged and the request goes on as its key's
 * owner (or the default account's root); in `off` mode nothing is checked.
 */
export class Authenticator {
  constructor(
    private readonly directory: CredentialDirectory,
    private readonly mode: IamMode,
    private readonly defaultAccountId: string,
    private readonly log: (message: string) => void,
  ) {}

  authenticate(req: SignedRequest, service: string, now = new Date()): Authenticated {
    const protocol = PROTOCOL_OF[service] ?? 'query';
    let auth: AuthInfo;
    try {
      auth = readAuth(req);
    } catch (err) {
      return this.refuse(err, protocol);
    }
    if (auth.kind === 'none') {
      if (this.mode === 'off') return { principal: rootPrincipal(this.defaultAccountId) };
      // S3 serves anonymous requests where a bucket policy allows them; everything else needs a signature.
      if (protocol === 's3') return { principal: { kind: 'anonymous', arn: '*' } };
      return this.refuse({ reason: 'MissingAuthentication' }, protocol);
    }
    const region = 'region' in auth ? auth.region : undefined;
    const credential = this.directory.resolve(auth.accessKeyId);
    const lenient = (): Authenticated => ({
      principal: credential?.principal ?? rootPrincipal(this.defaultAccountId),
      accessKeyId: auth.accessKeyId,
      region,
    });
    if (this.mode === 'off') return lenient();
    try {
      this.check(req, auth, credential, service, protocol, now);
    } catch (err) {
      if (this.mode === 'report') {
        this.log(`iam report: would refuse a request signed with ${auth.accessKeyId}: ${err instanceof Error ? err.message : err}`);
        return lenient();
      }
      throw err;
    }
    const verifyStreamingChunks = auth.kind === 'header' ? this.streamingVerifier(req, auth, credential!, protocol) : undefined;
    return { principal: credential!.principal, accessKeyId: auth.accessKeyId, region, ...(verifyStreamingChunks ? { verifyStreamingChunks } : {}) };
  }

  /**
   * The signer of an S3 browser-upload form (presigned POST), whose signature
   * covers its base64 POST policy rather than the request. The same rules as
   * for a signed request: the key must be known and active, temporary keys
   * need their live session token (the form's `x-amz-security-token`), and the
   * signature must verify against the key's secret (the account roots' secret
   * is not checked). Failures are S3's errors; `report` and `off` as above.
   */
  authenticatePostPolicy(policy: string, claim: PostPolicySignature, sessionToken: string | undefined, now = new Date()): Authenticated {
    const credential = this.directory.resolve(claim.accessKeyId);
    const region = claim.version === 4 ? claim.region : undefined;
    const lenient = (): Authenticated => ({ principal: credential?.principal ?? rootPrincipal(this.defaultAccountId), accessKeyId: claim.accessKeyId, region });
    if (this.mode === 'off') return lenient();
    try {
      if (!credential || !credential.active) throw authError({ reason: 'UnknownAccessKey', accessKeyId: claim.accessKeyId }, 's3');
      if (credential.sessionToken !== undefined) {
        if (sessionToken !== credential.sessionToken) throw authError({ reason: 'InvalidToken', sessionToken }, 's3');
        if (credential.expiration && credential.expiration.getTime() <= now.getTime()) throw authError({ reason: 'ExpiredToken', sessionToken }, 's3');
      }
      if (credential.secretAccessKey !== undefined) {
        try {
          verifyPostPolicySignature(policy, claim, credential.secretAccessKey);
        } catch (err) {
          throw err instanceof AuthFailure ? authError(err, 's3') : err;
        }
      }
    } catch (err) {
      if (this.mode === 'report' && err instanceof AwsError) {
        this.log(`iam report: would refuse an upload form signed with ${claim.accessKeyId}: ${err.code}: ${err.message}`);
        return lenient();
      }
      throw err;
    }
    return { principal: credential.principal, accessKeyId: claim.accessKeyId, region };
  }

  /**
   * The header signature of a signed streaming upload is only the seed: each
   * chunk's signature chains from it (and with -TRAILER, a last one covers the
   * trailers). S3 calls this once it has decoded the body.
   */
  private streamingVerifier(req: SignedRequest, auth: SigV4Auth, credential: IssuedCredential, protocol: AuthProtocol): StreamingChunkVerifier | undefined {
    const header = req.headers['x-amz-content-sha256'];
    const payload = typeof header === 'string' ? header : header?.[0];
    if (payload !== SIGNED_STREAMING && payload !== SIGNED_STREAMING_TRAILER) return undefined;
    // The account roots' secret is not checked, so neither are their chunks.
    if (credential.secretAccessKey === undefined) return undefined;
    const scope = streamingScope(auth, credential.secretAccessKey);
    const withTrailer = payload === SIGNED_STREAMING_TRAILER;
    return (chunks, trailers) => {
      try {
        // A -TRAILER stream must sign its trailers: without x-amz-trailer-signature the check fails on the missing signature.
        const trailer = withTrailer ? (signedTrailerOf(trailers) ?? { headers: Object.entries(trailers) }) : undefined;
        verifyChunkSignatures(auth.signature, scope, chunks, trailer);
      } catch (err) {
        if (!(err instanceof AuthFailure)) throw err;
        const error = authError(new AuthFailure(err.reason, err.detail, { ...err.context, accessKeyId: auth.accessKeyId }), protocol);
        if (this.mode === 'report') {
          this.log(`iam report: would refuse an upload signed with ${auth.accessKeyId}: ${error.code}: ${err.message}`);
          return;
        }
        throw error;
      }
    };
  }

  private check(req: SignedRequest, auth: Exclude<AuthInfo, { kind: 'none' }>, credential: IssuedCredential | undefined, service: string, protocol: AuthProtocol, now: Date): void {
    if (!credential || !credential.active) throw authError({ reason: 'UnknownAccessKey', accessKeyId: auth.accessKeyId }, protocol);
    if (credential.sessionToken !== undefined) {
      const header = req.headers['x-amz-security-token'];
      const token = (typeof header === 'string' ? header : header?.[0]) ?? new URLSearchParams(req.rawQuery).get('X-Amz-Security-Token') ?? undefined;
      if (token !== credential.sessionToken) throw authError({ reason: 'InvalidToken', sessionToken: token }, protocol);
      if (credential.expiration && credential.expiration.getTime() <= now.getTime()) {
        throw authError({ reason: 'ExpiredToken', sessionToken: token }, protocol);
      }
    }
    try {
      verify(req, auth, credential.secretAccessKey ?? ROOT_SECRET, now, { service: SIGNING_NAME_OF[service] });
    } catch (err) {
      if (!(err instanceof AuthFailure)) throw err;
      // The account roots' secret is not checked (README, Security): any secret signs for `test`.
      // What needs no secret still holds: a signature over another body (outside S3) is wrong
      // whatever the secret, and the clock, a presigned URL's expiry and S3's body hash are checked.
      if (credential.secretAccessKey === undefined && err.reason === 'SignatureDoesNotMatch' && !signsAnotherPayload(req, auth)) {
        try {
          verifyWithoutSecret(req, auth, now);
        } catch (secretFree) {
          throw secretFree instanceof AuthFailure ? authError(secretFree, protocol) : secretFree;
        }
        return;
      }
      throw authError(err, protocol);
    }
  }

  /** Throws the failure as the service's error; in `report` mode logs it and lets the request in as the default account's root. */
  private refuse(err: unknown, protocol: AuthProtocol): Authenticated {
    const error = err instanceof AuthFailure || (err && typeof err === 'object' && 'reason' in err) ? authError(err as Parameters<typeof authError>[0], protocol) : err;
    if (this.mode === 'report' && error instanceof AwsError) {
      this.log(`iam report: would refuse a request: ${error.code}: ${error.message}`);
      return { principal: rootPrincipal(this.defaultAccountId) };
    }
    throw error;
  }
}
