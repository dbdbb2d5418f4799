/**
 * What the test page's server hands to the page: `/config.json` and
 * `/api/metrics`. Shared by both sides so they cannot drift apart.
 */

/** `/config.json`: everything the page needs, so nobody edits the page by hand. */
export interface PageConfig {
  stackName: string;
  region: string;
  /** Where the browser sends AWS calls; absent means the real AWS regional endpoints. */
  endpoint?: string;
  /** The stack's outputs, as deployed (AccessKeyId, SecretAccessKey, KinesisStream, LambdaAPIFunction, ...). */
  outputs: Record<string, string>;
  /** Outputs the page cannot work without, when the stack did not report them. */
  missingOutputs: string[];
  /** Where the metrics view reads from; CloudWatch itself is not readable with the TestClient keys. */
  metrics: { namespace: string; metricName: string; dimension: string; url: string };
}

/** The outputs the page reads. */
export const REQUIRED_OUTPUTS = ['AccessKeyId', 'SecretAccessKey', 'KinesisStream', 'LambdaAPIFunction'] as const;

/** One sensor's `SensorData` metric over the requested window, oldest first. */
export interface SensorMetricSeries {
  /** The sensor ID as sent (the dimension value percent-decoded). */
  sensorId: string;
  /** The `SensorId` dimension value as stored in CloudWatch. */
  dimensionValue: string;
  /** Start of each period, epoch milliseconds. */
  timestamps: number[];
  /** Data points (readings) per period: the SampleCount statistic. */
  samples: number[];
  /** Average reading per period. */
  averages: number[];
}

/** `GET /api/metrics?minutes=&period=` */
export interface MetricsResponse {
  namespace: string;
  metricName: string;
  /** Seconds per data point. */
  period: number;
  /** The window, ISO-8601. */
  start: string;
  end: string;
  sensors: SensorMetricSeries[];
  /** Records the event processor skipped as malformed, per period (`InvalidEvents`, Sum). */
  invalidEvents: { timestamps: number[]; values: number[] };
  /** True when more sensors exist than one response carries. */
  truncated: boolean;
}

/** The body of any `/api/...` answer that is not a 2xx. */
export interface ApiError {
  error: { code: string; message: string };
}
