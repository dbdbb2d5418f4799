import { AwsError } from '../../core/errors.js';

/**
 * SQS errors carry two names. The query protocol (and the
 * `x-amzn-query-error` header of the JSON protocol) uses the historical code,
 * e.g. `AWS.SimpleQueueService.NonExistentQueue`; the JSON protocol's
 * `__type` names the Smithy error shape, e.g. `com.amazonaws.sqs#QueueDoesNotExist`,
 * which is how SDK v3 and botocore pick the typed exception. Errors are thrown
 * with the query code; this table gives the JSON shape.
 */
export const JSON_ERROR_TYPES: Record<string, string> = {
  'AWS.SimpleQueueService.NonExistentQueue': 'com.amazonaws.sqs#QueueDoesNotExist',
  QueueAlreadyExists: 'com.amazonaws.sqs#QueueNameExists',
  'AWS.SimpleQueueService.QueueDeletedRecently': 'com.amazonaws.sqs#QueueDeletedRecently',
  'AWS.SimpleQueueService.PurgeQueueInProgress': 'com.amazonaws.sqs#PurgeQueueInProgress',
  'AWS.SimpleQueueService.TooManyEntriesInBatchRequest': 'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
  'AWS.SimpleQueueService.EmptyBatchRequest': 'com.amazonaws.sqs#EmptyBatchRequest',
  'AWS.SimpleQueueService.BatchEntryIdsNotDistinct': 'com.amazonaws.sqs#BatchEntryIdsNotDistinct',
  'AWS.SimpleQueueService.InvalidBatchEntryId': 'com.amazonaws.sqs#InvalidBatchEntryId',
  'AWS.SimpleQueueService.BatchRequestTooLong': 'com.amazonaws.sqs#BatchRequestTooLong',
  'AWS.SimpleQueueService.MessageNotInflight': 'com.amazonaws.sqs#MessageNotInflight',
  'AWS.SimpleQueueService.UnsupportedOperation': 'com.amazonaws.sqs#UnsupportedOperation',
  ReceiptHandleIsInvalid: 'com.amazonaws.sqs#ReceiptHandleIsInvalid',
  InvalidAttributeName: 'com.amazonaws.sqs#InvalidAttributeName',
  InvalidAttributeValue: 'com.amazonaws.sqs#InvalidAttributeValue',
  InvalidMessageContents: 'com.amazonaws.sqs#InvalidMessageContents',
  InvalidIdFormat: 'com.amazonaws.sqs#InvalidIdFormat',
  OverLimit: 'com.amazonaws.sqs#OverLimit',
  InvalidAddress: 'com.amazonaws.sqs#InvalidAddress',
  InvalidSecurity: 'com.amazonaws.sqs#InvalidSecurity',
};

export const queueDoesNotExist = () =>
  new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');

export const invalidParameter = (message: string) => new AwsError('InvalidParameterValue', message);

/** AWS's wording for a value outside its range: `Value x for parameter Name is invalid. Reason: ...` */
export const invalidValue = (name: string, value: unknown, reason: string) =>
  invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);

export const missingParameter = (name: string) =>
  new AwsError('MissingParameter', `The request must contain the parameter ${name}.`);

export const invalidAttributeName = (name: string) => new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);

export const invalidAttributeValue = (name: string, reason?: string) =>
  new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`);

export const receiptHandleIsInvalid = (handle: string) =>
  new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);

export const messageNotInflight = () =>
  new AwsError('AWS.SimpleQueueService.MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.');

export const overLimit = (message: string) => new AwsError('OverLimit', message, 403);

/** A list-of-strings parameter, or undefined when absent; any other shape is the client's mistake, not a crash. */
export function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalidParameter(`${name} must be a list of strings.`);
  return value;
}
