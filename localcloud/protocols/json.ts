import { AwsError, toAwsError } from '../core/errors.js';
import type { ServiceRequest, ServiceResponse } from '../core/types.js';

/** A JSON-protocol operation: SDK input shape in, SDK output shape out. */
export type JsonOperation = (input: any, req: ServiceRequest) => Promise<unknown> | unknown;

export interface JsonProtocolOptions {
  /** `X-Amz-Target` prefix, e.g. `Logs_20140328`. */
  targetPrefix: string;
  version: '1.0' | '1.1';
  operations: Record<string, JsonOperation>;
  /**
   * Services migrated from the query protocol (CloudWatch) tell query-era
   * clients the original error code through `x-amzn-query-error`.
   */
  queryCompatible?: boolean;
  /**
   * JSON `__type` for error codes whose JSON shape name differs from the
   * query-era code (CloudWatch: `InvalidParameterValue` travels as
   * `InvalidParameterValueException`, the original code in `x-amzn-query-error`).
   */
  errorTypes?: Record<string, string>;
}

/**
 * AWS JSON 1.0/1.1: `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a
 * JSON body. Errors are `{"__type": code, "message": ...}` with the status
 * code of the error.
 */
export function jsonProtocol(options: JsonProtocolOptions) {
  const contentType = `application/x-amz-json-${options.version}`;
  return async function handle(req: ServiceRequest): Promise<ServiceResponse> {
    try {
      const target = req.headers['x-amz-target'] ?? '';
      const [prefix, operationName] = target.split('.');
      if (prefix !== options.targetPrefix || !operationName) {
        throw new AwsError('UnknownOperationException', `Unknown X-Amz-Target: ${target || '(none)'}`);
      }
      const operation = Object.hasOwn(options.operations, operationName) ? options.operations[operationName] : undefined;
      if (!operation) {
        throw new AwsError('UnknownOperationException', `Operation ${operationName} is not supported by localcloud`);
      }
      const input = parseJsonBody(req.body);
      if (req.authorize) await req.authorize(operationName, input);
      const output = (await operation(input, req)) ?? {};
      return jsonResponse(200, output, contentType);
    } catch (err) {
      return jsonError(toAwsError(err), contentType, options.queryCompatible, options.errorTypes);
    }
  };
}

export function parseJsonBody(body: Buffer): any {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'Request body must be a JSON object');
  }
  return parsed;
}

export function jsonResponse(status: number, value: unknown, contentType = 'application/json'): ServiceResponse {
  return {
    status,
    headers: { 'content-type': contentType },
    body: JSON.stringify(value, epochSecondsForDates),
  };
}

/**
 * JSON protocols send timestamps as epoch seconds. A replacer only sees a
 * Date through its holder: by the time it is called, JSON.stringify has
 * already turned the value itself into an ISO string with Date#toJSON.
 */
function epochSecondsForDates(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}

export function jsonError(
  error: AwsError,
  contentType = 'application/json',
  queryCompatible = false,
  errorTypes: Record<string, string> = {},
): ServiceResponse {
  const type = Object.hasOwn(errorTypes, error.code) ? errorTypes[error.code] : error.code;
  const headers: Record<string, string> = { 'content-type': contentType, 'x-amzn-errortype': type };
  if (queryCompatible) headers['x-amzn-query-error'] = `${error.code};${error.fault}`;
  return {
    status: error.statusCode,
    headers,
    body: JSON.stringify({ __type: type, message: error.message, ...error.extra }),
  };
}
