import type { ServiceRequest } from '../../core/types.js';
import { layerArn, parseLayerName } from '../../services/lambda/model/layers.js';
import { eventSourceMappingArn, functionArn, parseFunctionRef } from '../../services/lambda/model/names.js';
import type { RequiredPermission } from '../types.js';
import { passRole, permission, text, unmapped, type ActionLookups, type ActionMap } from './permission.js';

/** Operations on the function `FunctionName` names, and the IAM action of each where it differs. */
const FUNCTION_ACTIONS: Record<string, string> = {
  CreateFunction: 'lambda:CreateFunction',
  GetFunction: 'lambda:GetFunction',
  DeleteFunction: 'lambda:DeleteFunction',
  GetFunctionConfiguration: 'lambda:GetFunctionConfiguration',
  UpdateFunctionConfiguration: 'lambda:UpdateFunctionConfiguration',
  UpdateFunctionCode: 'lambda:UpdateFunctionCode',
  Invoke: 'lambda:InvokeFunction',
  ListVersionsByFunction: 'lambda:ListVersionsByFunction',
  PublishVersion: 'lambda:PublishVersion',
  AddPermission: 'lambda:AddPermission',
  GetPolicy: 'lambda:GetPolicy',
  RemovePermission: 'lambda:RemovePermission',
  PutFunctionConcurrency: 'lambda:PutFunctionConcurrency',
  DeleteFunctionConcurrency: 'lambda:DeleteFunctionConcurrency',
  GetFunctionConcurrency: 'lambda:GetFunctionConcurrency',
  // Aliases are managed on the function (the Service Authorization Reference's `function` resource).
  CreateAlias: 'lambda:CreateAlias',
  GetAlias: 'lambda:GetAlias',
  ListAliases: 'lambda:ListAliases',
  UpdateAlias: 'lambda:UpdateAlias',
  DeleteAlias: 'lambda:DeleteAlias',
};

/** Event source mapping operations that name one mapping by `UUID`. */
const MAPPING_OPERATIONS = new Set(['GetEventSourceMapping', 'UpdateEventSourceMapping', 'DeleteEventSourceMapping']);

const ACCOUNT_OPERATIONS = new Set(['ListFunctions', 'ListEventSourceMappings', 'GetAccountSettings', 'ListLayers', 'ListLayerVersions']);

/** Operations on one layer version (`LayerName` + `VersionNumber`), and their IAM action. */
const LAYER_VERSION_ACTIONS: Record<string, string> = {
  GetLayerVersion: 'lambda:GetLayerVersion',
  DeleteLayerVersion: 'lambda:DeleteLayerVersion',
  AddLayerVersionPermission: 'lambda:AddLayerVersionPermission',
  RemoveLayerVersionPermission: 'lambda:RemoveLayerVersionPermission',
  GetLayerVersionPolicy: 'lambda:GetLayerVersionPolicy',
};

/** Tagging names the function by its ARN (`Resource`). */
const ARN_OPERATIONS = new Set(['ListTags', 'TagResource', 'UntagResource']);

/**
 * AWS Lambda (prefix `lambda`). Function actions apply to the function's ARN,
 * with the qualifier when the request gives one (a version or alias ARN is a
 * resource of its own on AWS). Mapping actions carry `lambda:FunctionArn`;
 * setting a function's role needs `iam:PassRole` on it.
 */
export const lambdaPermissions: ActionMap = (operation, input, req, lookups) => {
  if (Object.hasOwn(FUNCTION_ACTIONS, operation)) {
    const action = FUNCTION_ACTIONS[operation];
    const permissions: RequiredPermission[] = [];
    const fn = functionArnOf(input?.FunctionName, input?.Qualifier, req);
    permissions.push(permission(action, fn, operation === 'AddPermission' ? principalContext(input) : undefined));
    const role = text(input?.Role);
    if (role && (operation === 'CreateFunction' || operation === 'UpdateFunctionConfiguration')) permissions.push(passRole(role, 'lambda.amazonaws.com'));
    // Using a layer needs lambda:GetLayerVersion on it (another account's layer: granted by its layer version policy).
    if (operation === 'CreateFunction' || operation === 'UpdateFunctionConfiguration') {
      for (const layer of Array.isArray(input?.Layers) ? input.Layers : []) {
        const arn = text(layer);
        if (arn) permissions.push(permission('lambda:GetLayerVersion', arn));
      }
    }
    return permissions;
  }
  if (operation === 'PublishLayerVersion') return [permission('lambda:PublishLayerVersion', layerArnOf(input?.LayerName, req))];
  if (operation === 'GetLayerVersionByArn') return [permission('lambda:GetLayerVersion', text(input?.Arn) ?? '*')];
  if (Object.hasOwn(LAYER_VERSION_ACTIONS, operation)) {
    return [permission(LAYER_VERSION_ACTIONS[operation], `${layerArnOf(input?.LayerName, req)}:${text(input?.VersionNumber) ?? ''}`)];
  }
  if (operation === 'CreateEventSourceMapping') {
    // The mapping has no ARN before it exists: `*`, narrowed by the function it will invoke.
    return [permission('lambda:CreateEventSourceMapping', '*', { 'lambda:FunctionArn': functionArnOf(input?.FunctionName, undefined, req) })];
  }
  if (MAPPING_OPERATIONS.has(operation)) {
    const uuid = text(input?.UUID) ?? '';
    const target = mappingFunctionArn(uuid, lookups);
    return [permission(`lambda:${operation}`, eventSourceMappingArn(req.region, req.accountId, uuid), target ? { 'lambda:FunctionArn': target } : undefined)];
  }
  if (ARN_OPERATIONS.has(operation)) return [permission(`lambda:${operation}`, text(input?.Resource) ?? '*')];
  if (ACCOUNT_OPERATIONS.has(operation)) return [permission(`lambda:${operation}`, '*')];
  return unmapped('lambda', operation);
};

/**
 * The ARN of the function any of Lambda's spellings names: `name`,
 * `123456789012:function:name`, `arn:aws:lambda:<region>:<account>:function:name`,
 * each with an optional `:qualifier`, or a separate `Qualifier`. An ARN may
 * name another account's function. A spelling Lambda would reject keeps its
 * raw text, so the evaluator still sees something to deny; the service then
 * answers the validation error.
 */
export function functionArnOf(functionName: unknown, qualifier: unknown, req: Pick<ServiceRequest, 'accountId' | 'region'>): string {
  const raw = text(functionName) ?? '';
  try {
    const ref = parseFunctionRef(raw, req.accountId, req.region);
    return functionArn(ref, ref.qualifier ?? text(qualifier));
  } catch {
    return functionArn({ accountId: req.accountId, region: req.region, name: raw }, text(qualifier));
  }
}

/** The layer `LayerName` names (a name in the caller's account and region, or a layer ARN); raw text when it is neither. */
function layerArnOf(layerName: unknown, req: Pick<ServiceRequest, 'accountId' | 'region'>): string {
  const raw = text(layerName) ?? '';
  const ref = parseLayerName(raw, req.accountId, req.region);
  return ref ? layerArn(ref) : raw;
}

function mappingFunctionArn(uuid: string, lookups?: ActionLookups): string | undefined {
  return uuid ? lookups?.eventSourceMappingFunctionArn?.(uuid) : undefined;
}

/** AddPermission's `lambda:Principal`: who the statement will let in. */
function principalContext(input: any): RequiredPermission['context'] {
  const principal = text(input?.Principal);
  return principal ? { 'lambda:Principal': principal } : undefined;
}
