/**
 * SDK client settings for the bench: an endpoint, a region and credentials,
 * nothing else — the defaults users get, HTTP/2 for Kinesis included — except
 * where a reference engine cannot take them (see {@link http1}).
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Credentials } from '../targets/types.js';

export const BENCH_REGION = 'us-east-1';
/** Any local cloud takes these; the stack's TestClient keys are used where the brief says so. */
export const ADMIN_CREDENTIALS: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface BenchClientConfig {
  endpoint: string;
  region: string;
  credentials: Credentials;
}

export function clientConfig(endpoint: string, credentials: Credentials = ADMIN_CREDENTIALS): BenchClientConfig {
  return { endpoint, region: BENCH_REGION, credentials };
}

/**
 * The same settings over HTTP/1.1. kinesis-local answers the Kinesis client's
 * default cleartext HTTP/2 with a protocol error, so its figure — and the
 * like-for-like figure of ours next to it — is taken over HTTP/1.1.
 * (@smithy/node-http-handler comes with every SDK v3 client.)
 */
export function http1(config: BenchClientConfig): BenchClientConfig & { requestHandler: NodeHttpHandler } {
  return { ...config, requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: 64 } }) };
}
