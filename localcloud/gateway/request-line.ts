/**
 * The first request line of an HTTP/1.x connection, checked as soon as it is
 * complete.
 *
 * Node's parser (llhttp) takes a line without a version (`GET /`) for an
 * HTTP/0.9 request and waits for headers that such a client never sends, so
 * the connection would sit until the request-head deadline. A request line
 * either has the form of RFC 9112 §3 — method, one space, target, one space,
 * `HTTP/` digit `.` digit — or it can never become a request: it is answered
 * at once. Whatever has the form goes to Node's parser, which judges the
 * rest (methods it knows, versions it speaks, line endings, headers).
 */

/**
 * A line that has not ended within this many bytes goes to Node's parser as it is (which
 * answers 431 past 16 KB). Small, because the line so far is checked again as each chunk
 * arrives: a client sending a byte at a time costs this squared, not 16 KB squared.
 */
export const MAX_REQUEST_LINE_BYTES = 2 * 1024;

/** token (RFC 9110 §5.6.2) SP request-target SP HTTP-version; a CR before the LF is optional here (the parser decides). */
const REQUEST_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ [^ \r\n]+ HTTP\/\d\.\d\r?$/;

/** What a request line may begin with: a token, then a target, then a start of `HTTP/d.d` (and a CR). */
const REQUEST_LINE_START = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]*(?: [^ \r\n]*(?: (?:H(?:T(?:T(?:P(?:\/(?:\d(?:\.(?:\d\r?)?)?)?)?)?)?)?)?)?)?$/;

export type RequestLineCheck = { verdict: 'need-more' } | { verdict: 'looks-like-http' } | { verdict: 'not-http'; reason: string };

/**
 * Judges the first request line in `head` (the connection's first bytes).
 * Empty lines before it are skipped, as RFC 9112 §2.2 asks of servers.
 */
export function checkFirstRequestLine(head: Buffer): RequestLineCheck {
  let start = 0;
  while (start < head.length && (head[start] === 0x0d || head[start] === 0x0a)) start++;
  const end = head.indexOf(0x0a, start);
  if (end < 0) {
    // Bytes no request line starts with (binary noise, a TLS ClientHello) are answered now, not at the deadline.
    const partial = head.subarray(start).toString('latin1');
    if (!REQUEST_LINE_START.test(partial)) return { verdict: 'not-http', reason: describe(partial) };
    return partial.length > MAX_REQUEST_LINE_BYTES ? { verdict: 'looks-like-http' } : { verdict: 'need-more' };
  }
  const line = head.subarray(start, end).toString('latin1');
  if (REQUEST_LINE.test(line)) return { verdict: 'looks-like-http' };
  return { verdict: 'not-http', reason: describe(line) };
}

function describe(line: string): string {
  const parts = line.replace(/\r$/, '').split(' ');
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(parts[0]!)) return 'the request line does not start with a method';
  if (parts.length === 2 && parts[0] && parts[1]) return 'a request line without an HTTP version (HTTP/0.9 is not served)';
  if (parts.length === 3 && !/^HTTP\/\d\.\d$/.test(parts[2]!)) return 'the request line does not end in an HTTP version';
  return 'the request line is not method, target and HTTP version separated by single spaces';
}
