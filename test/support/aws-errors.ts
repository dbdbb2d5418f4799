import { expect } from 'chai';

/** An AWS SDK v3 error: its name is the AWS error code, `$metadata` carries the HTTP status. */
export type SdkError = Error & { $metadata: { httpStatusCode?: number } };

/** The error `promise` fails with (the test fails if it succeeds), for checks of its own. */
export async function rejection<E extends Error = SdkError>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (err) {
    return err as E;
  }
  throw new Error('expected the call to fail');
}

/**
 * Expects `promise` to fail with the AWS error `name` and, when given, that
 * HTTP status and a message matching `message`. Returns the error for further checks.
 */
export async function expectAwsError(promise: Promise<unknown>, name: string, status?: number, message?: RegExp): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    const e = err as SdkError;
    expect(e.name, e.message).to.equal(name);
    if (status !== undefined) expect(e.$metadata?.httpStatusCode).to.equal(status);
    if (message) expect(e.message).to.match(message);
    return e;
  }
  expect.fail(`expected ${name}, but the call succeeded`);
}
