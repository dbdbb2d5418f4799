import { AwsError, toAwsError } from '../core/errors.js';
import type { ServiceRequest, ServiceResponse } from '../core/types.js';
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
}

/**
 * AWS query protocol: form-encoded `Action=...&Version=...` in (POST body or
 * GET query string), `<ActionResponse><ActionResult>` XML out.
 */
export function queryProtocol(options: QueryProtocolOptions) {
  return async function handle(req: ServiceRequest): Promise<ServiceResponse> {
    try {
      const params = queryParams(req);
      const action = params.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
      const operation = Object.hasOwn(options.operations, action) ? options.operations[action] : undefined;
      if (!operation) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service`);
      const input = decodeQueryParams(params);
      for (const name of options.listParameters ?? []) if (input[name] === '') input[name] = [];
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

export function queryParams(req: ServiceRequest): URLSearchParams {
  const fromBody = req.method === 'POST' && req.body.length > 0 ? new URLSearchParams(req.body.toString('utf8')) : undefined;
  const merged = new URLSearchParams(req.query);
  fromBody?.forEach((v, k) => merged.set(k, v));
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

/**
 * Turns flattened query keys into nested values:
 * `Parameters.member.1.ParameterKey=a` becomes `{Parameters: [{ParameterKey: 'a'}]}`,
 * `Attributes.entry.1.key=k&Attributes.entry.1.value=v` becomes `{Attributes: {k: 'v'}}`.
 * Scalars stay strings: each operation knows which of its fields are numbers.
 */
export function decodeQueryParams(params: URLSearchParams): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version' || key.startsWith('X-Amz-')) continue;
    setPath(root, key.split('.'), value);
  }
  return finishEntries(root);
}

function setPath(target: any, segments: string[], value: string): void {
  let node = target;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    const next = segments[i + 1];
    if ((next === 'member' || next === 'entry') && segments[i + 2] !== undefined && /^\d+$/.test(segments[i + 2])) {
      // `Name.member.N...`: a list (or an entry-map) under Name, element N (1-based).
      const isMap = next === 'entry';
      node[segment] ??= isMap ? { __entries: [] } : [];
      const list = isMap ? node[segment].__entries : node[segment];
      const index = Number(segments[i + 2]) - 1;
      if (i + 3 === segments.length) {
        list[index] = value;
        return;
      }
      list[index] ??= {};
      node = list[index];
      i += 2;
      continue;
    }
    if (last) {
      node[segment] = value;
    } else {
      node[segment] ??= {};
      node = node[segment];
    }
  }
}

function finishEntries(value: any): any {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(finishEntries);
  if (value && typeof value === 'object') {
    if (Array.isArray(value.__entries)) {
      const map: Record<string, any> = {};
      for (const entry of value.__entries) {
        if (entry && typeof entry === 'object') map[entry.key ?? entry.Key ?? entry.Name] = finishEntries(entry.value ?? entry.Value);
      }
      return map;
    }
    for (const k of Object.keys(value)) value[k] = finishEntries(value[k]);
  }
  return value;
}
