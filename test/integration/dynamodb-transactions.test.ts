/**
 * TransactWriteItems and TransactGetItems: all or nothing across tables,
 * cancellation reasons, idempotency tokens, and IAM per member action.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const HASH_ONLY = (name: string): CreateTableCommandInput => ({
  TableName: name,
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
});

describe('dynamodb transactions', function () {
  let cloud: TestCloud;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;

  before(async () => {
    cloud = await startTestCloud();
    ddb = new DynamoDBClient(cloud.clientConfig());
    doc = DynamoDBDocumentClient.from(ddb);
    await ddb.send(new CreateTableCommand(HASH_ONLY('Accounts')));
    await ddb.send(new CreateTableCommand(HASH_ONLY('Ledger')));
  });
  after(async () => {
    ddb.destroy();
    await cloud.stop();
  });

  it('writes across tables at once with the document client, and reads them back in one TransactGet', async () => {
    await doc.send(new PutCommand({ TableName: 'Accounts', Item: { id: 'alice', balance: 100 } }));
    await doc.send(new PutCommand({ TableName: 'Accounts', Item: { id: 'bob', balance: 0 } }));
    await doc.send(new TransactWriteCommand({
      TransactItems: [
        { Update: { TableName: 'Accounts', Key: { id: 'alice' }, UpdateExpression: 'SET balance = balance - :a', ConditionExpression: 'balance >= :a', ExpressionAttributeValues: { ':a': 30 } } },
        { Update: { TableName: 'Accounts', Key: { id: 'bob' }, UpdateExpression: 'SET balance = balance + :a', ExpressionAttributeValues: { ':a': 30 } } },
        { Put: { TableName: 'Ledger', Item: { id: 'tx-1', from: 'alice', to: 'bob', amount: 30 }, ConditionExpression: 'attribute_not_exists(id)' } },
      ],
    }));
    const { Responses } = await doc.send(new TransactGetCommand({
      TransactItems: [
        { Get: { TableName: 'Accounts', Key: { id: 'alice' } } },
        { Get: { TableName: 'Accounts', Key: { id: 'bob' }, ProjectionExpression: 'balance' } },
        { Get: { TableName: 'Ledger', Key: { id: 'tx-1' } } },
        { Get: { TableName: 'Ledger', Key: { id: 'no-such' } } },
      ],
    }));
    expect(Responses?.map((r) => r.Item)).to.deep.equal([
      { id: 'alice', balance: 70 },
      { balance: 30 },
      { id: 'tx-1', from: 'alice', to: 'bob', amount: 30 },
      undefined,
    ]);
  });

  it('cancels everything when one condition fails, with a reason per action and the old item when asked', async () => {
    await doc.send(new PutCommand({ TableName: 'Accounts', Item: { id: 'carol', balance: 5 } }));
    const err = await expectAwsError(ddb.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'Ledger', Item: { id: { S: 'tx-2' } } } },
        { Delete: { TableName: 'Accounts', Key: { id: { S: 'alice' } } } },
        {
          ConditionCheck: {
            TableName: 'Accounts', Key: { id: { S: 'carol' } }, ConditionExpression: 'balance >= :a',
            ExpressionAttributeValues: { ':a': { N: '10' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
    })), 'TransactionCanceledException', 400, /\[None, None, ConditionalCheckFailed\]/);
    expect(err).to.be.instanceOf(TransactionCanceledException);
    expect((err as TransactionCanceledException).CancellationReasons).to.deep.equal([
      { Code: 'None' },
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { id: { S: 'carol' }, balance: { N: '5' } } },
    ]);
    expect((await doc.send(new GetCommand({ TableName: 'Ledger', Key: { id: 'tx-2' } }))).Item, 'the Put did not happen').to.equal(undefined);
    expect((await doc.send(new GetCommand({ TableName: 'Accounts', Key: { id: 'alice' } }))).Item, 'the Delete did not happen').to.not.equal(undefined);
  });

  it('undoes the writes already made when a later one cannot apply', async () => {
    await doc.send(new PutCommand({ TableName: 'Accounts', Item: { id: 'dave', balance: 1, name: 'D' } }));
    const err = await expectAwsError(ddb.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'Ledger', Item: { id: { S: 'tx-3' } } } },
        // ADD to a string cannot apply: only found when the update runs.
        { Update: { TableName: 'Accounts', Key: { id: { S: 'dave' } }, UpdateExpression: 'ADD #n :one', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':one': { N: '1' } } } },
      ],
    })), 'TransactionCanceledException');
    expect((err as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).to.deep.equal(['None', 'ValidationError']);
    expect((await doc.send(new GetCommand({ TableName: 'Ledger', Key: { id: 'tx-3' } }))).Item).to.equal(undefined);
  });

  it('refuses two actions on one item, more than 100 actions, and members with no or two actions', async () => {
    await expectAwsError(ddb.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'Ledger', Item: { id: { S: 'same' } } } },
        { Delete: { TableName: 'Ledger', Key: { id: { S: 'same' } } } },
      ],
    })), 'ValidationException', 400, /^Transaction request cannot include multiple operations on one item$/);

    const hundred = Array.from({ length: 100 }, (_, i) => ({ Put: { TableName: 'Ledger', Item: { id: { S: `bulk-${i}` } } } }));
    await ddb.send(new TransactWriteItemsCommand({ TransactItems: hundred }));
    expect((await ddb.send(new GetItemCommand({ TableName: 'Ledger', Key: { id: { S: 'bulk-99' } } }))).Item).to.not.equal(undefined);
    await expectAwsError(ddb.send(new TransactWriteItemsCommand({
      TransactItems: [...hundred, { Put: { TableName: 'Ledger', Item: { id: { S: 'bulk-100' } } } }],
    })), 'ValidationException', 400, /less than or equal to 100/);

    await expectAwsError(ddb.send(new TransactWriteItemsCommand({
      TransactItems: [{ Put: { TableName: 'Ledger', Item: { id: { S: 'x' } } }, Delete: { TableName: 'Ledger', Key: { id: { S: 'y' } } } }],
    })), 'ValidationException', 400, /TransactItems can only contain one of Check, Put, Update or Delete/);
    await expectAwsError(ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'Missing', Item: { id: { S: 'x' } } } }] })), 'ResourceNotFoundException');
    await expectAwsError(ddb.send(new TransactWriteItemsCommand({
      TransactItems: [{ Update: { TableName: 'Ledger', Key: { id: { S: 'x' } }, UpdateExpression: 'SET id = :v', ExpressionAttributeValues: { ':v': { S: 'y' } } } }],
    })), 'ValidationException', 400, /part of the key/);
    await expectAwsError(ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'Ledger', Item: { other: { S: 'x' } } } }] })), 'ValidationException');
  });

  it('answers a repeated ClientRequestToken without writing again, and refuses it with other parameters', async () => {
    const transfer = (amount: string) => new TransactWriteItemsCommand({
      ClientRequestToken: 'token-1',
      TransactItems: [{ Update: { TableName: 'Accounts', Key: { id: { S: 'bob' } }, UpdateExpression: 'ADD balance :a', ExpressionAttributeValues: { ':a': { N: amount } } } }],
    });
    const before = Number((await ddb.send(new GetItemCommand({ TableName: 'Accounts', Key: { id: { S: 'bob' } } }))).Item!.balance.N);
    await ddb.send(transfer('5'));
    await ddb.send(transfer('5'));
    const after = Number((await ddb.send(new GetItemCommand({ TableName: 'Accounts', Key: { id: { S: 'bob' } } }))).Item!.balance.N);
    expect(after - before).to.equal(5);
    await expectAwsError(ddb.send(transfer('6')), 'IdempotentParameterMismatchException', 400);
  });

  it('reports consumed capacity per table', async () => {
    const { ConsumedCapacity } = await ddb.send(new TransactWriteItemsCommand({
      ReturnConsumedCapacity: 'TOTAL',
      TransactItems: [
        { Put: { TableName: 'Ledger', Item: { id: { S: 'cap-1' } } } },
        { Put: { TableName: 'Ledger', Item: { id: { S: 'cap-2' } } } },
        { ConditionCheck: { TableName: 'Accounts', Key: { id: { S: 'bob' } }, ConditionExpression: 'attribute_exists(id)' } },
      ],
    }));
    const byTable = Object.fromEntries((ConsumedCapacity ?? []).map((c) => [c.TableName, c.CapacityUnits]));
    expect(byTable.Ledger).to.equal(4);
    expect(byTable.Accounts).to.be.greaterThan(0);
  });

  it('needs the member actions on each table under IAM (dynamodb:PutItem, dynamodb:ConditionCheckItem, dynamodb:GetItem)', async () => {
    const iam = new IAMClient(cloud.clientConfig());
    await iam.send(new CreateUserCommand({ UserName: 'writer' }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'writer', PolicyName: 'ledger-only',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: 'arn:aws:dynamodb:*:*:table/Ledger' }] }),
    }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'writer' }));
    iam.destroy();
    const writer = new DynamoDBClient({ ...cloud.clientConfig(), credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } });
    try {
      await writer.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'Ledger', Item: { id: { S: 'iam-1' } } } }] }));
      await writer.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'Ledger', Key: { id: { S: 'iam-1' } } } }] }));
      await expectAwsError(writer.send(new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'Ledger', Item: { id: { S: 'iam-2' } } } },
          { ConditionCheck: { TableName: 'Accounts', Key: { id: { S: 'bob' } }, ConditionExpression: 'attribute_exists(id)' } },
        ],
      })), 'AccessDeniedException', 400, /dynamodb:ConditionCheckItem/);
    } finally {
      writer.destroy();
    }
  });

  it('serves the AWS CLI (botocore) transact-write-items', async function () {
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const items = JSON.stringify([{ Put: { TableName: 'Ledger', Item: { id: { S: 'cli-1' } }, ConditionExpression: 'attribute_not_exists(id)' } }]);
    try {
      await run('aws', ['--endpoint-url', cloud.url, 'dynamodb', 'transact-write-items', '--transact-items', items], { env });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.skip();
      throw err;
    }
    const second = await run('aws', ['--endpoint-url', cloud.url, 'dynamodb', 'transact-write-items', '--transact-items', items], { env }).catch((e: { stderr: string }) => e);
    expect((second as { stderr: string }).stderr).to.match(/TransactionCanceledException.*\[ConditionalCheckFailed\]/);
  });
});
