/**
 * Malformed HTTP on raw sockets: request lines, headers, bodies and framing
 * no client library would send. The right answer is a closed connection or
 * an AWS-shaped 4xx; an empty 400 from Node's parser is neither.
 */
import { INVALID_UTF8, type FuzzCase, type FuzzClass } from './case.js';

const crlf = (...lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');

export function httpGarbage(): FuzzClass {
  const cases: FuzzCase[] = [];
  const add = (label: string, bytes: Buffer, essential = false) => cases.push({ label, request: { kind: 'raw', bytes }, expect: 'closed-or-error', essential });

  add('request line of one word', crlf('GARBAGE'), true);
  add('method only', crlf('GET'));
  add('no HTTP version', crlf('GET /'));
  add('HTTP/9.9', crlf('GET / HTTP/9.9', 'Host: x'));
  // A complete line with no version: answered at once, not held until the request-head deadline.
  add('HTTP/0.9-style request', Buffer.from('GET /\r\n'), true);
  add('two spaces in the request line', crlf('GET  /  HTTP/1.1', 'Host: x'));
  add('NUL bytes in the request line', Buffer.concat([Buffer.from('GET /\0\0 HTTP/1.1\r\nHost: x\r\n\r\n')]));
  add('100 KB target', crlf(`GET /${'a'.repeat(100_000)} HTTP/1.1`, 'Host: x'), true);
  add('lower-case method', crlf('get / HTTP/1.1', 'Host: x'));
  add('unknown method', crlf('BREW / HTTP/1.1', 'Host: x'));
  add('CONNECT to a host', crlf('CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443'));
  add('absolute-form target', crlf('GET http://example.com/ HTTP/1.1', 'Host: x'));
  add('header without a colon', crlf('GET / HTTP/1.1', 'Host: x', 'NoColonHere'), true);
  add('header name with a space', crlf('GET / HTTP/1.1', 'Host: x', 'Bad Name: y'));
  add('header value with a NUL', crlf('GET / HTTP/1.1', 'Host: x', 'X-Soak: a\0b'));
  add('header value with a bare CR', crlf('GET / HTTP/1.1', 'Host: x', 'X-Soak: a\rb'));
  add('obsolete line folding', crlf('GET / HTTP/1.1', 'Host: x', 'X-Soak: a', ' folded'));
  add('200 KB of headers', crlf('GET / HTTP/1.1', 'Host: x', ...Array.from({ length: 2000 }, (_, i) => `X-Soak-${i}: ${'v'.repeat(100)}`)), true);
  add('one 100 KB header', crlf('GET / HTTP/1.1', 'Host: x', `X-Big: ${'v'.repeat(100_000)}`));
  add('invalid UTF-8 in a header', Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nX-Soak: '), INVALID_UTF8, Buffer.from('\r\n\r\n')]));
  add('two different Content-Lengths', crlf('POST / HTTP/1.1', 'Host: x', 'Content-Length: 1', 'Content-Length: 2'), true);
  add('negative Content-Length', crlf('POST / HTTP/1.1', 'Host: x', 'Content-Length: -1'));
  add('Content-Length that is not a number', crlf('POST / HTTP/1.1', 'Host: x', 'Content-Length: abc'));
  add('Content-Length of 2^64', crlf('POST / HTTP/1.1', 'Host: x', 'Content-Length: 18446744073709551616'));
  add('chunk size that is not hex', Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'), true);
  add('chunk size of 2^64', Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n'));
  add('chunk longer than announced', Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n'));
  add('chunked and Content-Length', Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'));
  add('unknown transfer coding', crlf('POST / HTTP/1.1', 'Host: x', 'Transfer-Encoding: gzip, soak'));
  add('bare LF line endings', Buffer.from('GET / HTTP/1.1\nHost: x\n\n'));
  add('HTTP/2 preface then junk', Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.alloc(64, 0xff)]), true);
  add('HTTP/2 preface then a frame of 16 MB announced', Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0xff, 0xff, 0xff, 0x04, 0, 0, 0, 0, 0])]));
  add('HTTP/2 preface with the wrong second half', Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n'));
  add('a TLS ClientHello on the cleartext port', Buffer.from('16030100a5010000a10303', 'hex'));
  for (let i = 0; i < 16; i++) add(`random bytes #${i}`, randomBytes(i, 64 + i * 97));
  return { name: 'malformed HTTP (raw sockets)', cases };
}

/** Deterministic pseudo-random bytes: the same run every time, so a failure can be replayed. */
function randomBytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = 0x9e3779b9 ^ (seed * 2654435761);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Connections that start a request and then go silent, each different. */
export const SILENT_STARTS: { label: string; bytes: Buffer }[] = [
  { label: 'nothing sent', bytes: Buffer.alloc(0) },
  { label: 'half a request line', bytes: Buffer.from('GET / HT') },
  { label: 'headers never finished', bytes: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n') },
  { label: 'body shorter than its Content-Length', bytes: Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123') },
  { label: 'chunked body never ended', bytes: Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n') },
  { label: 'partial HTTP/2 preface', bytes: Buffer.from('PRI * HTTP/2.0\r\n') },
  { label: 'HTTP/2 preface, no SETTINGS', bytes: Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n') },
];
