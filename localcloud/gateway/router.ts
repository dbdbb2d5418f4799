import type { CredentialScope } from '../core/sigv4.js';
import type { ServiceProvider } from '../core/types.js';

/**
 * Picks the service for a request the way AWS's own endpoints would tell them
 * apart if they shared one host: path prefixes a service owns outright (the
 * Lambda Runtime API), then `X-Amz-Target`, then the SigV4 credential scope,
 * then the query `Action`, and finally S3, which owns every remaining path (as
 * on LocalStack's edge port).
 */
export class ServiceRouter {
  private readonly byTarget = new Map<string, ServiceProvider>();
  private readonly bySigningName = new Map<string, ServiceProvider>();
  private readonly byAction = new Map<string, ServiceProvider>();
  private readonly byPathPrefix: [string, ServiceProvider][] = [];
  private s3?: ServiceProvider;
  /** Health names of the services served, for messages. */
  readonly served: string[];

  constructor(services: ServiceProvider[]) {
    for (const service of services) {
      for (const prefix of service.routes.pathPrefixes ?? []) this.byPathPrefix.push([prefix, service]);
      for (const prefix of service.routes.targetPrefixes ?? []) this.byTarget.set(prefix, service);
      for (const name of service.routes.signingNames) this.bySigningName.set(name, service);
      for (const action of service.routes.queryActions ?? []) this.byAction.set(action, service);
      if (service.name === 's3') this.s3 = service;
    }
    this.served = services.map((s) => s.name).sort();
  }

  /**
   * The service a request names that localcloud does not serve, if it names
   * one: the SigV4 credential scope's service (`ec2`, `secretsmanager`) or,
   * unsigned, the X-Amz-Target prefix. Such a request would otherwise fall
   * through to S3 and get its XML errors.
   */
  unserved(path: string, headers: Record<string, string>, scope: CredentialScope | undefined): string | undefined {
    if (this.byPathPrefix.some(([prefix]) => path.startsWith(prefix))) return undefined;
    if (scope && !this.bySigningName.has(scope.service)) return scope.service;
    const target = headers['x-amz-target'];
    if (target && !scope && !this.byTarget.has(target.split('.')[0])) return target.split('.')[0];
    return undefined;
  }

  route(
    path: string,
    headers: Record<string, string>,
    /** The request's SigV4 credential scope, if it is signed. */
    scope: CredentialScope | undefined,
    /** The `Action` of a query-protocol request (from the query string or the form body). */
    action: string | null | undefined,
  ): ServiceProvider | undefined {
    for (const [prefix, service] of this.byPathPrefix) if (path.startsWith(prefix)) return service;
    const target = headers['x-amz-target'];
    if (target) {
      // An operation the service's target prefix does not know still goes to the service the request is signed for, which answers in its own protocol.
      const byTarget = this.byTarget.get(target.split('.')[0]);
      if (byTarget || !scope) return byTarget;
    }
    if (scope) {
      const service = this.bySigningName.get(scope.service);
      if (service) return service;
    }
    if (action && this.byAction.has(action)) return this.byAction.get(action);
    return this.s3;
  }
}
