/**
 * One input normaliser for both wire protocols: the query protocol delivers
 * every scalar as a string (`Value=1.5`, `Timestamp=2026-01-01T00:00:00Z`,
 * `ReturnData=false`), JSON 1.0 delivers numbers, epoch-second timestamps and
 * non-finite doubles as the strings `"NaN"`/`"Infinity"`. Operations read their
 * input through these helpers and never care which protocol it came from.
 */

/** A number, or NaN when the value is present but not numeric (so validation can name it). */
export function toNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === 'Infinity' || trimmed === '+Infinity') return Infinity;
    if (trimmed === '-Infinity') return -Infinity;
    return trimmed === '' ? NaN : Number(trimmed);
  }
  return NaN;
}

/** JSON sends epoch seconds; query sends ISO 8601 (or, from some tools, epoch seconds too). */
export function toDate(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^-?\d+(\.\d+)?$/.test(trimmed)) return new Date(Number(trimmed) * 1000);
    return new Date(trimmed);
  }
  return new Date(NaN);
}

export function toBoolean(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export function toList<T = unknown>(value: unknown): T[] | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? (value as T[]) : undefined;
}

export function toText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}
