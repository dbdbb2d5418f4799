import { checkWireTypes, REQUEST_MEMBERS } from './wire-types.js';
import { AwsError } from '../../../core/errors.js';
import type { ServiceRequest, ServiceResponse } from '../../../core/types.js';
import { jsonResponse, parseJsonBody } from '../../../protocols/json.js';
import { RestRouter } from '../../../protocols/rest.js';
import { lambdaErrorResponse } from './errors.js';
import type { AliasOperations } from './aliases.js';
import type { EventSourceMappingOperations } from './event-source-mappings.js';
import type { Caller, FunctionOperations } from './functions.js';
import type { InvokeOperation } from './invoke.js';
import type { LayerOperations } from './layers.js';
import type { PermissionOperations } from './permissions.js';
import { queryInt } from './validation.js';

export interface LambdaOperations {
  functions: FunctionOperations;
  invoke: InvokeOperation;
  permissions: PermissionOperations;
  mappings: EventSourceMappingOperations;
  aliases: AliasOperations;
  layers: LayerOperations;
}

/**
 * The REST-JSON binding of Lambda's API, paths as the SDK's service model
 * writes them (`/2015-03-31/functions/{FunctionName}/...`). Each route turns
 * the HTTP request into an operation call and the result into a response;
 * every failure leaves in Lambda's error shape.
 */
export function lambdaRouter(ops: LambdaOperations): LambdaRouter {
  const router = new RestRouter();
  const fns = '/2015-03-31/functions';
  const caller = (req: ServiceRequest): Caller => ({ accountId: req.accountId, region: req.region, endpoint: req.endpoint });
  const qualifier = (req: ServiceRequest) => req.query.get('Qualifier') ?? undefined;
  // Parsed once per request: authorization reads the body before the handler does.
  const parsedBodies = new WeakMap<ServiceRequest, any>();
  const body = (req: ServiceRequest) => {
    if (!parsedBodies.has(req)) parsedBodies.set(req, parseJsonBody(req.body));
    return parsedBodies.get(req);
  };

  router
    .add('POST', fns, 'CreateFunction', async (req) => json(201, await ops.functions.create(body(req), caller(req))))
    .add('GET', fns, 'ListFunctions', (req) =>
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
    .add('GET', `${fns}/{FunctionName}`, 'GetFunction', (req, p) => json(200, ops.functions.get(p.FunctionName, qualifier(req), caller(req))))
    .add('DELETE', `${fns}/{FunctionName}`, 'DeleteFunction', (req, p) => {
      ops.functions.delete(p.FunctionName, qualifier(req), caller(req));
      return empty(204);
    })
    .add('GET', `${fns}/{FunctionName}/configuration`, 'GetFunctionConfiguration', (req, p) =>
      json(200, ops.functions.getConfiguration(p.FunctionName, qualifier(req), caller(req))),
    )
    .add('PUT', `${fns}/{FunctionName}/configuration`, 'UpdateFunctionConfiguration', (req, p) =>
      json(200, ops.functions.updateConfiguration(p.FunctionName, body(req), caller(req))),
    )
    .add('PUT', `${fns}/{FunctionName}/code`, 'UpdateFunctionCode', async (req, p) => json(200, await ops.functions.updateCode(p.FunctionName, body(req), caller(req))))
    .add('POST', `${fns}/{FunctionName}/invocations`, 'Invoke', (req, p) => ops.invoke.invoke(req, p.FunctionName, caller(req)))
    .add('GET', `${fns}/{FunctionName}/versions`, 'ListVersionsByFunction', (req, p) =>
      json(
        200,
        ops.functions.listVersions(p.FunctionName, { marker: req.query.get('Marker') ?? undefined, maxItems: queryInt(req.query, 'MaxItems') }, caller(req)),
      ),
    )
    .add('POST', `${fns}/{FunctionName}/versions`, 'PublishVersion', (req, p) => json(201, ops.functions.publishVersion(p.FunctionName, body(req), caller(req))))
    .add('POST', `${fns}/{FunctionName}/policy`, 'AddPermission', (req, p) =>
      // The SDK sends AddPermission's Qualifier in the query string, not the body.
      json(201, ops.permissions.add(p.FunctionName, { ...body(req), Qualifier: qualifier(req) ?? body(req).Qualifier }, caller(req))),
    )
    .add('GET', `${fns}/{FunctionName}/policy`, 'GetPolicy', (req, p) => json(200, ops.permissions.get(p.FunctionName, qualifier(req), caller(req))))
    .add('DELETE', `${fns}/{FunctionName}/policy/{StatementId}`, 'RemovePermission', (req, p) => {
      ops.permissions.remove(p.FunctionName, p.StatementId, qualifier(req), req.query.get('RevisionId') ?? undefined, caller(req));
      return empty(204);
    });

  const aliases = `${fns}/{FunctionName}/aliases`;
  router
    .add('POST', aliases, 'CreateAlias', (req, p) => json(201, ops.aliases.create(p.FunctionName, body(req), caller(req))))
    .add('GET', aliases, 'ListAliases', (req, p) =>
      json(
        200,
        ops.aliases.list(
          p.FunctionName,
          {
            functionVersion: req.query.get('FunctionVersion') ?? undefined,
            marker: req.query.get('Marker') ?? undefined,
            maxItems: queryInt(req.query, 'MaxItems'),
          },
          caller(req),
        ),
      ),
    )
    .add('GET', `${aliases}/{Name}`, 'GetAlias', (req, p) => json(200, ops.aliases.get(p.FunctionName, p.Name, caller(req))))
    .add('PUT', `${aliases}/{Name}`, 'UpdateAlias', (req, p) => json(200, ops.aliases.update(p.FunctionName, p.Name, body(req), caller(req))))
    .add('DELETE', `${aliases}/{Name}`, 'DeleteAlias', (req, p) => {
      ops.aliases.delete(p.FunctionName, p.Name, caller(req));
      return empty(204);
    });

  const layers = '/2018-10-31/layers';
  const layerVersion = `${layers}/{LayerName}/versions/{VersionNumber}`;
  const layerQuery = (req: ServiceRequest) => ({
    compatibleRuntime: req.query.get('CompatibleRuntime') ?? undefined,
    compatibleArchitecture: req.query.get('CompatibleArchitecture') ?? undefined,
    marker: req.query.get('Marker') ?? undefined,
    maxItems: queryInt(req.query, 'MaxItems'),
  });
  router
    // Same path as ListLayers, told apart by `?find=LayerVersion`: it must come first.
    .add('GET', layers, 'GetLayerVersionByArn', (req) => json(200, ops.layers.getByArn(req.query.get('Arn') ?? undefined, caller(req))), {
      query: { find: 'LayerVersion' },
    })
    .add('GET', layers, 'ListLayers', (req) => json(200, ops.layers.list(layerQuery(req), caller(req))))
    .add('POST', `${layers}/{LayerName}/versions`, 'PublishLayerVersion', async (req, p) => json(201, await ops.layers.publish(p.LayerName, body(req), caller(req))))
    .add('GET', `${layers}/{LayerName}/versions`, 'ListLayerVersions', (req, p) => json(200, ops.layers.listVersions(p.LayerName, layerQuery(req), caller(req))))
    .add('GET', layerVersion, 'GetLayerVersion', (req, p) => json(200, ops.layers.get(p.LayerName, p.VersionNumber, caller(req))))
    .add('DELETE', layerVersion, 'DeleteLayerVersion', (req, p) => {
      ops.layers.delete(p.LayerName, p.VersionNumber, caller(req));
      return empty(204);
    })
    .add('POST', `${layerVersion}/policy`, 'AddLayerVersionPermission', (req, p) =>
      json(201, ops.layers.addPermission(p.LayerName, p.VersionNumber, { ...body(req), RevisionId: req.query.get('RevisionId') ?? undefined }, caller(req))),
    )
    .add('GET', `${layerVersion}/policy`, 'GetLayerVersionPolicy', (req, p) => json(200, ops.layers.getPolicy(p.LayerName, p.VersionNumber, caller(req))))
    .add('DELETE', `${layerVersion}/policy/{StatementId}`, 'RemoveLayerVersionPermission', (req, p) => {
      ops.layers.removePermission(p.LayerName, p.VersionNumber, p.StatementId, req.query.get('RevisionId') ?? undefined, caller(req));
      return empty(204);
    });

  router
    .add('PUT', '/2017-10-31/functions/{FunctionName}/concurrency', 'PutFunctionConcurrency', (req, p) =>
      json(200, ops.functions.putConcurrency(p.FunctionName, body(req), caller(req))),
    )
    .add('DELETE', '/2017-10-31/functions/{FunctionName}/concurrency', 'DeleteFunctionConcurrency', (req, p) => {
      ops.functions.deleteConcurrency(p.FunctionName, caller(req));
      return empty(204);
    })
    .add('GET', '/2019-09-30/functions/{FunctionName}/concurrency', 'GetFunctionConcurrency', (req, p) => json(200, ops.functions.getConcurrency(p.FunctionName, caller(req))));

  const esm = '/2015-03-31/event-source-mappings';
  router
    .add('POST', esm, 'CreateEventSourceMapping', async (req) => json(202, await ops.mappings.create(body(req), caller(req))))
    .add('GET', esm, 'ListEventSourceMappings', (req) =>
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
    .add('GET', `${esm}/{UUID}`, 'GetEventSourceMapping', (_req, p) => json(200, ops.mappings.get(p.UUID)))
    .add('PUT', `${esm}/{UUID}`, 'UpdateEventSourceMapping', (req, p) => json(202, ops.mappings.update(p.UUID, body(req), caller(req))))
    .add('DELETE', `${esm}/{UUID}`, 'DeleteEventSourceMapping', (_req, p) => json(202, ops.mappings.delete(p.UUID)));

  router
    .add('GET', '/2017-03-31/tags/{Resource}', 'ListTags', (req, p) => json(200, { Tags: ops.functions.listTags(p.Resource, caller(req)) }))
    .add('POST', '/2017-03-31/tags/{Resource}', 'TagResource', (req, p) => {
      ops.functions.tag(p.Resource, body(req).Tags, caller(req));
      return empty(204);
    })
    .add('DELETE', '/2017-03-31/tags/{Resource}', 'UntagResource', (req, p) => {
      ops.functions.untag(p.Resource, req.query.getAll('tagKeys'), caller(req));
      return empty(204);
    })
    .add('GET', '/2016-08-19/account-settings', 'GetAccountSettings', (req) => json(200, ops.functions.accountSettings(caller(req))));

  const handle = async (req: ServiceRequest): Promise<ServiceResponse> => {
    try {
      const match = router.match(req);
      if (!match) throw new AwsError('UnknownOperationException', `localcloud's Lambda does not support ${req.method} ${req.path}`, 404);
      // Members of the wrong JSON type are refused before anything (authorization included) reads them.
      if (Object.hasOwn(REQUEST_MEMBERS, match.operation) && req.body.length > 0) {
        checkWireTypes(body(req), REQUEST_MEMBERS[match.operation as keyof typeof REQUEST_MEMBERS]);
      }
      if (req.authorize) await req.authorize(match.operation, operationInput(match.operation, req, match.params, body));
      return await match.handler(req, match.params);
    } catch (err) {
      return lambdaErrorResponse(err);
    }
  };
  return Object.assign(handle, { operations: router.operations() });
}

/** The router: a request handler that also lists the API operations it serves. */
export type LambdaRouter = ((req: ServiceRequest) => Promise<ServiceResponse>) & { readonly operations: readonly string[] };

/** Query parameters whose SDK member name differs from the wire name. */
const QUERY_MEMBERS: Record<string, string> = { tagKeys: 'TagKeys' };
/** Query parameters that repeat, and arrive as lists in the SDK's input. */
const LIST_MEMBERS = new Set(['TagKeys']);

/**
 * The operation's input as the SDK's input shape would hold it: the JSON
 * body's members, the query string's, the path labels, and Invoke's
 * invocation type (its body is the function's payload, not input).
 */
function operationInput(operation: string, req: ServiceRequest, params: Record<string, string>, body: (req: ServiceRequest) => any): Record<string, unknown> {
  const input: Record<string, unknown> = operation === 'Invoke' ? {} : { ...body(req) };
  for (const wireName of new Set(req.query.keys())) {
    if (wireName.startsWith('X-Amz-')) continue; // a presigned URL's signature, not input
    const member = Object.hasOwn(QUERY_MEMBERS, wireName) ? QUERY_MEMBERS[wireName] : wireName;
    input[member] = LIST_MEMBERS.has(member) ? req.query.getAll(wireName) : req.query.get(wireName);
  }
  if (operation === 'Invoke') input.InvocationType = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
  return Object.assign(input, params);
}

/** JSON body; Dates become epoch seconds (ESM LastModified), as REST-JSON sends timestamps. */
const json = (status: number, value: unknown): ServiceResponse => jsonResponse(status, value);

function empty(status: number): ServiceResponse {
  return { status, headers: { 'content-length': '0' } };
}
