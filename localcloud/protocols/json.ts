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
  /** The service's own error for a body nested deeper than {@link MAX_JSON_NESTING} (default: SerializationException). */
  tooDeep?: () => AwsError;
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
      const input = parseJsonBody(req.body, options.tooDeep);
      if (req.authorize) await req.authorize(operationName, input);
      const output = (await operation(input, req)) ?? {};
      return jsonResponse(200, output, contentType);
    } catch (err) {
      return jsonError(toAwsError(err), contentType, options.queryCompatible, options.errorTypes);
    }
  };
}

/**
 * The deepest a request body may nest objects and arrays: the default of
 * Jackson (`StreamReadConstraints.maxNestingDepth`), which AWS's Java front
 * ends parse with. No AWS shape comes near it (a DynamoDB item, the deepest,
 * allows 32 levels of attributes, about 70 of JSON), so a deeper body is
 * garbage, and refused before any operation sees it: an operation that
 * ignores unknown members would otherwise accept 5,000 levels of them.
 */
export const MAX_JSON_NESTING = 1000;

export function parseJsonBody(body: Buffer, tooDeep?: () => AwsError): any {
  if (body.length === 0) return {};
  const text = body.toString('utf8');
  if (nestsDeeperThan(text, MAX_JSON_NESTING)) {
    throw tooDeep?.() ?? new AwsError('SerializationException', `Request body nests objects and arrays deeper than ${MAX_JSON_NESTING} levels`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'Request body must be a JSON object');
  }
  return parsed;
}

/** Whether JSON text opens more than `limit` objects/arrays at once (brackets inside strings do not count). One pass, no parse. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
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
