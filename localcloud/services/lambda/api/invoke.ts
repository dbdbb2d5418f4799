import { AwsError } from '../../../core/errors.js';
import type { ServiceRequest, ServiceResponse } from '../../../core/types.js';
import { versionToRun } from '../model/functions.js';
import { functionArn } from '../model/names.js';
import type { AsyncInvocations } from '../runtime/async-invocations.js';
import type { FunctionRuntime } from '../runtime/invoker.js';
import type { Caller, FunctionOperations } from './functions.js';
import { Validator } from './validation.js';

/** Synchronous invocation payloads (request and response) are limited to 6 MB. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Asynchronous (Event) invocation payloads are limited to 256 KB. */
export const MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;
/** LogType Tail returns the last 4 KB of the invocation's log. */
const TAIL_BYTES = 4096;

/**
 * Invoke, which is HTTP through and through (the payload is the body, the
 * options and results travel in X-Amz-* headers), so it works on the request
 * directly rather than on an SDK input shape.
 */
export class InvokeOperation {
  constructor(
    private readonly functionOps: FunctionOperations,
    private readonly runtime: FunctionRuntime,
    private readonly asyncInvocations: AsyncInvocations,
  ) {}

  async invoke(req: ServiceRequest, rawName: string, caller: Caller): Promise<ServiceResponse> {
    const invocationType = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    const logType = req.headers['x-amz-log-type'] ?? 'None';
    const clientContext = req.headers['x-amz-client-context'];
    new Validator()
      .oneOf(invocationType, 'invocationType', ['Event', 'RequestResponse', 'DryRun'])
      .oneOf(logType, 'logType', ['None', 'Tail'])
      .throwIfInvalid();
    const qualifier = req.query.get('Qualifier') ?? undefined;
    const { fn, ref } = this.functionOps.resolve(rawName, qualifier, caller);
    // Through an alias with a routing configuration, each invocation picks its version by weight.
    const version = versionToRun(fn, ref.qualifier);

    const limit = invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    if (req.body.length > limit) {
      throw new AwsError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 413);
    }
    const payload = req.body.length === 0 ? Buffer.from('{}') : req.body;
    assertJson(payload);
    if (clientContext && Buffer.byteLength(clientContext) > 3583) {
      throw new AwsError('InvalidParameterValueException', 'Client context must be smaller than 3583 bytes.', 400);
    }

    if (fn.reservedConcurrency === 0) {
      throw new AwsError('TooManyRequestsException', 'Rate Exceeded.', 429, { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    }
    const executedVersion = version.version;
    if (invocationType === 'DryRun') return { status: 204, headers: { 'x-amz-executed-version': executedVersion } };
    const invokedArn = functionArn(fn, ref.qualifier);

    if (invocationType === 'Event') {
      this.asyncInvocations.enqueue(() => {
        // Each attempt resolves the function anew: it may have been updated or deleted meanwhile.
        const current = this.functionOps.resolve(rawName, qualifier, caller);
        // Retries keep the request id, as Lambda's do.
        return this.runtime.invoke({ fn: current.fn, version: versionToRun(current.fn, current.ref.qualifier), invokedArn, payload, clientContext, requestId: req.requestId });
      });
      return { status: 202, headers: { 'x-amz-executed-version': executedVersion } };
    }

    const output = await this.runtime.invoke({ fn, version, invokedArn, payload, clientContext, requestId: req.requestId });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amz-executed-version': executedVersion,
      'x-amzn-requestid': output.requestId,
    };
    if (output.functionError) headers['x-amz-function-error'] = output.functionError;
    if (logType === 'Tail') headers['x-amz-log-result'] = lastBytes(output.log, TAIL_BYTES).toString('base64');
    return { status: 200, headers, body: output.payload };
  }
}

function assertJson(payload: Buffer): void {
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new AwsError(
      'InvalidRequestContentException',
      `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`,
      400,
    );
  }
}

function lastBytes(text: string, count: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= count ? bytes : bytes.subarray(bytes.length - count);
}
