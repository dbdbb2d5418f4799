import { AwsError } from '../../../core/errors.js';

/** Where a function lives, and which of its versions a caller means. */
export interface FunctionRef {
  accountId: string;
  region: string;
  name: string;
  /** `$LATEST`, a version number, or undefined when the caller gave none. */
  qualifier?: string;
}

// Lambda accepts a bare name, a partial ARN (`123456789012:function:name`) or a
// full ARN, each optionally ending in `:qualifier`.
const FUNCTION_REF =
  /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** Resolves any of Lambda's spellings of a function to an account, region and name. */
export function parseFunctionRef(value: string | undefined, accountId: string, region: string): FunctionRef {
  const match = value ? FUNCTION_REF.exec(value) : null;
  if (!match || !value) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${value ?? ''}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  // A full ARN carries its region; a partial one only its account.
  if (value.startsWith('arn:') && !match[1]) throw invalidArn(value);
  return { region: match[1] ?? region, accountId: match[2] ?? accountId, name: match[3], qualifier: match[4] };
}

function invalidArn(value: string): AwsError {
  return new AwsError('InvalidParameterValueException', `Invalid function ARN: ${value}`);
}

export function functionArn(ref: { accountId: string; region: string; name: string }, qualifier?: string): string {
  const base = `arn:aws:lambda:${ref.region}:${ref.accountId}:function:${ref.name}`;
  return qualifier ? `${base}:${qualifier}` : base;
}

export function eventSourceMappingArn(region: string, accountId: string, uuid: string): string {
  return `arn:aws:lambda:${region}:${accountId}:event-source-mapping:${uuid}`;
}

/** `arn:aws:kinesis:<region>:<account>:stream/<name>` → its parts, or undefined for any other ARN. */
export function parseKinesisStreamArn(
  arn: string,
): { region: string; accountId: string; streamName: string; streamArn: string; consumerArn?: string } | undefined {
  // A stream, or one of its enhanced fan-out consumers (`<stream ARN>/consumer/<name>:<timestamp>`): a mapping
  // on a consumer reads the consumer's stream (for a local cloud the records and their order are the same).
  const match = /^(arn:aws[a-zA-Z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128}))(\/consumer\/[a-zA-Z0-9_.-]{1,128}:\d+)?$/.exec(arn);
  if (!match) return undefined;
  return { region: match[2], accountId: match[3], streamName: match[4], streamArn: match[1], ...(match[5] ? { consumerArn: arn } : {}) };
}

/** `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>` → its parts, or undefined for any other ARN. */
export function parseDynamoDbStreamArn(arn: string): { region: string; accountId: string; tableName: string; label: string } | undefined {
  const match = /^arn:aws[a-zA-Z-]*:dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})\/stream\/([0-9T:.-]{1,64})$/.exec(arn);
  return match ? { region: match[1], accountId: match[2], tableName: match[3], label: match[4] } : undefined;
}

/** Lambda's timestamp format for function configurations: `2024-05-01T12:00:00.000+0000`. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}
