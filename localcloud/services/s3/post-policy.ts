import { AwsError } from '../../core/errors.js';
import { S3Error } from './errors.js';

/**
 * The POST policy of a browser upload form, judged as S3 judges it
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
 * a base64 JSON document with an `expiration` and `conditions`, each an exact
 * match (`{"field": "value"}` or `["eq", "$field", "value"]`), a prefix
 * (`["starts-with", "$field", "prefix"]`) or the file's size range
 * (`["content-length-range", min, max]`); and every form field but a few
 * must be covered by some condition.
 */

/** Form fields no condition has to name. */
const EXEMPT_FIELDS = new Set(['policy', 'x-amz-signature', 'signature', 'awsaccesskeyid', 'file']);

type Condition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string; text: string }
  | { kind: 'content-length-range'; min: number; max: number };

export interface PolicyInput {
  /** The form's fields, lower-case names; `key` with `${filename}` already replaced. */
  fields: Map<string, string>;
  /** The field names as sent. */
  names: string[];
  bucket: string;
  fileSize: number;
}

/** Throws S3's error for the first rule the form breaks; returns when the policy holds. */
export function checkPostPolicy(policyBase64: string, input: PolicyInput, now: Date): void {
  const { expiration, conditions } = parsePolicy(policyBase64);
  if (expiration.getTime() <= now.getTime()) throw policyDenied('Policy expired.');
  const valueOf = (field: string) => (field === 'bucket' ? input.bucket : input.fields.get(field));
  const covered = new Set<string>();
  for (const condition of conditions) {
    if (condition.kind === 'content-length-range') continue;
    covered.add(condition.field);
    const actual = valueOf(condition.field) ?? '';
    const holds = condition.kind === 'eq' ? actual === condition.value : actual.startsWith(condition.value);
    if (!holds) throw policyDenied(`Policy Condition failed: ${condition.text}`);
  }
  const extra = input.names.filter((name) => {
    const field = name.toLowerCase();
    return !EXEMPT_FIELDS.has(field) && !field.startsWith('x-ignore-') && !covered.has(field);
  });
  if (extra.length > 0) throw policyDenied(`Extra input fields: ${extra.join(', ')}`);
  for (const condition of conditions) {
    if (condition.kind !== 'content-length-range') continue;
    if (input.fileSize > condition.max) {
      throw new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
        ProposedSize: String(input.fileSize),
        MaxSizeAllowed: String(condition.max),
      });
    }
    if (input.fileSize < condition.min) {
      throw new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, {
        ProposedSize: String(input.fileSize),
        MinSizeAllowed: String(condition.min),
      });
    }
  }
}

function parsePolicy(policyBase64: string): { expiration: Date; conditions: Condition[] } {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(policyBase64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (typeof expiration !== 'string') throw invalidPolicy('Policy missing expiration.');
  const expiresAt = new Date(expiration);
  if (Number.isNaN(expiresAt.getTime())) throw invalidPolicy(`Invalid 'expiration' value: '${expiration}'`);
  if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.');
  return { expiration: expiresAt, conditions: conditions.map(parseCondition) };
}

function parseCondition(raw: unknown): Condition {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const entries = Object.entries(raw as Record<string, unknown>);
    if (entries.length !== 1 || typeof entries[0][1] !== 'string') throw invalidPolicy(`Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.`);
    const [field, value] = entries[0] as [string, string];
    return { kind: 'eq', field: field.toLowerCase(), value, text: `["eq", "$${field}", "${value}"]` };
  }
  if (!Array.isArray(raw) || raw.length !== 3) throw invalidPolicy('Invalid Condition: wrong number of arguments.');
  const [operator, first, second] = raw as unknown[];
  const op = typeof operator === 'string' ? operator.toLowerCase() : '';
  if (op === 'content-length-range') {
    const min = Number(first);
    const max = Number(second);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
      throw invalidPolicy('Invalid content-length-range: its bounds must be whole numbers, the minimum not above the maximum.');
    }
    return { kind: 'content-length-range', min, max };
  }
  if (op !== 'eq' && op !== 'starts-with') throw invalidPolicy(`Invalid Condition: unknown operation '${String(operator)}'.`);
  if (typeof first !== 'string' || !first.startsWith('$') || typeof second !== 'string') {
    throw invalidPolicy(`Invalid Condition: '${String(operator)}' takes a "$field" and a string.`);
  }
  return { kind: op, field: first.slice(1).toLowerCase(), value: second, text: `["${op}", "${first}", "${second}"]` };
}

function policyDenied(reason: string): AwsError {
  return S3Error.accessDenied(`Invalid according to Policy: ${reason}`);
}

function invalidPolicy(reason: string): AwsError {
  return new AwsError('InvalidPolicyDocument', `Invalid Policy: ${reason}`, 400);
}
