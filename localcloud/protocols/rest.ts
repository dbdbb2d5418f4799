import { AwsError } from '../core/errors.js';
import type { ServiceRequest, ServiceResponse } from '../core/types.js';

/** Route handler for REST protocols; `params` holds the decoded `{Label}` path segments. */
export type RestHandler = (req: ServiceRequest, params: Record<string, string>) => Promise<ServiceResponse> | ServiceResponse;

interface Route {
  method: string;
  segments: string[];
  /** The API operation, as the SDK names it (`Invoke`, `CreateFunction`): what IAM authorizes. */
  operation: string;
  handler: RestHandler;
  /** Query parameters the request must carry with these values (operations that share a path, e.g. `?find=LayerVersion`). */
  query?: Record<string, string>;
}

export interface RestMatch {
  operation: string;
  handler: RestHandler;
  params: Record<string, string>;
}

/**
 * Matches `METHOD /2015-03-31/functions/{FunctionName}/invocations`-style
 * patterns, as the service models write their HTTP bindings. `{Key+}` takes the
 * rest of the path.
 */
export class RestRouter {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, operation: string, handler: RestHandler, options: { query?: Record<string, string> } = {}): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), operation, handler, query: options.query });
    return this;
  }

  /** Every operation routed, in the order added. */
  operations(): string[] {
    return this.routes.map((r) => r.operation);
  }

  match(req: ServiceRequest): RestMatch | undefined {
    const parts = req.path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.query && !Object.entries(route.query).every(([name, value]) => req.query.get(name) === value)) continue;
      if (route.method === req.method) return { operation: route.operation, handler: route.handler, params };
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
      params[greedy[1]] = parts.slice(i).map(decodeSegment).join('/');
      return parts.length > i ? params : undefined;
    }
    if (i >= parts.length) return undefined;
    const label = /^\{(\w+)\}$/.exec(p);
    if (label) params[label[1]] = decodeSegment(parts[i]);
    else if (p !== parts[i]) return undefined;
  }
  return pattern.length === parts.length ? params : undefined;
}

/** A path label as the client meant it; broken percent-encoding (`%E0%A4%A`) is the client's mistake, a 400. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AwsError('ValidationException', `The path segment '${segment.slice(0, 200)}' is not valid percent-encoded UTF-8`, 400);
  }
}
