import { AwsError } from '../../../core/errors.js';

/** Collects constraint violations and throws them as one ValidationException, worded as AWS words them. */
export class Validator {
  private readonly problems: string[] = [];

  check(ok: boolean, field: string, value: unknown, constraint: string): this {
    if (!ok) this.problems.push(`Value ${describe(value)} at '${field}' failed to satisfy constraint: ${constraint}`);
    return this;
  }

  required(value: unknown, field: string): this {
    return this.check(value !== undefined && value !== null, field, null, 'Member must not be null');
  }

  range(value: unknown, field: string, min: number, max: number): this {
    if (value === undefined || value === null) return this;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return this.check(false, field, value, 'Member must be an integer');
    }
    this.check(value >= min, field, value, `Member must have value greater than or equal to ${min}`);
    return this.check(value <= max, field, value, `Member must have value less than or equal to ${max}`);
  }

  length(value: unknown, field: string, min: number, max: number): this {
    if (typeof value !== 'string') return this;
    this.check(value.length >= min, field, value, `Member must have length greater than or equal to ${min}`);
    return this.check(value.length <= max, field, value, `Member must have length less than or equal to ${max}`);
  }

  pattern(value: unknown, field: string, pattern: RegExp, shown: string): this {
    if (typeof value !== 'string') return this;
    return this.check(pattern.test(value), field, value, `Member must satisfy regular expression pattern: ${shown}`);
  }

  oneOf(value: unknown, field: string, allowed: readonly string[]): this {
    if (value === undefined || value === null) return this;
    return this.check(allowed.includes(value as string), field, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }

  throwIfInvalid(): void {
    if (this.problems.length === 0) return;
    const count = this.problems.length;
    throw new AwsError(
      'ValidationException',
      `${count} validation error${count > 1 ? 's' : ''} detected: ${this.problems.join('; ')}`,
      400,
    );
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
}

/** Optional non-negative integer from a query string, or undefined. */
export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : NaN;
}
