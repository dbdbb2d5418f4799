/**
 * ParameterFilters (DescribeParameters, GetParametersByPath) and the older
 * Filters of DescribeParameters, compiled into predicates over a parameter.
 */
import type { ParametersFilter, ParameterStringFilter } from '@aws-sdk/client-ssm';
import { invalidFilterKey, invalidFilterOption, invalidFilterValue, ssmValidation } from './errors.js';
import { currentVersion, type StoredParameter } from './parameter-store.js';

export type ParameterPredicate = (parameter: StoredParameter) => boolean;

/** Which options each key takes; tags (`tag:<key>`) take those of `tag`. */
const OPTIONS: Record<string, readonly string[]> = {
  Name: ['Equals', 'BeginsWith', 'Contains'],
  Path: ['Recursive', 'OneLevel'],
  Type: ['Equals', 'BeginsWith'],
  KeyId: ['Equals', 'BeginsWith'],
  Tier: ['Equals', 'BeginsWith'],
  DataType: ['Equals'],
  Label: ['Equals', 'BeginsWith', 'Contains'],
  tag: ['Equals', 'BeginsWith', 'Contains'],
};

/** GetParametersByPath filters by these only (the path is its own argument). */
export const BY_PATH_KEYS = ['Type', 'KeyId', 'Label', 'tag'];

export function compileParameterFilters(filters: ParameterStringFilter[] | undefined, allowedKeys?: readonly string[]): ParameterPredicate {
  if (filters === undefined) return () => true;
  if (!Array.isArray(filters)) throw ssmValidation('ParameterFilters must be a list');
  const seen = new Set<string>();
  const predicates = filters.map((filter) => {
    const key = String(filter?.Key ?? '');
    const family = key.startsWith('tag:') ? 'tag' : key;
    if (!Object.hasOwn(OPTIONS, family) || (allowedKeys && !allowedKeys.includes(family))) {
      const valid = allowedKeys ?? Object.keys(OPTIONS);
      throw invalidFilterKey(`The following filter key is not valid: ${key}. Valid filter keys include: [${valid.join(', ')}].`);
    }
    if (seen.has(key)) throw ssmValidation(`The following filter is duplicated in the request: ${key}. A request can contain only one occurrence of a specific filter.`);
    seen.add(key);
    const option = filter.Option ?? (family === 'Path' ? 'OneLevel' : 'Equals');
    if (!OPTIONS[family]!.includes(option)) {
      throw invalidFilterOption(`The following filter option is not valid: ${option}. Valid options include: [${OPTIONS[family]!.join(', ')}].`);
    }
    const values = stringValues(filter.Values, key);
    if (family !== 'tag' && values.length === 0) throw invalidFilterValue(`The following filter values are missing : null for filter key ${key}.`);
    if (values.length > 50) throw invalidFilterValue(`A filter can have at most 50 values; ${key} has ${values.length}.`);
    return compileOne(family, key, option, values);
  });
  return (parameter) => predicates.every((predicate) => predicate(parameter));
}

function compileOne(family: string, key: string, option: string, values: string[]): ParameterPredicate {
  const matches = (candidate: string | undefined) => candidate !== undefined && values.some((value) => compare(option, candidate, value));
  switch (family) {
    case 'Name':
      // Names are compared with or without their leading slash, as AWS does.
      return (p) => matches(p.name) || (p.name.startsWith('/') && values.some((v) => !v.startsWith('/') && compare(option, p.name.slice(1), v)));
    case 'Type':
      return (p) => matches(currentVersion(p).type);
    case 'KeyId':
      return (p) => matches(currentVersion(p).keyId);
    case 'Tier':
      return (p) => matches(currentVersion(p).tier);
    case 'DataType':
      return (p) => matches(currentVersion(p).dataType);
    case 'Label':
      return (p) => p.versions.some((version) => version.labels.some((label) => matches(label)));
    case 'Path':
      for (const value of values) {
        if (!value.startsWith('/')) throw invalidFilterValue(`The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". (${value})`);
      }
      return (p) => values.some((value) => underPath(p.name, value, option === 'Recursive'));
    default: {
      const tagKey = key.slice('tag:'.length);
      return (p) => Object.hasOwn(p.tags, tagKey) && (values.length === 0 || matches(p.tags[tagKey]));
    }
  }
}

function compare(option: string, candidate: string, value: string): boolean {
  if (option === 'BeginsWith') return candidate.startsWith(value);
  if (option === 'Contains') return candidate.includes(value);
  return candidate === value;
}

/** Whether `name` sits under `path`: directly (one level) or anywhere below it (recursive). */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  // A name without a leading slash sits at the root: `/` finds `top` as well as `/top`.
  const qualified = name.startsWith('/') ? name : `/${name}`;
  const prefix = path.endsWith('/') ? path : `${path}/`;
  if (!qualified.startsWith(prefix)) return false;
  return recursive || !qualified.slice(prefix.length).includes('/');
}

/** DescribeParameters' original filters: Name (a prefix), Type and KeyId (exact). */
export function compileLegacyFilters(filters: ParametersFilter[] | undefined): ParameterPredicate {
  if (filters === undefined) return () => true;
  if (!Array.isArray(filters)) throw ssmValidation('Filters must be a list');
  const predicates = filters.map((filter) => {
    const values = stringValues(filter?.Values, String(filter?.Key));
    if (values.length === 0) throw invalidFilterValue(`The following filter values are missing : null for filter key ${filter.Key}.`);
    switch (filter?.Key) {
      case 'Name':
        return (p: StoredParameter) => values.some((value) => p.name.startsWith(value));
      case 'Type':
        return (p: StoredParameter) => values.includes(currentVersion(p).type);
      case 'KeyId':
        return (p: StoredParameter) => currentVersion(p).keyId !== undefined && values.includes(currentVersion(p).keyId!);
      default:
        throw invalidFilterKey(`The following filter key is not valid: ${String(filter?.Key)}. Valid filter keys include: [Name, Type, KeyId].`);
    }
  });
  return (parameter) => predicates.every((predicate) => predicate(parameter));
}

/** A filter's Values: a list of strings (absent: none). */
function stringValues(values: unknown, key: string): string[] {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values) || values.some((value) => typeof value !== 'string')) {
    throw invalidFilterValue(`The values of filter ${key} must be a list of strings.`);
  }
  return values as string[];
}
