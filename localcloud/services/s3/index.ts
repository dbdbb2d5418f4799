import { toAwsError } from '../../core/errors.js';
import type { CloudContext, ServiceProvider, ServiceRequest, ServiceResponse } from '../../core/types.js';
import { parseS3Url, resolveAddress } from './addressing.js';
import type { S3Call } from './call.js';
import { actualRequestCorsHeaders, answerPreflight, bucketCorsRules, rulesNameOrigin } from './cors.js';
import { DiskPersistence } from './disk-persistence.js';
import { route } from './dispatch.js';
import { s3ErrorResponse } from './errors.js';
import { operationInput } from './operation-input.js';
import { readPayload, type RequestPayload } from './payload.js';
import { Notifier } from './notifier.js';
import { MemoryPersistence } from './persistence.js';
import type { ObjectAttributes, ObjectRecord } from './records.js';
import { authenticate } from './request-auth.js';
import { S3Store } from './store.js';

export { parseS3Url } from './addressing.js';

/** Options for {@link S3Provider.putObjectBytes}. */
export interface PutObjectBytesOptions {
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * The S3 service, plus a small in-process API for other services (the
 * CloudFormation engine reading nested templates, Lambda reading code zips).
 * Anything beyond these few calls should go through the SDK against ctx.endpoint.
 */
export interface S3Provider extends ServiceProvider {
  /** The object's bytes; throws NoSuchBucket / NoSuchKey as an AwsError. */
  getObjectBytes(bucket: string, key: string): Promise<Buffer>;
  /** Bytes of the object an S3 URL names (`https://s3.amazonaws.com/b/k`, `s3://b/k`, ...). */
  getObjectBytesByUrl(url: string): Promise<Buffer>;
  /** Writes an object into an existing bucket; returns its quoted ETag. */
  putObjectBytes(bucket: string, key: string, body: Buffer, options?: PutObjectBytesOptions): Promise<{ etag: string }>;
  /**
   * The bucket policy (as PutBucketPolicy stored it) of the bucket a bucket
   * or object ARN names, for the policy evaluator; undefined when the bucket
   * has none or does not exist. Bucket names are global: the account and
   * region are not needed to find it.
   */
  resourcePolicy(accountId: string, region: string, resourceArn: string): Promise<string | undefined>;
}

const S3_ARN = /^arn:aws[a-z-]*:s3:::([^/]+)(?:\/.*)?$/s;

export function createS3Service(ctx: CloudContext): S3Provider {
  let store: S3Store | undefined;
  const notifier = new Notifier(ctx);
  const ready = (): S3Store => {
    if (!store) throw new Error('the s3 service has not started');
    return store;
  };

  return {
    name: 's3',
    routes: { signingNames: ['s3'] },

    async start() {
      store = await S3Store.open(ctx.stateDir ? new DiskPersistence(ctx.stateDir) : new MemoryPersistence());
    },

    async handle(req: ServiceRequest): Promise<ServiceResponse> {
      let response: ServiceResponse;
      try {
        response = await handleRequest(ready(), req, ctx.trust, notifier);
      } catch (err) {
        const error = toAwsError(err);
        if (error.statusCode >= 500) ctx.log(`s3: ${req.method} ${req.path}: ${err instanceof Error ? err.stack : err}`);
        response = s3ErrorResponse(error, req.method, req.requestId);
      }
      // Like S3, the headers of the bucket's matching CORS rule go on errors too, so a page can read them.
      if (req.method !== 'OPTIONS') {
        const cors = actualRequestCorsHeaders(ready(), addressedBucket(req) ?? '', req.method, req.headers['origin']);
        if (Object.keys(cors).length) response.headers = { ...response.headers, ...cors };
      }
      return response;
    },

    /**
     * Requests addressed to a bucket follow that bucket's CORS configuration, as
     * on S3. Path-style paths are only taken for a bucket when it exists: the
     * Lambda API's `/2015-03-31/...` paths look like one.
     */
    resourceCors(req: ServiceRequest) {
      let address;
      try {
        address = resolveAddress(req.host, req.path);
      } catch {
        return undefined;
      }
      if (!address.bucket) return undefined;
      if (address.style === 'path' && !ready().findBucket(address.bucket)) return undefined;
      const origin = req.headers['origin'];
      const rules = origin ? bucketCorsRules(ready(), address.bucket) : undefined;
      return { namesOrigin: !!origin && !!rules && rulesNameOrigin(rules, origin, req.method) };
    },

    errorResponse: (error, req) => s3ErrorResponse(error, req.method, req.requestId),

    async getObjectBytes(bucket, key) {
      return (await ready().readObject(bucket, key)).data;
    },

    async getObjectBytesByUrl(url) {
      const address = parseS3Url(url);
      if (!address) throw new Error(`not an S3 object URL: ${url}`);
      return (await ready().readObject(address.bucket, address.key)).data;
    },

    async putObjectBytes(bucket, key, body, options = {}) {
      const attributes: ObjectAttributes = { contentType: options.contentType, metadata: options.metadata ?? {}, tags: [] };
      const record: ObjectRecord = await ready().putObject(bucket, key, body, attributes);
      return { etag: record.etag };
    },

    async resourcePolicy(_accountId, _region, resourceArn) {
      const bucket = S3_ARN.exec(resourceArn)?.[1];
      return bucket === undefined ? undefined : ready().findBucket(bucket)?.configurations.policy;
    },
  };
}

function addressedBucket(req: ServiceRequest): string | undefined {
  try {
    return resolveAddress(req.host, req.path).bucket;
  } catch {
    return undefined;
  }
}

async function handleRequest(store: S3Store, req: ServiceRequest, trust: CloudContext['trust'], notifier: Notifier): Promise<ServiceResponse> {
  const { bucket = '', key = '' } = resolveAddress(req.host, req.path);
  // A preflight is unsigned and answered from the bucket's CORS configuration alone.
  if (req.method === 'OPTIONS') return answerPreflight(store, bucket, key, req.headers);
  authenticate(req);
  const { operation, handler } = route(req.method, bucket, key, req.query, req.headers);
  let payload: RequestPayload | undefined;
  const notify: S3Call['notify'] = (name, objectKey, record) => {
    const bucketRecord = store.findBucket(bucket);
    if (!bucketRecord?.configurations.notification) return;
    const sourceIp = req.headers['x-forwarded-for']?.split(',')[0].trim() || '127.0.0.1';
    notifier.publish({ name, bucket: bucketRecord, key: objectKey, record, principal: req.principal, requestId: req.requestId, sourceIp, region: req.region });
  };
  const call: S3Call = { req, store, bucket, key, payload: () => (payload ??= readPayload(req)), trust, notifier, notify };
  // An upload form is signed inside its body: its handler authenticates and authorizes the form's signer.
  if (req.authorize && operation !== 'PostObject') await req.authorize(operation, operationInput(operation, call));
  return handler(call);
}
