import { AwsError } from '../../../core/errors.js';
import type { ServiceRequest, ServiceResponse } from '../../../core/types.js';
import { jsonResponse, parseJsonBody } from '../../../protocols/json.js';
import { RestRouter } from '../../../protocols/rest.js';
import { lambdaErrorResponse } from './errors.js';
import type { EventSourceMappingOperations } from './event-source-mappings.js';
import type { Caller, FunctionOperations } from './functions.js';
import type { InvokeOperation } from './invoke.js';
import type { PermissionOperations } from './permissions.js';
import { queryInt } from './validation.js';
import { checkWireTypes, REQUEST_MEMBERS } from './wire-types.js';

export interface LambdaOperations {
  functions: FunctionOperations;
  invoke: InvokeOperation;
  permissions: PermissionOperations;
  mappings: EventSourceMappingOperations;
}

/**
 * The REST-JSON binding of Lambda's API, paths as the SDK's service model
 * writes them (`/2015-03-31/functions/{FunctionName}/...`). Each route turns
 * the HTTP request into an operation call and the result into a response;
 * every failure leaves in Lambda's error shape.
 */
export function lambdaRouter(ops: LambdaOperations): (req: ServiceRequest) => Promise<ServiceResponse> {
  const router = new RestRouter();
  const fns = '/2015-03-31/functions';
  const caller = (req: ServiceRequest): Caller => ({ accountId: req.accountId, region: req.region, endpoint: req.endpoint });
  const qualifier = (req: ServiceRequest) => req.query.get('Qualifier') ?? undefined;
  /** The JSON body of `operation`, its members checked for their JSON types before any operation code reads them. */
  const body = (req: ServiceRequest, operation: keyof typeof REQUEST_MEMBERS) => {
    const input = parseJsonBody(req.body);
    checkWireTypes(input, REQUEST_MEMBERS[operation]);
    return input;
  };

  router
    .add('POST', fns, async (req) => json(201, await ops.functions.create(body(req, 'CreateFunction'), caller(req))))
    .add('GET', fns, (req) =>
      json(
        200,
        ops.functions.list(
          {
            marker: req.query.get('Marker') ?? undefined,
            maxItems: queryInt(req.query, 'MaxItems'),
            allVersions: req.query.get('FunctionVersion') === 'ALL',
          },
          caller(req),
        ),
      ),
    )
    .add('GET', `${fns}/{FunctionName}`, (req, p) => json(200, ops.functions.get(p.FunctionName, qualifier(req), caller(req))))
    .add('DELETE', `${fns}/{FunctionName}`, (req, p) => {
      ops.functions.delete(p.FunctionName, qualifier(req), caller(req));
      return empty(204);
    })
    .add('GET', `${fns}/{FunctionName}/configuration`, (req, p) =>
      json(200, ops.functions.getConfiguration(p.FunctionName, qualifier(req), caller(req))),
    )
    .add('PUT', `${fns}/{FunctionName}/configuration`, (req, p) =>
      json(200, ops.functions.updateConfiguration(p.FunctionName, body(req, 'UpdateFunctionConfiguration'), caller(req))),
    )
    .add('PUT', `${fns}/{FunctionName}/code`, async (req, p) => json(200, await ops.functions.updateCode(p.FunctionName, body(req, 'UpdateFunctionCode'), caller(req))))
    .add('POST', `${fns}/{FunctionName}/invocations`, (req, p) => ops.invoke.invoke(req, p.FunctionName, caller(req)))
    .add('GET', `${fns}/{FunctionName}/versions`, (req, p) =>
      json(
        200,
        ops.functions.listVersions(p.FunctionName, { marker: req.query.get('Marker') ?? undefined, maxItems: queryInt(req.query, 'MaxItems') }, caller(req)),
      ),
    )
    .add('POST', `${fns}/{FunctionName}/versions`, (req, p) => json(201, ops.functions.publishVersion(p.FunctionName, body(req, 'PublishVersion'), caller(req))))
    .add('POST', `${fns}/{FunctionName}/policy`, (req, p) => json(201, ops.permissions.add(p.FunctionName, body(req, 'AddPermission'), caller(req))))
    .add('GET', `${fns}/{FunctionName}/policy`, (req, p) => json(200, ops.permissions.get(p.FunctionName, qualifier(req), caller(req))))
    .add('DELETE', `${fns}/{FunctionName}/policy/{StatementId}`, (req, p) => {
      ops.permissions.remove(p.FunctionName, p.StatementId, qualifier(req), req.query.get('RevisionId') ?? undefined, caller(req));
      return empty(204);
    });

  router
    .add('PUT', '/2017-10-31/functions/{FunctionName}/concurrency', (req, p) =>
      json(200, ops.functions.putConcurrency(p.FunctionName, body(req, 'PutFunctionConcurrency'), caller(req))),
    )
    .add('DELETE', '/2017-10-31/functions/{FunctionName}/concurrency', (req, p) => {
      ops.functions.deleteConcurrency(p.FunctionName, caller(req));
      return empty(204);
    })
    .add('GET', '/2019-09-30/functions/{FunctionName}/concurrency', (req, p) => json(200, ops.functions.getConcurrency(p.FunctionName, caller(req))));

  const esm = '/2015-03-31/event-source-mappings';
  router
    .add('POST', esm, async (req) => json(202, await ops.mappings.create(body(req, 'CreateEventSourceMapping'), caller(req))))
    .add('GET', esm, (req) =>
      json(
        200,
        ops.mappings.list(
          {
            eventSourceArn: req.query.get('EventSourceArn') ?? undefined,
            functionName: req.query.get('FunctionName') ?? undefined,
            marker: req.query.get('Marker') ?? undefined,
            maxItems: queryInt(req.query, 'MaxItems'),
          },
          caller(req),
        ),
      ),
    )
    .add('GET', `${esm}/{UUID}`, (_req, p) => json(200, ops.mappings.get(p.UUID)))
    .add('PUT', `${esm}/{UUID}`, (req, p) => json(202, ops.mappings.update(p.UUID, body(req, 'UpdateEventSourceMapping'), caller(req))))
    .add('DELETE', `${esm}/{UUID}`, (_req, p) => json(202, ops.mappings.delete(p.UUID)));

  router
    .add('GET', '/2017-03-31/tags/{Resource}', (req, p) => json(200, { Tags: ops.functions.listTags(p.Resource, caller(req)) }))
    .add('POST', '/2017-03-31/tags/{Resource}', (req, p) => {
      ops.functions.tag(p.Resource, body(req, 'TagResource').Tags, caller(req));
      return empty(204);
    })
    .add('DELETE', '/2017-03-31/tags/{Resource}', (req, p) => {
      ops.functions.untag(p.Resource, req.query.getAll('tagKeys'), caller(req));
      return empty(204);
    })
    .add('GET', '/2016-08-19/account-settings', (req) => json(200, ops.functions.accountSettings(caller(req))));

  return async (req) => {
    try {
      const match = router.match(req);
      if (!match) throw new AwsError('UnknownOperationException', `localcloud's Lambda does not support ${req.method} ${req.path}`, 404);
      return await match.handler(req, match.params);
    } catch (err) {
      return lambdaErrorResponse(err);
    }
  };
}

/** JSON body; Dates become epoch seconds (ESM LastModified), as REST-JSON sends timestamps. */
const json = (status: number, value: unknown): ServiceResponse => jsonResponse(status, value);

function empty(status: number): ServiceResponse {
  return { status, headers: { 'content-length': '0' } };
}
