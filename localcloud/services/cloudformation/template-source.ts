/**
 * Where a template comes from: TemplateBody as given, or TemplateURL read
 * from this cloud's S3 — whichever way the URL spells the bucket (path style,
 * regional, virtual-hosted, or a URL pointing straight at localcloud).
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CloudContext } from '../../core/types.js';
import { validationError } from './errors.js';

const MAX_BODY_BYTES = 51_200;
const MAX_URL_TEMPLATE_BYTES = 1_048_576;

export interface TemplateSource {
  TemplateBody?: string;
  TemplateURL?: string;
}

export class TemplateLoader {
  /** One S3 client per region, kept alive: nested stacks fetch a template on every deployment. */
  private readonly clients = new Map<string, S3Client>();

  constructor(private readonly ctx: CloudContext) {}

  /** The template's text, exactly as submitted or stored. */
  async load(source: TemplateSource, region: string, required = true): Promise<string | undefined> {
    const { TemplateBody: body, TemplateURL: url } = source;
    if (body !== undefined && url !== undefined) {
      throw validationError('Specify exactly one of TemplateBody or TemplateUrl.');
    }
    if (body !== undefined) {
      if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
        throw validationError(
          `1 validation error detected: Value '${body.slice(0, 20)}...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_BODY_BYTES}`,
        );
      }
      return body;
    }
    if (url !== undefined) return this.fromUrl(url, region);
    if (required) throw validationError('Either Template URL or Template Body must be specified.');
    return undefined;
  }

  async fromUrl(url: string, region: string): Promise<string> {
    const location = this.s3Location(url);
    if (!location) throw validationError('TemplateURL must be a supported URL.');
    let s3 = this.clients.get(region);
    if (!s3) this.clients.set(region, (s3 = new S3Client(this.ctx.clientConfig(region))));
    try {
      const object = await s3.send(new GetObjectCommand(location));
      const text = await object.Body!.transformToString('utf8');
      if (Buffer.byteLength(text) > MAX_URL_TEMPLATE_BYTES) {
        throw validationError(`Template may not exceed ${MAX_URL_TEMPLATE_BYTES} bytes in size.`);
      }
      return text;
    } catch (err) {
      if ((err as { code?: string }).code === 'ValidationError') throw err;
      throw validationError(`TemplateURL must reference a valid S3 object to which you have access. (${url}: ${(err as Error).message})`);
    }
  }

  /** Closes the kept-alive connections (service stop). */
  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  /** Bucket and key of an S3 URL in any of its spellings, or undefined when it is no S3 URL. */
  s3Location(url: string): { Bucket: string; Key: string } | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const host = parsed.hostname.toLowerCase();
    const segments = parsed.pathname.split('/').slice(1);
    const pathStyle = () => {
      const [bucket, ...rest] = segments;
      return bucket && rest.length > 0 ? { Bucket: decodeURIComponent(bucket), Key: rest.map(decodeURIComponent).join('/') } : undefined;
    };
    // s3.amazonaws.com, s3.<region>.amazonaws.com, s3-<region>.amazonaws.com, s3.dualstack.<region>.amazonaws.com
    if (/^s3([.-][a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/.test(host) && !host.includes('.s3.') && host.startsWith('s3')) {
      return pathStyle();
    }
    // <bucket>.s3.amazonaws.com, <bucket>.s3.<region>.amazonaws.com, <bucket>.s3-<region>.amazonaws.com
    const virtualHosted = /^(.+)\.s3([.-][a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/.exec(host);
    if (virtualHosted) {
      const key = segments.map(decodeURIComponent).join('/');
      return key ? { Bucket: virtualHosted[1]!, Key: key } : undefined;
    }
    if (this.isThisCloud(parsed)) return pathStyle();
    return undefined;
  }

  /** A URL that reaches this local cloud: its own endpoint, or loopback on the same port. */
  private isThisCloud(url: URL): boolean {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const own = this.ctx.endpoint ? new URL(this.ctx.endpoint) : undefined;
    if (own && url.host === own.host) return true;
    const loopback = ['127.0.0.1', 'localhost', '[::1]', 'localhost.localstack.cloud', 's3.localhost.localstack.cloud'];
    return loopback.includes(url.hostname) && (!own || url.port === own.port);
  }
}
