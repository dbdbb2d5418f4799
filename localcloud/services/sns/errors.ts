import { AwsError } from '../../core/errors.js';

/**
 * SNS's query-protocol errors. SNS names parameter problems `InvalidParameter`
 * with messages of the form `Invalid parameter: <Name>` (or, for values,
 * `Invalid parameter: <Name> Reason: ...`); missing resources are `NotFound` (404).
 */
export const invalidParameter = (message: string) => new AwsError('InvalidParameter', `Invalid parameter: ${message}`, 400);

/** SNS's code for a bad message attribute; SDKs raise it as InvalidParameterValueException. */
export const invalidParameterValue = (message: string) => new AwsError('ParameterValueInvalid', message, 400);

export const notFound = (message: string) => new AwsError('NotFound', message, 404);

export const topicNotFound = () => notFound('Topic does not exist');

export const subscriptionNotFound = () => notFound('Subscription does not exist');

export const resourceNotFound = () => new AwsError('ResourceNotFound', 'Resource does not exist', 404);

export const missingParameter = (name: string) => invalidParameter(`${name}`);

/** A required string parameter, or SNS's InvalidParameter naming it. */
export function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') throw invalidParameter(name);
  return value;
}

export function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name);
  return value;
}

/** A string-to-string map parameter (Attributes), or SNS's InvalidParameter naming it. */
export function stringMap(input: Record<string, unknown>, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === '') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter(name);
  const out: Record<string, string> = {};
  for (const [key, member] of Object.entries(value)) {
    if (typeof member !== 'string') throw invalidParameter(`${name}.${key}`);
    out[key] = member;
  }
  return out;
}

/** A `Tags.member.N.{Key,Value}` list as a map; keys are 1-128 characters, values at most 256. */
export function tagList(value: unknown): Record<string, string> {
  if (value === undefined || value === '') return {};
  if (!Array.isArray(value)) throw invalidParameter('Tags');
  const tags: Record<string, string> = {};
  for (const member of value) {
    const key = (member as Record<string, unknown>)?.Key;
    const tagValue = (member as Record<string, unknown>)?.Value ?? '';
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) throw invalidParameter('Tags.Key');
    if (typeof tagValue !== 'string' || tagValue.length > 256) throw invalidParameter('Tags.Value');
    tags[key] = tagValue;
  }
  return tags;
}
