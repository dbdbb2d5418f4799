/**
 * Names and identifiers the way CloudFormation makes them: stack and change
 * set ARNs, stack-name rules, and the physical names it generates for
 * resources whose template gives none.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { partitionForRegion } from './template/index.js';
import { validationError } from './errors.js';

const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const MAX_STACK_NAME = 128;

export function assertValidStackName(name: unknown, field = 'stackName'): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw validationError(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  if (name.length > MAX_STACK_NAME || !STACK_NAME.test(name)) {
    throw validationError(
      `1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: ` +
        `Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]* and have length less than or equal to ${MAX_STACK_NAME}`,
    );
  }
}

export function stackArn(region: string, accountId: string, stackName: string): string {
  return `arn:${partitionForRegion(region)}:cloudformation:${region}:${accountId}:stack/${stackName}/${randomUUID()}`;
}

export function changeSetArn(region: string, accountId: string, changeSetName: string): string {
  return `arn:${partitionForRegion(region)}:cloudformation:${region}:${accountId}:changeSet/${changeSetName}/${randomUUID()}`;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomSuffix(length: number, alphabet = UPPER_ALNUM): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

export interface PhysicalNameOptions {
  /** The service's length limit for this kind of name. */
  maxLength?: number;
  /**
   * S3 style: the whole name lower-cased with a 12-character lower-case
   * suffix, as CloudFormation names buckets (`mystack-mybucket-1a2b3c4d5e6f`).
   */
  lowerCase?: boolean;
}

/**
 * `<stack>-<LogicalId>-<RANDOM13>`, with the stack name and logical ID cut
 * down (the stack name first) when the whole would exceed the service's limit,
 * so the random suffix, which makes the name unique, always survives.
 */
export function generatePhysicalName(stackName: string, logicalId: string, options: PhysicalNameOptions = {}): string {
  const maxLength = options.maxLength ?? 255;
  const suffix = options.lowerCase ? randomSuffix(12, LOWER_ALNUM) : randomSuffix(13);
  let [stackPart, logicalPart] = [stackName, logicalId];
  const room = maxLength - suffix.length - 2;
  if (stackPart.length + logicalPart.length > room) {
    const logicalShare = Math.min(logicalPart.length, Math.max(Math.floor(room / 2), room - stackPart.length));
    logicalPart = logicalPart.slice(0, logicalShare);
    stackPart = stackPart.slice(0, Math.max(room - logicalPart.length, 0));
  }
  const name = [stackPart, logicalPart, suffix].filter((part) => part !== '').join('-');
  return options.lowerCase ? name.toLowerCase() : name;
}
