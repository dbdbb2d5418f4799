import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AwsError } from '../../core/errors.js';
import type { CloudContext, ServiceProvider, ServiceRequest } from '../../core/types.js';
import { jsonError, jsonProtocol } from '../../protocols/json.js';
import { queryError, queryProtocol } from '../../protocols/query.js';
import { xmlMap } from '../../protocols/xml.js';
import { JSON_ERROR_TYPES } from './errors.js';
import { MetricStore } from './metric-store.js';
import { CloudWatchOperations } from './operations.js';

const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const TARGET_PREFIX = 'GraniteServiceVersion20100801';
const PRUNE_INTERVAL_MS = 3600 * 1000;

export interface CloudWatchProvider extends ServiceProvider {
  /** The metrics state model, for in-process readers (tests, the harness). */
  readonly metrics: MetricStore;
}

/**
 * CloudWatch metrics. Current SDKs speak AWS JSON 1.0 in "query-compatible"
 * mode (`X-Amz-Target: GraniteServiceVersion20100801.PutMetricData`); the AWS
 * CLI and older SDKs speak the query protocol (`Action=PutMetricData`). Both
 * reach the same operations.
 */
export function createCloudWatchService(ctx: CloudContext): CloudWatchProvider {
  const store = new MetricStore(ctx.stateDir ? path.join(ctx.stateDir, 'cloudwatch') : undefined);
  const ops = new CloudWatchOperations(store);
  const operations = {
    PutMetricData: ops.PutMetricData.bind(ops),
    GetMetricStatistics: ops.GetMetricStatistics.bind(ops),
    GetMetricData: ops.GetMetricData.bind(ops),
    ListMetrics: ops.ListMetrics.bind(ops),
  };

  const json = jsonProtocol({ targetPrefix: TARGET_PREFIX, version: '1.0', operations, queryCompatible: true, errorTypes: JSON_ERROR_TYPES });
  const query = queryProtocol({
    xmlns: XMLNS,
    invalidParameterCode: 'InvalidParameterValue',
    listParameters: ['Dimensions', 'Statistics', 'ExtendedStatistics', 'MetricData', 'MetricDataQueries'],
    operations: {
      ...operations,
      // Query XML spells maps as <entry> elements.
      GetMetricStatistics: (input, req) => {
        const output = ops.GetMetricStatistics(input, req);
        return {
          ...output,
          Datapoints: output.Datapoints?.map((p) => (p.ExtendedStatistics ? { ...p, ExtendedStatistics: xmlMap(p.ExtendedStatistics) } : p)),
        };
      },
    },
  });

  let pruneTimer: NodeJS.Timeout | undefined;
  return {
    name: 'cloudwatch',
    routes: {
      signingNames: ['monitoring'],
      targetPrefixes: [TARGET_PREFIX],
      queryActions: Object.keys(operations),
    },
    metrics: store,
    async start() {
      store.load();
      pruneTimer = setInterval(() => store.prune(), PRUNE_INTERVAL_MS).unref();
    },
    async stop() {
      if (pruneTimer) clearInterval(pruneTimer);
      store.close();
    },
    async handle(req) {
      const isJson = req.headers['x-amz-target'] !== undefined;
      let request: ServiceRequest;
      try {
        request = decompressed(req);
      } catch (err) {
        const error = err as AwsError;
        return isJson ? jsonError(error, 'application/x-amz-json-1.0', true, JSON_ERROR_TYPES) : queryError(error, req.requestId, XMLNS);
      }
      return isJson ? json(request) : query(request);
    },
  };
}

/** The SDK gzips PutMetricData bodies above 10 KiB (`Content-Encoding: gzip`). */
function decompressed(req: ServiceRequest): ServiceRequest {
  const encoding = req.headers['content-encoding']?.toLowerCase() ?? '';
  if (!encoding.split(',').some((e) => e.trim() === 'gzip')) return req;
  let body: Buffer;
  try {
    body = gunzipSync(req.body);
  } catch {
    throw new AwsError('InvalidParameterValue', 'The request body is not valid gzip data.', 400);
  }
  return { ...req, body };
}
