import { createHash } from 'node:crypto';

/**
 * AWS managed policies localcloud knows by ARN, with the documents AWS
 * publishes for them (AWS Managed Policy reference). They exist in every
 * account, can be attached, read with GetPolicy/GetPolicyVersion and listed
 * with ListPolicies(Scope=AWS), and cannot be changed.
 */
export interface AwsManagedPolicy {
  name: string;
  path: string;
  arn: string;
  /** Stable per ARN, shaped like AWS's (ANPA + 17). */
  id: string;
  description: string;
  defaultVersionId: string;
  createDate: Date;
  updateDate: Date;
  document: string;
}

function policy(
  path: string,
  name: string,
  description: string,
  defaultVersionId: string,
  created: string,
  updated: string,
  document: object,
): AwsManagedPolicy {
  const arn = `arn:aws:iam::aws:policy${path}${name}`;
  const digits = createHash('sha256').update(arn).digest('base64').toUpperCase().replace(/[^A-Z2-7]/g, '');
  return {
    name,
    path,
    arn,
    id: `ANPA${digits.slice(0, 17)}`,
    description,
    defaultVersionId,
    createDate: new Date(created),
    updateDate: new Date(updated),
    document: JSON.stringify(document, null, 2),
  };
}

const LOGS_WRITE = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

const POLICIES: AwsManagedPolicy[] = [
  policy('/', 'AdministratorAccess', 'Provides full access to AWS services and resources.', 'v1', '2015-02-06T18:39:46Z', '2015-02-06T18:39:46Z', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  }),
  // The published v178 grants read actions of every AWS service (about 150 KB,
  // in several statements); kept here: its actions on the services localcloud
  // emulates, as published, under the statement ids of the full document.
  policy('/', 'ReadOnlyAccess', 'Provides read-only access to AWS services and resources.', 'v178', '2015-02-06T18:39:48Z', '2026-02-12T18:01:33Z', {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadOnlyActionsGroup1',
        Effect: 'Allow',
        Action: [
          'cloudformation:Describe*',
          'cloudformation:Detect*',
          'cloudformation:Estimate*',
          'cloudformation:Get*',
          'cloudformation:List*',
          'cloudformation:ValidateTemplate',
          'cloudwatch:Describe*',
          'cloudwatch:GenerateQuery',
          'cloudwatch:GenerateQueryResultsSummary',
          'cloudwatch:Get*',
          'cloudwatch:List*',
          'dynamodb:BatchGet*',
          'dynamodb:Describe*',
          'dynamodb:Get*',
          'dynamodb:List*',
          'dynamodb:PartiQLSelect',
          'dynamodb:Query',
          'dynamodb:Scan',
          'iam:Generate*',
          'iam:Get*',
          'iam:List*',
          'iam:Simulate*',
        ],
        Resource: '*',
      },
      {
        Sid: 'ReadOnlyActionsGroup2',
        Effect: 'Allow',
        Action: [
          'kinesis:Describe*',
          'kinesis:Get*',
          'kinesis:List*',
          'lambda:Get*',
          'lambda:List*',
          'logs:Describe*',
          'logs:FilterLogEvents',
          'logs:Get*',
          'logs:ListTagsForResource',
          'logs:ListTagsLogGroup',
          'logs:StartQuery',
          'logs:StopQuery',
          'logs:TestMetricFilter',
          's3:DescribeJob',
          's3:Get*',
          's3:List*',
        ],
        Resource: '*',
      },
    ],
  }),
  policy('/service-role/', 'AWSLambdaBasicExecutionRole', 'Provides write permissions to CloudWatch Logs.', 'v1', '2015-04-09T15:03:43Z', '2015-04-09T15:03:43Z', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: LOGS_WRITE, Resource: '*' }],
  }),
  policy(
    '/service-role/',
    'AWSLambdaKinesisExecutionRole',
    'Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.',
    'v2',
    '2015-04-09T15:14:16Z',
    '2018-11-19T20:09:24Z',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:GetRecords',
            'kinesis:GetShardIterator',
            'kinesis:ListShards',
            'kinesis:ListStreams',
            'kinesis:SubscribeToShard',
            ...LOGS_WRITE,
          ],
          Resource: '*',
        },
      ],
    },
  ),
  policy(
    '/service-role/',
    'AWSLambdaDynamoDBExecutionRole',
    'Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.',
    'v1',
    '2015-04-09T15:09:29Z',
    '2015-04-09T15:09:29Z',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', ...LOGS_WRITE],
          Resource: '*',
        },
      ],
    },
  ),
  policy('/service-role/', 'AWSLambdaRole', 'Default policy for AWS Lambda service role.', 'v1', '2015-02-06T18:41:28Z', '2015-02-06T18:41:28Z', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['*'] }],
  }),
  policy('/', 'AmazonS3ReadOnlyAccess', 'Provides read only access to all buckets via the AWS Management Console.', 'v3', '2015-02-06T18:40:59Z', '2023-08-10T21:31:39Z', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'], Resource: '*' }],
  }),
];

const BY_ARN = new Map(POLICIES.map((p) => [p.arn, p]));

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn);
}

export function awsManagedPolicies(): readonly AwsManagedPolicy[] {
  return POLICIES;
}
