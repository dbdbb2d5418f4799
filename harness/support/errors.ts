/**
 * Failures the user can act on. The CLI prints a `UserError` as one line and
 * exits non-zero; anything else is a bug and also prints one line, with the
 * stack only under DEBUG=1.
 */
export class UserError extends Error {
  override name = 'UserError';

  constructor(
    message: string,
    /** The process exit code the CLI uses for this failure. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The first line of whatever was thrown, for messages that must stay on one line. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== 'Error' && error.name !== 'UserError' ? `${error.name}: ` : '';
    return `${name}${firstLine(error.message)}`;
  }
  return firstLine(String(error));
}

export function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text.trim();
}

/** The SDK's error name (`ValidationError`, `NoSuchBucket`, ...) or the Node error code. */
export function errorName(error: unknown): string | undefined {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; code?: unknown; Code?: unknown };
    for (const candidate of [e.Code, e.name, e.code]) {
      if (typeof candidate === 'string' && candidate !== 'Error') return candidate;
    }
  }
  return undefined;
}

/** HTTP status of an SDK service error, when there was a response. */
export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
