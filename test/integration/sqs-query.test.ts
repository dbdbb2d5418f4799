/**
 * SQS over the query protocol (`Action=...`, form-encoded, XML answers), as
 * older SDKs and CLIs send it: signed raw requests, checked against the XML
 * those clients parse. Also the AWS CLI, whose current botocore speaks JSON.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { md5OfAttributes } from '../../localcloud/services/sqs/md5.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { rawHttp } from '../support/raw-http.js';

const ACCOUNT = '000000000000';
/** Parsed as the SDKs parse it: character references resolved, flattened lists as arrays. */
const xml = new XMLParser({
  isArray: (name, jpath) =>
    String(jpath).endsWith('Result.Message') || ['Attribute', 'MessageAttribute', 'QueueUrl', 'SendMessageBatchResultEntry', 'BatchResultErrorEntry', 'Tag', 'DeleteMessageBatchResultEntry'].includes(name),
  parseTagValue: false,
  htmlEntities: true,
});

describe('SQS (query protocol)', function () {
  let cloud: TestCloud;

  before(async () => {
    cloud = await startTestCloud();
  });
  after(async () => {
    await cloud?.stop();
  });

  /** A signed form POST, to `/` or to a queue's URL path; returns the status and the parsed XML. */
  async function query(params: Record<string, string>, requestPath = '/'): Promise<{ status: number; body: any; raw: string }> {
    const body = new URLSearchParams({ Version: '2012-11-05', ...params }).toString();
    const response = await rawHttp(cloud.url, {
      method: 'POST',
      path: requestPath,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
      sign: { service: 'sqs' },
    });
    return { status: response.status, body: xml.parse(response.body), raw: response.body };
  }

  it('creates a queue with attributes and tags, and answers CreateQueueResult/QueueUrl', async () => {
    const { status, body } = await query({
      Action: 'CreateQueue',
      QueueName: 'legacy',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '60',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'iot',
    });
    expect(status).to.equal(200);
    expect(body.CreateQueueResponse.CreateQueueResult.QueueUrl).to.deep.equal([`${cloud.url}/${ACCOUNT}/legacy`]);
    expect(body.CreateQueueResponse.ResponseMetadata.RequestId).to.be.a('string');
    const tags = await query({ Action: 'ListQueueTags', QueueUrl: `${cloud.url}/${ACCOUNT}/legacy` });
    expect(tags.body.ListQueueTagsResponse.ListQueueTagsResult.Tag).to.deep.equal([{ Key: 'team', Value: 'iot' }]);
  });

  it('reads attributes as Attribute Name/Value pairs', async () => {
    const { body } = await query({ Action: 'GetQueueAttributes', QueueUrl: `${cloud.url}/${ACCOUNT}/legacy`, 'AttributeName.1': 'VisibilityTimeout', 'AttributeName.2': 'QueueArn' });
    expect(body.GetQueueAttributesResponse.GetQueueAttributesResult.Attribute).to.deep.equal([
      { Name: 'QueueArn', Value: `arn:aws:sqs:us-east-1:${ACCOUNT}:legacy` },
      { Name: 'VisibilityTimeout', Value: '60' },
    ]);
  });

  it('sends with message attributes and receives them back, posted to the queue URL path', async () => {
    const sent = await query(
      {
        Action: 'SendMessage',
        MessageBody: 'line one\r\nline <two> & "three"',
        'MessageAttribute.1.Name': 'kind',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'reading',
        'MessageAttribute.2.Name': 'raw',
        'MessageAttribute.2.Value.DataType': 'Binary',
        'MessageAttribute.2.Value.BinaryValue': Buffer.from([1, 2, 3]).toString('base64'),
      },
      `/${ACCOUNT}/legacy`,
    );
    expect(sent.status, sent.raw).to.equal(200);
    const result = sent.body.SendMessageResponse.SendMessageResult;
    expect(result.MD5OfMessageBody).to.equal(createHash('md5').update('line one\r\nline <two> & "three"').digest('hex'));
    expect(result.MD5OfMessageAttributes).to.equal(
      md5OfAttributes({ kind: { DataType: 'String', StringValue: 'reading' }, raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) } }),
    );

    const received = await query({ Action: 'ReceiveMessage', 'AttributeName.1': 'All', 'MessageAttributeName.1': 'All' }, `/${ACCOUNT}/legacy`);
    const [message] = received.body.ReceiveMessageResponse.ReceiveMessageResult.Message;
    // A carriage return survives XML (sent as &#xD;), so the body's MD5 still verifies.
    expect(message.Body).to.equal('line one\r\nline <two> & "three"');
    expect(message.MessageId).to.equal(result.MessageId);
    expect(message.MD5OfMessageAttributes).to.equal(result.MD5OfMessageAttributes);
    expect(message.MessageAttribute).to.deep.include({ Name: 'kind', Value: { StringValue: 'reading', DataType: 'String' } });
    expect(message.Attribute.map((a: { Name: string }) => a.Name)).to.include.members(['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp']);

    const deleted = await query({ Action: 'DeleteMessage', QueueUrl: `${cloud.url}/${ACCOUNT}/legacy`, ReceiptHandle: message.ReceiptHandle });
    expect(deleted.status).to.equal(200);
    expect(deleted.body.DeleteMessageResponse.ResponseMetadata.RequestId).to.be.a('string');
  });

  it('runs batches with SendMessageBatchRequestEntry.N and reports BatchResultErrorEntry', async () => {
    const { body } = await query({
      Action: 'SendMessageBatch',
      QueueUrl: `${cloud.url}/${ACCOUNT}/legacy`,
      'SendMessageBatchRequestEntry.1.Id': 'ok',
      'SendMessageBatchRequestEntry.1.MessageBody': 'fine',
      'SendMessageBatchRequestEntry.2.Id': 'bad',
      'SendMessageBatchRequestEntry.2.MessageBody': 'late',
      'SendMessageBatchRequestEntry.2.DelaySeconds': '1000',
    });
    const result = body.SendMessageBatchResponse.SendMessageBatchResult;
    expect(result.SendMessageBatchResultEntry.map((e: { Id: string }) => e.Id)).to.deep.equal(['ok']);
    expect(result.BatchResultErrorEntry).to.deep.equal([
      { Id: 'bad', SenderFault: 'true', Code: 'InvalidParameterValue', Message: 'Value 1000 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.' },
    ]);
  });

  it('lists queues as repeated QueueUrl elements', async () => {
    const { body } = await query({ Action: 'ListQueues', QueueNamePrefix: 'leg' });
    expect(body.ListQueuesResponse.ListQueuesResult.QueueUrl).to.deep.equal([`${cloud.url}/${ACCOUNT}/legacy`]);
  });

  it('answers errors as ErrorResponse with the query code', async () => {
    const missing = await query({ Action: 'GetQueueUrl', QueueName: 'nope' });
    expect(missing.status).to.equal(400);
    expect(missing.body.ErrorResponse.Error).to.deep.include({ Type: 'Sender', Code: 'AWS.SimpleQueueService.NonExistentQueue', Message: 'The specified queue does not exist.' });
    const empty = await query({ Action: 'DeleteMessageBatch', QueueUrl: `${cloud.url}/${ACCOUNT}/legacy` });
    expect(empty.body.ErrorResponse.Error.Code).to.equal('AWS.SimpleQueueService.EmptyBatchRequest');
    const unknown = await query({ Action: 'StartMessageMoveTask' });
    expect(unknown.body.ErrorResponse.Error.Code).to.equal('InvalidAction');
    const noBody = await query({ Action: 'SendMessage', QueueUrl: `${cloud.url}/${ACCOUNT}/legacy` });
    expect(noBody.body.ErrorResponse.Error).to.deep.include({ Code: 'MissingParameter', Message: 'The request must contain the parameter MessageBody.' });
  });

  it('refuses an unsigned request under enforced IAM, in query XML', async () => {
    const response = await rawHttp(cloud.url, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=nobody/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00' },
      body: 'Action=ListQueues&Version=2012-11-05',
    });
    expect(response.status).to.be.oneOf([400, 403]);
    expect(response.body).to.match(/<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>/);
  });
});

describe('SQS with the AWS CLI', function () {
  this.timeout(120_000);
  const cli = ['/usr/bin/aws', ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'aws'))].find((p) => existsSync(p));
  let cloud: TestCloud;
  let scratch: string;

  const aws = async (...args: string[]): Promise<any> => {
    const { stdout } = await promisify(execFile)(cli!, ['--endpoint-url', cloud.url, '--output', 'json', ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: scratch,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: path.join(scratch, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'none'),
      },
    });
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  };

  before(async function () {
    if (!cli) {
      console.log('    skipping the AWS CLI SQS suite: no `aws` found');
      this.skip();
    }
    cloud = await startTestCloud();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'aws-cli-sqs-'));
  });
  after(async () => {
    await cloud?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('creates a queue, sends with attributes (botocore verifies both MD5s), receives and deletes', async () => {
    const { QueueUrl } = await aws('sqs', 'create-queue', '--queue-name', 'cli-queue');
    expect(QueueUrl).to.equal(`${cloud.url}/${ACCOUNT}/cli-queue`);
    const sent = await aws('sqs', 'send-message', '--queue-url', QueueUrl, '--message-body', 'from the cli', '--message-attributes', 'k={DataType=String,StringValue=v}');
    expect(sent.MessageId).to.be.a('string');
    const received = await aws('sqs', 'receive-message', '--queue-url', QueueUrl, '--message-attribute-names', 'All', '--wait-time-seconds', '1');
    expect(received.Messages[0]).to.include({ Body: 'from the cli' });
    expect(received.Messages[0].MessageAttributes).to.deep.equal({ k: { StringValue: 'v', DataType: 'String' } });
    await aws('sqs', 'delete-message', '--queue-url', QueueUrl, '--receipt-handle', received.Messages[0].ReceiptHandle);
    const attributes = await aws('sqs', 'get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'ApproximateNumberOfMessages');
    expect(attributes.Attributes).to.deep.equal({ ApproximateNumberOfMessages: '0' });
  });

  it('shows the CLI the typed error for a missing queue', async () => {
    const failure = await aws('sqs', 'get-queue-url', '--queue-name', 'absent').then(
      () => undefined,
      (err: { stderr: string }) => err.stderr,
    );
    expect(failure).to.match(/QueueDoesNotExist|NonExistentQueue/);
  });
});
