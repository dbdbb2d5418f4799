/**
 * Custom resources (`Custom::*`, `AWS::CloudFormation::CustomResource`)
 * backed by Lambda: the request event as AWS sends it, an asynchronous
 * (InvocationType Event) invocation of the ServiceToken function, and the
 * answer awaited on the presigned ResponseURL.
 *
 * How long to wait: AWS waits an hour. Here the resource's own
 * `ServiceTimeout` (seconds, AWS's property) wins; otherwise
 * LOCALCLOUD_CFN_CUSTOM_RESOURCE_TIMEOUT (seconds, default 120); and the
 * stack's TimeoutInMinutes, when set, cuts any wait short.
 */
import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { CustomResourceBroker } from './custom-resource-broker.js';
import { TimeoutError } from './custom-resource-broker.js';
import type { CustomResourceEnvironments } from './custom-resource-environments.js';
import { ResourceFailure, type ProvisionResult, type ResourceProvider, type ResourceRequest } from './provider.js';
import { CUSTOM_RESOURCE_TYPE } from './registry.js';

export const DEFAULT_CUSTOM_RESOURCE_TIMEOUT_SECONDS = 120;

type RequestType = 'Create' | 'Update' | 'Delete';

export function customResourceProvider(broker: CustomResourceBroker, environments?: CustomResourceEnvironments): ResourceProvider {
  const send = async (
    request: ResourceRequest,
    requestType: RequestType,
    extra: { PhysicalResourceId?: string; OldResourceProperties?: Record<string, unknown> },
  ): Promise<ProvisionResult> => {
    const serviceToken = String(request.properties.ServiceToken ?? '');
    const functionArn = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(serviceToken) ? serviceToken : undefined;
    if (!functionArn) {
      throw new ResourceFailure(
        `Invalid service token: ${serviceToken}. localcloud supports Lambda function ARNs as ServiceToken (SNS topics are not supported)`,
      );
    }
    const requestId = randomUUID();
    const { url, key } = broker.open(request.stack.region, {
      StackId: request.stack.stackId,
      RequestId: requestId,
      LogicalResourceId: request.logicalId,
    });
    const event = {
      RequestType: requestType,
      ServiceToken: serviceToken,
      ResponseURL: url,
      StackId: request.stack.stackId,
      RequestId: requestId,
      LogicalResourceId: request.logicalId,
      ...(extra.PhysicalResourceId !== undefined ? { PhysicalResourceId: extra.PhysicalResourceId } : {}),
      ResourceType: request.resourceType,
      ResourceProperties: asStrings(request.properties),
      ...(extra.OldResourceProperties !== undefined ? { OldResourceProperties: asStrings(extra.OldResourceProperties) } : {}),
    };

    const lambda = request.client(LambdaClient);
    environments?.served(request.stack.stackId, functionArn);
    try {
      const invoked = await lambda.send(
        new InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }),
      );
      if (invoked.FunctionError) throw new Error(`the invocation failed: ${invoked.FunctionError}`);
    } catch (err) {
      broker.close(key);
      throw err;
    }

    let response;
    try {
      response = await broker.wait(key, timeoutSeconds(request.properties) * 1000, request.signal);
    } catch (err) {
      if (err instanceof TimeoutError) {
        throw new ResourceFailure(
          `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}]. ` +
            `If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.`,
        );
      }
      throw new ResourceFailure((err as Error).message === 'cancelled' ? `Resource ${requestType === 'Delete' ? 'deletion' : 'creation'} cancelled` : (err as Error).message);
    }
    if (response.Status === 'FAILED') {
      throw new ResourceFailure(
        `Received response status [FAILED] from custom resource. Message returned: ${response.Reason ?? ''} (RequestId: ${requestId})`,
        response.PhysicalResourceId || extra.PhysicalResourceId,
      );
    }
    return { physicalId: response.PhysicalResourceId!, attributes: { ...(response.Data ?? {}) } };
  };

  return {
    type: CUSTOM_RESOURCE_TYPE,
    requiredProperties: ['ServiceToken'],
    create: (request) => send(request, 'Create', {}),
    update: async (request) => {
      if (request.properties.ServiceToken !== request.previousProperties.ServiceToken) {
        throw new ResourceFailure('Modifying service token is not allowed.');
      }
      return send(request, 'Update', { PhysicalResourceId: request.physicalId, OldResourceProperties: request.previousProperties });
    },
    delete: async (request) => {
      await send(request, 'Delete', { PhysicalResourceId: request.physicalId });
    },
  };
}

function timeoutSeconds(properties: Record<string, unknown>): number {
  const own = Number(properties.ServiceTimeout);
  if (Number.isFinite(own) && own >= 1) return Math.min(own, 3600);
  const fromEnv = Number(process.env.LOCALCLOUD_CFN_CUSTOM_RESOURCE_TIMEOUT);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  return DEFAULT_CUSTOM_RESOURCE_TIMEOUT_SECONDS;
}

/** AWS delivers every scalar property of a custom resource as a string. */
function asStrings(value: unknown): any {
  if (Array.isArray(value)) return value.map(asStrings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asStrings(v)]));
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}
