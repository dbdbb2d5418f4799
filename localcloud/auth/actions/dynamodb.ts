import type { ServiceRequest } from '../../core/types.js';
import type { RequiredPermission } from '../types.js';
import { parseStatement } from '../../services/dynamodb/partiql/statement-parser.js';
import { streamArnOfIterator } from '../../services/dynamodb/streams/streams-api.js';
import { contextOf, permission, text, unmapped, type ActionMap } from './permission.js';

/** Operations that act on the one table `TableName` names; the action is the operation's name. */
const TABLE_OPERATIONS = new Set([
  'CreateTable', 'DeleteTable', 'DescribeTable', 'UpdateTable',
  'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem',
  'DescribeTimeToLive', 'UpdateTimeToLive', 'DescribeContinuousBackups', 'UpdateContinuousBackups',
]);

/** Account-level operations: the reference lists no resource type, so they apply to `*`. */
const ACCOUNT_OPERATIONS = new Set(['ListTables', 'DescribeLimits', 'DescribeEndpoints', 'ListStreams']);

/** DynamoDB Streams operations on one stream, named by its ARN (GetRecords: inside the shard iterator). */
const STREAM_OPERATIONS = new Set(['DescribeStream', 'GetShardIterator', 'GetRecords']);

/** Tagging names the table (or index, stream) by its full ARN. */
const ARN_OPERATIONS = new Set(['TagResource', 'UntagResource', 'ListTagsOfResource']);

/**
 * DynamoDB (Service Authorization Reference, prefix `dynamodb`): every action
 * is named after its operation; batches need the action on each table they
 * touch, and a Query or Scan of an index needs it on `table/T/index/I`.
 */
export const dynamodbPermissions: ActionMap = (operation, input, req) => {
  const action = `dynamodb:${operation}`;
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return Object.keys(input?.RequestItems ?? {}).map((table) => permission(action, tableArn(table, req), requestContext(input)));
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const members = transactionPermissions(input, req);
    // A request naming no table still needs a permission: it is refused, not waved through to validation.
    return members.length ? members : [permission(action, '*')];
  }
  if (operation === 'ExecuteStatement') return partiqlPermissions([input], req);
  if (operation === 'BatchExecuteStatement') return partiqlPermissions(Array.isArray(input?.Statements) ? input.Statements : [], req);
  if (operation === 'ExecuteTransaction') return partiqlPermissions(Array.isArray(input?.TransactStatements) ? input.TransactStatements : [], req);
  if (operation === 'Query' || operation === 'Scan') {
    const table = tableArn(text(input?.TableName) ?? '', req);
    const index = text(input?.IndexName);
    return [permission(action, index ? `${table}/index/${index}` : table, requestContext(input))];
  }
  if (TABLE_OPERATIONS.has(operation)) return [permission(action, tableArn(text(input?.TableName) ?? '', req), requestContext(input))];
  if (ACCOUNT_OPERATIONS.has(operation)) return [permission(action, '*')];
  if (STREAM_OPERATIONS.has(operation)) {
    const stream = operation === 'GetRecords' ? streamArnOfIterator(String(input?.ShardIterator ?? '')) : text(input?.StreamArn);
    return [permission(action, stream ?? '*')];
  }
  if (ARN_OPERATIONS.has(operation)) return [permission(action, text(input?.ResourceArn) ?? '*')];
  return unmapped('dynamodb', operation);
};

/** The action of each kind of transaction member, as AWS authorizes transactions: per member, on its table. */
const TRANSACTION_ACTIONS: Record<string, string> = {
  Get: 'dynamodb:GetItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

function transactionPermissions(input: any, req: ServiceRequest): RequiredPermission[] {
  const items: unknown[] = Array.isArray(input?.TransactItems) ? input.TransactItems : [];
  const permissions: RequiredPermission[] = [];
  for (const item of items) {
    for (const [kind, action] of Object.entries(TRANSACTION_ACTIONS)) {
      const member = (item as Record<string, any> | null)?.[kind];
      if (member) permissions.push(permission(action, tableArn(text(member.TableName) ?? '', req), requestContext(input)));
    }
  }
  return permissions;
}

const PARTIQL_ACTIONS = { SELECT: 'dynamodb:PartiQLSelect', INSERT: 'dynamodb:PartiQLInsert', UPDATE: 'dynamodb:PartiQLUpdate', DELETE: 'dynamodb:PartiQLDelete' };

/**
 * PartiQL is authorized per statement: PartiQLSelect/Insert/Update/Delete
 * on the table (a SELECT from an index: on the index). A statement that does
 * not parse still needs a permission; the operation then refuses it.
 */
function partiqlPermissions(statements: any[], req: ServiceRequest): RequiredPermission[] {
  const permissions = statements.flatMap((s): RequiredPermission[] => {
    try {
      const parsed = parseStatement(s?.Statement, Array.isArray(s?.Parameters) ? s.Parameters : []);
      const table = tableArn(parsed.table, req);
      const resource = parsed.verb === 'SELECT' && parsed.index ? `${table}/index/${parsed.index}` : table;
      return [permission(PARTIQL_ACTIONS[parsed.verb], resource)];
    } catch {
      return [];
    }
  });
  return permissions.length ? permissions : [permission('dynamodb:PartiQLSelect', '*')];
}

/** `TableName` takes a name or, in current SDKs, the table's ARN (which may be another account's). */
export function tableArn(table: string, req: Pick<ServiceRequest, 'accountId' | 'region'>): string {
  return table.startsWith('arn:') ? table : `arn:aws:dynamodb:${req.region}:${req.accountId}:table/${table}`;
}

/** The request-level condition keys DynamoDB sets when the caller chose them. */
function requestContext(input: any): RequiredPermission['context'] {
  return contextOf({
    'dynamodb:Select': text(input?.Select),
    'dynamodb:ReturnValues': text(input?.ReturnValues),
    'dynamodb:ReturnConsumedCapacity': text(input?.ReturnConsumedCapacity),
  });
}
