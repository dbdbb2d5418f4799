#!/usr/bin/env node
/**
 * Micro-benchmark of the IAM policy evaluator (localcloud/auth/policy): how
 * many decisions a second one core makes on requests shaped like the
 * project's own — a user with its keys' policies, a function's role session
 * with a permissions boundary, an S3 request with a bucket policy, conditions
 * and a policy variable. Not part of `make bench` yet; `measurePolicyEvaluator`
 * is what its phase would call.
 *
 *   node_modules/.bin/tsx harness/bench/policy-evaluator.ts [--seconds 2]
 */
import { fileURLToPath } from 'node:url';
import { evaluate, type EvaluationInput, type NamedPolicy, type PolicyStatement } from '../../localcloud/auth/policy/index.js';
import type { Principal } from '../../localcloud/auth/types.js';

export interface PolicyEvaluatorFigures {
  evaluationsPerSec: number;
  microsecondsPerEvaluation: number;
  /** Policies per request, averaged over the request mix. */
  policiesPerRequest: number;
  evaluations: number;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

const policy = (id: string, kind: NamedPolicy['kind'], Statement: PolicyStatement[]): NamedPolicy => ({
  id,
  kind,
  document: JSON.stringify({ Version: '2012-10-17', Statement }),
});

/** Requests shaped like the stack's: each carries 3–6 policies, as the JSON text IAM stores. */
function requestMix(): EvaluationInput[] {
  const user: Principal = { kind: 'user', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/TestClient`, userName: 'TestClient', userId: 'AIDATESTCLIENT' };
  const role: Principal = {
    kind: 'assumed-role',
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ProcessorRole/processor`,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/ProcessorRole`,
    roleName: 'ProcessorRole',
    sessionName: 'processor',
    userId: 'AROAPROCESSOR:processor',
  };
  const stream = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/SensorStream`;
  const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/SensorData`;
  const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ApiFunction`;
  const clientPolicies = [
    policy('inline:user/TestClient/put', 'identity', [
      { Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: stream },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fn, `${fn}:*`] },
    ]),
    policy(`arn:aws:iam::${ACCOUNT}:policy/ReadOnlyMetrics`, 'identity', [
      { Effect: 'Allow', Action: ['cloudwatch:Get*', 'cloudwatch:List*', 'cloudwatch:Describe*'], Resource: '*' },
    ]),
    policy(`arn:aws:iam::${ACCOUNT}:policy/DenyOutsideRegion`, 'identity', [
      { Sid: 'Region', Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': [REGION] } } },
    ]),
  ];
  const rolePolicies = [
    policy(`arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`, 'identity', [
      { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
    ]),
    policy('inline:role/ProcessorRole/pipeline', 'identity', [
      { Effect: 'Allow', Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream*', 'kinesis:ListShards'], Resource: stream },
      { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'], Resource: table },
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'Sensor' } } },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::archive-${ACCOUNT}/*` },
    ]),
  ];
  const boundary = policy(`arn:aws:iam::${ACCOUNT}:policy/Boundary`, 'boundary', [
    { Effect: 'Allow', Action: ['kinesis:*', 'dynamodb:*', 'cloudwatch:*', 'logs:*', 's3:*'], Resource: '*' },
    { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: '*' },
  ]);
  const bucketPolicy = policy('bucket:home', 'resource', [
    { Sid: 'TLS', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::home', 'arn:aws:s3:::home/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    { Sid: 'Home', Effect: 'Allow', Principal: { AWS: user.arn }, Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::home/${aws:username}/*' },
  ]);
  const context = { 'aws:RequestedRegion': REGION, 'aws:SecureTransport': 'false', 'aws:SourceIp': '127.0.0.1' };
  return [
    { principal: user, action: 'kinesis:PutRecords', resource: stream, context, identityPolicies: clientPolicies },
    { principal: user, action: 'dynamodb:Scan', resource: table, context, identityPolicies: clientPolicies },
    { principal: user, action: 'lambda:InvokeFunction', resource: fn, context, identityPolicies: clientPolicies },
    { principal: role, action: 'dynamodb:BatchWriteItem', resource: table, context, identityPolicies: rolePolicies, permissionsBoundary: boundary },
    { principal: role, action: 'cloudwatch:PutMetricData', resource: '*', context: { ...context, 'cloudwatch:namespace': 'Sensor' }, identityPolicies: rolePolicies, permissionsBoundary: boundary },
    { principal: role, action: 'kinesis:GetRecords', resource: stream, context, identityPolicies: rolePolicies, permissionsBoundary: boundary },
    { principal: user, action: 's3:GetObject', resource: 'arn:aws:s3:::home/TestClient/a.json', context: { ...context, 'aws:SecureTransport': 'true' }, identityPolicies: clientPolicies, resourcePolicy: bucketPolicy },
  ];
}

/** Runs the request mix round-robin for `seconds` after a warm-up, on this thread. */
export function measurePolicyEvaluator(seconds = 2): PolicyEvaluatorFigures {
  const mix = requestMix();
  const policiesPerRequest =
    mix.reduce((sum, r) => sum + r.identityPolicies.length + (r.resourcePolicy ? 1 : 0) + (r.permissionsBoundary ? 1 : 0), 0) / mix.length;
  let sink = 0;
  const run = (count: number) => {
    for (let i = 0; i < count; i++) if (evaluate(mix[i % mix.length]!).effect === 'Allow') sink++;
  };
  run(20_000); // warm-up: JIT and the compiled-policy cache
  const batch = 10_000;
  let evaluations = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    run(batch);
    evaluations += batch;
  }
  const elapsedMs = performance.now() - started;
  if (sink < 0) console.log(sink); // keeps the loop's result observable
  return {
    evaluationsPerSec: Math.round((evaluations / elapsedMs) * 1000),
    microsecondsPerEvaluation: Number(((elapsedMs * 1000) / evaluations).toFixed(2)),
    policiesPerRequest: Number(policiesPerRequest.toFixed(1)),
    evaluations,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--seconds');
  const seconds = at > 0 ? Number(process.argv[at + 1]) : 2;
  const figures = measurePolicyEvaluator(seconds > 0 ? seconds : 2);
  console.log(
    `policy evaluator: ${figures.evaluationsPerSec.toLocaleString('en-US')} evaluations/s ` +
      `(${figures.microsecondsPerEvaluation} µs each, ${figures.policiesPerRequest} policies per request, ${figures.evaluations.toLocaleString('en-US')} evaluations)`,
  );
}
