import { expect } from 'chai';
import { createRequire } from 'node:module';
import { requiredPermissions, type ActionLookups } from '../../../localcloud/auth/actions/index.js';
import type { RequiredPermission } from '../../../localcloud/auth/types.js';
import type { ServiceRequest } from '../../../localcloud/core/types.js';
import { cloudFormationOperations } from '../../../localcloud/services/cloudformation/api.js';
import { AlarmOperations } from '../../../localcloud/services/cloudwatch/alarm-operations.js';
import { CloudWatchOperations } from '../../../localcloud/services/cloudwatch/operations.js';
import { dynamoDbOperations } from '../../../localcloud/services/dynamodb/operations.js';
import { streamsOperations } from '../../../localcloud/services/dynamodb/streams/streams-api.js';
import { accessKeyOperations } from '../../../localcloud/services/iam/access-keys.js';
import { groupOperations } from '../../../localcloud/services/iam/groups.js';
import { managedPolicyOperations } from '../../../localcloud/services/iam/managed-policies.js';
import { IamStore } from '../../../localcloud/services/iam/model.js';
import { principalPolicyOperations } from '../../../localcloud/services/iam/principal-policies.js';
import { roleOperations } from '../../../localcloud/services/iam/roles.js';
import { userOperations } from '../../../localcloud/services/iam/users.js';
import { STREAMING_OPERATIONS } from '../../../localcloud/services/kinesis/index.js';
import { kinesisOperations } from '../../../localcloud/services/kinesis/operations.js';
import { lambdaRouter } from '../../../localcloud/services/lambda/api/routes.js';
import { LogsOperations } from '../../../localcloud/services/logs/operations.js';
import { s3Operations } from '../../../localcloud/services/s3/dispatch.js';
import { SNS_OPERATIONS } from '../../../localcloud/services/sns/index.js';
import { SQS_OPERATIONS } from '../../../localcloud/services/sqs/index.js';
import { SsmOperations } from '../../../localcloud/services/ssm/operations.js';
import { stsOperations } from '../../../localcloud/services/sts/operations.js';
import { SessionStore } from '../../../localcloud/services/sts/sessions.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const REGION = 'eu-west-1';
const req = { accountId: ACCOUNT, region: REGION, accessKeyId: 'AKIAUSERKEY' } as ServiceRequest;

/** One expected permission: [action, resource, context?]. */
type Expected = [action: string, resource: string, context?: RequiredPermission['context']];
interface Case {
  input: Record<string, unknown>;
  expect: Expected[];
  lookups?: ActionLookups;
}
/** Each operation's cases; a single case needs no array. */
type Table = Record<string, Case | Case[]>;

/** The operations each service serves, read from its own operation table or router. */
function servedOperations(): Record<string, string[]> {
  const iam = { store: new IamStore(undefined), now: () => new Date() };
  const upper = (names: string[]) => names.filter((n) => /^[A-Z]/.test(n));
  return {
    // The DynamoDB Streams API is served by the same provider (and signed as dynamodb).
    dynamodb: [...Object.keys(dynamoDbOperations(null as never)), ...Object.keys(streamsOperations)],
    kinesis: [...Object.keys(kinesisOperations({ engineFor: null as never, onRecordsStored() {}, writeBudget: () => undefined, shardLimit: 1 })), ...STREAMING_OPERATIONS],
    cloudwatch: upper([...Object.getOwnPropertyNames(CloudWatchOperations.prototype), ...Object.getOwnPropertyNames(AlarmOperations.prototype)]),
    logs: upper(Object.getOwnPropertyNames(LogsOperations.prototype)),
    iam: Object.keys({
      ...userOperations(iam),
      ...groupOperations(iam),
      ...roleOperations(iam),
      ...accessKeyOperations(iam),
      ...principalPolicyOperations(iam),
      ...managedPolicyOperations(iam),
    }),
    sts: Object.keys(stsOperations({} as never, new SessionStore(undefined))),
    cloudformation: Object.keys(cloudFormationOperations({} as never)),
    lambda: [...lambdaRouter({} as never).operations],
    s3: s3Operations(),
    sqs: [...SQS_OPERATIONS],
    sns: [...SNS_OPERATIONS],
    ssm: upper(Object.getOwnPropertyNames(SsmOperations.prototype)),
  };
}

// ---------------------------------------------------------------- DynamoDB
const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
const onTable = (op: string, extra: Record<string, unknown> = {}, context?: Expected[2]): Case => ({
  input: { TableName: 'Sensors', ...extra },
  expect: [[`dynamodb:${op}`, table('Sensors'), context]],
});
const dynamodb: Table = {
  BatchGetItem: {
    input: { RequestItems: { Sensors: { Keys: [] }, Devices: { Keys: [] } } },
    expect: [['dynamodb:BatchGetItem', table('Sensors')], ['dynamodb:BatchGetItem', table('Devices')]],
  },
  BatchWriteItem: {
    input: { RequestItems: { Sensors: [], [`arn:aws:dynamodb:us-east-1:${OTHER}:table/Shared`]: [] } },
    expect: [['dynamodb:BatchWriteItem', table('Sensors')], ['dynamodb:BatchWriteItem', `arn:aws:dynamodb:us-east-1:${OTHER}:table/Shared`]],
  },
  CreateTable: onTable('CreateTable'),
  DeleteTable: onTable('DeleteTable'),
  DescribeTable: onTable('DescribeTable'),
  UpdateTable: onTable('UpdateTable'),
  GetItem: onTable('GetItem', { ReturnConsumedCapacity: 'TOTAL' }, { 'dynamodb:ReturnConsumedCapacity': 'TOTAL' }),
  PutItem: onTable('PutItem'),
  UpdateItem: onTable('UpdateItem', { ReturnValues: 'ALL_NEW' }, { 'dynamodb:ReturnValues': 'ALL_NEW' }),
  DeleteItem: onTable('DeleteItem'),
  DescribeTimeToLive: onTable('DescribeTimeToLive'),
  UpdateTimeToLive: onTable('UpdateTimeToLive'),
  DescribeContinuousBackups: onTable('DescribeContinuousBackups'),
  UpdateContinuousBackups: onTable('UpdateContinuousBackups'),
  Query: [
    onTable('Query'),
    {
      input: { TableName: 'Sensors', IndexName: 'byTime', Select: 'COUNT' },
      expect: [['dynamodb:Query', `${table('Sensors')}/index/byTime`, { 'dynamodb:Select': 'COUNT' }]],
    },
  ],
  Scan: [
    { input: { TableName: 'Sensors', IndexName: 'byDevice' }, expect: [['dynamodb:Scan', `${table('Sensors')}/index/byDevice`]] },
    { input: { TableName: `arn:aws:dynamodb:${REGION}:${OTHER}:table/Theirs` }, expect: [['dynamodb:Scan', `arn:aws:dynamodb:${REGION}:${OTHER}:table/Theirs`]] },
  ],
  ListTables: { input: {}, expect: [['dynamodb:ListTables', '*']] },
  DescribeLimits: { input: {}, expect: [['dynamodb:DescribeLimits', '*']] },
  DescribeEndpoints: { input: {}, expect: [['dynamodb:DescribeEndpoints', '*']] },
  TagResource: { input: { ResourceArn: table('Sensors'), Tags: [] }, expect: [['dynamodb:TagResource', table('Sensors')]] },
  UntagResource: { input: { ResourceArn: table('Sensors'), TagKeys: [] }, expect: [['dynamodb:UntagResource', table('Sensors')]] },
  ListTagsOfResource: { input: { ResourceArn: table('Sensors') }, expect: [['dynamodb:ListTagsOfResource', table('Sensors')]] },
  TransactWriteItems: [
    {
      input: {
        TransactItems: [
          { Put: { TableName: 'Sensors' } },
          { Update: { TableName: 'Devices' } },
          { Delete: { TableName: 'Sensors' } },
          { ConditionCheck: { TableName: 'Devices' } },
        ],
      },
      expect: [
        ['dynamodb:PutItem', table('Sensors')],
        ['dynamodb:UpdateItem', table('Devices')],
        ['dynamodb:DeleteItem', table('Sensors')],
        ['dynamodb:ConditionCheckItem', table('Devices')],
      ],
    },
    { input: { TransactItems: [] }, expect: [['dynamodb:TransactWriteItems', '*']] },
  ],
  TransactGetItems: { input: { TransactItems: [{ Get: { TableName: 'Sensors' } }] }, expect: [['dynamodb:GetItem', table('Sensors')]] },
  ExecuteStatement: [
    { input: { Statement: "SELECT * FROM Sensors WHERE id = 'a'" }, expect: [['dynamodb:PartiQLSelect', table('Sensors')]] },
    { input: { Statement: 'SELECT * FROM "Sensors"."byTime"' }, expect: [['dynamodb:PartiQLSelect', `${table('Sensors')}/index/byTime`]] },
    { input: { Statement: "INSERT INTO Sensors VALUE {'id': 'a'}" }, expect: [['dynamodb:PartiQLInsert', table('Sensors')]] },
    { input: { Statement: "UPDATE Sensors SET v = 1 WHERE id = 'a'" }, expect: [['dynamodb:PartiQLUpdate', table('Sensors')]] },
    { input: { Statement: "DELETE FROM Sensors WHERE id = 'a'" }, expect: [['dynamodb:PartiQLDelete', table('Sensors')]] },
    { input: { Statement: 'not PartiQL' }, expect: [['dynamodb:PartiQLSelect', '*']] },
  ],
  BatchExecuteStatement: {
    input: { Statements: [{ Statement: "DELETE FROM Sensors WHERE id = 'a'" }, { Statement: "INSERT INTO Devices VALUE {'id': 'b'}" }] },
    expect: [['dynamodb:PartiQLDelete', table('Sensors')], ['dynamodb:PartiQLInsert', table('Devices')]],
  },
  ExecuteTransaction: {
    input: { TransactStatements: [{ Statement: "SELECT * FROM Sensors WHERE id = 'a'" }] },
    expect: [['dynamodb:PartiQLSelect', table('Sensors')]],
  },
  ListStreams: { input: {}, expect: [['dynamodb:ListStreams', '*']] },
  DescribeStream: { input: { StreamArn: `${table('Sensors')}/stream/2024-01-01T00:00:00.000` }, expect: [['dynamodb:DescribeStream', `${table('Sensors')}/stream/2024-01-01T00:00:00.000`]] },
  GetShardIterator: { input: { StreamArn: `${table('Sensors')}/stream/2024-01-01T00:00:00.000` }, expect: [['dynamodb:GetShardIterator', `${table('Sensors')}/stream/2024-01-01T00:00:00.000`]] },
  GetRecords: {
    input: { ShardIterator: `${table('Sensors')}/stream/2024-01-01T00:00:00.000|1|${Buffer.from(JSON.stringify(['shardId-1', '0', 1])).toString('base64url')}` },
    expect: [['dynamodb:GetRecords', `${table('Sensors')}/stream/2024-01-01T00:00:00.000`]],
  },
};

// ----------------------------------------------------------------- Kinesis
const stream = (name: string) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
const kinesaliteDb = createRequire(import.meta.url)('kinesalite/db') as { createShardIterator(s: string, shard: string, seq: string): string };
const onStream = (op: string): Case => ({ input: { StreamName: 'telemetry' }, expect: [[`kinesis:${op}`, stream('telemetry')]] });
const kinesis: Table = {
  PutRecords: [
    { input: { StreamName: 'telemetry', Records: [] }, expect: [['kinesis:PutRecords', stream('telemetry')]] },
    {
      input: { StreamARN: `arn:aws:kinesis:us-east-1:${OTHER}:stream/shared`, Records: [] },
      expect: [['kinesis:PutRecords', `arn:aws:kinesis:us-east-1:${OTHER}:stream/shared`]],
    },
  ],
  PutRecord: onStream('PutRecord'),
  GetRecords: [
    {
      input: { ShardIterator: kinesaliteDb.createShardIterator('telemetry', 'shardId-000000000000', '49590338271490256608559692538361571095921575989136588802') },
      expect: [['kinesis:GetRecords', stream('telemetry')]],
    },
    { input: { ShardIterator: 'not-an-iterator' }, expect: [['kinesis:GetRecords', '*']] },
  ],
  GetShardIterator: onStream('GetShardIterator'),
  ListShards: [
    onStream('ListShards'),
    {
      input: { NextToken: Buffer.from('shards:telemetry/shardId-000000000001').toString('base64url') },
      expect: [['kinesis:ListShards', stream('telemetry')]],
    },
  ],
  AddTagsToStream: onStream('AddTagsToStream'),
  CreateStream: onStream('CreateStream'),
  DecreaseStreamRetentionPeriod: onStream('DecreaseStreamRetentionPeriod'),
  IncreaseStreamRetentionPeriod: onStream('IncreaseStreamRetentionPeriod'),
  DeleteStream: onStream('DeleteStream'),
  DescribeStream: onStream('DescribeStream'),
  DescribeStreamSummary: onStream('DescribeStreamSummary'),
  ListTagsForStream: onStream('ListTagsForStream'),
  MergeShards: onStream('MergeShards'),
  SplitShard: onStream('SplitShard'),
  RemoveTagsFromStream: onStream('RemoveTagsFromStream'),
  StartStreamEncryption: onStream('StartStreamEncryption'),
  StopStreamEncryption: onStream('StopStreamEncryption'),
  UpdateShardCount: onStream('UpdateShardCount'),
  UpdateStreamMode: { input: { StreamARN: stream('telemetry') }, expect: [['kinesis:UpdateStreamMode', stream('telemetry')]] },
  EnableEnhancedMonitoring: onStream('EnableEnhancedMonitoring'),
  RegisterStreamConsumer: { input: { StreamARN: stream('telemetry'), ConsumerName: 'fan' }, expect: [['kinesis:RegisterStreamConsumer', stream('telemetry')]] },
  ListStreamConsumers: { input: { StreamARN: stream('telemetry') }, expect: [['kinesis:ListStreamConsumers', stream('telemetry')]] },
  DescribeStreamConsumer: [
    { input: { ConsumerARN: `${stream('telemetry')}/consumer/fan:1700000000` }, expect: [['kinesis:DescribeStreamConsumer', `${stream('telemetry')}/consumer/fan:1700000000`]] },
    { input: { StreamARN: stream('telemetry'), ConsumerName: 'fan' }, expect: [['kinesis:DescribeStreamConsumer', `${stream('telemetry')}/consumer/fan:*`]] },
  ],
  DeregisterStreamConsumer: { input: { ConsumerARN: `${stream('telemetry')}/consumer/fan:1700000000` }, expect: [['kinesis:DeregisterStreamConsumer', `${stream('telemetry')}/consumer/fan:1700000000`]] },
  SubscribeToShard: { input: { ConsumerARN: `${stream('telemetry')}/consumer/fan:1700000000`, ShardId: 'shardId-000000000000' }, expect: [['kinesis:SubscribeToShard', `${stream('telemetry')}/consumer/fan:1700000000`]] },
  DisableEnhancedMonitoring: onStream('DisableEnhancedMonitoring'),
  ListStreams: { input: {}, expect: [['kinesis:ListStreams', '*']] },
  DescribeLimits: { input: {}, expect: [['kinesis:DescribeLimits', '*']] },
  TagResource: { input: { ResourceARN: stream('telemetry') }, expect: [['kinesis:TagResource', stream('telemetry')]] },
  UntagResource: { input: { ResourceARN: stream('telemetry') }, expect: [['kinesis:UntagResource', stream('telemetry')]] },
  ListTagsForResource: { input: { ResourceARN: stream('telemetry') }, expect: [['kinesis:ListTagsForResource', stream('telemetry')]] },
};

// -------------------------------------------------------------- CloudWatch
const alarm = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
const cloudwatch: Table = {
  PutMetricData: { input: { Namespace: 'IoT/Sensors', MetricData: [] }, expect: [['cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'IoT/Sensors' }]] },
  GetMetricStatistics: { input: { Namespace: 'IoT/Sensors' }, expect: [['cloudwatch:GetMetricStatistics', '*']] },
  GetMetricData: { input: {}, expect: [['cloudwatch:GetMetricData', '*']] },
  ListMetrics: { input: {}, expect: [['cloudwatch:ListMetrics', '*']] },
  PutMetricAlarm: { input: { AlarmName: 'hot' }, expect: [['cloudwatch:PutMetricAlarm', alarm('hot')]] },
  SetAlarmState: { input: { AlarmName: 'hot' }, expect: [['cloudwatch:SetAlarmState', alarm('hot')]] },
  DescribeAlarms: { input: { AlarmNames: ['hot'] }, expect: [['cloudwatch:DescribeAlarms', '*']] },
  DescribeAlarmsForMetric: { input: { Namespace: 'IoT/Sensors', MetricName: 'Temp' }, expect: [['cloudwatch:DescribeAlarmsForMetric', '*']] },
  DescribeAlarmHistory: [
    { input: { AlarmName: 'hot' }, expect: [['cloudwatch:DescribeAlarmHistory', alarm('hot')]] },
    { input: {}, expect: [['cloudwatch:DescribeAlarmHistory', '*']] },
  ],
  DeleteAlarms: { input: { AlarmNames: ['hot', 'cold'] }, expect: [['cloudwatch:DeleteAlarms', alarm('hot')], ['cloudwatch:DeleteAlarms', alarm('cold')]] },
  EnableAlarmActions: { input: { AlarmNames: ['hot'] }, expect: [['cloudwatch:EnableAlarmActions', alarm('hot')]] },
  DisableAlarmActions: { input: { AlarmNames: ['hot'] }, expect: [['cloudwatch:DisableAlarmActions', alarm('hot')]] },
  TagResource: { input: { ResourceARN: alarm('hot') }, expect: [['cloudwatch:TagResource', alarm('hot')]] },
  UntagResource: { input: { ResourceARN: alarm('hot') }, expect: [['cloudwatch:UntagResource', alarm('hot')]] },
  ListTagsForResource: { input: { ResourceARN: alarm('hot') }, expect: [['cloudwatch:ListTagsForResource', alarm('hot')]] },
};

// -------------------------------------------------------------------- Logs
const group = (name: string, streamName = '') => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:log-stream:${streamName}`;
const onGroup = (op: string): Case => ({ input: { logGroupName: '/aws/lambda/api' }, expect: [[`logs:${op}`, group('/aws/lambda/api')]] });
const onLogStream = (op: string): Case => ({
  input: { logGroupName: '/aws/lambda/api', logStreamName: '2024/05/01/[$LATEST]abc' },
  expect: [[`logs:${op}`, group('/aws/lambda/api', '2024/05/01/[$LATEST]abc')]],
});
const logs: Table = {
  CreateLogGroup: onGroup('CreateLogGroup'),
  DeleteLogGroup: onGroup('DeleteLogGroup'),
  DescribeLogGroups: { input: { logGroupNamePrefix: '/aws' }, expect: [['logs:DescribeLogGroups', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group::log-stream:`]] },
  PutRetentionPolicy: onGroup('PutRetentionPolicy'),
  DeleteRetentionPolicy: onGroup('DeleteRetentionPolicy'),
  TagLogGroup: onGroup('TagLogGroup'),
  UntagLogGroup: onGroup('UntagLogGroup'),
  ListTagsLogGroup: onGroup('ListTagsLogGroup'),
  DescribeLogStreams: onGroup('DescribeLogStreams'),
  FilterLogEvents: [
    onGroup('FilterLogEvents'),
    {
      input: { logGroupIdentifier: `arn:aws:logs:us-east-1:${OTHER}:log-group:shared:*` },
      expect: [['logs:FilterLogEvents', `arn:aws:logs:us-east-1:${OTHER}:log-group:shared:log-stream:`]],
    },
  ],
  CreateLogStream: onLogStream('CreateLogStream'),
  DeleteLogStream: onLogStream('DeleteLogStream'),
  PutLogEvents: onLogStream('PutLogEvents'),
  GetLogEvents: onLogStream('GetLogEvents'),
  TagResource: {
    input: { resourceArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app:*` },
    expect: [['logs:TagResource', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app`]],
  },
  UntagResource: { input: { resourceArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app` }, expect: [['logs:UntagResource', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app`]] },
  ListTagsForResource: {
    input: { resourceArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app` },
    expect: [['logs:ListTagsForResource', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:app`]],
  },
};

// --------------------------------------------------------------------- IAM
const iamArn = (kind: string, pathAndName: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${pathAndName}`;
const paths: ActionLookups = {
  iamPath: (accountId, kind, name) => (accountId === ACCOUNT && name === 'alice' ? '/staff/' : accountId === ACCOUNT && kind === 'role' && name === 'deployer' ? '/ci/' : undefined),
  iamUserOfAccessKey: (key) => (key === 'AKIAUSERKEY' || key === 'AKIAALICE' ? { accountId: ACCOUNT, userName: 'alice' } : undefined),
};
const onUser = (op: string, extra: Record<string, unknown> = {}, context?: Expected[2]): Case => ({
  input: { UserName: 'alice', ...extra },
  expect: [[`iam:${op}`, iamArn('user', 'staff/alice'), context]],
  lookups: paths,
});
const onGroupEntity = (op: string, extra: Record<string, unknown> = {}, context?: Expected[2]): Case => ({
  input: { GroupName: 'admins', ...extra },
  expect: [[`iam:${op}`, iamArn('group', 'admins'), context]],
  lookups: paths,
});
const onRole = (op: string, extra: Record<string, unknown> = {}, context?: Expected[2]): Case => ({
  input: { RoleName: 'deployer', ...extra },
  expect: [[`iam:${op}`, iamArn('role', 'ci/deployer'), context]],
  lookups: paths,
});
const POLICY = `arn:aws:iam::${ACCOUNT}:policy/ops/ReadOnly`;
const onPolicy = (op: string): Case => ({ input: { PolicyArn: POLICY }, expect: [[`iam:${op}`, POLICY]] });
const attached = { 'iam:PolicyARN': POLICY };
const iam: Table = {
  CreateUser: [
    { input: { UserName: 'bob', Path: '/contractors/' }, expect: [['iam:CreateUser', iamArn('user', 'contractors/bob')]] },
    { input: { UserName: 'bob', PermissionsBoundary: POLICY }, expect: [['iam:CreateUser', iamArn('user', 'bob'), { 'iam:PermissionsBoundary': POLICY }]] },
  ],
  GetUser: [onUser('GetUser'), { input: {}, expect: [['iam:GetUser', iamArn('user', 'staff/alice')]], lookups: paths }, { input: {}, expect: [['iam:GetUser', '*']] }],
  UpdateUser: onUser('UpdateUser', { NewUserName: 'alicia' }),
  DeleteUser: onUser('DeleteUser'),
  TagUser: onUser('TagUser'),
  UntagUser: onUser('UntagUser'),
  ListUserTags: onUser('ListUserTags'),
  ListGroupsForUser: onUser('ListGroupsForUser'),
  CreateAccessKey: [onUser('CreateAccessKey'), { input: {}, expect: [['iam:CreateAccessKey', iamArn('user', 'staff/alice')]], lookups: paths }],
  ListAccessKeys: onUser('ListAccessKeys'),
  UpdateAccessKey: onUser('UpdateAccessKey', { AccessKeyId: 'AKIAALICE', Status: 'Inactive' }),
  DeleteAccessKey: onUser('DeleteAccessKey', { AccessKeyId: 'AKIAALICE' }),
  GetAccessKeyLastUsed: [
    { input: { AccessKeyId: 'AKIAALICE' }, expect: [['iam:GetAccessKeyLastUsed', iamArn('user', 'staff/alice')]], lookups: paths },
    { input: { AccessKeyId: 'AKIAUNKNOWN' }, expect: [['iam:GetAccessKeyLastUsed', '*']], lookups: paths },
  ],
  PutUserPolicy: onUser('PutUserPolicy'),
  GetUserPolicy: onUser('GetUserPolicy'),
  ListUserPolicies: onUser('ListUserPolicies'),
  DeleteUserPolicy: onUser('DeleteUserPolicy'),
  AttachUserPolicy: onUser('AttachUserPolicy', { PolicyArn: POLICY }, attached),
  DetachUserPolicy: onUser('DetachUserPolicy', { PolicyArn: POLICY }, attached),
  ListAttachedUserPolicies: onUser('ListAttachedUserPolicies'),
  CreateGroup: { input: { GroupName: 'admins', Path: '/ops/' }, expect: [['iam:CreateGroup', iamArn('group', 'ops/admins')]] },
  GetGroup: onGroupEntity('GetGroup'),
  DeleteGroup: onGroupEntity('DeleteGroup'),
  AddUserToGroup: onGroupEntity('AddUserToGroup', { UserName: 'alice' }),
  RemoveUserFromGroup: onGroupEntity('RemoveUserFromGroup', { UserName: 'alice' }),
  PutGroupPolicy: onGroupEntity('PutGroupPolicy'),
  GetGroupPolicy: onGroupEntity('GetGroupPolicy'),
  ListGroupPolicies: onGroupEntity('ListGroupPolicies'),
  DeleteGroupPolicy: onGroupEntity('DeleteGroupPolicy'),
  AttachGroupPolicy: onGroupEntity('AttachGroupPolicy', { PolicyArn: POLICY }, attached),
  DetachGroupPolicy: onGroupEntity('DetachGroupPolicy', { PolicyArn: POLICY }, attached),
  ListAttachedGroupPolicies: onGroupEntity('ListAttachedGroupPolicies'),
  CreateRole: { input: { RoleName: 'deployer', Path: '/ci/' }, expect: [['iam:CreateRole', iamArn('role', 'ci/deployer')]] },
  GetRole: [onRole('GetRole'), { input: { RoleName: 'other' }, expect: [['iam:GetRole', iamArn('role', 'other')]] }],
  UpdateRole: onRole('UpdateRole'),
  UpdateRoleDescription: onRole('UpdateRoleDescription'),
  UpdateAssumeRolePolicy: onRole('UpdateAssumeRolePolicy'),
  DeleteRole: onRole('DeleteRole'),
  TagRole: onRole('TagRole'),
  UntagRole: onRole('UntagRole'),
  ListRoleTags: onRole('ListRoleTags'),
  PutRolePolicy: onRole('PutRolePolicy'),
  GetRolePolicy: onRole('GetRolePolicy'),
  ListRolePolicies: onRole('ListRolePolicies'),
  DeleteRolePolicy: onRole('DeleteRolePolicy'),
  AttachRolePolicy: onRole('AttachRolePolicy', { PolicyArn: POLICY }, attached),
  DetachRolePolicy: onRole('DetachRolePolicy', { PolicyArn: POLICY }, attached),
  ListAttachedRolePolicies: onRole('ListAttachedRolePolicies'),
  CreatePolicy: { input: { PolicyName: 'ReadOnly', Path: '/ops/' }, expect: [['iam:CreatePolicy', POLICY]] },
  GetPolicy: onPolicy('GetPolicy'),
  DeletePolicy: onPolicy('DeletePolicy'),
  GetPolicyVersion: onPolicy('GetPolicyVersion'),
  ListPolicyVersions: onPolicy('ListPolicyVersions'),
  CreatePolicyVersion: onPolicy('CreatePolicyVersion'),
  SetDefaultPolicyVersion: onPolicy('SetDefaultPolicyVersion'),
  DeletePolicyVersion: onPolicy('DeletePolicyVersion'),
  TagPolicy: onPolicy('TagPolicy'),
  UntagPolicy: onPolicy('UntagPolicy'),
  ListPolicyTags: onPolicy('ListPolicyTags'),
  ListUsers: { input: {}, expect: [['iam:ListUsers', '*']] },
  ListGroups: { input: {}, expect: [['iam:ListGroups', '*']] },
  ListRoles: { input: { PathPrefix: '/ci/' }, expect: [['iam:ListRoles', '*']] },
  ListPolicies: { input: {}, expect: [['iam:ListPolicies', '*']] },
};

// --------------------------------------------------------------------- STS
const ROLE = `arn:aws:iam::${OTHER}:role/ci/deployer`;
const sts: Table = {
  GetCallerIdentity: { input: {}, expect: [] },
  AssumeRole: [
    { input: { RoleArn: ROLE, RoleSessionName: 'build' }, expect: [['sts:AssumeRole', ROLE, { 'sts:RoleSessionName': 'build' }]] },
    {
      input: { RoleArn: ROLE, RoleSessionName: 'build', ExternalId: 'x-1', Tags: [{ Key: 'team', Value: 'iot' }] },
      expect: [['sts:AssumeRole', ROLE, { 'sts:RoleSessionName': 'build', 'sts:ExternalId': 'x-1' }], ['sts:TagSession', ROLE]],
    },
  ],
  GetSessionToken: { input: {}, expect: [] },
  GetAccessKeyInfo: { input: { AccessKeyId: 'AKIAALICE' }, expect: [['sts:GetAccessKeyInfo', '*']] },
};

// ---------------------------------------------------------- CloudFormation
const STACK = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/iot/*`;
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/iot/0a1b2c3d-1111-2222-3333-444455556666`;
const CFN_ROLE = `arn:aws:iam::${ACCOUNT}:role/cfn-exec`;
const onStack = (op: string, extra: Record<string, unknown> = {}, context?: Expected[2]): Case => ({
  input: { StackName: 'iot', ...extra },
  expect: [[`cloudformation:${op}`, STACK, context]],
});
const liveStack: ActionLookups = { stackIdOf: (account, region, name) => (account === ACCOUNT && region === REGION && name === 'iot' ? STACK_ID : undefined) };
const passedToCfn: Expected = ['iam:PassRole', CFN_ROLE, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }];
const cloudformation: Table = {
  CreateStack: [
    onStack('CreateStack', { TemplateBody: '{}' }),
    {
      input: { StackName: 'iot', RoleARN: CFN_ROLE, TemplateURL: 'https://s3.amazonaws.com/b/t.json' },
      expect: [['cloudformation:CreateStack', STACK, { 'cloudformation:RoleArn': CFN_ROLE, 'cloudformation:TemplateUrl': 'https://s3.amazonaws.com/b/t.json' }], passedToCfn],
    },
  ],
  UpdateStack: { input: { StackName: 'iot', RoleARN: CFN_ROLE }, expect: [['cloudformation:UpdateStack', STACK, { 'cloudformation:RoleArn': CFN_ROLE }], passedToCfn] },
  DeleteStack: [
    onStack('DeleteStack'),
    { input: { StackName: STACK_ID }, expect: [['cloudformation:DeleteStack', STACK_ID]] },
    // A live stack named by its name: AWS names its id (`stack/iot/<uuid>`) in the denial.
    { input: { StackName: 'iot' }, expect: [['cloudformation:DeleteStack', STACK_ID]], lookups: liveStack },
    { input: { StackName: 'other' }, expect: [['cloudformation:DeleteStack', `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/other/*`]], lookups: liveStack },
  ],
  DescribeStacks: [onStack('DescribeStacks'), { input: {}, expect: [['cloudformation:DescribeStacks', '*']] }],
  DescribeStackResources: [onStack('DescribeStackResources'), { input: { PhysicalResourceId: 'x' }, expect: [['cloudformation:DescribeStackResources', '*']] }],
  GetTemplateSummary: [onStack('GetTemplateSummary'), { input: { TemplateBody: '{}' }, expect: [['cloudformation:GetTemplateSummary', '*']] }],
  DescribeStackEvents: onStack('DescribeStackEvents'),
  DescribeStackResource: onStack('DescribeStackResource'),
  ListStackResources: onStack('ListStackResources'),
  GetTemplate: onStack('GetTemplate'),
  CreateChangeSet: {
    input: { StackName: 'iot', ChangeSetName: 'cs1', RoleARN: CFN_ROLE },
    expect: [['cloudformation:CreateChangeSet', STACK, { 'cloudformation:RoleArn': CFN_ROLE, 'cloudformation:ChangeSetName': 'cs1' }], passedToCfn],
  },
  DescribeChangeSet: onStack('DescribeChangeSet', { ChangeSetName: 'cs1' }, { 'cloudformation:ChangeSetName': 'cs1' }),
  ExecuteChangeSet: onStack('ExecuteChangeSet', { ChangeSetName: 'cs1' }, { 'cloudformation:ChangeSetName': 'cs1' }),
  DeleteChangeSet: onStack('DeleteChangeSet', { ChangeSetName: 'cs1' }, { 'cloudformation:ChangeSetName': 'cs1' }),
  ListChangeSets: onStack('ListChangeSets'),
  ListStacks: { input: {}, expect: [['cloudformation:ListStacks', '*']] },
  ValidateTemplate: { input: { TemplateBody: '{}' }, expect: [['cloudformation:ValidateTemplate', '*']] },
  ListExports: { input: {}, expect: [['cloudformation:ListExports', '*']] },
  ListImports: { input: { ExportName: 'x' }, expect: [['cloudformation:ListImports', '*']] },
};

// ------------------------------------------------------------------ Lambda
const fn = (name: string, qualifier?: string, account = ACCOUNT, region = REGION) =>
  `arn:aws:lambda:${region}:${account}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/api-exec`;
const passedToLambda: Expected = ['iam:PassRole', EXEC_ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' }];
const onFunction = (op: string, action = `lambda:${op}`): Case => ({ input: { FunctionName: 'api' }, expect: [[action, fn('api')]] });
const ESM = `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:14e0db71-abcd-4eb5-b481-1234567890ab`;
const mappings: ActionLookups = { eventSourceMappingFunctionArn: (uuid) => (uuid === '14e0db71-abcd-4eb5-b481-1234567890ab' ? fn('ingest') : undefined) };
const onMapping = (op: string): Case => ({
  input: { UUID: '14e0db71-abcd-4eb5-b481-1234567890ab' },
  expect: [[`lambda:${op}`, ESM, { 'lambda:FunctionArn': fn('ingest') }]],
  lookups: mappings,
});
const LAYER = `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:shared-libs`;
const lambda: Table = {
  CreateFunction: [
    { input: { FunctionName: 'api', Role: EXEC_ROLE }, expect: [['lambda:CreateFunction', fn('api')], passedToLambda] },
    {
      input: { FunctionName: 'api', Role: EXEC_ROLE, Layers: [`${LAYER}:3`] },
      expect: [['lambda:CreateFunction', fn('api')], passedToLambda, ['lambda:GetLayerVersion', `${LAYER}:3`]],
    },
  ],
  UpdateFunctionConfiguration: [
    { input: { FunctionName: 'api', Role: EXEC_ROLE }, expect: [['lambda:UpdateFunctionConfiguration', fn('api')], passedToLambda] },
    { input: { FunctionName: 'api', Timeout: 10 }, expect: [['lambda:UpdateFunctionConfiguration', fn('api')]] },
  ],
  Invoke: [
    { input: { FunctionName: 'api' }, expect: [['lambda:InvokeFunction', fn('api')]] },
    { input: { FunctionName: 'api', Qualifier: '3' }, expect: [['lambda:InvokeFunction', fn('api', '3')]] },
    { input: { FunctionName: 'api:live' }, expect: [['lambda:InvokeFunction', fn('api', 'live')]] },
    { input: { FunctionName: `${OTHER}:function:api` }, expect: [['lambda:InvokeFunction', fn('api', undefined, OTHER)]] },
    { input: { FunctionName: `${OTHER}:function:api:2` }, expect: [['lambda:InvokeFunction', fn('api', '2', OTHER)]] },
    { input: { FunctionName: fn('api', '$LATEST', OTHER, 'us-east-1') }, expect: [['lambda:InvokeFunction', fn('api', '$LATEST', OTHER, 'us-east-1')]] },
  ],
  GetFunction: [onFunction('GetFunction'), { input: { FunctionName: 'api', Qualifier: '$LATEST' }, expect: [['lambda:GetFunction', fn('api', '$LATEST')]] }],
  GetFunctionConfiguration: onFunction('GetFunctionConfiguration'),
  DeleteFunction: onFunction('DeleteFunction'),
  UpdateFunctionCode: onFunction('UpdateFunctionCode'),
  ListVersionsByFunction: onFunction('ListVersionsByFunction'),
  PublishVersion: onFunction('PublishVersion'),
  AddPermission: {
    input: { FunctionName: 'api', Qualifier: '2', StatementId: 's', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' },
    expect: [['lambda:AddPermission', fn('api', '2'), { 'lambda:Principal': 's3.amazonaws.com' }]],
  },
  GetPolicy: onFunction('GetPolicy'),
  RemovePermission: onFunction('RemovePermission'),
  PutFunctionConcurrency: onFunction('PutFunctionConcurrency'),
  DeleteFunctionConcurrency: onFunction('DeleteFunctionConcurrency'),
  GetFunctionConcurrency: onFunction('GetFunctionConcurrency'),
  // Aliases are managed on the unqualified function; the alias name is a member, not a qualifier.
  CreateAlias: { input: { FunctionName: 'api', Name: 'live', FunctionVersion: '1' }, expect: [['lambda:CreateAlias', fn('api')]] },
  GetAlias: { input: { FunctionName: 'api', Name: 'live' }, expect: [['lambda:GetAlias', fn('api')]] },
  ListAliases: { input: { FunctionName: 'api' }, expect: [['lambda:ListAliases', fn('api')]] },
  UpdateAlias: { input: { FunctionName: 'api', Name: 'live', FunctionVersion: '2' }, expect: [['lambda:UpdateAlias', fn('api')]] },
  DeleteAlias: { input: { FunctionName: 'api', Name: 'live' }, expect: [['lambda:DeleteAlias', fn('api')]] },
  PublishLayerVersion: [
    { input: { LayerName: 'shared-libs' }, expect: [['lambda:PublishLayerVersion', LAYER]] },
    { input: { LayerName: LAYER }, expect: [['lambda:PublishLayerVersion', LAYER]] },
  ],
  GetLayerVersion: { input: { LayerName: 'shared-libs', VersionNumber: '3' }, expect: [['lambda:GetLayerVersion', `${LAYER}:3`]] },
  GetLayerVersionByArn: { input: { find: 'LayerVersion', Arn: `${LAYER}:3` }, expect: [['lambda:GetLayerVersion', `${LAYER}:3`]] },
  DeleteLayerVersion: { input: { LayerName: 'shared-libs', VersionNumber: '3' }, expect: [['lambda:DeleteLayerVersion', `${LAYER}:3`]] },
  AddLayerVersionPermission: { input: { LayerName: 'shared-libs', VersionNumber: '3' }, expect: [['lambda:AddLayerVersionPermission', `${LAYER}:3`]] },
  RemoveLayerVersionPermission: {
    input: { LayerName: 'shared-libs', VersionNumber: '3', StatementId: 's' },
    expect: [['lambda:RemoveLayerVersionPermission', `${LAYER}:3`]],
  },
  GetLayerVersionPolicy: { input: { LayerName: 'shared-libs', VersionNumber: '3' }, expect: [['lambda:GetLayerVersionPolicy', `${LAYER}:3`]] },
  ListLayers: { input: {}, expect: [['lambda:ListLayers', '*']] },
  ListLayerVersions: { input: { LayerName: 'shared-libs' }, expect: [['lambda:ListLayerVersions', '*']] },
  CreateEventSourceMapping: {
    input: { FunctionName: 'ingest', EventSourceArn: stream('telemetry') },
    expect: [['lambda:CreateEventSourceMapping', '*', { 'lambda:FunctionArn': fn('ingest') }]],
  },
  GetEventSourceMapping: onMapping('GetEventSourceMapping'),
  UpdateEventSourceMapping: onMapping('UpdateEventSourceMapping'),
  DeleteEventSourceMapping: [onMapping('DeleteEventSourceMapping'), { input: { UUID: '14e0db71-abcd-4eb5-b481-1234567890ab' }, expect: [['lambda:DeleteEventSourceMapping', ESM]] }],
  ListEventSourceMappings: { input: {}, expect: [['lambda:ListEventSourceMappings', '*']] },
  ListFunctions: { input: {}, expect: [['lambda:ListFunctions', '*']] },
  GetAccountSettings: { input: {}, expect: [['lambda:GetAccountSettings', '*']] },
  ListTags: { input: { Resource: fn('api') }, expect: [['lambda:ListTags', fn('api')]] },
  TagResource: { input: { Resource: fn('api'), Tags: {} }, expect: [['lambda:TagResource', fn('api')]] },
  UntagResource: { input: { Resource: fn('api'), TagKeys: ['a'] }, expect: [['lambda:UntagResource', fn('api')]] },
};

// ---------------------------------------------------------------------- S3
const BUCKET = 'arn:aws:s3:::readings';
const obj = (key: string, bucket = 'readings') => `arn:aws:s3:::${bucket}/${key}`;
const onBucket = (op: string, action: string): Case => ({ input: { Bucket: 'readings' }, expect: [[action, BUCKET]] });
const onObject = (op: string, action: string, versionAction?: string): Case[] => [
  { input: { Bucket: 'readings', Key: 'day/1.json' }, expect: [[action, obj('day/1.json')]] },
  ...(versionAction
    ? [{ input: { Bucket: 'readings', Key: 'day/1.json', VersionId: 'v1' }, expect: [[versionAction, obj('day/1.json'), { 's3:versionid': 'v1' }]] as Expected[] }]
    : []),
];
const s3: Table = {
  ListBuckets: { input: {}, expect: [['s3:ListAllMyBuckets', '*']] },
  CreateBucket: onBucket('CreateBucket', 's3:CreateBucket'),
  DeleteBucket: onBucket('DeleteBucket', 's3:DeleteBucket'),
  HeadBucket: onBucket('HeadBucket', 's3:ListBucket'),
  GetBucketLocation: onBucket('GetBucketLocation', 's3:GetBucketLocation'),
  ListObjects: { input: { Bucket: 'readings', Prefix: 'day/' }, expect: [['s3:ListBucket', BUCKET, { 's3:prefix': 'day/' }]] },
  ListObjectsV2: {
    input: { Bucket: 'readings', Prefix: 'day/', Delimiter: '/', MaxKeys: '10' },
    expect: [['s3:ListBucket', BUCKET, { 's3:prefix': 'day/', 's3:delimiter': '/', 's3:max-keys': '10' }]],
  },
  ListObjectVersions: onBucket('ListObjectVersions', 's3:ListBucketVersions'),
  ListMultipartUploads: onBucket('ListMultipartUploads', 's3:ListBucketMultipartUploads'),
  DeleteObjects: {
    input: { Bucket: 'readings', Delete: { Objects: [{ Key: 'a' }, { Key: 'b/c', VersionId: 'v2' }] } },
    expect: [['s3:DeleteObject', obj('a')], ['s3:DeleteObjectVersion', obj('b/c')]],
  },
  PutObject: [
    ...onObject('PutObject', 's3:PutObject'),
    {
      input: { Bucket: 'readings', Key: 'k', Tagging: 'a=1', ACL: 'private' },
      expect: [['s3:PutObject', obj('k'), { 's3:x-amz-acl': 'private' }], ['s3:PutObjectTagging', obj('k')], ['s3:PutObjectAcl', obj('k')]],
    },
  ],
  CopyObject: [
    {
      input: { Bucket: 'readings', Key: 'copy', CopySource: '/archive/day%2F1.json' },
      expect: [['s3:PutObject', obj('copy'), { 's3:x-amz-copy-source': '/archive/day%2F1.json' }], ['s3:GetObject', obj('day/1.json', 'archive')]],
    },
    {
      input: { Bucket: 'readings', Key: 'copy', CopySource: 'archive/old?versionId=v9' },
      expect: [['s3:PutObject', obj('copy'), { 's3:x-amz-copy-source': 'archive/old?versionId=v9' }], ['s3:GetObjectVersion', obj('old', 'archive')]],
    },
  ],
  UploadPartCopy: {
    input: { Bucket: 'readings', Key: 'big', CopySource: 'archive/part', UploadId: 'u', PartNumber: '1' },
    expect: [['s3:PutObject', obj('big'), { 's3:x-amz-copy-source': 'archive/part' }], ['s3:GetObject', obj('part', 'archive')]],
  },
  PostObject: {
    input: { Bucket: 'readings', Key: 'form/upload.txt', Tagging: '<Tagging/>' },
    expect: [['s3:PutObject', obj('form/upload.txt')], ['s3:PutObjectTagging', obj('form/upload.txt')]],
  },
  GetObjectAttributes: [
    { input: { Bucket: 'readings', Key: 'k' }, expect: [['s3:GetObject', obj('k')], ['s3:GetObjectAttributes', obj('k')]] },
    { input: { Bucket: 'readings', Key: 'k', VersionId: 'v1' }, expect: [['s3:GetObjectVersion', obj('k')], ['s3:GetObjectVersionAttributes', obj('k')]] },
  ],
  GetObject: onObject('GetObject', 's3:GetObject', 's3:GetObjectVersion'),
  HeadObject: onObject('HeadObject', 's3:GetObject', 's3:GetObjectVersion'),
  DeleteObject: onObject('DeleteObject', 's3:DeleteObject', 's3:DeleteObjectVersion'),
  CreateMultipartUpload: onObject('CreateMultipartUpload', 's3:PutObject'),
  UploadPart: onObject('UploadPart', 's3:PutObject'),
  CompleteMultipartUpload: onObject('CompleteMultipartUpload', 's3:PutObject'),
  AbortMultipartUpload: onObject('AbortMultipartUpload', 's3:AbortMultipartUpload'),
  ListParts: onObject('ListParts', 's3:ListMultipartUploadParts'),
  GetObjectTagging: onObject('GetObjectTagging', 's3:GetObjectTagging', 's3:GetObjectVersionTagging'),
  PutObjectTagging: onObject('PutObjectTagging', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'),
  DeleteObjectTagging: onObject('DeleteObjectTagging', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'),
  GetObjectAcl: onObject('GetObjectAcl', 's3:GetObjectAcl', 's3:GetObjectVersionAcl'),
  PutObjectAcl: onObject('PutObjectAcl', 's3:PutObjectAcl', 's3:PutObjectVersionAcl'),
  GetBucketPolicy: onBucket('GetBucketPolicy', 's3:GetBucketPolicy'),
  PutBucketPolicy: onBucket('PutBucketPolicy', 's3:PutBucketPolicy'),
  DeleteBucketPolicy: onBucket('DeleteBucketPolicy', 's3:DeleteBucketPolicy'),
  GetBucketCors: onBucket('GetBucketCors', 's3:GetBucketCORS'),
  PutBucketCors: onBucket('PutBucketCors', 's3:PutBucketCORS'),
  DeleteBucketCors: onBucket('DeleteBucketCors', 's3:PutBucketCORS'),
  GetBucketTagging: onBucket('GetBucketTagging', 's3:GetBucketTagging'),
  PutBucketTagging: onBucket('PutBucketTagging', 's3:PutBucketTagging'),
  DeleteBucketTagging: onBucket('DeleteBucketTagging', 's3:PutBucketTagging'),
  GetBucketLifecycleConfiguration: onBucket('GetBucketLifecycleConfiguration', 's3:GetLifecycleConfiguration'),
  PutBucketLifecycleConfiguration: onBucket('PutBucketLifecycleConfiguration', 's3:PutLifecycleConfiguration'),
  DeleteBucketLifecycle: onBucket('DeleteBucketLifecycle', 's3:PutLifecycleConfiguration'),
  GetBucketWebsite: onBucket('GetBucketWebsite', 's3:GetBucketWebsite'),
  PutBucketWebsite: onBucket('PutBucketWebsite', 's3:PutBucketWebsite'),
  DeleteBucketWebsite: onBucket('DeleteBucketWebsite', 's3:DeleteBucketWebsite'),
  GetBucketReplication: onBucket('GetBucketReplication', 's3:GetReplicationConfiguration'),
  PutBucketReplication: onBucket('PutBucketReplication', 's3:PutReplicationConfiguration'),
  DeleteBucketReplication: onBucket('DeleteBucketReplication', 's3:PutReplicationConfiguration'),
  GetObjectLockConfiguration: onBucket('GetObjectLockConfiguration', 's3:GetBucketObjectLockConfiguration'),
  PutObjectLockConfiguration: onBucket('PutObjectLockConfiguration', 's3:PutBucketObjectLockConfiguration'),
  GetBucketEncryption: onBucket('GetBucketEncryption', 's3:GetEncryptionConfiguration'),
  PutBucketEncryption: onBucket('PutBucketEncryption', 's3:PutEncryptionConfiguration'),
  DeleteBucketEncryption: onBucket('DeleteBucketEncryption', 's3:PutEncryptionConfiguration'),
  GetPublicAccessBlock: onBucket('GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock'),
  PutPublicAccessBlock: onBucket('PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock'),
  DeletePublicAccessBlock: onBucket('DeletePublicAccessBlock', 's3:PutBucketPublicAccessBlock'),
  GetBucketOwnershipControls: onBucket('GetBucketOwnershipControls', 's3:GetBucketOwnershipControls'),
  PutBucketOwnershipControls: onBucket('PutBucketOwnershipControls', 's3:PutBucketOwnershipControls'),
  DeleteBucketOwnershipControls: onBucket('DeleteBucketOwnershipControls', 's3:PutBucketOwnershipControls'),
  GetBucketVersioning: onBucket('GetBucketVersioning', 's3:GetBucketVersioning'),
  PutBucketVersioning: onBucket('PutBucketVersioning', 's3:PutBucketVersioning'),
  GetBucketNotificationConfiguration: onBucket('GetBucketNotificationConfiguration', 's3:GetBucketNotification'),
  PutBucketNotificationConfiguration: onBucket('PutBucketNotificationConfiguration', 's3:PutBucketNotification'),
  GetBucketLogging: onBucket('GetBucketLogging', 's3:GetBucketLogging'),
  PutBucketLogging: onBucket('PutBucketLogging', 's3:PutBucketLogging'),
  GetBucketAccelerateConfiguration: onBucket('GetBucketAccelerateConfiguration', 's3:GetAccelerateConfiguration'),
  PutBucketAccelerateConfiguration: onBucket('PutBucketAccelerateConfiguration', 's3:PutAccelerateConfiguration'),
  GetBucketRequestPayment: onBucket('GetBucketRequestPayment', 's3:GetBucketRequestPayment'),
  PutBucketRequestPayment: onBucket('PutBucketRequestPayment', 's3:PutBucketRequestPayment'),
  GetBucketAcl: onBucket('GetBucketAcl', 's3:GetBucketAcl'),
  PutBucketAcl: onBucket('PutBucketAcl', 's3:PutBucketAcl'),
};

// ---------------------------------------------------------------- SQS
const queue = (name: string, account = ACCOUNT) => `arn:aws:sqs:${REGION}:${account}:${name}`;
const onQueue = (op: string, action = `sqs:${op}`): Case[] => [
  { input: { QueueUrl: `http://localhost:4566/${ACCOUNT}/jobs` }, expect: [[action, queue('jobs')]] },
  // Another account's queue: its ARN, so that account's queue policy decides.
  { input: { QueueUrl: `https://sqs.${REGION}.amazonaws.com/${OTHER}/shared` }, expect: [[action, queue('shared', OTHER)]] },
];
const sqs: Table = {
  CreateQueue: { input: { QueueName: 'jobs' }, expect: [['sqs:CreateQueue', queue('jobs')]] },
  GetQueueUrl: [
    { input: { QueueName: 'jobs' }, expect: [['sqs:GetQueueUrl', queue('jobs')]] },
    { input: { QueueName: 'shared', QueueOwnerAWSAccountId: OTHER }, expect: [['sqs:GetQueueUrl', queue('shared', OTHER)]] },
  ],
  ListQueues: { input: {}, expect: [['sqs:ListQueues', '*']] },
  DeleteQueue: onQueue('DeleteQueue'),
  GetQueueAttributes: onQueue('GetQueueAttributes'),
  SetQueueAttributes: onQueue('SetQueueAttributes'),
  SendMessage: onQueue('SendMessage'),
  SendMessageBatch: onQueue('SendMessageBatch', 'sqs:SendMessage'),
  ReceiveMessage: onQueue('ReceiveMessage'),
  DeleteMessage: onQueue('DeleteMessage'),
  DeleteMessageBatch: onQueue('DeleteMessageBatch', 'sqs:DeleteMessage'),
  ChangeMessageVisibility: onQueue('ChangeMessageVisibility'),
  ChangeMessageVisibilityBatch: onQueue('ChangeMessageVisibilityBatch', 'sqs:ChangeMessageVisibility'),
  PurgeQueue: onQueue('PurgeQueue'),
  ListDeadLetterSourceQueues: onQueue('ListDeadLetterSourceQueues'),
  TagQueue: onQueue('TagQueue'),
  UntagQueue: onQueue('UntagQueue'),
  ListQueueTags: onQueue('ListQueueTags'),
  AddPermission: onQueue('AddPermission'),
  RemovePermission: onQueue('RemovePermission'),
};

// ---------------------------------------------------------------- SNS
const topic = (name: string, account = ACCOUNT) => `arn:aws:sns:${REGION}:${account}:${name}`;
const onTopic = (op: string, action = `sns:${op}`, field = 'TopicArn'): Case[] => [
  { input: { [field]: topic('alarms') }, expect: [[action, topic('alarms')]] },
  // Another account's topic: its ARN, so that account's topic policy decides.
  { input: { [field]: topic('shared', OTHER) }, expect: [[action, topic('shared', OTHER)]] },
];
const sns: Table = {
  CreateTopic: { input: { Name: 'alarms' }, expect: [['sns:CreateTopic', topic('alarms')]] },
  DeleteTopic: onTopic('DeleteTopic'),
  ListTopics: { input: {}, expect: [['sns:ListTopics', '*']] },
  GetTopicAttributes: onTopic('GetTopicAttributes'),
  SetTopicAttributes: onTopic('SetTopicAttributes'),
  AddPermission: onTopic('AddPermission'),
  RemovePermission: onTopic('RemovePermission'),
  TagResource: onTopic('TagResource', 'sns:TagResource', 'ResourceArn'),
  UntagResource: onTopic('UntagResource', 'sns:UntagResource', 'ResourceArn'),
  ListTagsForResource: onTopic('ListTagsForResource', 'sns:ListTagsForResource', 'ResourceArn'),
  Subscribe: onTopic('Subscribe'),
  ConfirmSubscription: onTopic('ConfirmSubscription'),
  Unsubscribe: { input: { SubscriptionArn: `${topic('alarms')}:0b8e8f1e-0000-4000-8000-000000000000` }, expect: [['sns:Unsubscribe', '*']] },
  ListSubscriptions: { input: {}, expect: [['sns:ListSubscriptions', '*']] },
  ListSubscriptionsByTopic: onTopic('ListSubscriptionsByTopic'),
  GetSubscriptionAttributes: { input: {}, expect: [['sns:GetSubscriptionAttributes', '*']] },
  SetSubscriptionAttributes: { input: {}, expect: [['sns:SetSubscriptionAttributes', '*']] },
  Publish: [...onTopic('Publish'), ...onTopic('Publish', 'sns:Publish', 'TargetArn')],
  PublishBatch: onTopic('PublishBatch', 'sns:Publish'),
};

// ---------------------------------------------------------------- SSM
const parameter = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name}`;
const onParameter = (op: string, name = '/app/db/host'): Case => ({ input: { Name: name }, expect: [[`ssm:${op}`, parameter('app/db/host')]] });
const ssm: Table = {
  PutParameter: onParameter('PutParameter'),
  GetParameter: [onParameter('GetParameter'), onParameter('GetParameter', '/app/db/host:prod'), onParameter('GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/db/host:3`)],
  DeleteParameter: onParameter('DeleteParameter'),
  GetParameterHistory: onParameter('GetParameterHistory'),
  LabelParameterVersion: onParameter('LabelParameterVersion'),
  UnlabelParameterVersion: onParameter('UnlabelParameterVersion'),
  GetParameters: { input: { Names: ['/a:1', 'top'] }, expect: [['ssm:GetParameters', parameter('a')], ['ssm:GetParameters', parameter('top')]] },
  DeleteParameters: { input: { Names: ['/a', 'top'] }, expect: [['ssm:DeleteParameters', parameter('a')], ['ssm:DeleteParameters', parameter('top')]] },
  GetParametersByPath: { input: { Path: '/app/db' }, expect: [['ssm:GetParametersByPath', parameter('app/db')]] },
  DescribeParameters: { input: {}, expect: [['ssm:DescribeParameters', '*']] },
  AddTagsToResource: { input: { ResourceType: 'Parameter', ResourceId: '/app/db/host' }, expect: [['ssm:AddTagsToResource', parameter('app/db/host')]] },
  RemoveTagsFromResource: { input: { ResourceType: 'Parameter', ResourceId: 'top' }, expect: [['ssm:RemoveTagsFromResource', parameter('top')]] },
  ListTagsForResource: { input: { ResourceType: 'Document', ResourceId: 'doc' }, expect: [['ssm:ListTagsForResource', '*']] },
};

const TABLES: Record<string, Table> = { dynamodb, kinesis, cloudwatch, logs, iam, sts, cloudformation, lambda, s3, sqs, sns, ssm };

const asExpected = (permissions: RequiredPermission[]): Expected[] =>
  permissions.map((p) => (p.context ? [p.action, p.resource, p.context] : [p.action, p.resource]));
const normalized = (expected: Expected[]): Expected[] => expected.map(([a, r, c]) => (c ? [a, r, c] : [a, r]));

describe('auth: the IAM actions and resources of every operation', () => {
  const served = servedOperations();

  for (const [service, operations] of Object.entries(served)) {
    describe(service, () => {
      it('has a row in this table for every operation the service serves, and none it does not', () => {
        expect(operations.length, `${service} lists no operations`).to.be.greaterThan(0);
        expect(Object.keys(TABLES[service]).sort()).to.deep.equal([...operations].sort());
      });

      for (const operation of operations) {
        const cases = TABLES[service][operation];
        if (!cases) continue;
        it(operation, () => {
          for (const c of Array.isArray(cases) ? cases : [cases]) {
            const actual = requiredPermissions(service, operation, c.input, req, c.lookups);
            expect(asExpected(actual), `${operation} ${JSON.stringify(c.input)}`).to.deep.equal(normalized(c.expect));
          }
        });
      }
    });
  }

  it('requires <prefix>:<Operation> on * for an operation no table knows, never nothing', () => {
    for (const service of Object.keys(served)) {
      const prefix = service === 'cloudwatch' ? 'cloudwatch' : service;
      expect(asExpected(requiredPermissions(service, 'SomeFutureOperation', {}, req))).to.deep.equal([[`${prefix}:SomeFutureOperation`, '*']]);
    }
    expect(asExpected(requiredPermissions('sqs', 'SendMessage', {}, req))).to.deep.equal([['sqs:SendMessage', '*']]);
  });

  it('does not mistake inherited property names for operations', () => {
    for (const service of Object.keys(served)) {
      expect(asExpected(requiredPermissions(service, 'constructor', {}, req))).to.deep.equal([[`${service}:constructor`, '*']]);
    }
  });
});
