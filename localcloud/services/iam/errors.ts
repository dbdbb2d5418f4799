import { AwsError } from '../../core/errors.js';

/** IAM's errors, with the status codes and wording IAM uses. */
export const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, 404);
export const entityAlreadyExists = (message: string) => new AwsError('EntityAlreadyExists', message, 409);
export const deleteConflict = (message: string) => new AwsError('DeleteConflict', message, 409);
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message, 409);
export const malformedPolicy = (message: string) => new AwsError('MalformedPolicyDocument', message, 400);
export const invalidInput = (message: string) => new AwsError('InvalidInput', message, 400);
export const validationError = (message: string) => new AwsError('ValidationError', message, 400);

/** The message IAM's request validation answers with, e.g. for a name that breaks the pattern. */
export function constraintViolation(field: string, value: unknown, constraint: string) {
  return validationError(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`);
}
