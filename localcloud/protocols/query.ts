import { AwsError, toAwsError } from '../core/errors.js';
import type { ServiceRequest, ServiceResponse } from '../core/types.js';
import { decodeQueryParams } from './query-params.js';
import { escapeXml, xmlContent } from './xml.js';

/** A query-protocol operation: the decoded parameters in, the `<Result>` content out. */
export type QueryOperation = (input: any, req: ServiceRequest) => Promise<unknown> | unknown;

export interface QueryProtocolOptions {
  /** The XML namespace of responses, e.g. `http://cloudformation.amazonaws.com/doc/2010-05-15/`. */
  xmlns: string;
  operations: Record<string, QueryOperation>;
  /**
   * Top-level list parameters of the service. The query protocol sends an
   * empty list as `Name=` with nothing after it (botocore, the AWS CLI), which
   * reads like an empty string; naming the lists lets them arrive as `[]`.
   */
  listParameters?: string[];
  /**
   * The service's code for a parameter it cannot accept: CloudWatch says
   * `InvalidParameterValue`, STS, IAM and CloudFormation `ValidationError`.
   */
  invalidParameterCode?: string;
  /**
   * Per action, the checks of the parameters' modelled constraints (lengths,
   * patterns, ranges). AWS answers these before it asks IAM, so they run
   * before `req.authorize`: a malformed request gets its ValidationError,
   * not an AccessDenied about a resource it could not even name.
   */
  validate?: Record<string, (input: any) => void>;
}

/**
 * AWS query protocol: form-encoded `Action=...&Version=...` in (POST body or
 * GET query string), `<ActionResponse><ActionResult>` XML out.
 */
export function queryProtocol(options: QueryProtocolOptions) {
  const invalidParameterCode = options.invalidParameterCode ?? 'ValidationError';
  return async function handle(req: ServiceRequest): Promise<ServiceResponse> {
    try {
      const params = queryParams(req);
      const action = params.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
      const operation = Object.hasOwn(options.operations, action) ? options.operations[action] : undefined;
      if (!operation) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service`);
      const input = decodeQueryParams(params, (message) => new AwsError(invalidParameterCode, message, 400));
      for (const name of options.listParameters ?? []) if (input[name] === '') input[name] = [];
      if (options.validate && Object.hasOwn(options.validate, action)) options.validate[action](input);
      if (req.authorize) await req.authorize(action, input);
      const result = await operation(input, req);
      const resultXml = result === undefined ? '' : `<${action}Result>${xmlContent(result)}</${action}Result>`;
      return {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body:
          `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${options.xmlns}">${resultXml}` +
          `<ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></${action}Response>`,
      };
    } catch (err) {
      return queryError(toAwsError(err), req.requestId, options.xmlns);
    }
  };
}

/**
 * The query string and the form body together; a name in both takes the
 * body's value. Built by appending (URLSearchParams#set and #has scan every
 * entry, which made a body of 60,000 parameters cost seconds).
 */
export function queryParams(req: ServiceRequest): URLSearchParams {
  if (req.method !== 'POST' || req.body.length === 0) return new URLSearchParams(req.query);
  const fromBody = new URLSearchParams(req.body.toString('utf8'));
  const bodyNames = new Set(fromBody.keys());
  const merged = new URLSearchParams();
  for (const [name, value] of req.query) if (!bodyNames.has(name)) merged.append(name, value);
  for (const [name, value] of fromBody) merged.append(name, value);
  return merged;
}

export function queryError(error: AwsError, requestId: string, xmlns = ''): ServiceResponse {
  const ns = xmlns ? ` xmlns="${xmlns}"` : '';
  return {
    status: error.statusCode,
    headers: { 'content-type': 'text/xml' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse${ns}><Error><Type>${error.fault}</Type>` +
      `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
