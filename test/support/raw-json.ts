import { signedHeaders, type SigningOptions } from './sign.js';

/** Signing names of the JSON services, by X-Amz-Target prefix. */
const SIGNING_NAME_OF_TARGET: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  DynamoDBStreams_20120810: 'dynamodb',
  Kinesis_20131202: 'kinesis',
  Logs_20140328: 'logs',
  AmazonSSM: 'ssm',
  GraniteServiceVersion20100801: 'monitoring',
};

/**
 * An AWS JSON-protocol request without the SDK, for bodies no SDK would send.
 * `target` is the X-Amz-Target (`Kinesis_20131202.PutRecord`); the answer is
 * the HTTP status and the parsed JSON body (an error's `__type` and message).
 *
 * Like any AWS request it is SigV4-signed, by default as the account root
 * (`test`) with the signing name of the target's service; pass `'unsigned'`
 * for a test about unsigned requests, or SigningOptions to sign as someone else.
 */
export async function rawJsonRequest(
  url: string,
  target: string,
  body: string | Uint8Array,
  contentType: string,
  signing: Partial<SigningOptions> | 'unsigned' = {},
) {
  let headers: Record<string, string> = { 'content-type': contentType, 'x-amz-target': target };
  if (signing !== 'unsigned') {
    const service = signing.service ?? SIGNING_NAME_OF_TARGET[target.slice(0, target.indexOf('.'))];
    if (!service) throw new Error(`rawJsonRequest: no signing name known for ${target}; pass one`);
    headers = await signedHeaders(url, { method: 'POST', target: '/', headers, body }, { ...signing, service });
  }
  // fetch sets Host itself, to the same value that was signed.
  const { host: _host, ...sent } = headers;
  const res = await fetch(url, { method: 'POST', headers: sent, body: body as RequestInit['body'] });
  return { status: res.status, body: (await res.json()) as { __type: string; message?: string } };
}
