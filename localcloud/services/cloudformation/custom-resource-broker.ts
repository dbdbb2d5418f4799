/**
 * The ResponseURL side of custom resources. AWS hands a function a presigned
 * S3 PUT URL in a bucket it owns (`cloudformation-custom-resource-response-
 * <region>`) and waits for the object; here the same path on this cloud's
 * port belongs to the CloudFormation service, so the PUT wakes the waiting
 * resource at once instead of being polled for.
 */
import { randomBytes } from 'node:crypto';
import type { ServiceRequest, ServiceResponse } from '../../core/types.js';
import { escapeXml } from '../../protocols/xml.js';

export const RESPONSE_PATH_PREFIX = '/cloudformation-custom-resource-response-';

/** What a custom resource answers (cfn-response's body). */
export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId?: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  NoEcho?: boolean;
  Data?: Record<string, unknown>;
}

interface Pending {
  signature: string;
  expect: { StackId: string; RequestId: string; LogicalResourceId: string };
  settle?: (outcome: { response?: CustomResourceResponse; invalid?: string }) => void;
  /** An answer that arrived before anyone waited (a very fast function). */
  early?: { response?: CustomResourceResponse; invalid?: string };
}

export class CustomResourceBroker {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly endpoint: () => string) {}

  /** Opens a response slot and returns the URL a function must PUT its answer to. */
  open(region: string, expect: Pending['expect']): { url: string; key: string } {
    const key = `${expect.StackId}|${expect.LogicalResourceId}|${expect.RequestId}`;
    const signature = randomBytes(32).toString('hex');
    this.pending.set(key, { signature, expect });
    const bucket = `${RESPONSE_PATH_PREFIX.slice(1)}${region.replace(/-/g, '')}`;
    const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': now,
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Expires': '7200',
      'X-Amz-Signature': signature,
    });
    return { url: `${this.endpoint()}/${bucket}/${encodeURIComponent(key)}?${query}`, key };
  }

  /**
   * Waits for the answer. Rejects with the reason when it never comes
   * (`timeoutMs`) or the operation is cancelled (`signal`).
   */
  wait(key: string, timeoutMs: number, signal: AbortSignal): Promise<CustomResourceResponse> {
    const slot = this.pending.get(key);
    if (!slot) return Promise.reject(new Error(`no response slot ${key}`));
    return new Promise<CustomResourceResponse>((resolve, reject) => {
      const finish = (outcome: { response?: CustomResourceResponse; invalid?: string } | { error: Error }) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.pending.delete(key);
        if ('error' in outcome) reject(outcome.error);
        else if (outcome.invalid) reject(new Error(outcome.invalid));
        else resolve(outcome.response!);
      };
      const onAbort = () => finish({ error: new Error('cancelled') });
      const timer = setTimeout(() => finish({ error: new TimeoutError() }), timeoutMs);
      timer.unref();
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      if (slot.early) return finish(slot.early);
      slot.settle = finish;
    });
  }

  /** Forgets a slot whose request could not even be sent. */
  close(key: string): void {
    this.pending.delete(key);
  }

  /** The PUT from the function (or any S3-style client). */
  handle(req: ServiceRequest): ServiceResponse {
    if (req.method !== 'PUT') return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    const slash = req.path.indexOf('/', 1);
    const key = slash < 0 ? '' : safeDecode(req.path.slice(slash + 1));
    const slot = this.pending.get(key);
    if (!slot || req.query.get('X-Amz-Signature') !== slot.signature) {
      // A late answer (after a timeout) lands here too: S3 would have stored it, and nobody reads it.
      return slot || !key
        ? s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.')
        : { status: 200, headers: { etag: '"0"' } };
    }
    const outcome = parseResponse(req.body, slot.expect);
    if (slot.settle) slot.settle(outcome);
    else slot.early = outcome;
    return { status: 200, headers: { etag: `"${randomBytes(16).toString('hex')}"` } };
  }
}

export class TimeoutError extends Error {
  constructor() {
    super('timed out');
    this.name = 'TimeoutError';
  }
}

function parseResponse(body: Buffer, expect: Pending['expect']): { response?: CustomResourceResponse; invalid?: string } {
  let parsed: any;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { invalid: 'Response is not valid JSON' };
  }
  if (!parsed || typeof parsed !== 'object') return { invalid: 'Response is not valid JSON' };
  if (parsed.Status !== 'SUCCESS' && parsed.Status !== 'FAILED') {
    return { invalid: `Invalid response: Status must be SUCCESS or FAILED, got ${JSON.stringify(parsed.Status)}` };
  }
  for (const field of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (parsed[field] !== expect[field]) return { invalid: `Invalid response: ${field} does not match the request` };
  }
  if (parsed.Status === 'SUCCESS' && (typeof parsed.PhysicalResourceId !== 'string' || parsed.PhysicalResourceId === '')) {
    return { invalid: 'Invalid PhysicalResourceId' };
  }
  if (parsed.Data !== undefined && (typeof parsed.Data !== 'object' || parsed.Data === null || Array.isArray(parsed.Data))) {
    return { invalid: 'Invalid response: Data must be an object' };
  }
  return { response: parsed as CustomResourceResponse };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

function s3Error(status: number, code: string, message: string): ServiceResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`,
  };
}
