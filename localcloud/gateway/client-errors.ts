import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type net from 'node:net';
import { AwsError } from '../core/errors.js';
import { queryError } from '../protocols/query.js';

/**
 * Answers for requests Node's HTTP/1.1 parser rejects before the gateway
 * sees them. Node's own answer is an empty 400 or 431, or nothing at all; an
 * AWS client gets an AWS-shaped error it can parse instead (the query
 * protocol's XML: the request never parsed, so its protocol is unknown).
 */

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** The AWS error for one of Node's parser errors (`HPE_*`) or its request-head timeout. */
export function errorForParserFailure(err: NodeJS.ErrnoException & { reason?: string }, headersTimeoutMs: number): AwsError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new AwsError('RequestHeaderSectionTooLarge', 'Your request header section exceeds the maximum allowed size (16 KB)', 431);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return requestHeadTimeout(headersTimeoutMs);
    default: {
      const detail = err.reason ?? err.message.replace(/^Parse Error: /, '');
      return new AwsError('BadRequest', `The request is not valid HTTP/1.1 (${detail})`, 400);
    }
  }
}

/** The answer to a first line that can never become an HTTP/1.x request (see request-line.ts). */
export function notAnHttpRequestLine(reason: string): AwsError {
  return new AwsError('BadRequest', `The request is not valid HTTP/1.1 (${reason})`, 400);
}

export function requestHeadTimeout(timeoutMs: number): AwsError {
  return new AwsError('RequestTimeout', `The request head did not arrive within ${timeoutMs / 1000} s; idle connections are closed`, 408);
}

/** A complete HTTP/1.1 response carrying `error`, that closes the connection. */
export function rawErrorResponse(error: AwsError): string {
  const requestId = randomUUID();
  const body = String(queryError(error, requestId).body);
  return [
    `HTTP/1.1 ${error.statusCode} ${REASON_PHRASES[error.statusCode] ?? 'Error'}`,
    'Content-Type: text/xml',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `x-amzn-RequestId: ${requestId}`,
    `Date: ${new Date().toUTCString()}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Writes `error` as the connection's last response and closes it — unless a
 * response has already begun on it (a body that broke mid-way after the
 * gateway answered), where the only honest move left is to drop it.
 */
export function closeWithError(socket: net.Socket, error: AwsError): void {
  // Node keeps the response in progress on the socket; its headers tell whether an answer has begun.
  const inProgress = (socket as net.Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage;
  if (!socket.writable || inProgress?.headersSent) {
    socket.destroy();
    return;
  }
  socket.end(rawErrorResponse(error));
  // A client that never reads must not keep the socket: give the answer a moment to drain, then drop it.
  setTimeout(() => socket.destroy(), 1000).unref();
}
