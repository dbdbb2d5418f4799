/** `/config.json`: the stack's outputs and target, in the shape the page reads. */
import { METRIC_NAMESPACE, SENSOR_DIMENSION, SENSOR_METRIC_NAME } from '../../../functions/shared/constants.js';
import { REQUIRED_OUTPUTS, type PageConfig } from '../shared/api.js';

export interface PageConfigSource {
  endpoint?: string;
  region: string;
  stackName: string;
  outputs: Record<string, string>;
}

/**
 * Note what is NOT here: the administrator credentials. The page only ever gets
 * the TestClient's keys, which the stack hands out as outputs on purpose.
 */
export function pageConfig(source: PageConfigSource): PageConfig {
  const outputs = { ...source.outputs };
  return {
    stackName: source.stackName,
    region: source.region,
    ...(source.endpoint ? { endpoint: source.endpoint.replace(/\/+$/, '') } : {}),
    outputs,
    missingOutputs: REQUIRED_OUTPUTS.filter((name) => !outputs[name]),
    metrics: { namespace: METRIC_NAMESPACE, metricName: SENSOR_METRIC_NAME, dimension: SENSOR_DIMENSION, url: '/api/metrics' },
  };
}
