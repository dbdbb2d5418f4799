import { AwsError } from '../core/errors.js';
import type { ServiceRequest, ServiceResponse } from '../core/types.js';

/** Route handler for REST protocols; `params` holds the decoded `{Label}` path segments. */
export type RestHandler = (req: ServiceRequest, params: Record<string, string>) => Promise<ServiceResponse> | ServiceResponse;

interface Route {
  method: string;
  segments: string[];
  handler: RestHandler;
}

/**
 * Matches `METHOD /2015-03-31/functions/{FunctionName}/invocations`-style
 * patterns, as the service models write their HTTP bindings. `{Key+}` takes the
 * rest of the path.
 */
export class RestRouter {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RestHandler): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(req: ServiceRequest): { handler: RestHandler; params: Record<string, string> } | undefined {
    const parts = req.path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === req.method) return { handler: route.handler, params };
    }
    if (pathMatched) throw new AwsError('MethodNotAllowed', `Method ${req.method} is not allowed on ${req.path}`, 405);
    return undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const greedy = /^\{(\w+)\+\}$/.exec(p);
    if (greedy) {
      params[greedy[1]] = parts.slice(i).map(decodeURIComponent).join('/');
      return parts.length > i ? params : undefined;
    }
    if (i >= parts.length) return undefined;
    const label = /^\{(\w+)\}$/.exec(p);
    if (label) params[label[1]] = decodeURIComponent(parts[i]);
    else if (p !== parts[i]) return undefined;
  }
  return pattern.length === parts.length ? params : undefined;
}
