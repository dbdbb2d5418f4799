import { credentialScope } from '../core/sigv4.js';
import type { ServiceProvider } from '../core/types.js';

/**
 * Picks the service for a request the way AWS's own endpoints would tell them
 * apart if they shared one host: by `X-Amz-Target`, then by the SigV4
 * credential scope, then by the query `Action`, and finally S3, which owns
 * every remaining path (as on LocalStack's edge port).
 */
export class ServiceRouter {
  private readonly byTarget = new Map<string, ServiceProvider>();
  private readonly bySigningName = new Map<string, ServiceProvider>();
  private readonly byAction = new Map<string, ServiceProvider>();
  private s3?: ServiceProvider;

  constructor(services: ServiceProvider[]) {
    for (const service of services) {
      for (const prefix of service.routes.targetPrefixes ?? []) this.byTarget.set(prefix, service);
      for (const name of service.routes.signingNames) this.bySigningName.set(name, service);
      for (const action of service.routes.queryActions ?? []) this.byAction.set(action, service);
      if (service.name === 's3') this.s3 = service;
    }
  }

  route(headers: Record<string, string>, query: URLSearchParams, formAction?: string): ServiceProvider | undefined {
    const target = headers['x-amz-target'];
    if (target) return this.byTarget.get(target.split('.')[0]);
    const scope = credentialScope(headers, query);
    if (scope) {
      const service = this.bySigningName.get(scope.service);
      if (service) return service;
    }
    const action = query.get('Action') ?? formAction;
    if (action && this.byAction.has(action)) return this.byAction.get(action);
    return this.s3;
  }
}
