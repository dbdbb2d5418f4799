import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { StreamingChunkVerifier } from '../auth/authenticator.js';
import type { TrustBoundary } from '../auth/index.js';
import type { Principal } from '../auth/types.js';
import type { AwsError } from './errors.js';

/**
 * A request as a service sees it: already buffered, already attributed to an
 * account and region. Services never touch Node's http objects, which keeps
 * them independent of HTTP/1.1 vs HTTP/2 and easy to call in-process.
 */
export interface ServiceRequest {
  method: string;
  /** Path without the query string, not decoded (S3 keys need the raw form). */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  region: string;
  accountId: string;
  /** The access key id the request was signed with, when it was signed. */
  accessKeyId?: string;
  /** Who signed the request, once authenticated (absent for internal paths such as the Lambda Runtime API). */
  principal?: Principal;
  /** The host header as the client sent it (virtual-host S3 routing reads it). */
  host: string;
  /** Base URL of this local cloud, as the client reached it (e.g. http://127.0.0.1:4566). */
  endpoint: string;
  requestId: string;
  /**
   * Set by the gateway when IAM is on: checks that the caller may run
   * `operation` with this parsed `input`, and throws the service's
   * AccessDenied error when not. Protocol layers (or a service's own
   * dispatch, for REST services) call it once the operation is known and its
   * input parsed, before the service acts. Absent: everything is allowed.
   */
  authorize?: (operation: string, input: unknown) => Promise<void> | void;
  /**
   * Set by the gateway for an S3 upload with signed chunks
   * (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`) from a key whose secret
   * is checked: S3 hands it the decoded chunks and trailers, and it throws
   * S3's 403 SignatureDoesNotMatch when the chain from the request's seed
   * signature is broken.
   */
  verifyStreamingChunks?: StreamingChunkVerifier;
  /**
   * Aborted by the gateway when the client goes away before the response is
   * sent: long-running requests (SQS long polling) stop waiting for nobody.
   */
  signal?: AbortSignal;
}

export interface ServiceResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
}

/** Routing hints the gateway uses to pick a service for a request. */
export interface ServiceRoutes {
  /** SigV4 credential-scope service names, e.g. `monitoring` for CloudWatch. */
  signingNames: string[];
  /** `X-Amz-Target` prefixes (the part before the dot), e.g. `DynamoDB_20120810`. */
  targetPrefixes?: string[];
  /** Query-protocol `Action` names this service answers when a request is unsigned. */
  queryActions?: string[];
  /** Path prefixes this service owns outright (internal endpoints such as the Lambda Runtime API). */
  pathPrefixes?: string[];
}

/**
 * A service's lifecycle as `/_localstack/health` reports it, in LocalStack's
 * words: `starting` while its `start()` runs, `running` once it resolved,
 * `error` if it rejected.
 */
export type ServiceState = 'starting' | 'running' | 'error';

export interface ServiceProvider {
  /** Name shown in `/_localstack/health`, LocalStack's spelling (`s3`, `dynamodb`, `cloudwatch`, ...). */
  readonly name: string;
  readonly routes: ServiceRoutes;
  /**
   * The readiness hook: loads state and opens stores. The gateway already
   * listens while it runs (some services need the endpoint), so until it
   * resolves health shows the service `starting` and requests for it wait
   * (bounded) instead of reaching `handle()`. Resolve only once `handle()`
   * can answer every request; a rejection marks the service `error`.
   */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  handle(req: ServiceRequest): Promise<ServiceResponse>;
  /**
   * Renders an error the gateway raised before the service saw the request
   * (a failed signature check) in the service's own wire format. Without it,
   * the gateway picks JSON for `X-Amz-Target` requests and query XML otherwise.
   */
  errorResponse?(error: AwsError, req: ServiceRequest): ServiceResponse;
  /**
   * For services whose resources carry their own CORS rules (S3 buckets):
   * undefined when the cloud-wide browser policy applies to this request;
   * otherwise the service answers the request's preflight and adds CORS
   * headers itself, and says whether its rules name the request's origin
   * (the gateway then admits that origin even if the cloud was not told
   * about it). See gateway/browser-boundary.ts.
   */
  resourceCors?(req: ServiceRequest): { namesOrigin: boolean } | undefined;
}

/** Events services publish for each other (e.g. Kinesis wakes Lambda pollers). */
export interface CloudEvents {
  'kinesis:records': { accountId: string; region: string; streamName: string };
  'dynamodb:stream-records': { streamArn: string };
}

export interface TypedBus extends EventEmitter {
  emit<K extends keyof CloudEvents>(event: K, payload: CloudEvents[K]): boolean;
  on<K extends keyof CloudEvents>(event: K, listener: (payload: CloudEvents[K]) => void): this;
  off<K extends keyof CloudEvents>(event: K, listener: (payload: CloudEvents[K]) => void): this;
}


/** What every service gets when it is created. */
export interface CloudContext {
  /** Base URL once the gateway listens; read it lazily (it is set after listen). */
  readonly endpoint: string;
  /** Directory for persistent state, or undefined for an in-memory cloud. */
  readonly stateDir?: string;
  readonly defaultAccountId: string;
  readonly defaultRegion: string;
  readonly bus: TypedBus;
  /** Credentials, authentication and IAM authorization (see localcloud/auth). */
  readonly trust?: TrustBoundary;
  /**
   * Configuration for an AWS SDK v3 client that talks back to this cloud, for
   * services that act as clients of other services (CloudFormation providers,
   * Lambda pollers). Going through the public API keeps validation in one place.
   * With `accountId`, the credentials act in that account (a 12-digit access
   * key names its account: LocalStack's convention, which the gateway honours);
   * without it, in the default account. With `actAs`, they act as that
   * principal (CloudFormation provisioning as its caller), so IAM applies.
   */
  clientConfig(region?: string, accountId?: string, actAs?: Principal): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    forcePathStyle: boolean;
  };
  /** The account an access key belongs to, if the trust boundary's credential directory knows the key. */
  accountForAccessKey?(accessKeyId: string): string | undefined;
  /** Another service by health name, for in-process calls that must not go over HTTP. */
  service<T extends ServiceProvider = ServiceProvider>(name: string): T | undefined;
  log(message: string): void;
}
