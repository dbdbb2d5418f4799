import { AwsError } from '../../core/errors.js';

/**
 * CloudWatch errors carry their query-protocol code (what the AWS CLI and
 * query-era SDKs show); JSON clients get the Smithy shape name in `__type` and
 * the query code in `x-amzn-query-error`, as AWS sends them.
 */
export const JSON_ERROR_TYPES: Record<string, string> = {
  InvalidParameterValue: 'InvalidParameterValueException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  MissingParameter: 'MissingRequiredParameterException',
  ValidationError: 'ValidationException',
  InternalServiceError: 'InternalServiceFault',
  InvalidFormat: 'InvalidFormatFault',
  LimitExceeded: 'LimitExceededFault',
  ResourceNotFound: 'ResourceNotFound',
  ResourceNotFoundException: 'ResourceNotFoundException',
};

export const invalidValue = (message: string) => new AwsError('InvalidParameterValue', message, 400);
export const invalidCombination = (message: string) => new AwsError('InvalidParameterCombination', message, 400);
export const missingParameter = (name: string) => new AwsError('MissingParameter', `The parameter ${name} is required.`, 400);
export const validationError = (message: string) => new AwsError('ValidationError', message, 400);
export const invalidNextToken = () => new AwsError('InvalidNextToken', 'The service returned an invalid NextToken.', 400);
export const alarmNotFound = (name: string) => new AwsError('ResourceNotFound', `Could not find alarm ${name}.`, 404);
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);
export const invalidFormat = (message: string) => new AwsError('InvalidFormat', message, 400);
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message, 400);
