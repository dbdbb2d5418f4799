import * as CloudWatch from '@aws-sdk/client-cloudwatch';
import * as Logs from '@aws-sdk/client-cloudwatch-logs';
import * as DynamoDB from '@aws-sdk/client-dynamodb';
import * as Kinesis from '@aws-sdk/client-kinesis';
import * as Lambda from '@aws-sdk/client-lambda';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { zipFiles } from '../fixtures/lambda/zip.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { rawJsonRequest } from '../support/raw-json.js';
import { signedHeaders } from '../support/sign.js';

/**
 * Requests no SDK would send, from a client that means harm or is broken:
 * each must get an AWS-shaped 4xx, never freeze the cloud, change what other
 * requests see, or crash into a 500.
 */
describe('hostile input', function () {
  let cloud: TestCloud;
  const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

  /** Headers that SigV4-sign a request as the account root, as every AWS request must be (fetch sets Host itself, to the value signed). */
  async function signed(service: string, method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array) {
    const { host: _host, ...rest } = await signedHeaders(cloud.url, { method, target: path, headers, body }, { service });
    return rest;
  }

  async function queryRequest(service: string, body: string) {
    const res = await fetch(`${cloud.url}/`, {
      method: 'POST',
      headers: await signed(service, 'POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, body),
      body,
    });
    const text = await res.text();
    return { status: res.status, text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] };
  }

  async function s3Request(method: string, path: string, body?: string | Uint8Array) {
    const res = await fetch(`${cloud.url}${path}`, { method, headers: await signed('s3', method, path, {}, body), body: body as BodyInit | undefined });
    const text = await res.text();
    return { status: res.status, text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] };
  }

  async function lambdaRequest(method: string, path: string, body: string) {
    const res = await fetch(`${cloud.url}${path}`, {
      method,
      headers: await signed('lambda', method, path, { 'content-type': 'application/json' }, body),
      body,
    });
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), text: await res.text() };
  }

  before(async () => {
    cloud = await startTestCloud();
    await createExecutionRole(cloud.clientConfig(), 'lambda-role');
  });
  after(async () => {
    await cloud?.stop();
  });

  describe('query protocol decoding', () => {
    // Before the decoder was bounded, this one 70-byte request grew a sparse array to the index and froze the cloud for ~95 s.
    it('refuses a list member index far beyond any AWS list, naming the parameter, and stays responsive', async () => {
      const answer = await queryRequest('monitoring', 'Action=ListMetrics&Dimensions.member.4294967295.Name=x');
      expect(answer.status).to.equal(400);
      expect(answer.code).to.equal('InvalidParameterValue');
      expect(answer.text).to.include('Dimensions.member.4294967295.Name');
      for (const [service, action] of [['sts', 'GetCallerIdentity'], ['cloudformation', 'DescribeStacks']]) {
        const other = await queryRequest(service, `Action=${action}&Tags.member.4294967295.Key=x`);
        expect(other.status, service).to.equal(400);
        expect(other.code, service).to.equal('ValidationError');
      }
      const health = await fetch(`${cloud.url}/_localcloud/health`);
      expect(health.status).to.equal(200);
    });

    it('numbers list members from 1 and closes gaps between them', async () => {
      expect((await queryRequest('monitoring', 'Action=ListMetrics&Dimensions.member.0.Name=x')).status).to.equal(400);
      const put = await queryRequest(
        'monitoring',
        'Action=PutMetricData&Namespace=Hostile&MetricData.member.7.MetricName=Gappy&MetricData.member.7.Value=1' +
          '&MetricData.member.7.Dimensions.member.3.Name=Device&MetricData.member.7.Dimensions.member.3.Value=d1',
      );
      expect(put.status, put.text).to.equal(200);
      const listed = await queryRequest('monitoring', 'Action=ListMetrics&Namespace=Hostile');
      expect(listed.text).to.include('<MetricName>Gappy</MetricName>');
      expect(listed.text).to.include('<Name>Device</Name><Value>d1</Value>');
    });

    it('refuses parameter names that contradict each other, nest without end or are too many', async () => {
      expect((await queryRequest('monitoring', 'Action=ListMetrics&Namespace=a&Namespace.Deeper=b')).status).to.equal(400);
      expect((await queryRequest('sts', `Action=GetCallerIdentity&${'a.'.repeat(5000)}b=1`)).status).to.equal(400);
      const many = Array.from({ length: 60_000 }, (_, i) => `P${i}=1`).join('&');
      const answer = await queryRequest('sts', `Action=GetCallerIdentity&${many}`);
      expect(answer.status).to.equal(400);
      expect(answer.code).to.equal('ValidationError');
    });
  });

  describe('prototype pollution', () => {
    it('leaves Object.prototype, and the environment of functions started afterwards, untouched', async () => {
      const hostileQueries: [string, string][] = [
        ['sts', 'Action=GetCallerIdentity&__proto__.LocalcloudPolluted=query'],
        ['monitoring', 'Action=ListMetrics&constructor.prototype.LocalcloudPolluted=query'],
        ['cloudformation', 'Action=DescribeStacks&Tags.member.1.__proto__.LocalcloudPolluted=query'],
        ['iam', 'Action=ListRoles&Version=2010-05-08&x.entry.1.key=__proto__&x.entry.1.value=query'],
      ];
      for (const [service, body] of hostileQueries) {
        const answer = await queryRequest(service, body);
        expect(answer.status, body).to.equal(400);
      }
      await s3Request('PUT', '/hostile-proto');
      const xml = await s3Request(
        'PUT',
        '/hostile-proto?tagging',
        '<Tagging><__proto__><LocalcloudPolluted>xml</LocalcloudPolluted></__proto__><TagSet/></Tagging>',
      );
      expect(xml.status).to.equal(400);
      expect(xml.code).to.equal('MalformedXML');

      const lambda = new LambdaClient(cloud.clientConfig());
      try {
        // JSON bodies whose maps carry a __proto__ key: JSON.parse makes it an own key; nothing may merge it into a prototype.
        const zip = (await zipFiles({
          'index.js': 'exports.handler = async () => ({ env: process.env.LocalcloudPolluted ?? null, inherited: ({}).LocalcloudPolluted ?? null });',
        })).toString('base64');
        const created = await lambdaRequest(
          'POST',
          '/2015-03-31/functions',
          JSON.stringify({ FunctionName: 'env-probe', Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip } })
            .replace('"Code"', '"Tags":{"__proto__":{"LocalcloudPolluted":"json"}},"Code"'),
        );
        expect(created.status, created.text).to.be.oneOf([201, 400]);
        if (created.status !== 201) {
          await lambda.send(
            new CreateFunctionCommand({ FunctionName: 'env-probe', Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: Buffer.from(zip, 'base64') } }),
          );
        }
        expect(({} as Record<string, unknown>).LocalcloudPolluted).to.equal(undefined);
        const invoked = await lambda.send(new InvokeCommand({ FunctionName: 'env-probe' }));
        expect(JSON.parse(Buffer.from(invoked.Payload!).toString())).to.deep.equal({ env: null, inherited: null });
      } finally {
        lambda.destroy();
      }
    });
  });

  describe('S3 XML bodies', () => {
    before(async () => {
      await s3Request('PUT', '/hostile-xml');
    });

    it('refuses a DOCTYPE with entity declarations as MalformedXML, expanding nothing', async () => {
      const laughs =
        '<?xml version="1.0"?><!DOCTYPE Tagging [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
        '<Tagging><TagSet><Tag><Key>&b;</Key><Value>v</Value></Tag></TagSet></Tagging>';
      const answer = await s3Request('PUT', '/hostile-xml?tagging', laughs);
      expect(answer.status).to.equal(400);
      expect(answer.code).to.equal('MalformedXML');
      expect(answer.text).to.include('The XML you provided was not well-formed or did not validate against our published schema');
      expect((await s3Request('GET', '/hostile-xml?tagging')).text).not.to.include('aaaa');
    });

    it('refuses bytes that are not UTF-8 as MalformedXML', async () => {
      const tagging = Buffer.concat([Buffer.from('<Tagging><TagSet><Tag><Key>k'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('</Key><Value>v</Value></Tag></TagSet></Tagging>')]);
      const answer = await s3Request('PUT', '/hostile-xml?tagging', tagging);
      expect(answer.status, answer.text).to.equal(400);
      expect(answer.code).to.equal('MalformedXML');
    });

    it('refuses __proto__ elements as MalformedXML', async () => {
      const answer = await s3Request('PUT', '/hostile-xml?tagging', '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value><__proto__>x</__proto__></Tag></TagSet></Tagging>');
      expect(answer.status).to.equal(400);
      expect(answer.code).to.equal('MalformedXML');
    });
  });

  describe('DynamoDB attribute nesting', () => {
    const target = (operation: string) => `DynamoDB_20120810.${operation}`;
    const dynamo = (operation: string, body: string) => rawJsonRequest(cloud.url, target(operation), body, 'application/x-amz-json-1.0');
    /** An attribute value with `levels` maps (or lists) around a string, written as text: JSON.stringify would recurse too. */
    const nested = (levels: number, kind: 'M' | 'L') => {
      let value = '{"S":"x"}';
      for (let i = 0; i < levels; i++) value = kind === 'M' ? `{"M":{"a":${value}}}` : `{"L":[${value}]}`;
      return value;
    };
    const TOO_DEEP = /^Nesting Levels have exceeded supported limits/;

    before(async () => {
      const created = await dynamo(
        'CreateTable',
        JSON.stringify({
          TableName: 'nesting',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      expect(created.status).to.equal(200);
    });

    it('accepts 32 levels (31 maps around a value) and refuses 33 with ValidationException', async () => {
      const ok = await dynamo('PutItem', `{"TableName":"nesting","Item":{"id":{"S":"ok"},"doc":${nested(31, 'M')}}}`);
      expect(ok.status, ok.body.message).to.equal(200);
      const deep = await dynamo('PutItem', `{"TableName":"nesting","Item":{"id":{"S":"deep"},"doc":${nested(32, 'L')}}}`);
      expect(deep.status).to.equal(400);
      expect(deep.body.__type).to.equal('ValidationException');
      expect(deep.body.message).to.match(TOO_DEEP);
    });

    // 5,000 levels overflowed the stack in dynalite's recursive validation (500).
    const deepRequests: [string, (deep: string) => string][] = [
      ['PutItem', (deep) => `{"TableName":"nesting","Item":{"id":{"S":"1"},"doc":${deep}}}`],
      ['UpdateItem', (deep) => `{"TableName":"nesting","Key":{"id":{"S":"1"}},"UpdateExpression":"SET d = :v","ExpressionAttributeValues":{":v":${deep}}}`],
      ['UpdateItem', (deep) => `{"TableName":"nesting","Key":{"id":{"S":"1"}},"AttributeUpdates":{"d":{"Value":${deep},"Action":"PUT"}}}`],
      ['DeleteItem', (deep) => `{"TableName":"nesting","Key":{"id":{"S":"1"}},"Expected":{"d":{"Value":${deep}}}}`],
      ['GetItem', (deep) => `{"TableName":"nesting","Key":{"id":${deep}}}`],
      ['BatchWriteItem', (deep) => `{"RequestItems":{"nesting":[{"PutRequest":{"Item":{"id":{"S":"2"},"d":${deep}}}}]}}`],
      ['BatchGetItem', (deep) => `{"RequestItems":{"nesting":{"Keys":[{"id":${deep}}]}}}`],
      ['Query', (deep) => `{"TableName":"nesting","KeyConditionExpression":"id = :v","ExpressionAttributeValues":{":v":{"S":"1"}},"ExclusiveStartKey":{"id":${deep}}}`],
      ['Scan', (deep) => `{"TableName":"nesting","ScanFilter":{"d":{"ComparisonOperator":"EQ","AttributeValueList":[${deep}]}}}`],
    ];
    for (const [operation, body] of deepRequests) {
      it(`refuses ${operation} with a value nested 5,000 levels deep`, async () => {
        for (const kind of ['M', 'L'] as const) {
          const answer = await dynamo(operation, body(nested(5000, kind)));
          expect(answer.status, answer.body.message).to.equal(400);
          expect(answer.body.__type).to.equal('ValidationException');
          expect(answer.body.message).to.match(TOO_DEEP);
        }
      });
    }
  });

  describe('JSON members of the wrong type', () => {
    const big = 'x'.repeat(1 << 20);
    const WRONG: [string, unknown][] = [
      ['a number', 5],
      ['an object', { wrong: 1 }],
      ['an array', [1, 'a', null]],
      ['null', null],
      ['a 1 MB string', big],
    ];
    /** The top-level members of an operation's input, from the SDK's own service model. */
    const membersOf = (sdk: Record<string, unknown>, operation: string): string[] => {
      const schema = (sdk[`${operation}Input$`] ?? sdk[`${operation}Request$`]) as unknown[] | undefined;
      return Array.isArray(schema?.[4]) ? (schema[4] as string[]) : [];
    };
    const operationsOf = (sdk: Record<string, unknown>) =>
      Object.keys(sdk)
        .filter((name) => name.endsWith('Command') && name !== 'Command')
        .map((name) => name.slice(0, -'Command'.length));

    const JSON_SERVICES = [
      { name: 'DynamoDB', sdk: DynamoDB, prefix: 'DynamoDB_20120810', contentType: 'application/x-amz-json-1.0' },
      { name: 'Kinesis', sdk: Kinesis, prefix: 'Kinesis_20131202', contentType: 'application/x-amz-json-1.1' },
      { name: 'CloudWatch Logs', sdk: Logs, prefix: 'Logs_20140328', contentType: 'application/x-amz-json-1.1' },
      { name: 'CloudWatch', sdk: CloudWatch, prefix: 'GraniteServiceVersion20100801', contentType: 'application/x-amz-json-1.0' },
    ];

    for (const service of JSON_SERVICES) {
      it(`${service.name}: no served operation answers 5xx, every member wrong at once or one at a time`, async function () {
        this.timeout(180_000);
        const failures: string[] = [];
        let served = 0;
        for (const operation of operationsOf(service.sdk)) {
          const send = (body: Record<string, unknown>) =>
            rawJsonRequest(cloud.url, `${service.prefix}.${operation}`, JSON.stringify(body), service.contentType);
          if ((await send({})).body.__type === 'UnknownOperationException') continue;
          served++;
          const members = membersOf(service.sdk, operation);
          for (const [kind, value] of WRONG) {
            const bodies = [Object.fromEntries(members.map((m) => [m, value]))];
            if (value !== big) bodies.push(...members.map((m) => ({ [m]: value })));
            for (const body of bodies) {
              const answer = await send(body);
              if (answer.status >= 500 || (answer.status >= 400 && !answer.body.__type)) {
                failures.push(`${operation} ${Object.keys(body).join(',')} = ${kind}: ${answer.status} ${answer.body.__type} ${answer.body.message}`);
              }
            }
          }
        }
        expect(served, 'operations served').to.be.greaterThan(3);
        expect(failures).to.deep.equal([]);
      });
    }

    // Lambda is REST-JSON: the operations that take a body, at their paths (the function exists, so they get past lookup).
    it('Lambda: no operation with a JSON body answers 5xx, its members named by the SDK model', async function () {
      this.timeout(180_000);
      const zip = (await zipFiles({ 'index.js': 'exports.handler = async () => 1;' })).toString('base64');
      const created = await lambdaRequest(
        'POST',
        '/2015-03-31/functions',
        JSON.stringify({ FunctionName: 'typed', Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip } }),
      );
      expect(created.status, created.text).to.equal(201);
      const routes: [string, string, string][] = [
        ['POST', '/2015-03-31/functions', 'CreateFunction'],
        ['PUT', '/2015-03-31/functions/typed/configuration', 'UpdateFunctionConfiguration'],
        ['PUT', '/2015-03-31/functions/typed/code', 'UpdateFunctionCode'],
        ['POST', '/2015-03-31/functions/typed/versions', 'PublishVersion'],
        ['POST', '/2015-03-31/functions/typed/policy', 'AddPermission'],
        ['PUT', '/2017-10-31/functions/typed/concurrency', 'PutFunctionConcurrency'],
        ['POST', '/2015-03-31/event-source-mappings', 'CreateEventSourceMapping'],
        ['POST', `/2017-03-31/tags/${encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:typed')}`, 'TagResource'],
      ];
      const failures: string[] = [];
      for (const [method, path, operation] of routes) {
        const members = membersOf(Lambda, operation);
        expect(members, operation).not.to.be.empty;
        for (const [kind, value] of WRONG) {
          const bodies = [Object.fromEntries(members.map((m) => [m, value]))];
          if (value !== big) bodies.push(...members.map((m) => ({ [m]: value })));
          for (const body of bodies) {
            const answer = await lambdaRequest(method, path, JSON.stringify(body));
            if (answer.status >= 500 || (answer.status >= 400 && !answer.type)) failures.push(`${operation} ${Object.keys(body).join(',')} = ${kind}: ${answer.status} ${answer.text}`);
          }
        }
      }
      expect(failures).to.deep.equal([]);

      const numberName = await lambdaRequest('POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 5, Role: ROLE, Code: { ZipFile: zip } }));
      expect(numberName.status).to.equal(400);
      expect(numberName.type).to.equal('SerializationException');
      expect(JSON.parse(numberName.text).Message).to.equal('NUMBER_VALUE can not be converted to String');
    });
  });
});
