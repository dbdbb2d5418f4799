/**
 * An AWS JSON-protocol request without the SDK, for bodies no SDK would send.
 * `target` is the X-Amz-Target (`Kinesis_20131202.PutRecord`); the answer is
 * the HTTP status and the parsed JSON body (an error's `__type` and message).
 */
export async function rawJsonRequest(url: string, target: string, body: RequestInit['body'], contentType: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, 'x-amz-target': target }, body });
  return { status: res.status, body: (await res.json()) as { __type: string; message?: string } };
}
