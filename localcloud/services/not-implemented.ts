import { AwsError } from '../core/errors.js';
import type { ServiceProvider, ServiceRoutes } from '../core/types.js';
import { jsonError } from '../protocols/json.js';
import { queryError } from '../protocols/query.js';

/** A placeholder that routes correctly and answers every call with a clear 501. */
export function notImplementedService(name: string, routes: ServiceRoutes): ServiceProvider {
  return {
    name,
    routes,
    async handle(req) {
      const error = new AwsError('NotImplemented', `${name} is not implemented in localcloud yet`, 501);
      return req.headers['x-amz-target'] ? jsonError(error) : queryError(error, req.requestId);
    },
  };
}
