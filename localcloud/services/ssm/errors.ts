import { AwsError } from '../../core/errors.js';

/** The errors SSM Parameter Store answers, with its own codes (all HTTP 400). */
export const ssmValidation = (message: string) => new AwsError('ValidationException', message, 400);
export const parameterNotFound = (message = '') => new AwsError('ParameterNotFound', message, 400);
export const parameterAlreadyExists = () =>
  new AwsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.', 400);
export const parameterVersionNotFound = (name: string, selector: string) =>
  new AwsError('ParameterVersionNotFound', `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`, 400);
export const hierarchyLevelLimitExceeded = () =>
  new AwsError(
    'HierarchyLevelLimitExceededException',
    'A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.',
    400,
  );
export const parameterPatternMismatch = (pattern: string) =>
  new AwsError('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${pattern}`, 400);
export const invalidAllowedPattern = (message: string) => new AwsError('InvalidAllowedPatternException', message, 400);
export const invalidKeyId = (message: string) => new AwsError('InvalidKeyId', message, 400);
export const invalidFilterKey = (message: string) => new AwsError('InvalidFilterKey', message, 400);
export const invalidFilterOption = (message: string) => new AwsError('InvalidFilterOption', message, 400);
export const invalidFilterValue = (message: string) => new AwsError('InvalidFilterValue', message, 400);
export const invalidNextToken = () => new AwsError('InvalidNextToken', 'The specified token is not valid.', 400);
export const invalidResourceType = () => new AwsError('InvalidResourceType', 'The resource type is not valid. Valid resource types are: Parameter.', 400);
export const invalidResourceId = () => new AwsError('InvalidResourceId', 'The resource ID is not valid. Verify that you entered the correct ID and try again.', 400);
export const tooManyTags = () => new AwsError('TooManyTagsError', 'The Targets parameter includes too many tags. Remove one or more tags and try again.', 400);
export const labelLimitExceeded = () =>
  new AwsError('ParameterVersionLabelLimitExceeded', 'A parameter version can have a maximum of ten labels. Move one or more labels to another version and try again.', 400);
export const maxVersionLimitExceeded = (name: string, oldest: number) =>
  new AwsError(
    'ParameterMaxVersionLimitExceeded',
    `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
    400,
  );
export const invalidPolicyType = (message: string) => new AwsError('InvalidPolicyTypeException', message, 400);
