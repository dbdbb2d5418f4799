/**
 * Bucket notifications delivered to Lambda
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html):
 * the function's policy must allow s3.amazonaws.com for the bucket, events
 * match by type and key filter, and each arrives as an asynchronous invoke
 * with S3's event message. The function logs what it got; the test reads
 * the log group.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { expect } from 'chai';
import { eventLines, settledStack } from './cloudformation-support.js';
import { createHash } from 'node:crypto';
import { zipFiles } from '../fixtures/lambda/zip.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';

const BUCKET = 'notifying-bucket';
const FUNCTION = 'on-upload';
const MARK = 'S3EVENT ';

interface S3EventRecord {
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    s3SchemaVersion: string;
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
}

describe('s3 bucket notifications to Lambda', () => {
  let cloud: TestCloud;
  let s3: S3Client;
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;
  let functionArn: string;

  /** Every event the function has logged so far. */
  async function received(): Promise<S3EventRecord[]> {
    try {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${FUNCTION}`, filterPattern: '"S3EVENT"' }));
      return (out.events ?? [])
        .map((e) => e.message ?? '')
        .filter((m) => m.includes(MARK))
        .flatMap((m) => (JSON.parse(m.slice(m.indexOf(MARK) + MARK.length)) as { Records: S3EventRecord[] }).Records);
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return [];
      throw err;
    }
  }
  const eventFor = (key: string, name: string) =>
    waitFor(async () => (await received()).find((r) => r.s3.object.key === key && r.eventName === name), `${name} of ${key}`);

  before(async () => {
    cloud = await startTestCloud();
    s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    lambda = new LambdaClient(cloud.clientConfig());
    logs = new CloudWatchLogsClient(cloud.clientConfig());
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const role = await createExecutionRole(cloud.clientConfig(), 's3-notified');
    const zip = await zipFiles({ 'index.js': `exports.handler = async (event) => { console.log('${MARK}' + JSON.stringify(event)); };` });
    const created = await lambda.send(new CreateFunctionCommand({ FunctionName: FUNCTION, Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zip } }));
    functionArn = created.FunctionArn!;
  });

  after(async () => {
    s3.destroy();
    lambda.destroy();
    logs.destroy();
    await cloud.stop();
  });

  const configure = (prefix = 'uploads/', suffix = '.txt') =>
    s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [{
          Id: 'uploads-to-lambda',
          LambdaFunctionArn: functionArn,
          Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:Delete'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }, { Name: 'suffix', Value: suffix }] } },
        }],
      },
    }));

  it('refuses a function whose policy does not let S3 invoke it, and one that does not exist', async () => {
    const err = await expectAwsError(configure(), 'InvalidArgument', 400, /Unable to validate the following destination configurations/);
    // The reason per destination is in the error document, as S3 words it (the SDK copies its fields onto the error).
    const fields = err as unknown as Record<string, string>;
    expect(fields.ArgumentName1).to.equal(functionArn);
    expect(fields.ArgumentValue1).to.equal(`Not authorized to invoke function [${functionArn}]`);
    await expectAwsError(
      s3.send(new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: functionArn.replace(FUNCTION, 'missing-fn'), Events: ['s3:ObjectCreated:*'] }] },
      })),
      'InvalidArgument', 400, /Unable to validate/,
    );
  });

  it('refuses a permission for another bucket, an unknown event and an EventBridge configuration', async () => {
    await lambda.send(new AddPermissionCommand({
      FunctionName: FUNCTION, StatementId: 'other-bucket', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::someone-elses-bucket',
    }));
    await expectAwsError(configure(), 'InvalidArgument', 400, /Unable to validate/);
    // x-amz-skip-destination-validation skips the policy check, as on AWS.
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      SkipDestinationValidation: true,
      NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: functionArn, Events: ['s3:ObjectCreated:*'] }] },
    }));
    await lambda.send(new AddPermissionCommand({
      FunctionName: FUNCTION, StatementId: 's3-invoke', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: `arn:aws:s3:::${BUCKET}`,
    }));
    await expectAwsError(
      s3.send(new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: functionArn, Events: ['s3:ObjectExploded:*' as 's3:ObjectCreated:*'] }] },
      })),
      'InvalidArgument', 400, /not supported/,
    );
    await expectAwsError(
      s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: { EventBridgeConfiguration: {} } })),
      'InvalidArgument', 400, /EventBridge/,
    );
  });

  it('delivers ObjectCreated:Put with S3\'s event message, honouring the key filter', async () => {
    await configure();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/skipped.json', Body: 'no' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other/skipped.txt', Body: 'no' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/my file.txt', Body: 'hello' }));
    const record = await eventFor('uploads/my+file.txt', 'ObjectCreated:Put');
    expect(record.eventVersion).to.equal('2.1');
    expect(record.eventSource).to.equal('aws:s3');
    expect(record.awsRegion).to.equal('us-east-1');
    expect(new Date(record.eventTime).getTime()).to.not.be.NaN;
    expect(record.userIdentity.principalId).to.be.a('string').and.not.equal('');
    expect(record.requestParameters.sourceIPAddress).to.be.a('string');
    expect(record.responseElements['x-amz-request-id']).to.be.a('string');
    expect(record.responseElements['x-amz-id-2']).to.be.a('string');
    expect(record.s3.s3SchemaVersion).to.equal('1.0');
    expect(record.s3.configurationId).to.equal('uploads-to-lambda');
    expect(record.s3.bucket).to.deep.equal({ name: BUCKET, ownerIdentity: { principalId: '000000000000' }, arn: `arn:aws:s3:::${BUCKET}` });
    expect(record.s3.object.size).to.equal(5);
    expect(record.s3.object.eTag).to.equal(createHash('md5').update('hello').digest('hex'));
    expect(record.s3.object.sequencer).to.match(/^[0-9A-F]+$/);
    const all = await received();
    expect(all.map((r) => r.s3.object.key)).to.not.include.members(['uploads/skipped.json', 'other/skipped.txt']);
  });

  it('delivers copies, completed multipart uploads and deletes, in order for a key', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/a.txt', Body: 'a' }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'uploads/copy.txt', CopySource: `${BUCKET}/uploads/a.txt` }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'uploads/big.txt' }));
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'uploads/big.txt', UploadId, PartNumber: 1, Body: 'part' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'uploads/big.txt', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'uploads/a.txt' }));

    const copy = await eventFor('uploads/copy.txt', 'ObjectCreated:Copy');
    expect(copy.s3.object.size).to.equal(1);
    const multipart = await eventFor('uploads/big.txt', 'ObjectCreated:CompleteMultipartUpload');
    expect(multipart.s3.object.eTag).to.match(/-1$/);
    const removed = await eventFor('uploads/a.txt', 'ObjectRemoved:Delete');
    expect(removed.s3.object.size).to.equal(undefined);
    const created = await eventFor('uploads/a.txt', 'ObjectCreated:Put');
    expect(BigInt(`0x${removed.s3.object.sequencer}`) > BigInt(`0x${created.s3.object.sequencer}`)).to.equal(true);
  });

  it('applies AWS::S3::Bucket NotificationConfiguration through the same validation and delivery', async () => {
    const cfn = new CloudFormationClient(cloud.clientConfig());
    try {
      const bucketWith = (name: string) => ({
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketName: name,
          NotificationConfiguration: {
            LambdaConfigurations: [{ Event: 's3:ObjectCreated:Put', Function: functionArn, Filter: { S3Key: { Rules: [{ Name: 'suffix', Value: '.csv' }] } } }],
          },
        },
      });
      await cfn.send(new CreateStackCommand({
        StackName: 'notified',
        TemplateBody: JSON.stringify({
          Resources: {
            Permission: { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: FUNCTION, Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::stack-notified-bucket' } },
            Bucket: { ...bucketWith('stack-notified-bucket'), DependsOn: 'Permission' },
          },
        }),
      }));
      expect((await settledStack(cfn, 'notified')).StackStatus).to.equal('CREATE_COMPLETE');
      await s3.send(new PutObjectCommand({ Bucket: 'stack-notified-bucket', Key: 'rows.csv', Body: 'a,b' }));
      const record = await eventFor('rows.csv', 'ObjectCreated:Put');
      expect(record.s3.bucket.name).to.equal('stack-notified-bucket');

      await cfn.send(new CreateStackCommand({ StackName: 'unpermitted', TemplateBody: JSON.stringify({ Resources: { Bucket: bucketWith('stack-unpermitted-bucket') } }) }));
      expect((await settledStack(cfn, 'unpermitted')).StackStatus).to.equal('ROLLBACK_COMPLETE');
      expect(await eventLines(cfn, 'unpermitted')).to.include('Bucket CREATE_FAILED');
    } finally {
      cfn.destroy();
    }
  });

  // Delivery to queues and topics that do allow S3 is in wiring.test.ts.
  it('refuses a queue destination that does not exist (so no policy lets S3 send to it)', async function () {
    const err = await expectAwsError(
      s3.send(new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: { QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:uploads', Events: ['s3:ObjectCreated:*'] }] },
      })),
      'InvalidArgument', 400, /Unable to validate/,
    );
    expect(err).to.exist;
  });
});
