/**
 * PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement and
 * ExecuteTransaction over the subset localcloud parses (statement-parser.ts),
 * with AWS's errors for what is malformed, duplicated or unsupported.
 */
import {
  BatchExecuteStatementCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DuplicateItemException,
  DynamoDBClient,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { DynamoDBDocumentClient, ExecuteStatementCommand as DocExecuteStatementCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

describe('dynamodb PartiQL', function () {
  let cloud: TestCloud;
  let ddb: DynamoDBClient;
  const run = (Statement: string, Parameters?: any[], extra: object = {}) => ddb.send(new ExecuteStatementCommand({ Statement, Parameters, ...extra }));

  before(async () => {
    cloud = await startTestCloud();
    ddb = new DynamoDBClient(cloud.clientConfig());
    await ddb.send(new CreateTableCommand({
      TableName: 'Devices',
      AttributeDefinitions: [{ AttributeName: 'site', AttributeType: 'S' }, { AttributeName: 'device', AttributeType: 'S' }, { AttributeName: 'kind', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'site', KeyType: 'HASH' }, { AttributeName: 'device', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [{ IndexName: 'ByKind', KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  });
  after(async () => {
    ddb.destroy();
    await cloud.stop();
  });

  it('inserts items written in PartiQL literals and parameters, and refuses a duplicate key', async () => {
    await run(`INSERT INTO Devices VALUE {'site': 'north', 'device': 'd1', 'kind': 'meter', 'reading': 12.5, 'tags': <<'a', 'b'>>, 'meta': {'fw': '1.2', 'ok': TRUE}, 'history': [1, 'two', NULL]}`);
    await run(`INSERT INTO "Devices" VALUE {'site': ?, 'device': ?, 'kind': 'valve', 'reading': ?}`, [{ S: 'north' }, { S: 'd2' }, { N: '3' }]);
    await run(`INSERT INTO Devices VALUE {'site': 'south', 'device': 'd3', 'kind': 'meter', 'reading': -4}`);
    const { Item } = await ddb.send(new GetItemCommand({ TableName: 'Devices', Key: { site: { S: 'north' }, device: { S: 'd1' } } }));
    expect(Item).to.deep.equal({
      site: { S: 'north' }, device: { S: 'd1' }, kind: { S: 'meter' }, reading: { N: '12.5' },
      tags: { SS: ['a', 'b'] }, meta: { M: { fw: { S: '1.2' }, ok: { BOOL: true } } }, history: { L: [{ N: '1' }, { S: 'two' }, { NULL: true }] },
    });

    const duplicate = await expectAwsError(run(`INSERT INTO Devices VALUE {'site': 'north', 'device': 'd1'}`), 'DuplicateItemException', 400, /^Duplicate primary key exists in table$/);
    expect(duplicate).to.be.instanceOf(DuplicateItemException);
  });

  it('selects by key, by partition with filters, from an index, and scans', async () => {
    const one = await run(`SELECT * FROM Devices WHERE site = 'north' AND device = 'd2'`);
    expect(one.Items).to.deep.equal([{ site: { S: 'north' }, device: { S: 'd2' }, kind: { S: 'valve' }, reading: { N: '3' } }]);
    const filtered = await run(`SELECT device, reading FROM Devices WHERE site = ? AND reading > ?`, [{ S: 'north' }, { N: '5' }]);
    expect(filtered.Items).to.deep.equal([{ device: { S: 'd1' }, reading: { N: '12.5' } }]);
    const ranged = await run(`SELECT device FROM Devices WHERE site = 'north' AND begins_with(device, 'd')`);
    expect(ranged.Items?.map((i) => i.device.S)).to.deep.equal(['d1', 'd2']);
    const byIndex = await run(`SELECT device FROM "Devices"."ByKind" WHERE kind = 'meter'`);
    expect(byIndex.Items?.map((i) => i.device.S).sort()).to.deep.equal(['d1', 'd3']);
    const scanned = await run(`SELECT device FROM Devices WHERE reading BETWEEN -10 AND 4 OR kind IN ['nothing']`);
    expect(scanned.Items?.map((i) => i.device.S).sort()).to.deep.equal(['d2', 'd3']);
    const nested = await run(`SELECT device FROM Devices WHERE meta.ok = TRUE AND history[1] = 'two' AND contains(tags, 'b')`);
    expect(nested.Items?.map((i) => i.device.S)).to.deep.equal(['d1']);
    const missing = await run(`SELECT device FROM Devices WHERE tags IS MISSING AND NOT (site = 'south')`);
    expect(missing.Items?.map((i) => i.device.S)).to.deep.equal(['d2']);

    const doc = DynamoDBDocumentClient.from(ddb);
    const { Items } = await doc.send(new DocExecuteStatementCommand({ Statement: 'SELECT * FROM Devices WHERE site = ? AND device = ?', Parameters: ['south', 'd3'] }));
    expect(Items).to.deep.equal([{ site: 'south', device: 'd3', kind: 'meter', reading: -4 }]);
  });

  it('pages with Limit and NextToken', async () => {
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await run('SELECT device FROM Devices', undefined, { Limit: 1, NextToken });
      seen.push(...(page.Items ?? []).map((i) => i.device.S!));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken && pages < 10);
    expect(seen.sort()).to.deep.equal(['d1', 'd2', 'd3']);
    expect(pages).to.be.greaterThan(2);
    await expectAwsError(run('SELECT device FROM Devices', undefined, { NextToken: 'bogus' }), 'ValidationException');
  });

  it('updates and deletes the item the WHERE clause names, with conditions', async () => {
    await run(`UPDATE Devices SET reading = reading + 1, status = 'ok' REMOVE history WHERE site = 'north' AND device = 'd1'`);
    const { Item } = await ddb.send(new GetItemCommand({ TableName: 'Devices', Key: { site: { S: 'north' }, device: { S: 'd1' } } }));
    expect(Item?.reading).to.deep.equal({ N: '13.5' });
    expect(Item?.status).to.deep.equal({ S: 'ok' });
    expect(Item).to.not.have.property('history');

    const failed = await expectAwsError(run(`UPDATE Devices SET status = 'x' WHERE site = 'north' AND device = 'd1' AND reading < 0`, undefined, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }), 'ConditionalCheckFailedException');
    expect((failed as ConditionalCheckFailedException).Item?.status).to.deep.equal({ S: 'ok' });
    await expectAwsError(run(`UPDATE Devices SET status = 'x' WHERE site = 'nowhere' AND device = 'none'`), 'ConditionalCheckFailedException');
    await expectAwsError(run(`UPDATE Devices SET status = 'x' WHERE site = 'north'`), 'ValidationException', 400, /mandatory equality on all key attributes/);

    await run(`DELETE FROM Devices WHERE site = 'south' AND device = 'd3'`);
    expect((await run(`SELECT * FROM Devices WHERE site = 'south' AND device = 'd3'`)).Items).to.deep.equal([]);
  });

  it('answers malformed and unsupported statements with ValidationException', async () => {
    for (const statement of [
      'SELEKT * FROM Devices',
      "SELECT * FROM Devices WHERE site = 'unterminated",
      'SELECT * FROM Devices WHERE',
      "INSERT INTO Devices VALUE 'not a map'",
      'SELECT * FROM Devices WHERE site = ((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))',
    ]) {
      await expectAwsError(run(statement), 'ValidationException', 400, /^Statement wasn't well formed, can't be processed: /);
    }
    await expectAwsError(run('SELECT * FROM Devices ORDER BY site'), 'ValidationException', 400, /not supported/);
    await expectAwsError(run(`SELECT * FROM Devices WHERE site = ?`), 'ValidationException', 400, /parameters/);
    await expectAwsError(run('SELECT * FROM Nope'), 'ResourceNotFoundException');
    await expectAwsError(run(`SELECT * FROM Devices WHERE x = '${'a'.repeat(9000)}'`), 'ValidationException', 400, /8192/);
  });

  it('runs batches statement by statement, with an error per failed statement', async () => {
    const { Responses } = await ddb.send(new BatchExecuteStatementCommand({
      Statements: [
        { Statement: `INSERT INTO Devices VALUE {'site': 'east', 'device': 'e1'}` },
        { Statement: `INSERT INTO Devices VALUE {'site': 'north', 'device': 'd2'}` },
        { Statement: `UPDATE Devices SET v = 1 WHERE site = 'east' AND device = 'e1'` },
      ],
    }));
    expect(Responses?.[0]).to.deep.equal({ TableName: 'Devices' });
    expect(Responses?.[1].Error?.Code).to.equal('DuplicateItem');
    expect(Responses?.[2]).to.deep.equal({ TableName: 'Devices' });
    const reads = await ddb.send(new BatchExecuteStatementCommand({
      Statements: [
        { Statement: `SELECT * FROM Devices WHERE site = 'east' AND device = 'e1'` },
        { Statement: `SELECT * FROM Devices WHERE site = 'none' AND device = 'none'` },
      ],
    }));
    expect(reads.Responses?.[0].Item?.v).to.deep.equal({ N: '1' });
    expect(reads.Responses?.[1]).to.deep.equal({ TableName: 'Devices' });
    await expectAwsError(ddb.send(new BatchExecuteStatementCommand({
      Statements: [{ Statement: `SELECT * FROM Devices WHERE site = 'a' AND device = 'b'` }, { Statement: `DELETE FROM Devices WHERE site = 'a' AND device = 'b'` }],
    })), 'ValidationException');
  });

  it('runs ExecuteTransaction all or nothing, reporting a duplicate INSERT', async () => {
    await ddb.send(new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `INSERT INTO Devices VALUE {'site': 'west', 'device': 'w1'}` },
        { Statement: `UPDATE Devices SET v = 2 WHERE site = 'east' AND device = 'e1'` },
      ],
    }));
    const err = await expectAwsError(ddb.send(new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `DELETE FROM Devices WHERE site = 'west' AND device = 'w1'` },
        { Statement: `INSERT INTO Devices VALUE {'site': 'east', 'device': 'e1'}` },
      ],
    })), 'TransactionCanceledException');
    expect(err).to.be.instanceOf(TransactionCanceledException);
    expect((err as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).to.deep.equal(['None', 'DuplicateItem']);
    const { Responses } = await ddb.send(new ExecuteTransactionCommand({
      TransactStatements: [{ Statement: `SELECT * FROM Devices WHERE site = 'west' AND device = 'w1'` }, { Statement: `SELECT v FROM Devices WHERE site = 'east' AND device = 'e1'` }],
    }));
    expect(Responses?.[0].Item, 'the DELETE was rolled back').to.deep.equal({ site: { S: 'west' }, device: { S: 'w1' } });
    expect(Responses?.[1].Item).to.deep.equal({ v: { N: '2' } });
  });

  it('needs dynamodb:PartiQLSelect (and not PartiQLInsert) for a SELECT under IAM', async () => {
    const iam = new IAMClient(cloud.clientConfig());
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'reader', PolicyName: 'select-only',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:PartiQLSelect', Resource: 'arn:aws:dynamodb:*:*:table/Devices' }] }),
    }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }));
    iam.destroy();
    const reader = new DynamoDBClient({ ...cloud.clientConfig(), credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } });
    try {
      await reader.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM Devices WHERE site = 'east' AND device = 'e1'` }));
      await expectAwsError(reader.send(new ExecuteStatementCommand({ Statement: `INSERT INTO Devices VALUE {'site': 'x', 'device': 'y'}` })), 'AccessDeniedException', 400, /PartiQLInsert/);
      await expectAwsError(reader.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "Devices"."ByKind" WHERE kind = 'meter'` })), 'AccessDeniedException', 400, /index\/ByKind/);
    } finally {
      reader.destroy();
    }
  });
});
