import net from 'node:net';
import os from 'node:os';
import { bucketFromHost } from '../services/s3/addressing.js';

/**
 * The Host names the cloud answers to. A page on http://evil.example can
 * point its own name at 127.0.0.1 after loading (DNS rebinding) and then
 * talk to the cloud as a same-origin page; the request still carries
 * `Host: evil.example:4566`, which is how it is told apart. Accepted:
 *
 * - loopback: `localhost` and `*.localhost` (browsers resolve these to
 *   loopback themselves), `127.0.0.0/8`, `[::1]`;
 * - `localhost.localstack.cloud` and its subdomains (public DNS names
 *   LocalStack users point at 127.0.0.1), S3's endpoint names in path style
 *   (`s3.amazonaws.com`, as CloudFormation TemplateURLs use it) and every S3
 *   virtual-host name the S3 addressing routes (`<bucket>.s3.amazonaws.com`,
 *   ...): a rebinding page must be served from the name it rebinds, and
 *   nobody but their owners controls what those names resolve to;
 * - the bound address when the cloud listens beyond loopback (for `0.0.0.0`
 *   or `::`, every address of this machine and its host name);
 * - names the user configured (`--allow-host`): `name` or `*.name`.
 *
 * Any port goes: the port says nothing about who named the host.
 */
export class HostAllowlist {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(configured: string[], bindHost: string) {
    for (const name of configured) this.add(name);
    for (const name of namesOfBinding(bindHost)) this.add(name);
  }

  /** `name`, `name:port` (the port is ignored), `*.name`, an IP address. */
  add(name: string): void {
    const normalized = normalizeHostname(net.isIPv6(name) ? `[${name}]` : stripPort(name.trim()));
    if (!normalized) throw new Error(`not a host name: '${name}' (expected e.g. mycloud.test or *.mycloud.test)`);
    if (normalized.startsWith('*.')) this.suffixes.push(normalized.slice(1));
    else this.exact.add(normalized);
  }

  /** Whether a request's Host header (name and optional port) names this cloud. */
  allows(hostHeader: string): boolean {
    const hostname = normalizeHostname(stripPort(hostHeader));
    if (!hostname) return false;
    return (
      isLoopbackName(hostname) ||
      isLocalStackName(hostname) ||
      S3_ENDPOINT.test(hostname) ||
      bucketFromHost(hostname) !== undefined ||
      this.exact.has(hostname) ||
      this.suffixes.some((suffix) => hostname.endsWith(suffix))
    );
  }
}

function isLoopbackName(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (net.isIPv4(hostname)) return hostname.startsWith('127.');
  if (hostname.startsWith('[') && hostname.endsWith(']')) {
    const address = hostname.slice(1, -1);
    return address === '::1' || /^::ffff:127\./.test(address) || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(address);
  }
  return false;
}

/** `s3.amazonaws.com`, `s3.<region>.amazonaws.com`, `s3-<region>...`, `s3.dualstack...`, `.cn`. */
const S3_ENDPOINT = /^s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/;

function isLocalStackName(hostname: string): boolean {
  return hostname === 'localhost.localstack.cloud' || hostname.endsWith('.localhost.localstack.cloud');
}

/** `True` when binding `host` exposes the cloud beyond this machine. */
export function isLoopbackBinding(host: string): boolean {
  const name = normalizeHostname(net.isIPv6(host) ? `[${host}]` : host);
  return name !== undefined && isLoopbackName(name);
}

/** Names a client on the network may use for a cloud bound to `bindHost`. */
function namesOfBinding(bindHost: string): string[] {
  if (isLoopbackBinding(bindHost)) return [];
  const bracket = (address: string) => (net.isIPv6(address) ? `[${address}]` : address);
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return [bracket(bindHost)];
  const addresses = Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((info) => bracket(info.address.replace(/%.*$/, '')));
  const hostname = os.hostname();
  return [...addresses, hostname, `${hostname}.local`];
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

/** Lower case, no trailing dot; undefined for something that cannot be a host name. */
function normalizeHostname(name: string): string | undefined {
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  if (!lower) return undefined;
  if (lower.startsWith('[')) return lower.endsWith(']') && net.isIPv6(lower.slice(1, -1)) ? lower : undefined;
  return /^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(lower) ? lower : undefined;
}
