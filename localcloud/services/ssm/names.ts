/**
 * Parameter names and labels, with Parameter Store's rules: letters, digits
 * and `.-_`, sub-paths divided by `/` (a name with a slash must start with
 * one), at most 15 levels and 1011 characters, and no `aws`/`ssm` prefix.
 */
import { AwsError } from '../../core/errors.js';
import { hierarchyLevelLimitExceeded, ssmValidation } from './errors.js';

const MAX_NAME_LENGTH = 1011;
const MAX_LEVELS = 15;
const NAME_CHARACTERS = /^[a-zA-Z0-9_.\-/]+$/;
const RESERVED_PREFIX = /^\/?(aws|ssm)/i;

const PATH_NAME_RULES =
  'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';
const PREFIX_RULE = 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).';

/**
 * A name a caller may create (PutParameter, and the CloudFormation resource).
 * AWS answers a reserved `/aws/...` path with AccessDenied, a reserved plain
 * name with the prefix rule, and any other malformed name with the path rules.
 */
export function assertCreatableName(name: unknown): asserts name is string {
  assertReadableName(name);
  const isPath = name.split('/').length > 2;
  if (RESERVED_PREFIX.test(name)) {
    if (isPath && /^\/aws\//i.test(name)) throw new AwsError('AccessDeniedException', `No access to reserved parameter name: ${name}.`, 400);
    throw ssmValidation(isPath ? PATH_NAME_RULES : PREFIX_RULE);
  }
  const malformed = !NAME_CHARACTERS.test(name) || name.includes('//') || (name.length > 1 && name.endsWith('/')) || (name.includes('/') && !name.startsWith('/'));
  if (malformed) throw ssmValidation(PATH_NAME_RULES);
  if (levels(name) > MAX_LEVELS) throw hierarchyLevelLimitExceeded();
}

/** Any name a read may ask for: present, a string, not too long. */
export function assertReadableName(name: unknown, member = 'name'): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw ssmValidation(`1 validation error detected: Value ${name === undefined ? 'null' : `'${String(name)}'`} at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw ssmValidation(`Parameter name: must be at most ${MAX_NAME_LENGTH} characters long (it is ${name.length}).`);
  }
}

/** `/a/b/c` has 3 levels; `top` has 1. */
export function levels(name: string): number {
  return name.split('/').filter((part) => part !== '').length;
}

/**
 * A label may be at most 100 characters of letters, digits and `.-_`, and may
 * not start with a digit or with `aws`/`ssm`. AWS reports broken ones in
 * InvalidLabels rather than failing the call.
 */
export function isValidLabel(label: string): boolean {
  return label.length >= 1 && label.length <= 100 && /^[a-zA-Z0-9_.-]+$/.test(label) && !/^[0-9]/.test(label) && !/^(aws|ssm)/i.test(label);
}

/** The ARN's resource part drops a leading slash: `/a/b` -> `parameter/a/b`, `top` -> `parameter/top`. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, '')}`;
}

const ARN = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}):parameter\/(.+)$/;

/**
 * A name or a parameter's ARN, as GetParameter(s) accept, reduced to the name.
 * ARNs name hierarchical parameters without their leading slash; which one is
 * meant is decided by the caller (the store tries both spellings).
 */
export function nameFromArn(nameOrArn: string): { name: string; fromArn: boolean; accountId?: string; region?: string } {
  const arn = ARN.exec(nameOrArn);
  if (!arn) return { name: nameOrArn, fromArn: false };
  return { name: arn[3]!, fromArn: true, region: arn[1], accountId: arn[2] };
}
