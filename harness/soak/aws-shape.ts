/**
 * Is an answer to hostile input the answer AWS would give? AWS answers a bad
 * request with a 4xx status and an error body a client can parse: JSON with
 * `__type` (JSON protocols, Lambda) or XML with `<Code>` (query protocols,
 * S3). A 5xx, an empty 400 from the HTTP parser, a success where only an error
 * makes sense, or no answer at all is not AWS-shaped.
 */
import type { Answer } from './wire.js';

/**
 * What a case accepts:
 * - `error`: only an AWS-shaped 4xx (the input is invalid, whatever the operation);
 * - `any`: a 2xx, or an AWS-shaped 4xx (AWS ignores unknown members, so
 *   success can be right; a crash or a hang never is);
 * - `closed-or-error`: raw bytes that are not HTTP: the server may close the
 *   connection, or answer with an AWS-shaped 4xx.
 */
export type Expectation = 'error' | 'any' | 'closed-or-error';

export interface Verdict {
  shaped: boolean;
  /** The error code read from the body, or what the answer was. */
  outcome: string;
}

export function judge(answer: Answer, expect: Expectation): Verdict {
  switch (answer.kind) {
    case 'timeout':
      return { shaped: false, outcome: `no answer within ${answer.afterMs} ms` };
    case 'failed':
      return { shaped: false, outcome: `client failure: ${answer.message}` };
    case 'closed':
      return expect === 'closed-or-error' ? { shaped: true, outcome: 'connection closed' } : { shaped: false, outcome: 'connection closed without an answer' };
    case 'response': {
      const { status } = answer;
      if (status >= 200 && status < 300) {
        return expect === 'any' ? { shaped: true, outcome: String(status) } : { shaped: false, outcome: `${status}: success for input that can only be an error` };
      }
      const code = errorCode(answer.headers, answer.body);
      if (status >= 400 && status < 500) {
        return code ? { shaped: true, outcome: `${status} ${code}` } : { shaped: false, outcome: `${status} without an AWS error body: ${preview(answer.body)}` };
      }
      return { shaped: false, outcome: `${status}${code ? ` ${code}` : ''}: ${preview(answer.body)}` };
    }
  }
}

/**
 * The AWS error code of an error body: JSON `__type`, else the
 * `x-amzn-errortype` header (Lambda's REST-JSON errors carry the code there;
 * their body's `Type` is the fault, `User` or `Service`), XML `<Code>`.
 */
export function errorCode(headers: Record<string, string>, body: Buffer): string | undefined {
  const text = body.toString('utf8').trim();
  if (text.startsWith('{')) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const type = parsed.__type ?? headers['x-amzn-errortype']?.split(':')[0] ?? parsed.code ?? parsed.Type;
    return typeof type === 'string' && type ? type.split('#').pop() : undefined;
  }
  if (text.startsWith('<')) {
    const code = /<Code>([^<]+)<\/Code>/.exec(text);
    return code?.[1];
  }
  return undefined;
}

function preview(body: Buffer): string {
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
  if (!text) return '(empty body)';
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
