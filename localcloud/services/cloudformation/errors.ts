/**
 * CloudFormation's API errors. Almost everything is a `ValidationError`
 * (HTTP 400), including "Stack with id X does not exist", which waiters rely on.
 */
import { AwsError } from '../../core/errors.js';

export const validationError = (message: string) => new AwsError('ValidationError', message, 400);

export const stackNotFound = (nameOrId: string) => validationError(`Stack with id ${nameOrId} does not exist`);

export const alreadyExists = (name: string) => new AwsError('AlreadyExistsException', `Stack [${name}] already exists`, 400);

export const changeSetNotFound = (nameOrId: string) =>
  new AwsError('ChangeSetNotFound', `ChangeSet [${nameOrId}] does not exist`, 404);

export const insufficientCapabilities = (capability: string) =>
  new AwsError('InsufficientCapabilitiesException', `Requires capabilities : [${capability}]`, 400);
