import { constraintViolation, invalidInput, validationError } from './errors.js';
import type { Tag } from './model.js';

/**
 * Input checks shared by the IAM operations. The query protocol delivers
 * every scalar as a string, so numbers and booleans are parsed here too.
 */

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;

export function name(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw validationError(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  if (value.length > max) throw constraintViolation(field, value, `Member must have length less than or equal to ${max}`);
  if (!NAME.test(value)) throw constraintViolation(field, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return value;
}

export function iamPath(value: unknown, field = 'path'): string {
  if (value === undefined || value === '') return '/';
  if (typeof value !== 'string' || value.length > 512 || !PATH.test(value)) {
    throw constraintViolation(field, value, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  }
  return value;
}

export function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) throw constraintViolation(field, value, `Member must have length less than or equal to ${max}`);
  return value;
}

export function integer(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw invalidInput(`Invalid value for ${field}: ${String(value)}`);
  if (n < min) throw constraintViolation(field, value, `Member must have value greater than or equal to ${min}`);
  if (n > max) throw constraintViolation(field, value, `Member must have value less than or equal to ${max}`);
  return n;
}

export function boolean(value: unknown): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return value === true || value === 'true';
}

export function arn(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length < 20 || value.length > 2048) {
    throw validationError(`1 validation error detected: Value '${String(value ?? 'null')}' at '${field}' failed to satisfy constraint: Member must have length greater than or equal to 20`);
  }
  if (!value.startsWith('arn:')) throw invalidInput(`ARN ${value} is not valid.`);
  return value;
}

export function tags(value: unknown): Tag[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidInput('Tags must be a list of Key/Value pairs.');
  if (value.length > 50) throw validationError('1 validation error detected: Value at \'tags\' failed to satisfy constraint: Member must have length less than or equal to 50');
  return value.map((t: any) => {
    if (typeof t?.Key !== 'string' || t.Key.length < 1 || t.Key.length > 128) throw invalidInput('Tag keys must be 1 to 128 characters.');
    const v = t.Value ?? '';
    if (typeof v !== 'string' || v.length > 256) throw invalidInput('Tag values must be at most 256 characters.');
    return { Key: t.Key, Value: v };
  });
}

export function stringList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidInput(`${field} must be a list of strings.`);
  return value as string[];
}

/** Merges tags by key (later wins), as TagUser/TagRole do. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) byKey.set(t.Key, t);
  if (byKey.size > 50) throw validationError('Cannot exceed quota for TagsPerEntity: 50');
  return [...byKey.values()];
}

/** IAM's Marker/MaxItems pagination (MaxItems 1-1000, default 100). */
export function paginate<T>(items: T[], marker: unknown, maxItems: unknown): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const max = integer(maxItems, 'maxItems', 1, 1000) ?? 100;
  let offset = 0;
  if (marker !== undefined && marker !== '') {
    const decoded = Number(Buffer.from(String(marker), 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidInput('Invalid Marker.');
    offset = decoded;
  }
  const page = items.slice(offset, offset + max);
  const truncated = offset + max < items.length;
  return { page, IsTruncated: truncated, Marker: truncated ? Buffer.from(String(offset + max)).toString('base64url') : undefined };
}
