/**
 * The one error type every service throws. Protocol codecs turn it into the
 * wire shape of their protocol (JSON `__type`, query/REST XML `<Error><Code>`),
 * so service logic never has to know how an error is spelled on the wire.
 */
export class AwsError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** `Sender` for client mistakes, `Receiver` for our own faults (query protocol's <Type>). */
  readonly fault: 'Sender' | 'Receiver';
  /** Extra fields some protocols carry next to the message (e.g. S3's <BucketName>). */
  readonly extra: Record<string, string>;

  constructor(code: string, message: string, statusCode = 400, extra: Record<string, string> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.statusCode = statusCode;
    this.fault = statusCode >= 500 ? 'Receiver' : 'Sender';
    this.extra = extra;
  }
}

/** Wraps anything thrown by a handler into an AwsError, so nothing escapes as a crash. */
export function toAwsError(err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AwsError('InternalFailure', `Internal error in localcloud: ${message}`, 500);
}

export const validation = (message: string) => new AwsError('ValidationException', message, 400);
