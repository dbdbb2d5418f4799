/**
 * Made-up regions and accounts in the SigV4 credential scope. AWS refuses a
 * credential scoped to a region that does not exist; 150 such regions once
 * took the cloud from 36 to 1,536 file descriptors. Twelve-digit access keys
 * name accounts (LocalStack's convention): those calls may succeed.
 */
import { signAs, type FuzzCase, type FuzzClass, type FuzzRequest } from './case.js';

const CREATE_TABLE = JSON.stringify({
  TableName: 'soak-region-table',
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
});

/** One cheap read per service (and two writes), scoped to `region` and signed with `accessKeyId`. */
function reads(region: string, accessKeyId?: string): [string, FuzzRequest][] {
  const json = (service: string, target: string, contentType: string, body = '{}'): FuzzRequest => ({
    kind: 'http',
    method: 'POST',
    path: '/',
    headers: { 'content-type': contentType, 'x-amz-target': target },
    body,
    sign: signAs(service, region, accessKeyId),
  });
  return [
    ['DynamoDB ListTables', json('dynamodb', 'DynamoDB_20120810.ListTables', 'application/x-amz-json-1.0')],
    ['Kinesis ListStreams', json('kinesis', 'Kinesis_20131202.ListStreams', 'application/x-amz-json-1.1')],
    ['Logs DescribeLogGroups', json('logs', 'Logs_20140328.DescribeLogGroups', 'application/x-amz-json-1.1')],
    ['CloudWatch ListMetrics', json('monitoring', 'GraniteServiceVersion20100801.ListMetrics', 'application/x-amz-json-1.0')],
    ['S3 ListBuckets', { kind: 'http', method: 'GET', path: '/', headers: {}, sign: signAs('s3', region, accessKeyId) }],
    // Writes: they make the cloud open the region's stores, where a read might not.
    ['DynamoDB CreateTable', json('dynamodb', 'DynamoDB_20120810.CreateTable', 'application/x-amz-json-1.0', CREATE_TABLE)],
    ['S3 CreateBucket', { kind: 'http', method: 'PUT', path: '/soak-region-bucket', headers: {}, sign: signAs('s3', region, accessKeyId) }],
    ['Lambda ListFunctions', { kind: 'http', method: 'GET', path: '/2015-03-31/functions', headers: {}, sign: signAs('lambda', region, accessKeyId) }],
  ];
}

const ODD_REGIONS = ['__proto__', 'constructor', 'prototype', '..', 'us-east-1%00', 'US-EAST-1', 'us-east-1 ', `x${'y'.repeat(200)}`, 'aws-global', 'local'];

export function madeUpRegions(count: number): FuzzClass {
  const cases: FuzzCase[] = [];
  const regions = [...Array.from({ length: count }, (_, i) => `xx-soak-${i + 1}`), ...ODD_REGIONS];
  regions.forEach((region, i) => {
    for (const [label, request] of reads(region)) {
      // The first 40 regions stay in the quick run: enough to see descriptors grow.
      cases.push({ label: `${label} in region '${region}'`, request, expect: 'error', essential: i < 40 || ODD_REGIONS.includes(region) });
    }
  });
  return { name: `made-up regions (${regions.length})`, cases };
}

export function madeUpAccounts(count: number): FuzzClass {
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const account = String(100_000_000_000 + i * 7_919_113).padStart(12, '0');
    for (const [label, request] of reads('us-east-1', account)) {
      cases.push({ label: `${label} as account ${account}`, request, expect: 'any', essential: i < 10 });
    }
  }
  return { name: `12-digit accounts (${count})`, cases };
}
