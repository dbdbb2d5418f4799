/**
 * What a real AWS user must set up before the soak's functions can run: IAM
 * is enforced, so a function runs as a session of its execution role, which
 * must exist, trust lambda.amazonaws.com and allow what the function does.
 * The soak's functions: a counter that updates a DynamoDB table from a
 * Kinesis stream (the crash phase; its event source mapping reads the stream
 * as the role), an echo (mixed load), a probe that reads its own environment
 * (pollution) and the hostile zips of the fuzz, which do nothing. All log.
 *
 * And an IAM user of no permissions, for the fuzz's auth garbage: its keys
 * are real, so a wrong secret is a signature that does not match.
 */
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ADMIN_CREDENTIALS, BENCH_REGION } from '../bench/clients.js';

export const SOAK_ROLE_NAME = 'soak-role';
export const SOAK_ROLE_ARN = `arn:aws:iam::000000000000:role/${SOAK_ROLE_NAME}`;

const TRUST_LAMBDA = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** What the soak's functions do, and nothing else (every soak resource is named `soak-…`). */
const SOAK_FUNCTIONS_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
    { Sid: 'CrashCounter', Effect: 'Allow', Action: ['dynamodb:UpdateItem'], Resource: 'arn:aws:dynamodb:*:*:table/soak-*' },
    {
      Sid: 'ReadTheStream',
      Effect: 'Allow',
      Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListStreams'],
      Resource: 'arn:aws:kinesis:*:*:stream/soak-*',
    },
  ],
});

function iamClient(url: string): IAMClient {
  return new IAMClient({ endpoint: url, region: BENCH_REGION, credentials: ADMIN_CREDENTIALS, maxAttempts: 2 });
}

/** Creates `soak-role` (or keeps the one there) and sets its policy; returns its ARN. Run before every CreateFunction of the soak's. */
export async function ensureSoakRole(url: string): Promise<string> {
  const iam = iamClient(url);
  try {
    try {
      await iam.send(new CreateRoleCommand({ RoleName: SOAK_ROLE_NAME, AssumeRolePolicyDocument: TRUST_LAMBDA }), { abortSignal: AbortSignal.timeout(10_000) });
    } catch (error) {
      if ((error as { name?: string }).name !== 'EntityAlreadyExistsException') throw error;
    }
    await iam.send(new PutRolePolicyCommand({ RoleName: SOAK_ROLE_NAME, PolicyName: 'soak-functions', PolicyDocument: SOAK_FUNCTIONS_POLICY }), { abortSignal: AbortSignal.timeout(10_000) });
    return SOAK_ROLE_ARN;
  } finally {
    iam.destroy();
  }
}

export interface UserKeys {
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A new IAM user with no policy, and an access key of it. */
export async function createSoakUser(url: string, userName: string): Promise<UserKeys> {
  const iam = iamClient(url);
  try {
    try {
      await iam.send(new CreateUserCommand({ UserName: userName }), { abortSignal: AbortSignal.timeout(10_000) });
    } catch (error) {
      if ((error as { name?: string }).name !== 'EntityAlreadyExistsException') throw error;
    }
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }), { abortSignal: AbortSignal.timeout(10_000) });
    return { userName, accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}
