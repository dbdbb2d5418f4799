import { AwsError } from '../core/errors.js';

/**
 * Bounds on a query-protocol request. Each is far above what any AWS query
 * API accepts, so an operation's own limit (PutMetricData's 1,000 datums,
 * CloudFormation's 200 parameters) still answers first with its own message;
 * they only stop requests no client would send from costing the whole cloud.
 */
export const QUERY_LIMITS = {
  /** Largest list member index (indexes are 1-based): ten times the longest query-protocol list, PutMetricData's 1,000. */
  maxListIndex: 10_000,
  /** Parameters in one request: a 1 MB PutMetricData, AWS's largest query payload, holds fewer. */
  maxParameters: 50_000,
  /** Dot-separated segments in one parameter name; the deepest AWS names (GetMetricData's dimensions) have 9. */
  maxNameSegments: 32,
} as const;

/**
 * Segment names that would reach Object.prototype (or a constructor's) if
 * they were ever used as keys of an ordinary object. No AWS member is called
 * this, so a request naming one is refused rather than decoded.
 */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

const LIST_INDEX = /^[1-9]\d*$/;

/**
 * Decoded parameters while they are being assembled. Lists and entry-maps
 * keep their members by index in a Map, so a member numbered 4294967295 costs
 * one entry rather than an array grown to that length; structures have no
 * prototype, so no segment name can reach an inherited property.
 */
type Value = string | Struct | Indexed;
type Struct = { kind: 'struct'; fields: Record<string, Value> };
type Indexed = { kind: 'list' | 'map'; members: Map<number, Value> };

const struct = (): Struct => ({ kind: 'struct', fields: Object.create(null) as Record<string, Value> });

/**
 * Turns flattened query keys into nested values:
 * `Parameters.member.1.ParameterKey=a` becomes `{Parameters: [{ParameterKey: 'a'}]}`,
 * `Attributes.entry.1.key=k&Attributes.entry.1.value=v` becomes `{Attributes: {k: 'v'}}`.
 * Scalars stay strings: each operation knows which of its fields are numbers.
 *
 * `invalid` builds the service's own validation error (CloudWatch:
 * InvalidParameterValue; STS, IAM, CloudFormation: ValidationError) for
 * requests beyond QUERY_LIMITS, with reserved names, or whose names contradict
 * each other (`A=1&A.B=2`).
 */
export function decodeQueryParams(
  params: URLSearchParams,
  invalid: (message: string) => AwsError = (message) => new AwsError('ValidationError', message, 400),
): Record<string, any> {
  const root = struct();
  let count = 0;
  for (const [name, value] of params) {
    if (name === 'Action' || name === 'Version' || name.startsWith('X-Amz-')) continue;
    if (++count > QUERY_LIMITS.maxParameters) {
      throw invalid(`The request has more than ${QUERY_LIMITS.maxParameters} parameters`);
    }
    setPath(root, name, value, invalid);
  }
  return finish(root, invalid) as Record<string, any>;
}

function setPath(root: Struct, name: string, value: string, invalid: (message: string) => AwsError): void {
  const segments = name.split('.', QUERY_LIMITS.maxNameSegments + 1);
  if (segments.length > QUERY_LIMITS.maxNameSegments) {
    throw invalid(`The parameter name ${shown(name)} has more than ${QUERY_LIMITS.maxNameSegments} parts`);
  }
  for (const segment of segments) {
    if (RESERVED_NAMES.has(segment)) throw invalid(`The parameter name ${shown(name)} is not valid`);
  }
  const conflict = () => invalid(`The parameter ${shown(name)} conflicts with another parameter of the request`);

  // Walk (creating) the containers the name passes through; the value lands at `key` of `parent`.
  let parent: Struct | Indexed = root;
  let key: string | number = segments[0];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    const isIndexed = (segment === 'member' || segment === 'entry') && i + 1 < segments.length;
    const child = isIndexed ? indexed(segment === 'entry' ? 'map' : 'list') : struct();
    const container = descend(parent, key, child, conflict);
    if (isIndexed) {
      const index = segments[i + 1];
      if (!LIST_INDEX.test(index) || Number(index) > QUERY_LIMITS.maxListIndex) {
        throw invalid(
          `The parameter ${shown(name)} has an invalid member index: indexes run from 1 to ${QUERY_LIMITS.maxListIndex}`,
        );
      }
      parent = container;
      key = Number(index);
      i++;
    } else {
      parent = container;
      key = segment;
    }
  }
  // The same name twice keeps the last value (the form body wins over the query string); a container is not overwritten.
  const existing = read(parent, key);
  if (existing !== undefined && typeof existing !== 'string') throw conflict();
  write(parent, key, value);
}

const indexed = (kind: Indexed['kind']): Indexed => ({ kind, members: new Map() });

/** The container at `key` of `parent`, created as `fresh` when absent; a container of another kind is a conflict. */
function descend(parent: Struct | Indexed, key: string | number, fresh: Struct | Indexed, conflict: () => AwsError): Struct | Indexed {
  const existing = read(parent, key);
  if (existing === undefined) {
    write(parent, key, fresh);
    return fresh;
  }
  if (typeof existing === 'string' || existing.kind !== fresh.kind) throw conflict();
  return existing;
}

function read(parent: Struct | Indexed, key: string | number): Value | undefined {
  return parent.kind === 'struct' ? parent.fields[key] : parent.members.get(key as number);
}

function write(parent: Struct | Indexed, key: string | number, value: Value): void {
  if (parent.kind === 'struct') parent.fields[key] = value;
  else parent.members.set(key as number, value);
}

/**
 * Plain values for the operations: lists in index order (gaps closed, as
 * before), entry-maps as objects keyed by each entry's key. Recursion depth is
 * bounded by QUERY_LIMITS.maxNameSegments.
 */
function finish(value: Value, invalid: (message: string) => AwsError): unknown {
  if (typeof value === 'string') return value;
  if (value.kind === 'struct') {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(value.fields)) out[name] = finish(value.fields[name], invalid);
    return out;
  }
  const members = [...value.members.entries()].sort(([a], [b]) => a - b).map(([, member]) => member);
  if (value.kind === 'list') return members.map((member) => finish(member, invalid));
  const map: Record<string, unknown> = {};
  for (const entry of members) {
    if (typeof entry === 'string' || entry.kind !== 'struct') continue;
    const { fields } = entry;
    const key = fields.key ?? fields.Key ?? fields.Name;
    if (typeof key !== 'string') continue;
    if (RESERVED_NAMES.has(key)) throw invalid(`The map key ${shown(key)} is not valid`);
    const member = fields.value ?? fields.Value;
    map[key] = member === undefined ? undefined : finish(member, invalid);
  }
  return map;
}

/** A parameter name as error messages show it: quoted, and cut short when a hostile one is huge. */
function shown(name: string): string {
  return `'${name.length > 200 ? `${name.slice(0, 200)}...` : name}'`;
}
