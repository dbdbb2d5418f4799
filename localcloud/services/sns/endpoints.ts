import { invalidParameter } from './errors.js';

/** The protocols this local cloud delivers to; the rest of SNS's protocols are refused at Subscribe. */
export const SERVED_PROTOCOLS = new Set(['sqs', 'lambda', 'http', 'https']);

/** SNS protocols that need the outside world (mail, phones, mobile push services, Firehose): refused with why. */
const UNSERVED_PROTOCOLS = new Set(['email', 'email-json', 'sms', 'application', 'firehose']);

const QUEUE_ARN = /^arn:aws[\w-]*:sqs:([a-z0-9-]+):(\d{12}):([\w-]{1,80}(?:\.fifo)?)$/;
const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):function:([\w-]{1,64})(?::([\w$-]+))?$/;

export function parseQueueEndpointArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const m = QUEUE_ARN.exec(arn);
  return m ? { region: m[1], accountId: m[2], name: m[3] } : undefined;
}

export function parseFunctionArn(arn: string): { region: string; accountId: string; name: string; qualifier?: string } | undefined {
  const m = FUNCTION_ARN.exec(arn);
  return m ? { region: m[1], accountId: m[2], name: m[3], qualifier: m[4] } : undefined;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Checks a Subscribe request's Protocol and Endpoint. HTTP(S) endpoints must
 * be loopback: this cloud runs on a developer's machine and must not be
 * turned into something that posts to the network on a caller's behalf.
 */
export function validateEndpoint(protocol: string, endpoint: string | undefined): string {
  if (UNSERVED_PROTOCOLS.has(protocol)) {
    throw invalidParameter(`Protocol: ${protocol} delivery is not served by this local cloud (it would leave the machine); use sqs, lambda or a loopback http(s) endpoint`);
  }
  if (!SERVED_PROTOCOLS.has(protocol)) throw invalidParameter(`Invalid protocol type: ${protocol}`);
  if (!endpoint) throw invalidParameter('Endpoint');
  if (protocol === 'sqs') {
    if (!parseQueueEndpointArn(endpoint)) throw invalidParameter('SQS endpoint ARN');
    return endpoint;
  }
  if (protocol === 'lambda') {
    if (!parseFunctionArn(endpoint)) throw invalidParameter('Lambda endpoint ARN');
    return endpoint;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalidParameter('Endpoint must be a valid URL');
  }
  if (url.protocol !== `${protocol}:`) throw invalidParameter(`Endpoint must match the specified protocol`);
  if (!LOOPBACK_HOSTS.has(url.hostname) && !/^127\.\d+\.\d+\.\d+$/.test(url.hostname)) {
    throw invalidParameter(`Endpoint: ${url.hostname} is not a loopback address; this local cloud delivers HTTP(S) notifications only to localhost, 127.0.0.0/8 or ::1`);
  }
  return endpoint;
}
