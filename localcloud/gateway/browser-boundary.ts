import { AwsError } from '../core/errors.js';
import { corsGrant } from './cors.js';
import { HostAllowlist } from './host-allowlist.js';

/**
 * What a web page may do with the cloud. Anyone can serve a page that calls
 * http://127.0.0.1:4566, and the local keys (`test`/`test`) are public, so a
 * browser request is only served when it comes from an origin the cloud was
 * told about (or its own origin), under a Host name that is really this
 * cloud's. Requests without an Origin (SDKs, the CLI, curl) are not browser
 * requests and pass as before.
 *
 * Refusing, rather than only leaving out the CORS headers, matters: a form
 * POST or an `<img>` needs no CORS to reach the server, only to read the
 * answer, and the side effect would already have happened.
 */
export interface BrowserBoundaryOptions {
  /** Origins granted CORS (`http://127.0.0.1:8080`); `*` trusts every origin. */
  allowedOrigins?: string[];
  /** Extra Host names the cloud answers to (`mycloud.test`, `*.mycloud.test`). */
  allowedHosts?: string[];
  /** The address the cloud listens on; a non-loopback one is accepted as a Host. */
  bindHost: string;
}

/** How a service's own CORS rules see a request (S3 bucket CORS); see ServiceProvider.resourceCors. */
export interface ResourceCorsView {
  namesOrigin: boolean;
}

export type BrowserVerdict =
  | { refusal: AwsError }
  | {
      refusal?: undefined;
      /** Headers of the cloud-wide grant; empty for non-browser requests and for requests a service answers itself. */
      cors: Record<string, string>;
      /** The origin is trusted and asked for Private Network Access in its preflight. */
      privateNetwork: boolean;
    };

export class BrowserBoundary {
  private readonly origins = new Set<string>();
  private anyOrigin = false;
  private readonly hosts: HostAllowlist;

  constructor(options: BrowserBoundaryOptions) {
    for (const origin of options.allowedOrigins ?? []) this.allowOrigin(origin);
    this.hosts = new HostAllowlist(options.allowedHosts ?? [], options.bindHost);
  }

  /** Trusts one more origin from now on (the harness registers the test page once its port is known). */
  allowOrigin(origin: string): void {
    const normalized = normalizeOrigin(origin);
    if (normalized === '*') this.anyOrigin = true;
    else this.origins.add(normalized);
  }

  get allowedOrigins(): string[] {
    return [...(this.anyOrigin ? ['*'] : []), ...this.origins];
  }

  /** The refusal for a Host header that does not name this cloud (DNS rebinding), if it does not. */
  checkHost(host: string | undefined): AwsError | undefined {
    // No Host at all is HTTP/1.0 or a hand-written request, never a browser.
    if (host === undefined || this.hosts.allows(host)) return undefined;
    const name = host.replace(/:\d+$/, '');
    return new AwsError(
      'InvalidHostHeader',
      `Host ${host} is not a name of this localcloud, so the request is refused: a web page can point its own domain at 127.0.0.1 (DNS rebinding). ` +
        `Call the cloud as localhost or 127.0.0.1, or start it with --allow-host ${name} (or LOCALCLOUD_ALLOWED_HOSTS=${name}) if that name is yours.`,
      403,
    );
  }

  /**
   * Judges a request that passed the Host check. `resource` is the view of the
   * service's own CORS rules when the request addresses a resource that has
   * them (an S3 bucket): that service then answers CORS itself.
   */
  judge(headers: Record<string, string>, host: string, method: string, resource?: ResourceCorsView): BrowserVerdict {
    const origin = headers['origin'];
    if (origin === undefined) {
      // An <img> or a link from another site carries no Origin, but browsers say where it came from.
      if (headers['sec-fetch-site'] !== 'cross-site') return { cors: {}, privateNetwork: false };
      const from = refererOrigin(headers['referer']);
      if (from !== undefined && this.trusts(from, host)) return { cors: {}, privateNetwork: false };
      // Reading an object is what <img> and <a download> do on S3; it changes nothing.
      if (resource && (method === 'GET' || method === 'HEAD')) return { cors: {}, privateNetwork: false };
      return {
        refusal: new AwsError(
          'OriginNotAllowed',
          `A cross-site browser request${from ? ` from ${from}` : ''} (Sec-Fetch-Site: cross-site) is not allowed to call localcloud; ` +
            `serve the page from an origin the cloud trusts (--allow-origin <origin>, or LOCALCLOUD_ALLOWED_ORIGINS).`,
          403,
        ),
      };
    }
    const isPreflight = method === 'OPTIONS' && headers['access-control-request-method'] !== undefined;
    if (this.trusts(origin, host)) {
      return {
        cors: resource ? {} : corsGrant(origin, headers),
        privateNetwork: isPreflight && headers['access-control-request-private-network'] === 'true',
      };
    }
    // The bucket's CORS configuration names this origin (the user's explicit choice), or the
    // bucket answers an OPTIONS itself, which has no side effect: S3 decides.
    if (resource && (resource.namesOrigin || method === 'OPTIONS')) return { cors: {}, privateNetwork: false };
    return {
      refusal: new AwsError(
        'OriginNotAllowed',
        `Origin ${origin} is not allowed to call localcloud; start it with --allow-origin ${origin} (or LOCALCLOUD_ALLOWED_ORIGINS=${origin}) if you trust that page.`,
        403,
      ),
    };
  }

  private trusts(origin: string, host: string): boolean {
    if (this.anyOrigin || this.origins.has(origin)) return true;
    // The cloud's own origin: a page the cloud itself served (an S3 object opened in the browser).
    return origin.toLowerCase() === `http://${host.toLowerCase()}`;
  }
}

/** `scheme://host[:port]` as browsers serialize an Origin (lower case, no default port, no path). */
export function normalizeOrigin(origin: string): string {
  const trimmed = origin.trim();
  if (trimmed === '*' || trimmed === 'null') return trimmed;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`not an origin: '${origin}' (expected e.g. http://127.0.0.1:8080)`);
  }
  if (url.origin === 'null' || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(`not an origin: '${origin}' (an origin is scheme://host[:port] with nothing after it, e.g. http://127.0.0.1:8080)`);
  }
  return url.origin;
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    const origin = new URL(referer).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
