/**
 * Where a stream function's time goes, read from its own REPORT log lines in
 * CloudWatch Logs — the public record every Lambda invocation leaves: how
 * many invocations a run took, how long the handler ran, and how much of the
 * time between batches was spent outside the handler (polling, handing the
 * batch over, checkpointing, waiting for CPU).
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { percentile } from './stats.js';

export interface StreamConsumer {
  functionName: string;
  batchSize: number;
}

/** The functions that read a stream (its event source mappings). */
export async function streamConsumers(kinesis: KinesisClient, lambda: LambdaClient, streamName: string): Promise<StreamConsumer[]> {
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  const consumers: StreamConsumer[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: StreamDescriptionSummary?.StreamARN, Marker: marker }));
    for (const mapping of page.EventSourceMappings ?? []) {
      const name = mapping.FunctionArn?.split(':function:')[1]?.split(':')[0];
      if (name) consumers.push({ functionName: name, batchSize: mapping.BatchSize ?? 100 });
    }
    marker = page.NextMarker;
  } while (marker);
  return consumers;
}

export interface InvocationStats {
  functionName: string;
  batchSize: number;
  invocations: number;
  /** Handler time per invocation (REPORT Duration). */
  durationMs: { p50: number; p90: number; p99: number; mean: number; total: number };
  /** First START to last REPORT: how long the function was at it. */
  spanMs: number;
  /** span / invocations: one batch, start to start. */
  cycleMs: number;
  /** cycle − mean duration: per batch, the time outside the handler. */
  outsideHandlerMs: number;
}

/** The REPORT lines of a function's invocations that started within [from, to] (epoch ms). */
export async function invocationStats(logs: CloudWatchLogsClient, consumer: StreamConsumer, from: number, to: number): Promise<InvocationStats> {
  const durations: number[] = [];
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let token: string | undefined;
  do {
    const page = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: `/aws/lambda/${consumer.functionName}`,
        startTime: from,
        endTime: to,
        nextToken: token,
      }),
    );
    for (const event of page.events ?? []) {
      const message = event.message ?? '';
      const at = event.timestamp ?? 0;
      if (message.startsWith('START')) first = Math.min(first, at);
      const duration = /^REPORT .*?\bDuration: ([\d.]+) ms/.exec(message);
      if (duration) {
        durations.push(Number(duration[1]));
        last = Math.max(last, at);
      }
    }
    token = page.nextToken;
  } while (token);
  const total = durations.reduce((a, b) => a + b, 0);
  const invocations = durations.length;
  const spanMs = invocations > 0 ? Math.max(0, last - first) : 0;
  const mean = invocations > 0 ? total / invocations : Number.NaN;
  const cycleMs = invocations > 0 ? spanMs / invocations : Number.NaN;
  return {
    functionName: consumer.functionName,
    batchSize: consumer.batchSize,
    invocations,
    durationMs: { p50: percentile(durations, 50), p90: percentile(durations, 90), p99: percentile(durations, 99), mean, total },
    spanMs,
    cycleMs,
    outsideHandlerMs: cycleMs - mean,
  };
}
