import { AwsError } from '../../core/errors.js';

/**
 * DynamoDB's documented limit on nested attributes: a top-level attribute
 * value is level 1 and each map or list around a value adds one, so 31 maps
 * around a scalar are accepted and 32 are not.
 */
export const MAX_NESTING_LEVELS = 32;

/** DynamoDB's error for attributes nested too deep; also its answer to a body nested past the JSON decoder's limit. */
export const tooDeep = () =>
  new AwsError(
    'ValidationException',
    'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit',
  );

/** Where each operation carries attribute values, as lists of the values' top-level holders. */
type Holders = (input: Record<string, unknown>) => unknown[];

const values = (map: unknown): unknown[] => (isObject(map) ? Object.values(map) : []);
/** `Expected`, `KeyConditions`, `QueryFilter`, `ScanFilter`, `AttributeUpdates`: name → {Value, AttributeValueList}. */
const conditions = (map: unknown): unknown[] =>
  values(map).flatMap((condition) =>
    isObject(condition) ? [condition.Value, ...(Array.isArray(condition.AttributeValueList) ? condition.AttributeValueList : [])] : [],
  );
const expressionValues = (input: Record<string, unknown>) => values(input.ExpressionAttributeValues);

const HOLDERS: Record<string, Holders> = {
  PutItem: (input) => [...values(input.Item), ...expressionValues(input), ...conditions(input.Expected)],
  UpdateItem: (input) => [...values(input.Key), ...conditions(input.AttributeUpdates), ...expressionValues(input), ...conditions(input.Expected)],
  DeleteItem: (input) => [...values(input.Key), ...expressionValues(input), ...conditions(input.Expected)],
  GetItem: (input) => values(input.Key),
  BatchGetItem: (input) =>
    values(input.RequestItems).flatMap((request) => (isObject(request) && Array.isArray(request.Keys) ? request.Keys.flatMap(values) : [])),
  BatchWriteItem: (input) =>
    values(input.RequestItems).flatMap((writes) =>
      Array.isArray(writes)
        ? writes.flatMap((write) =>
            isObject(write) ? [...values((write.PutRequest as any)?.Item), ...values((write.DeleteRequest as any)?.Key)] : [],
          )
        : [],
    ),
  Query: (input) => [...values(input.ExclusiveStartKey), ...expressionValues(input), ...conditions(input.KeyConditions), ...conditions(input.QueryFilter)],
  Scan: (input) => [...values(input.ExclusiveStartKey), ...expressionValues(input), ...conditions(input.ScanFilter)],
};

/**
 * Refuses, as DynamoDB does, attribute values nested beyond 32 levels in any
 * member of `operation` that carries them. The walk is iterative, so a value
 * nested 5,000 deep costs a loop, not the stack (dynalite's own validation
 * recurses and would overflow); it only descends into maps and lists, and
 * stops at the first value too deep. Malformed shapes are skipped: dynalite's
 * type checks answer those with their own messages.
 */
export function assertNestingWithinLimit(operation: string, input: Record<string, unknown>): void {
  const holders = Object.hasOwn(HOLDERS, operation) ? HOLDERS[operation] : undefined;
  if (!holders) return;
  const pending: { value: unknown; level: number }[] = holders(input).map((value) => ({ value, level: 1 }));
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, level } = next;
    if (!isObject(value)) continue;
    const children = Array.isArray(value.L) ? value.L : isObject(value.M) ? Object.values(value.M) : undefined;
    if (!children || children.length === 0) continue;
    if (level >= MAX_NESTING_LEVELS) throw tooDeep();
    for (const child of children) pending.push({ value: child, level: level + 1 });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
