import { credentialScopeRegionError, type ErrorDialect } from '../core/regions.js';
import type { CredentialScope } from '../core/sigv4.js';
import type { ServiceProvider, ServiceRequest, ServiceResponse } from '../core/types.js';
import { jsonError } from '../protocols/json.js';
import { queryError } from '../protocols/query.js';
import { s3ErrorResponse } from '../services/s3/errors.js';

/**
 * AWS's answer to a request signed for a Region that does not exist, in the
 * error shape of the service it reached; undefined for every other request
 * (unsigned ones included). See core/regions.ts for the list and the codes.
 */
export function refuseUnknownRegion(
  req: ServiceRequest,
  scope: CredentialScope | undefined,
  service: ServiceProvider,
  defaultRegion: string,
): ServiceResponse | undefined {
  if (!scope) return undefined;
  const dialect = errorDialect(req, service);
  const presigned = req.headers['authorization'] === undefined;
  const error = credentialScopeRegionError(scope.region, dialect, defaultRegion, presigned);
  if (!error) return undefined;
  switch (dialect) {
    case 'json':
    case 'rest-json':
      return jsonError(error);
    case 's3':
      return s3ErrorResponse(error, req.method, req.requestId);
    case 'query':
      return queryError(error, req.requestId);
  }
}

/** How the service a request reached spells its errors. */
function errorDialect(req: ServiceRequest, service: ServiceProvider): ErrorDialect {
  if (req.headers['x-amz-target']) return 'json';
  if (service.name === 's3') return 's3';
  if (service.name === 'lambda') return 'rest-json';
  return 'query';
}
