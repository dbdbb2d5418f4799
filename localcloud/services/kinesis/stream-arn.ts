import { AwsError } from '../../core/errors.js';

/** Where a stream lives: AWS scopes stream names to an account and a region. */
export interface StreamScope {
  accountId: string;
  region: string;
}

const STREAM_ARN = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})$/;
const STREAM_ARN_PATTERN = 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+';

export function streamArn(scope: StreamScope, streamName: string): string {
  return `arn:aws:kinesis:${scope.region}:${scope.accountId}:stream/${streamName}`;
}

/** The scope and name an ARN names, or a ValidationException naming `member` as AWS does. */
export function parseStreamArn(arn: unknown, member: string): StreamScope & { streamName: string } {
  const match = typeof arn === 'string' ? STREAM_ARN.exec(arn) : null;
  if (!match) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${String(arn)}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${STREAM_ARN_PATTERN}`);
  }
  return { region: match[1], accountId: match[2], streamName: match[3] };
}

/**
 * Current SDKs let callers name a stream by `StreamARN` instead of, or beside,
 * `StreamName`; kinesalite only knows names. This rewrites the input to carry
 * the name, and returns the scope the stream lives in: the ARN's account and
 * region when there is an ARN (it names the stream fully), the caller's
 * otherwise.
 */
export function resolveStreamArn(input: { StreamName?: unknown; StreamARN?: unknown }, caller: StreamScope): StreamScope {
  if (input.StreamARN === undefined || input.StreamARN === null) return caller;
  const target = parseStreamArn(input.StreamARN, 'streamARN');
  if (input.StreamName !== undefined && input.StreamName !== null && input.StreamName !== target.streamName) {
    throw new AwsError('InvalidArgumentException', `StreamARN ${String(input.StreamARN)} and StreamName ${String(input.StreamName)} name different streams`);
  }
  input.StreamName = target.streamName;
  delete input.StreamARN;
  return { accountId: target.accountId, region: target.region };
}
