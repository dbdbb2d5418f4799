import { AwsError, toAwsError } from '../../core/errors.js';
import type { CloudContext, ServiceProvider, ServiceRequest, ServiceResponse } from '../../core/types.js';
import { jsonError, jsonProtocol, type JsonOperation } from '../../protocols/json.js';
import { queryError, queryParams } from '../../protocols/query.js';
import { decodeQueryParams } from '../../protocols/query-params.js';
import { JSON_ERROR_TYPES } from './errors.js';
import { SqsOperations } from './operations.js';
import { jsonOutputToQueryXml, queryInputToJson } from './query-codec.js';
import { QueueSignals } from './queue-signals.js';
import { QueueStore } from './queue-store.js';
import { parseQueueArn } from './queue-url.js';

export { SQS_LIMITS } from './operations.js';

const TARGET_PREFIX = 'AmazonSQS';
const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
/** How often messages past their retention period are dropped from queues nobody reads. */
const RETENTION_SWEEP_MS = 30_000;

export const SQS_OPERATIONS = [
  'CreateQueue', 'GetQueueUrl', 'ListQueues', 'DeleteQueue', 'GetQueueAttributes', 'SetQueueAttributes',
  'SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch',
  'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch', 'PurgeQueue', 'ListDeadLetterSourceQueues',
  'TagQueue', 'UntagQueue', 'ListQueueTags', 'AddPermission', 'RemovePermission',
] as const;

/** What other parts of the cloud get from `ctx.service<SqsProvider>('sqs')`. */
export interface SqsProvider extends ServiceProvider {
  /** The API, for in-process callers (Lambda's SQS poller) that have already been authorized. */
  readonly operations: SqsOperations;
  /** The queue's Policy attribute: SQS queue policies are resource policies to the authorizer. */
  resourcePolicy(accountId: string, region: string, resourceArn: string): Promise<string | undefined>;
  /** How many long polls are waiting now. */
  waitingReceives(): number;
}

/**
 * Amazon SQS: the AWS JSON 1.0 protocol current SDKs speak
 * (`X-Amz-Target: AmazonSQS.<Operation>`, query-compatible errors) and the
 * query protocol of older clients (`Action=...`, XML), over one queue store
 * persisted under `<stateDir>/sqs/`.
 */
export function createSqsService(ctx: CloudContext): SqsProvider {
  const store = new QueueStore(ctx.stateDir);
  const signals = new QueueSignals();
  let stopping = false;
  const operations = new SqsOperations({ store, signals, stopping: () => stopping });
  const table: Record<string, JsonOperation> = {};
  for (const name of SQS_OPERATIONS) table[name] = (input, req) => (operations[name] as (i: unknown, r: ServiceRequest) => unknown).call(operations, input, req);

  const handleJson = jsonProtocol({ targetPrefix: TARGET_PREFIX, version: '1.0', operations: table, queryCompatible: true, errorTypes: JSON_ERROR_TYPES });

  async function handleQuery(req: ServiceRequest): Promise<ServiceResponse> {
    try {
      const params = queryParams(req);
      const action = params.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
      if (!Object.hasOwn(table, action)) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
      const input = queryInputToJson(action, decodeQueryParams(params, (message) => new AwsError('InvalidParameterValue', message)));
      // The query protocol may post to the queue's URL instead of naming it.
      if (input.QueueUrl === undefined && /^\/\d{12}\/[^/]+$/.test(req.path)) input.QueueUrl = `${req.endpoint}${req.path}`;
      if (req.authorize) await req.authorize(action, input);
      const output = await table[action](input, req);
      const result = jsonOutputToQueryXml(action, output ?? {});
      return {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body:
          `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">${result === undefined ? '' : `<${action}Result>${result}</${action}Result>`}` +
          `<ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></${action}Response>`,
      };
    } catch (err) {
      return queryError(toAwsError(err), req.requestId, XMLNS);
    }
  }

  const isJson = (req: ServiceRequest) => req.headers['x-amz-target'] !== undefined || (req.headers['content-type'] ?? '').startsWith('application/x-amz-json');
  let sweep: NodeJS.Timeout | undefined;

  return {
    name: 'sqs',
    routes: { signingNames: ['sqs'], targetPrefixes: [TARGET_PREFIX] },
    operations,
    waitingReceives: () => signals.waiting,
    handle: (req) => (isJson(req) ? handleJson(req) : handleQuery(req)),
    errorResponse(error, req) {
      if (isJson(req)) return jsonError(error, JSON_CONTENT_TYPE, true, JSON_ERROR_TYPES);
      return queryError(error, req.requestId, XMLNS);
    },
    async resourcePolicy(_accountId, _region, resourceArn) {
      const id = parseQueueArn(resourceArn);
      return id ? store.get(id)?.attributes.Policy : undefined;
    },
    async start() {
      store.load();
      sweep = setInterval(() => {
        const now = Date.now();
        for (const queue of store.all()) if (queue.expire(now)) store.changed();
      }, RETENTION_SWEEP_MS);
      sweep.unref();
    },
    async stop() {
      stopping = true;
      if (sweep) clearInterval(sweep);
      // Long polls return (empty) now rather than holding the cloud's shutdown for up to 20 s.
      signals.notifyAll();
      store.flush();
    },
  };
}
