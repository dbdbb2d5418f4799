import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServiceRequest, ServiceResponse } from '../../../core/types.js';
import { escapeXml } from '../../../protocols/xml.js';
import type { CodeStore } from '../model/code-store.js';

/** Path prefix the Lambda provider owns on the gateway's port for downloading function code. */
export const CODE_PATH_PREFIX = '/_localcloud/lambda/code/';
/** AWS's GetFunction code links are valid for 10 minutes. */
const EXPIRES_SECONDS = 600;

/**
 * GetFunction's `Code.Location`: a presigned-style link, valid for ten
 * minutes, that downloads the deployment package from localcloud without
 * credentials (as AWS's link to S3 does). The signing key lives only as long
 * as the process, so links do not survive a restart, like expired ones.
 */
export class CodeUrls {
  private readonly key = randomBytes(32);

  constructor(private readonly code: CodeStore) {}

  url(endpoint: string, codeHash: string, now = new Date()): string {
    const date = amzDate(now);
    const signature = this.sign(codeHash, date);
    return `${endpoint}${CODE_PATH_PREFIX}${codeHash}.zip?X-Amz-Date=${date}&X-Amz-Expires=${EXPIRES_SECONDS}&X-Amz-Signature=${signature}`;
  }

  /** Serves a code link: the zip, or an S3-style XML error. */
  serve(req: ServiceRequest): ServiceResponse {
    if (req.method !== 'GET' && req.method !== 'HEAD') return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    const match = /^([0-9a-f]{64})\.zip$/.exec(req.path.slice(CODE_PATH_PREFIX.length));
    const date = req.query.get('X-Amz-Date') ?? '';
    const signature = req.query.get('X-Amz-Signature') ?? '';
    if (!match || !this.valid(match[1], date, signature)) {
      return s3Error(403, 'AccessDenied', 'Request signature does not match or the link is malformed.');
    }
    const issued = parseAmzDate(date);
    if (issued === undefined || Date.now() > issued + EXPIRES_SECONDS * 1000) return s3Error(403, 'AccessDenied', 'Request has expired');
    const zip = this.code.get(match[1]);
    if (!zip) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    return {
      status: 200,
      headers: { 'content-type': 'application/zip', 'content-length': String(zip.length) },
      body: req.method === 'HEAD' ? undefined : zip,
    };
  }

  private sign(codeHash: string, date: string): string {
    return createHmac('sha256', this.key).update(`${codeHash}\n${date}`).digest('hex');
  }

  private valid(codeHash: string, date: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(codeHash, date), 'hex');
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

function s3Error(status: number, code: string, message: string): ServiceResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`,
  };
}
