import type { QueueIdentity } from './queue.js';

/** Queue names: 1–80 of alphanumerics, hyphens and underscores, FIFO queues ending in `.fifo`. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export const isValidQueueName = (name: string): boolean => QUEUE_NAME.test(name) || FIFO_QUEUE_NAME.test(name);

/** A queue's URL in this cloud: LocalStack's default path style, `<endpoint>/<account>/<name>`. */
export function queueUrl(endpoint: string, id: QueueIdentity): string {
  return `${endpoint.replace(/\/+$/, '')}/${id.accountId}/${id.name}`;
}

export function queueArn(id: QueueIdentity): string {
  return `arn:aws:sqs:${id.region}:${id.accountId}:${id.name}`;
}

const ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;

export function parseQueueArn(arn: string): QueueIdentity | undefined {
  const match = ARN.exec(arn);
  return match ? { region: match[1], accountId: match[2], name: match[3] } : undefined;
}

/** The Region a queue URL's host names: AWS's `sqs.<region>.amazonaws.com`, `<region>.queue.amazonaws.com`, LocalStack's `sqs.<region>.localhost.localstack.cloud`. */
function regionOfHost(host: string): string | undefined {
  return /(?:^|\.)sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\./.exec(host)?.[1] ?? /^([a-z]{2}(?:-[a-z]+)+-\d)\.queue\./.exec(host)?.[1];
}

/**
 * The queue a URL names. Any host is accepted (clients keep URLs from AWS,
 * LocalStack or another endpoint of this cloud); the path is
 * `/<account>/<name>`, or LocalStack's `/queue/<region>/<account>/<name>`.
 */
export function parseQueueUrl(url: string, defaultRegion: string): QueueIdentity | undefined {
  let pathname: string;
  let host = '';
  try {
    const parsed = new URL(url);
    pathname = parsed.pathname;
    host = parsed.hostname;
  } catch {
    if (!url.startsWith('/')) return undefined;
    pathname = url;
  }
  const segments = pathname.split('/').filter((s) => s !== '');
  if (segments.length === 2 && /^\d{12}$/.test(segments[0])) {
    return { accountId: segments[0], region: regionOfHost(host) ?? defaultRegion, name: safeDecode(segments[1]) };
  }
  if (segments.length === 4 && segments[0] === 'queue' && /^\d{12}$/.test(segments[2])) {
    return { region: segments[1], accountId: segments[2], name: safeDecode(segments[3]) };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
