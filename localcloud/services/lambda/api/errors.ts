import { AwsError, toAwsError } from '../../../core/errors.js';
import type { ServiceResponse } from '../../../core/types.js';

/**
 * Lambda's REST-JSON error shape: the code in `x-amzn-errortype`, and a body
 * `{"Type": "User" | "Service", "Message": ...}` (plus any extra fields).
 */
export function lambdaErrorResponse(err: unknown): ServiceResponse {
  const error = toAwsError(err);
  const code = error.code === 'InternalFailure' ? 'ServiceException' : error.code;
  return {
    status: error.statusCode,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': code },
    body: JSON.stringify({ Type: error.fault === 'Sender' ? 'User' : 'Service', Message: error.message, ...error.extra }),
  };
}

export const notFound = (message = 'The resource you requested does not exist.') =>
  new AwsError('ResourceNotFoundException', message, 404);
export const conflict = (message: string) => new AwsError('ResourceConflictException', message, 409);
export const invalidParameter = (message: string) => new AwsError('InvalidParameterValueException', message, 400);
export const preconditionFailed = () =>
  new AwsError(
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    412,
  );
/** AWS's answer when a function's execution role does not exist or does not trust lambda.amazonaws.com. */
export const roleCannotBeAssumed = () => invalidParameter('The role defined for the function cannot be assumed by Lambda.');
