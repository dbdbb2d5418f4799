/**
 * Hostile JSON for the JSON-protocol services: every operation the AWS SDK
 * knows (its Command list), each with every member the service reads set to
 * the wrong type, and bodies no operation can take — 5,000 levels deep, one
 * huge string, invalid UTF-8, not JSON at all.
 */
import { INVALID_UTF8, jsonCall, nested,  type FuzzCase, type FuzzClass, type FuzzRequest } from './case.js';

interface JsonService {
  label: string;
  /** The SDK package whose Command names are the operations. */
  sdkPackage: string;
  signingName: string;
  targetPrefix: string;
  contentType: string;
  /** Members the service's operations read: each gets the wrong type. */
  members: string[];
  /** An operation with a name member, for the huge-string case. */
  nameOperation: [operation: string, member: string];
}

const SERVICES: JsonService[] = [
  {
    label: 'DynamoDB',
    sdkPackage: '@aws-sdk/client-dynamodb',
    signingName: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    contentType: 'application/x-amz-json-1.0',
    members: ['TableName', 'Key', 'Item', 'Items', 'KeyConditionExpression', 'FilterExpression', 'ExpressionAttributeValues', 'ExpressionAttributeNames', 'RequestItems', 'TransactItems', 'Limit', 'ExclusiveStartKey', 'AttributeDefinitions', 'KeySchema', 'ProvisionedThroughput', 'IndexName', 'Select', 'ConsistentRead', 'ReturnValues', 'UpdateExpression'],
    nameOperation: ['DescribeTable', 'TableName'],
  },
  {
    label: 'Kinesis',
    sdkPackage: '@aws-sdk/client-kinesis',
    signingName: 'kinesis',
    targetPrefix: 'Kinesis_20131202',
    contentType: 'application/x-amz-json-1.1',
    members: ['StreamName', 'StreamARN', 'Records', 'Data', 'PartitionKey', 'ExplicitHashKey', 'ShardId', 'ShardIterator', 'ShardIteratorType', 'StartingSequenceNumber', 'Timestamp', 'Limit', 'ShardCount', 'NextToken', 'Tags', 'RetentionPeriodHours'],
    nameOperation: ['DescribeStream', 'StreamName'],
  },
  {
    label: 'CloudWatch Logs',
    sdkPackage: '@aws-sdk/client-cloudwatch-logs',
    signingName: 'logs',
    targetPrefix: 'Logs_20140328',
    contentType: 'application/x-amz-json-1.1',
    members: ['logGroupName', 'logGroupNamePrefix', 'logStreamName', 'logStreamNames', 'logEvents', 'filterPattern', 'startTime', 'endTime', 'limit', 'nextToken', 'startFromHead', 'retentionInDays', 'tags', 'orderBy', 'descending'],
    nameOperation: ['CreateLogGroup', 'logGroupName'],
  },
  {
    label: 'CloudWatch',
    sdkPackage: '@aws-sdk/client-cloudwatch',
    signingName: 'monitoring',
    targetPrefix: 'GraniteServiceVersion20100801',
    contentType: 'application/x-amz-json-1.0',
    members: ['Namespace', 'MetricData', 'MetricName', 'Dimensions', 'StartTime', 'EndTime', 'Period', 'Statistics', 'MetricDataQueries', 'AlarmName', 'AlarmNames', 'NextToken', 'Unit', 'Value', 'Values', 'Counts'],
    nameOperation: ['ListMetrics', 'Namespace'],
  },
];

/** The wrong-type values each member gets in turn (one body per value). */
const WRONG_VALUES: [label: string, value: unknown][] = [
  ['number', 7],
  ['boolean', true],
  ['string', 'soak'],
  ['array', [1, 'a', null]],
  ['object', { S: 1, N: [], M: 'x' }],
  ['null', null],
  ['__proto__ object', JSON.parse('{"__proto__": {"SoakPollutedJson": "1"}, "constructor": {"prototype": {"SoakPollutedJson2": "1"}}}')],
];

/** Bodies that are not an object of members at all. */
const NOT_AN_OBJECT: [label: string, body: string][] = [
  ['a JSON array', '[]'],
  ['a JSON string', '"soak"'],
  ['a JSON number', '7'],
  ['JSON null', 'null'],
  ['truncated JSON', '{"a":'],
  ['an empty body', ''],
  ['not JSON', '<xml/>'],
];

export async function jsonWrongTypes(): Promise<FuzzClass[]> {
  const classes: FuzzClass[] = [];
  for (const service of SERVICES) {
    const operations = await operationNames(service.sdkPackage);
    const cases: FuzzCase[] = [];
    for (const operation of operations) {
      const call = (body: string | Buffer) => jsonCall(service.signingName, service.targetPrefix, operation, body, service.contentType);
      for (const [label, value] of WRONG_VALUES) {
        const body = JSON.stringify(Object.fromEntries(service.members.map((m) => [m, value])));
        cases.push({ label: `${operation}: every member a ${label}`, request: call(body), expect: 'any', essential: operation === 'PutItem' || operation === 'PutRecords' });
      }
      for (const [label, body] of NOT_AN_OBJECT) cases.push({ label: `${operation}: ${label}`, request: call(body), expect: label === 'a JSON array' || label === 'a JSON string' || label === 'a JSON number' || label === 'truncated JSON' || label === 'not JSON' ? 'error' : 'any' });
    }
    classes.push({ name: `JSON: ${service.label}, wrong member types (${operations.length} operations)`, cases });
  }
  return classes;
}

/** Bodies no operation can take: deep nesting, huge strings, invalid UTF-8. */
export function jsonShapes(): FuzzClass {
  const cases: FuzzCase[] = [];
  const ddb = (operation: string, body: string | Buffer) => jsonCall('dynamodb', 'DynamoDB_20120810', operation, body, 'application/x-amz-json-1.0');
  const item = (value: string) => `{"TableName":"soak-table","Item":{"id":{"S":"a"},"deep":${value}}}`;
  cases.push({ label: 'PutItem: a map attribute nested 5,000 deep', request: ddb('PutItem', item(nested('{"M":{"a":', '}}', '{"S":"x"}', 5000))), expect: 'error', essential: true });
  cases.push({ label: 'PutItem: a list attribute nested 5,000 deep', request: ddb('PutItem', item(nested('{"L":[', ']}', '{"S":"x"}', 5000))), expect: 'error', essential: true });
  cases.push({ label: 'PutItem: a map attribute nested 33 deep (DynamoDB allows 32)', request: ddb('PutItem', item(nested('{"M":{"a":', '}}', '{"S":"x"}', 33))), expect: 'error' });
  cases.push({ label: 'UpdateItem: ExpressionAttributeValues nested 5,000 deep', request: ddb('UpdateItem', `{"TableName":"soak-table","Key":{"id":{"S":"a"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":${nested('{"M":{"a":', '}}', '{"S":"x"}', 5000)}}}`), expect: 'error' });
  for (const service of SERVICES) {
    const call = (operation: string, body: string | Buffer) => jsonCall(service.signingName, service.targetPrefix, operation, body, service.contentType);
    const [operation, member] = service.nameOperation;
    cases.push({ label: `${service.label} ${operation}: a body nested 5,000 deep (arrays)`, request: call(operation, nested('[', ']', '1', 5000)), expect: 'error', essential: true });
    cases.push({ label: `${service.label} ${operation}: a body nested 5,000 deep (objects)`, request: call(operation, nested('{"a":', '}', '1', 5000)), expect: 'error', essential: true });
    cases.push({ label: `${service.label} ${operation}: ${member} of 1 MB`, request: call(operation, JSON.stringify({ [member]: 'x'.repeat(1_000_000) })), expect: 'error' });
    cases.push({ label: `${service.label} ${operation}: ${member} holding invalid UTF-8`, request: call(operation, Buffer.concat([Buffer.from(`{"${member}":"soak`), INVALID_UTF8, Buffer.from('"}')])), expect: 'any', essential: true });
    cases.push({ label: `${service.label} ${operation}: a body of invalid UTF-8`, request: call(operation, Buffer.concat([INVALID_UTF8, INVALID_UTF8])), expect: 'error' });
    cases.push({ label: `${service.label} ${operation}: 100,000 members`, request: call(operation, `{${Array.from({ length: 100_000 }, (_, i) => `"m${i}":1`).join(',')}}`), expect: 'any' });
    cases.push({ label: `${service.label} ${operation}: a number of 400 digits`, request: call(operation, `{"Limit":1${'0'.repeat(400)},"limit":1e400}`), expect: 'any' });
    cases.push({ label: `${service.label}: an unknown operation`, request: call('SoakNoSuchOperation', '{}'), expect: 'error' });
    cases.push({ label: `${service.label}: a target with no operation`, request: { ...call('', '{}'), headers: { 'content-type': service.contentType, 'x-amz-target': service.targetPrefix } } as FuzzRequest, expect: 'error' });
    cases.push({ label: `${service.label} ${operation}: operation named __proto__`, request: call('__proto__', '{}'), expect: 'error', essential: true });
    cases.push({ label: `${service.label} ${operation}: operation named constructor`, request: call('constructor', '{}'), expect: 'error' });
  }
  return { name: 'JSON: deep nesting, huge strings, invalid UTF-8', cases };
}

/** The operation names of an SDK v3 client package: its exported `XxxCommand` classes. */
async function operationNames(sdkPackage: string): Promise<string[]> {
  const module = (await import(sdkPackage)) as Record<string, unknown>;
  return Object.keys(module)
    .filter((name) => name.endsWith('Command') && name !== 'Command' && typeof module[name] === 'function')
    .map((name) => name.slice(0, -'Command'.length))
    .sort();
}
