import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';

/** A trust policy that lets Lambda assume the role, as every execution role's must. */
export const LAMBDA_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const ALLOW_EVERYTHING = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

/**
 * Creates an execution role Lambda can assume (IAM is enforced in tests, so a
 * function's role must exist, trust Lambda and allow what the function does).
 * By default it allows everything: tests about IAM itself pass their own policy.
 * Returns the role's ARN; creating a role that exists is not an error.
 */
export async function createExecutionRole(
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  name: string,
  policy: string = ALLOW_EVERYTHING,
): Promise<string> {
  const iam = new IAMClient(config);
  try {
    let arn: string;
    try {
      const created = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY }));
      arn = created.Role!.Arn!;
    } catch (err) {
      if ((err as { name?: string }).name !== 'EntityAlreadyExistsException') throw err;
      arn = `arn:aws:iam::000000000000:role/${name}`;
    }
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'test-permissions', PolicyDocument: policy }));
    return arn;
  } finally {
    iam.destroy();
  }
}
