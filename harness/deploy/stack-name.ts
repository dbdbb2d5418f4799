/**
 * The stack name is checked before anything is built or uploaded: the
 * template's ArchiveBucket has no BucketName, so CloudFormation derives the
 * bucket's name from the stack name — and S3 bucket names allow only lower-case
 * letters, digits, hyphens and dots. An upper-case stack name would fail only
 * minutes into the deploy, at the bucket.
 */
import { UserError } from '../support/errors.js';

const MAX_STACK_NAME = 128;

/** The problem with `name`, or undefined when it is fine. */
export function stackNameProblem(name: string): string | undefined {
  if (name === '') return 'the stack name is empty; set STACK or --stack (default iot-backend)';
  const why = 'the archive bucket is named after the stack, and S3 bucket names must start with a lower-case letter or digit and contain only lower-case letters, digits and hyphens';
  if (/[A-Z]/.test(name)) {
    return `stack name '${name}' must be lower case: ${why} — try '${name.toLowerCase()}'`;
  }
  if (!/^[a-z]/.test(name)) {
    return `stack name '${name}' must start with a lower-case letter (a CloudFormation rule; ${why})`;
  }
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    const bad = [...new Set(name.replace(/[a-z0-9-]/g, ''))].map((c) => `'${c}'`).join(' ');
    return `stack name '${name}' may contain only lower-case letters, digits and hyphens, not ${bad}: ${why}`;
  }
  if (name.startsWith('xn--') || name.startsWith('sthree-')) {
    return `stack name '${name}' must not start with '${name.startsWith('xn--') ? 'xn--' : 'sthree-'}': S3 reserves that prefix for bucket names, and the archive bucket is named after the stack`;
  }
  if (name.length > MAX_STACK_NAME) return `stack name '${name.slice(0, 20)}…' is ${name.length} characters; CloudFormation allows ${MAX_STACK_NAME}`;
  return undefined;
}

export function assertValidStackName(name: string): void {
  const problem = stackNameProblem(name);
  if (problem) throw new UserError(problem);
}
