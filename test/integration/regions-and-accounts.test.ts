import { CreateTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListStreamsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_OPEN } from '../../localcloud/core/per-account-region.js';
import { AWS_REGIONS } from '../../localcloud/core/regions.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue 11: any Region string in a credential scope, and any 12-digit access
 * key (an account, by LocalStack's convention), opened stores that stayed
 * open — 150 made-up Regions took a cloud from 36 to 1,536 file descriptors,
 * past the usual limit of 1,024, after which S3 writes and deploys failed
 * with EMFILE.
 */

const openFileDescriptors = () => readdirSync('/proc/self/fd').length;

function config(cloud: TestCloud, region: string, accessKeyId = 'test') {
  return { endpoint: cloud.url, region, credentials: { accessKeyId, secretAccessKey: 'test' }, forcePathStyle: true };
}

describe('regions: a credential scope must name one of AWS\'s Regions', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let state: ReturnType<typeof tempDir>;

  before(async () => {
    state = tempDir();
    cloud = await startTestCloud({ stateDir: state.dir });
  });
  after(async () => {
    await cloud?.stop();
    state?.cleanup();
  });

  it('refuses 200 made-up Regions as AWS does, and opens no store for them', async () => {
    const before = openFileDescriptors();
    for (let i = 0; i < 200; i++) {
      const region = `made-up-${i}`;
      const ddb = new DynamoDBClient(config(cloud, region));
      await expectAwsError(ddb.send(new ListTablesCommand({})), 'InvalidSignatureException', 400, new RegExp(`^Credential should be scoped to a valid region, not '${region}'\\.`));
      ddb.destroy();
    }
    const regionsWithStores = readdirSync(path.join(state.dir, 'dynamodb', cloud.cloud.context.defaultAccountId));
    expect(regionsWithStores).to.deep.equal([cloud.cloud.context.defaultRegion]);
    // A few sockets may linger; 200 stores would be 800 descriptors.
    expect(openFileDescriptors() - before).to.be.below(50);
  });

  it('answers in each protocol\'s own error shape', async () => {
    const region = 'moon-base-1';
    const kinesis = new KinesisClient(config(cloud, region));
    await expectAwsError(kinesis.send(new ListStreamsCommand({})), 'InvalidSignatureException', 400, /scoped to a valid region, not 'moon-base-1'/);
    const sts = new STSClient(config(cloud, region));
    await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403, /scoped to a valid region, not 'moon-base-1'/);
    const lambda = new LambdaClient(config(cloud, region));
    await expectAwsError(lambda.send(new ListFunctionsCommand({})), 'InvalidSignatureException', 403, /scoped to a valid region, not 'moon-base-1'/);

    const s3 = new S3Client(config(cloud, region));
    const err = await expectAwsError(s3.send(new ListBucketsCommand({})), 'AuthorizationHeaderMalformed', 400);
    expect(err.message).to.equal(`The authorization header is malformed; the region 'moon-base-1' is wrong; expecting '${cloud.cloud.context.defaultRegion}'`);
    expect((err as unknown as { Region: string }).Region).to.equal(cloud.cloud.context.defaultRegion);

    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'any-bucket', Key: 'k' }), { expiresIn: 60 });
    const presigned = await fetch(url);
    expect(presigned.status).to.equal(400);
    const body = await presigned.text();
    expect(body).to.match(/^<\?xml[^>]*>\s*<Error><Code>AuthorizationQueryParametersError<\/Code>/);
    expect(body).to.match(/the region (&apos;|')moon-base-1(&apos;|') is wrong/);
    for (const client of [kinesis, sts, lambda, s3]) client.destroy();
  });

  it('accepts every Region of the commercial, GovCloud, China and European Sovereign Cloud partitions', async () => {
    for (const region of Object.values(AWS_REGIONS).flat()) {
      const ddb = new DynamoDBClient(config(cloud, region));
      const listed = await ddb.send(new ListTablesCommand({}));
      expect(listed.TableNames, region).to.deep.equal([]);
      ddb.destroy();
    }
  });
});

describe('accounts: open stores stay bounded however many accounts call', function () {
  this.timeout(180_000);

  /** DynamoDB, Kinesis and S3 in `count` made-up 12-digit accounts, `concurrency` at a time; returns the most descriptors seen. */
  async function visitAccounts(cloud: TestCloud, count: number, concurrency: number): Promise<number> {
    let next = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const account = String(200000000000 + next++);
          const ddb = new DynamoDBClient(config(cloud, 'eu-west-1', account));
          const kinesis = new KinesisClient(config(cloud, 'eu-west-1', account));
          const s3 = new S3Client(config(cloud, 'eu-west-1', account));
          await ddb.send(new ListTablesCommand({}));
          await kinesis.send(new ListStreamsCommand({}));
          await s3.send(new ListBucketsCommand({}));
          for (const client of [ddb, kinesis, s3]) client.destroy();
          most = Math.max(most, openFileDescriptors());
        }
      }),
    );
    return most;
  }

  /** A table with an item, a stream with a record and a bucket, in one account, to read back later. */
  async function writeData(cloud: TestCloud, accountId: string) {
    const ddb = new DynamoDBClient(config(cloud, 'eu-west-1', accountId));
    await ddb.send(new CreateTableCommand({
      TableName: 'Kept',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    await ddb.send(new PutItemCommand({ TableName: 'Kept', Item: { id: { S: 'a' }, note: { S: 'still here' } } }));
    const kinesis = new KinesisClient(config(cloud, 'eu-west-1', accountId));
    await kinesis.send(new CreateStreamCommand({ StreamName: 'kept', ShardCount: 1 }));
    const put = await kinesis.send(new PutRecordCommand({ StreamName: 'kept', PartitionKey: 'p', Data: Buffer.from('record') }));
    const s3 = new S3Client(config(cloud, 'eu-west-1', accountId));
    await s3.send(new CreateBucketCommand({ Bucket: `kept-${accountId}`, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    return {
      async expectIntact() {
        const item = await ddb.send(new GetItemCommand({ TableName: 'Kept', Key: { id: { S: 'a' } } }));
        expect(item.Item?.note?.S).to.equal('still here');
        const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'kept', ShardId: put.ShardId!, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber }));
        const records = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
        expect(Buffer.from(records.Records![0].Data!).toString()).to.equal('record');
        const buckets = await s3.send(new ListBucketsCommand({}));
        expect(buckets.Buckets?.map((b) => b.Name)).to.include(`kept-${accountId}`);
      },
      destroy: () => [ddb, kinesis, s3].forEach((c) => c.destroy()),
    };
  }

  it('with a state directory: 300 accounts leave the file descriptors bounded, and closed stores reopen intact', async () => {
    const state = tempDir();
    const cloud = await startTestCloud({ stateDir: state.dir });
    try {
      const data = await writeData(cloud, '111122223333');
      const baseline = openFileDescriptors();
      const most = await visitAccounts(cloud, 300, 4);
      // Each open store is a LevelDB handle of 4 descriptors, for DynamoDB and for Kinesis; 300 accounts would be 2,400.
      const bound = 2 * (DEFAULT_MAX_OPEN + 4) * 4 + 64;
      expect(most - baseline, 'descriptors opened while 300 accounts called').to.be.below(bound);
      const idleBound = 2 * DEFAULT_MAX_OPEN * 4 + 32;
      await waitFor(() => openFileDescriptors() - baseline < idleBound, 'idle stores to close', 20_000).catch(() => undefined);
      expect(openFileDescriptors() - baseline, 'descriptors still open once idle').to.be.below(idleBound);
      // The first account's stores were closed long ago (least recently used) and reopen with their data.
      await data.expectIntact();
      data.destroy();
    } finally {
      await cloud.stop();
      state.cleanup();
    }
  });

  it('in memory: a store holding data is never closed, however many accounts come after it', async () => {
    const cloud = await startTestCloud();
    try {
      const data = await writeData(cloud, '444455556666');
      await visitAccounts(cloud, 4 * DEFAULT_MAX_OPEN, 4);
      await data.expectIntact();
      data.destroy();
    } finally {
      await cloud.stop();
    }
  });
});
