/**
 * AWS errors in plain words for the log panel and the form messages. The
 * error code stays at the front, so it can still be searched for.
 */

export interface ErrorContext {
  /** The endpoint the call went to, for network failures. */
  endpoint: string;
}

/** Codes whose meaning does not depend on the message AWS sent. */
const SENTENCES: Record<string, string> = {
  AccessDenied: 'the test client may only put records and invoke the API function',
  AccessDeniedException: 'the test client may only put records and invoke the API function',
  UnrecognizedClientException: 'the TestClient access key is unknown here — was the stack deleted or redeployed? Reload the page to pick up the current keys',
  InvalidClientTokenId: 'the TestClient access key is unknown here — was the stack deleted or redeployed? Reload the page to pick up the current keys',
  InvalidSignatureException: 'the TestClient secret key does not match its access key — reload the page to pick up the current keys',
  SignatureDoesNotMatch: 'the TestClient secret key does not match its access key — reload the page to pick up the current keys',
  ExpiredTokenException: 'the credentials have expired — reload the page',
  ProvisionedThroughputExceededException: 'the stream is over its write capacity (one shard takes 1,000 records or 1 MB per second) — slow the simulator down',
  KMSThrottlingException: 'the stream’s encryption key is throttled — slow down',
  TooManyRequestsException: 'too many calls at once (throttled) — slow down and try again',
  ThrottlingException: 'too many calls at once (throttled) — slow down and try again',
  LimitExceededException: 'a service limit was reached (throttled) — slow down and try again',
  ServiceUnavailable: 'the service is unavailable right now — try again in a moment',
  ServiceException: 'the service had an internal error — try again',
  InternalFailure: 'the service had an internal error — try again',
  InternalFailureException: 'the service had an internal error — try again',
  ResourceInUseException: 'the resource is busy (still being created or updated) — try again in a moment',
  ResourceConflictException: 'the function is being updated — try again in a moment',
  TimeoutError: 'the call took too long and was abandoned',
};

/** Codes where AWS's own message is the useful part. */
const WITH_MESSAGE: Record<string, string> = {
  ResourceNotFoundException: 'not found — does the stack still exist? (make up deploys it)',
  ValidationException: 'the request was refused as invalid',
  InvalidArgumentException: 'the request was refused as invalid',
  InvalidParameterValueException: 'the request was refused as invalid',
  InvalidRequestContentException: 'the request was refused as invalid',
  RequestEntityTooLargeException: 'the request is too large',
};

export function describeError(error: unknown, context: ErrorContext): string {
  if (isNetworkFailure(error)) {
    return `cannot reach ${context.endpoint} — is \`make up\` running?`;
  }
  const e = (error ?? {}) as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  const code = typeof e.name === 'string' && e.name !== 'Error' ? e.name : undefined;
  const message = typeof e.message === 'string' ? e.message.trim() : String(error);
  // Raised by the page itself with a complete sentence (see backend.ts).
  if (code === 'FunctionError') return message;
  if (code && SENTENCES[code]) return `${code}: ${SENTENCES[code]}`;
  if (code && WITH_MESSAGE[code]) return `${code}: ${WITH_MESSAGE[code]}${message ? ` (${message})` : ''}`;
  const status = e.$metadata?.httpStatusCode;
  if (code) return `${code}: ${message || 'no details given'}${status ? ` (HTTP ${status})` : ''}`;
  return message || 'unknown error';
}

/**
 * fetch() reports a refused connection, a DNS failure and a blocked CORS
 * request alike, as a TypeError whose text differs per browser.
 */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name !== 'TypeError') return false;
  return /failed to fetch|networkerror|load failed|network request failed|fetch failed/i.test(error.message);
}

/** The endpoint a service call goes to, for messages: the local cloud, or the service's AWS regional endpoint. */
export function endpointFor(service: 'kinesis' | 'lambda', region: string, endpoint?: string): string {
  return endpoint ?? `https://${service}.${region}.amazonaws.com`;
}
