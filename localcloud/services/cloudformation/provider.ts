/**
 * The contract between the engine and a resource type. Each service folder
 * implements the types of its own service in `cloudformation.ts`, provisioning
 * through the service's public API with the AWS SDK (so CloudFormation gets
 * exactly the validation a user gets); the engine only orchestrates.
 */
import type { CloudContext } from '../../core/types.js';
import type { PhysicalNameOptions } from './names.js';

export type Properties = Record<string, any>;

export interface StackIdentity {
  stackId: string;
  stackName: string;
  region: string;
  accountId: string;
}

export interface ResourceRequest<P = Properties> {
  logicalId: string;
  resourceType: string;
  /** Resolved properties: every intrinsic function already evaluated. */
  properties: P;
  stack: StackIdentity;
  /** SDK v3 client configuration for the stack's region, pointing back at this cloud. */
  clientConfig: ReturnType<CloudContext['clientConfig']>;
  cloud: CloudContext;
  /**
   * An AWS SDK v3 client of this cloud for the stack's region, shared across
   * requests (kept-alive connections make deployments faster). Do not destroy it.
   */
  client<C>(Client: new (config: ReturnType<CloudContext['clientConfig']>) => C): C;
  /** A fresh name in CloudFormation's pattern for a resource whose template names none. */
  physicalName(options?: PhysicalNameOptions): string;
  /** Aborted when the stack operation times out or is cancelled; long waits must honour it. */
  signal: AbortSignal;
  /** Records an IN_PROGRESS event with this reason (e.g. "Resource creation Initiated"). */
  progress(reason: string, physicalId?: string): void;
}

export interface UpdateRequest<P = Properties> extends ResourceRequest<P> {
  physicalId: string;
  previousProperties: P;
  /** The attributes the resource had before this update. */
  attributes: Record<string, unknown>;
}

export interface DeleteRequest<P = Properties> extends ResourceRequest<P> {
  physicalId: string;
  attributes: Record<string, unknown>;
}

export interface ProvisionResult {
  /** What Ref returns and what events show. A different ID from an update means the old one is deleted in cleanup. */
  physicalId: string;
  /** Fn::GetAtt values. */
  attributes?: Record<string, unknown>;
}

export interface ResourceProvider<P = Properties> {
  readonly type: string;
  /**
   * The attribute names Fn::GetAtt accepts, checked when the template is
   * submitted. Undefined means any (custom resources answer with their own Data).
   */
  readonly attributes?: readonly string[];
  /** Properties the template must give; checked before the provider is called. */
  readonly requiredProperties?: readonly string[];
  /** Top-level properties whose change replaces the resource instead of updating it. */
  readonly replaceOnChange?: readonly string[];
  /** The property that names the resource, if any: a replacement must not keep the same custom name. */
  readonly nameProperty?: string;
  /** Called on every stack update even when the properties are unchanged (nested stacks re-read their template). */
  readonly alwaysUpdate?: boolean;
  /** A finer replacement rule than `replaceOnChange`, e.g. "only when this list shrinks". */
  requiresReplacement?(previous: P, next: P): boolean;
  create(request: ResourceRequest<P>): Promise<ProvisionResult>;
  /** In-place update. Without it, every change replaces the resource. */
  update?(request: UpdateRequest<P>): Promise<ProvisionResult>;
  delete(request: DeleteRequest<P>): Promise<void>;
  /**
   * Fn::GetAtt for attributes that are not stored (e.g. a nested stack's
   * `Outputs.X`); the default reads the attributes the provider returned.
   */
  getAtt?(attribute: string, resource: { physicalId?: string; attributes: Record<string, unknown> }): unknown;
}

/**
 * A failure a provider wants reported with its own reason, optionally naming
 * what it did create (a custom resource that answered FAILED still has a
 * physical ID, and rollback sends it a Delete).
 */
export class ResourceFailure extends Error {
  constructor(
    message: string,
    readonly physicalId?: string,
  ) {
    super(message);
    this.name = 'ResourceFailure';
  }
}

/** Turns a provider's error into the reason CloudFormation shows, in the words AWS uses. */
export function failureReason(err: unknown): string {
  if (err instanceof ResourceFailure) return err.message;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  const message = e?.message ?? String(err);
  if (e?.$metadata) {
    const status = e.$metadata.httpStatusCode ?? 400;
    return (
      `Resource handler returned message: "${message}" (Service: ${serviceOf(e as object)}, Status Code: ${status}, ` +
      `Request ID: ${e.$metadata.requestId ?? 'unknown'}) (HandlerErrorCode: ${handlerErrorCode(e.name, status)})`
    );
  }
  return `Resource handler returned message: "${message}" (HandlerErrorCode: InternalFailure)`;
}

/** "DynamoDB" for a DynamoDBServiceException subclass, and so on: the SDK names each service's base error class. */
function serviceOf(err: object): string {
  for (let proto = Object.getPrototypeOf(err); proto; proto = Object.getPrototypeOf(proto)) {
    const match = /^(.+)ServiceException$/.exec(proto.constructor?.name ?? '');
    if (match) return match[1]!;
  }
  return 'Unknown';
}

/** The CloudFormation handler error codes AWS reports for the common failures. */
function handlerErrorCode(name: string | undefined, status: number): string {
  if (!name) return 'GeneralServiceException';
  if (/NotFound|NoSuch/.test(name)) return 'NotFound';
  if (/AlreadyExists|InUse|EntityAlreadyExists|BucketAlreadyOwnedByYou/.test(name)) return 'AlreadyExists';
  if (/Throttl|LimitExceeded/.test(name)) return 'Throttling';
  if (/AccessDenied|Unauthorized/.test(name)) return 'AccessDenied';
  if (status >= 500) return 'ServiceInternalError';
  return 'InvalidRequest';
}

/** For `.catch()` on delete calls: "it is already gone" is what a delete wants. */
export function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}

/** True for the "it is already gone" errors a delete handler should treat as success. */
export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return /NotFound|NoSuch/.test(e?.name ?? '') || e?.$metadata?.httpStatusCode === 404;
}

/**
 * Waits for another service to reach a state (a table ACTIVE, a stream
 * gone) by asking its API, quickly at first and then backing off: local
 * services usually settle within milliseconds. Gives up with the signal.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  signal: AbortSignal,
  options: { firstDelayMs?: number; maxDelayMs?: number; timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const started = Date.now();
  let delay = options.firstDelayMs ?? 5;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (signal.aborted) throw new ResourceFailure(`Cancelled while waiting for ${options.what ?? 'the resource'}`);
    if (Date.now() - started > (options.timeoutMs ?? 600_000)) {
      throw new ResourceFailure(`Timed out waiting for ${options.what ?? 'the resource'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 250);
  }
}

/** Waits until `describe` fails with a not-found error: CloudFormation reports DELETE_COMPLETE only once the resource is gone. */
export function untilGone(describe: () => Promise<unknown>, signal: AbortSignal, what: string): Promise<true> {
  return pollUntil(
    async () => {
      try {
        await describe();
        return undefined;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    },
    signal,
    { what },
  );
}

/** Template values arrive as numbers or (from parameters, YAML, custom input) strings. */
export function toNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function toBoolean(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  return value === true || String(value).toLowerCase() === 'true';
}

/** A policy document as IAM/S3 expect it: a JSON string (templates usually give an object). */
export function policyJson(document: unknown): string {
  return typeof document === 'string' ? document : JSON.stringify(document);
}

/** Template tags (`[{Key, Value}]`, a value may be a number) as the list most APIs take, values as strings. */
export function tagList(tags: unknown): { Key: string; Value: string }[] {
  return ((tags ?? []) as { Key: string; Value: unknown }[]).map((tag) => ({ Key: tag.Key, Value: String(tag.Value) }));
}

/** The same tags as a map, as Lambda, Kinesis and CloudWatch Logs take them. */
export function tagMap(tags: unknown): Record<string, string> {
  return Object.fromEntries(tagList(tags).map((tag) => [tag.Key, tag.Value]));
}

/** The keys tagged before and not any more: what an update must untag. */
export function removedTagKeys(next: unknown, previous: unknown): string[] {
  const kept = new Set(tagList(next).map((tag) => tag.Key));
  return tagList(previous)
    .map((tag) => tag.Key)
    .filter((key) => !kept.has(key));
}
