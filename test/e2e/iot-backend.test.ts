/**
 * The IoT backend end to end, on a fresh target (TARGET=embedded by default;
 * localstack and endpoint run the same suite unchanged): deploy with the
 * harness's own deploy code, send events with the TestClient's keys, and
 * follow them into the table, the archive and the metrics; query them back
 * through the API function; destroy, and check nothing is left.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { expect } from 'chai';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricStatisticsCommand, type Dimension } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, GetItemCommand, ListTablesCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListStreamsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { deployStack, type DeployResult } from '../../harness/deploy/deploy.js';
import { destroyStack } from '../../harness/deploy/destroy.js';
import { EXPECTED_OUTPUTS } from '../../harness/deploy/outputs.js';
import { listResourcesDeep, type StackResource } from '../../harness/deploy/stacks.js';
import { NESTED_TEMPLATE_PATH, TEMPLATE_PATH } from '../../harness/support/paths.js';
import { collectingReporter } from '../../harness/support/terminal.js';
import { clientConfig, s3ClientConfig, type Connection, type Credentials } from '../../harness/targets/index.js';
import { dimensionValue } from '../../functions/ddb-cw/metrics.js';
import { CONFIG_ENVIRONMENT, CONFIG_TABLE, INVALID_EVENTS_METRIC_NAME, METRIC_NAMESPACE, REASON_DIMENSION, SENSOR_DIMENSION, SENSOR_METRIC_NAME } from '../../functions/shared/constants.js';
import { parseArchiveBody, type ArchiveLine } from '../../functions/archiver/archive.js';
import { AFTER_BAD_SENSOR, DUPLICATE_SENSOR, HISTORY_SENSOR, UTF8_SENSOR, ingestionScenario, type Scenario } from './support/events.js';
import { buildZips, e2eTargetName, openFreshTarget, uniqueName } from './support/target.js';
import { waitFor } from './support/wait.js';

const targetName = e2eTargetName();

describe(`IoT backend end to end (TARGET=${targetName})`, function () {
  this.timeout(600_000);

  let connection: Connection | undefined;
  let zips: { dir: string; cleanup(): void } | undefined;
  let deployed: DeployResult;
  let outputs: Record<string, string>;
  let testClient: Credentials;
  let destroyed = false;
  const stackName = uniqueName('iot-e2e');
  const codeBucket = uniqueName('iot-e2e-code');
  const codeKeyPrefix = 'iot-backend';
  const deployLog = collectingReporter();

  const config = () => clientConfig(connection!);

  before(async function () {
    const opened = await openFreshTarget(targetName);
    if ('skip' in opened) {
      console.log(`    skipped: ${opened.skip}`);
      this.skip();
    }
    connection = opened.connection;
    zips = await buildZips();
    deployed = await deployStack({ connection, stackName, codeBucket, codeKeyPrefix, artifactsDir: zips.dir, reporter: deployLog });
    outputs = deployed.outputs;
    testClient = { accessKeyId: outputs.AccessKeyId!, secretAccessKey: outputs.SecretAccessKey! };
  });

  after(async function () {
    // A run that failed before the teardown test still removes its stack from a shared endpoint.
    if (connection && !destroyed && targetName === 'endpoint') {
      await destroyStack({ connection, stackName, codeBucket, codeKeyPrefix, reporter: collectingReporter() }).catch(() => {});
    }
    await connection?.stop();
    zips?.cleanup();
  });

  describe('deploy', function () {
    it('creates every resource of the template, each CREATE_COMPLETE', async function () {
      const template = JSON.parse(readFileSync(TEMPLATE_PATH, 'utf8')) as { Resources: Record<string, unknown> };
      const resources = await listRoot(stackName);
      expect(resources.map((r) => r.LogicalResourceId).sort()).to.deep.equal(Object.keys(template.Resources).sort());
      for (const resource of resources) {
        expect(resource.ResourceStatus, `${resource.LogicalResourceId}`).to.equal('CREATE_COMPLETE');
      }
      expect(deployed.status).to.equal('CREATE_COMPLETE');
    });

    it('creates the nested config-helper stack, CREATE_COMPLETE with all its resources', async function () {
      const nested = await nestedStackId();
      const cfn = new CloudFormationClient(config());
      const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: nested }));
      expect(Stacks?.[0]?.StackStatus).to.equal('CREATE_COMPLETE');
      const template = JSON.parse(readFileSync(NESTED_TEMPLATE_PATH, 'utf8')) as { Resources: Record<string, unknown> };
      const resources = await listRoot(nested);
      expect(resources.map((r) => r.LogicalResourceId).sort()).to.deep.equal(Object.keys(template.Resources).sort());
      expect(resources.every((r) => r.ResourceStatus === 'CREATE_COMPLETE')).to.equal(true);
    });

    it('writes the config table entries through the custom resources', async function () {
      const dynamodb = new DynamoDBClient(config());
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: CONFIG_TABLE, Key: { Environment: { S: CONFIG_ENVIRONMENT } }, ConsistentRead: true }),
      );
      expect(Item?.SensorDataTable?.S).to.equal(outputs.SensorDataTable);
      expect(Item?.ArchiveBucket?.S).to.equal(outputs.ArchiveBucket);
    });

    it('has exactly the template bytes from the repository (GetTemplate), nested template too', async function () {
      const cfn = new CloudFormationClient(config());
      const root = await cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
      expect(root.TemplateBody).to.equal(readFileSync(TEMPLATE_PATH, 'utf8'));
      const nested = await cfn.send(new GetTemplateCommand({ StackName: await nestedStackId(), TemplateStage: 'Original' }));
      expect(nested.TemplateBody).to.equal(readFileSync(NESTED_TEMPLATE_PATH, 'utf8'));
    });

    it('returns every output; the archive bucket is named after the stack', function () {
      for (const key of EXPECTED_OUTPUTS) expect(outputs[key], key).to.be.a('string').and.not.equal('');
      expect(outputs.Region).to.equal(connection!.region);
      expect(outputs.ArchiveBucket!.startsWith(`${stackName}-`)).to.equal(true, outputs.ArchiveBucket);
    });

    it('redeploys unchanged as a quick no-op: no uploads, an empty change set', async function () {
      const again = await deployStack({ connection: connection!, stackName, codeBucket, codeKeyPrefix, artifactsDir: zips!.dir, reporter: collectingReporter() });
      expect(again.changed).to.equal(false);
      expect(again.uploaded).to.deep.equal([]);
      expect(again.updatedFunctions).to.deep.equal([]);
      expect(again.status).to.equal('CREATE_COMPLETE');
      expect(again.outputs).to.deep.equal(outputs);
    });
  });

  describe('code-only change', function () {
    it('pushes a changed zip to its function, which CloudFormation alone would not see', async function () {
      const zipPath = path.join(zips!.dir, 'iot_api.zip');
      await rewriteZipWithExtraFile(zipPath, 'BUILD-INFO.txt', `e2e ${stackName}\n`);
      const again = await deployStack({ connection: connection!, stackName, codeBucket, codeKeyPrefix, artifactsDir: zips!.dir, reporter: collectingReporter() });
      expect(again.changed, 'the template and parameters did not change').to.equal(false);
      expect(again.uploaded).to.deep.equal([`${codeKeyPrefix}/iot_api.zip`]);
      expect(again.updatedFunctions).to.deep.equal(['ApiFunction']);
      const lambda = new LambdaClient(config());
      const { CodeSha256 } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: outputs.LambdaAPIFunction }));
      expect(CodeSha256).to.equal(createHash('sha256').update(readFileSync(zipPath)).digest('base64'));
    });
  });

  describe('ingestion', function () {
    let scenario: Scenario;

    before(async function () {
      scenario = ingestionScenario();
      // The TestClient's keys, as a device has them.
      const kinesis = new KinesisClient(clientConfig(connection!, testClient));
      const result = await kinesis.send(
        new PutRecordsCommand({
          StreamName: outputs.KinesisStream,
          Records: scenario.records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
        }),
      );
      expect(result.FailedRecordCount ?? 0, 'records the stream refused').to.equal(0);
      result.Records!.forEach((entry, i) => (scenario.records[i]!.sequenceNumber = entry.SequenceNumber));
    });

    it('stores every valid event as an item: numbers as numbers, UTF-8 sensor IDs intact', async function () {
      const dynamodb = new DynamoDBClient(config());
      for (const [sensor, expected] of scenario.expected) {
        const items = await waitFor(`${expected.size} items of sensor ${sensor} in ${outputs.SensorDataTable}`, async (note) => {
          const found = await queryAll(dynamodb, outputs.SensorDataTable!, sensor);
          note(`${found.length} items`);
          return found.length >= expected.size ? found : undefined;
        });
        expect(items).to.have.length(expected.size);
        for (const item of items) {
          expect(item.SensorId?.S).to.equal(sensor);
          expect(item.Value, 'Value is a DynamoDB number').to.have.property('N');
          expect(Number(item.Value!.N)).to.equal(expected.get(item.Timestamp!.S!));
        }
      }
      expect(scenario.expected.has(UTF8_SENSOR)).to.equal(true);
    });

    it('keeps one item per duplicate key in a batch, the last write winning', async function () {
      const dynamodb = new DynamoDBClient(config());
      const items = await queryAll(dynamodb, outputs.SensorDataTable!, DUPLICATE_SENSOR);
      expect(items.map((i) => Number(i.Value!.N))).to.deep.equal([2, 4]);
    });

    it('does not let malformed records hold up the good events behind them', async function () {
      const dynamodb = new DynamoDBClient(config());
      const items = await queryAll(dynamodb, outputs.SensorDataTable!, AFTER_BAD_SENSOR);
      expect(items.map((i) => Number(i.Value!.N))).to.deep.equal([11, 12, 13]);
    });

    it('archives every record exactly once, malformed ones raw', async function () {
      const s3 = new S3Client(s3ClientConfig(connection!));
      const wanted = new Set(scenario.records.map((r) => r.sequenceNumber!));
      const lines = await waitFor(`all ${wanted.size} records archived in ${outputs.ArchiveBucket}`, async (note) => {
        const all = await readArchive(s3, outputs.ArchiveBucket!);
        const present = new Set(all.map((l) => l.sequenceNumber));
        const missing = [...wanted].filter((s) => !present.has(s)).length;
        note(`${all.length} lines in the archive, ${missing} records missing`);
        return missing === 0 ? all : undefined;
      });
      const counts = new Map<string, number>();
      for (const line of lines) counts.set(line.sequenceNumber, (counts.get(line.sequenceNumber) ?? 0) + 1);
      const repeated = [...counts].filter(([, n]) => n > 1);
      expect(repeated, 'records archived more than once').to.deep.equal([]);
      expect(lines).to.have.length(scenario.records.length);
      for (const record of scenario.records) {
        const line = lines.find((l) => l.sequenceNumber === record.sequenceNumber)!;
        expect(Buffer.from(line.data, 'base64').equals(record.data), `bytes of ${record.partitionKey} record`).to.equal(true);
        expect(line.partitionKey).to.equal(record.partitionKey);
      }
    });

    // The processor publishes metrics at least once (a batch Lambda retries is
    // counted again), so a loaded machine may see more; never fewer.
    it('publishes a Sensor datapoint for every stored reading, per SensorId', async function () {
      const cloudwatch = new CloudWatchClient(config());
      for (const sensor of scenario.metricSensors) {
        const expected = scenario.expected.get(sensor)!.size;
        const dimensions = [{ Name: SENSOR_DIMENSION, Value: dimensionValue(sensor) }];
        await waitFor(`SampleCount ${expected} of ${METRIC_NAMESPACE}/${SENSOR_METRIC_NAME} for ${sensor}`, async (note) => {
          const count = await metricTotal(cloudwatch, SENSOR_METRIC_NAME, dimensions, 'SampleCount');
          note(`SampleCount ${count}`);
          return count >= expected ? count : undefined;
        });
      }
      // Nothing for a sensor that never sent.
      const none = await metricTotal(cloudwatch, SENSOR_METRIC_NAME, [{ Name: SENSOR_DIMENSION, Value: 'e2e-never-sent' }], 'SampleCount');
      expect(none).to.equal(0);
    });

    it('counts malformed records in InvalidEvents, in total and per Reason', async function () {
      const cloudwatch = new CloudWatchClient(config());
      const total = [...scenario.invalidByReason.values()].reduce((a, b) => a + b, 0);
      await waitFor(`InvalidEvents Sum ${total}`, async (note) => {
        const sum = await metricTotal(cloudwatch, INVALID_EVENTS_METRIC_NAME, [], 'Sum');
        note(`Sum ${sum}`);
        return sum >= total ? sum : undefined;
      });
      for (const [reason, count] of scenario.invalidByReason) {
        const sum = await metricTotal(cloudwatch, INVALID_EVENTS_METRIC_NAME, [{ Name: REASON_DIMENSION, Value: reason }], 'Sum');
        expect(sum, reason).to.be.at.least(count);
      }
      // A reason none of the records had stays at zero.
      const absent = await metricTotal(cloudwatch, INVALID_EVENTS_METRIC_NAME, [{ Name: REASON_DIMENSION, Value: 'payload-too-large' }], 'Sum');
      expect(absent).to.equal(0);
    });

    describe('query API (invoked with the TestClient keys)', function () {
      it('returns the 20 newest items of a sensor, newest first', async function () {
        const expected = [...scenario.expected.get(HISTORY_SENSOR)!].sort(([a], [b]) => b.localeCompare(a)).slice(0, 20);
        const response = await invokeApi({ operation: 'query', sensorid: HISTORY_SENSOR });
        expect(response.functionError).to.equal(undefined);
        const body = response.body as { Items: { SensorId: string; Timestamp: string; Value: number }[]; Count: number };
        expect(body.Items.map((i) => [i.Timestamp, i.Value])).to.deep.equal(expected);
        expect(body.Items.every((i) => i.SensorId === HISTORY_SENSOR)).to.equal(true);
        expect(body.Count).to.equal(20);
      });

      it('finds a UTF-8 sensor by its exact ID', async function () {
        const response = await invokeApi({ operation: 'query', sensorid: UTF8_SENSOR });
        const body = response.body as { Items: { SensorId: string; Value: number }[] };
        expect(body.Items.map((i) => i.Value)).to.deep.equal([9.75, 8.5, 7]);
        expect(body.Items[0]!.SensorId).to.equal(UTF8_SENSOR);
      });

      it('answers a bad request with a clear function error', async function () {
        const unsupported = await invokeApi({ operation: 'delete', sensorid: HISTORY_SENSOR });
        expect(unsupported.functionError).to.equal('Unhandled');
        const error = unsupported.body as { errorType: string; errorMessage: string };
        expect(error.errorType).to.equal('InvalidRequestError');
        expect(error.errorMessage).to.match(/operation/i);

        const missing = await invokeApi({ operation: 'query' });
        expect(missing.functionError).to.equal('Unhandled');
        expect((missing.body as { errorMessage: string }).errorMessage).to.match(/sensorid/i);
      });
    });
  });

  describe('teardown', function () {
    it('destroy leaves nothing: stack, buckets, tables, stream and log groups gone', async function () {
      const cfn = new CloudFormationClient(config());
      const resources: StackResource[] = await listResourcesDeep(cfn, stackName);
      const functions = resources.filter((r) => r.ResourceType === 'AWS::Lambda::Function').map((r) => r.PhysicalResourceId!);
      const tables = resources.filter((r) => r.ResourceType === 'AWS::DynamoDB::Table').map((r) => r.PhysicalResourceId!);
      const logs = new CloudWatchLogsClient(config());
      expect(await logGroupsOf(logs, functions), 'the functions ran, so they have log groups').to.not.deep.equal([]);

      const result = await destroyStack({ connection: connection!, stackName, codeBucket, codeKeyPrefix, reporter: collectingReporter() });
      destroyed = true;
      expect(result.stackDeleted).to.equal(true);
      expect(result.archiveObjectsDeleted).to.be.greaterThan(0);
      expect(result.codeBucketDeleted).to.equal(true);

      const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: deployed.stackId })).catch(() => ({ Stacks: [] }));
      expect(Stacks?.[0]?.StackStatus ?? 'DELETE_COMPLETE').to.equal('DELETE_COMPLETE');
      const s3 = new S3Client(s3ClientConfig(connection!));
      for (const bucket of [outputs.ArchiveBucket!, codeBucket]) {
        const status = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
          () => 200,
          (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
        );
        expect(status, `HeadBucket ${bucket}`).to.equal(404);
      }
      const { TableNames = [] } = await new DynamoDBClient(config()).send(new ListTablesCommand({}));
      expect(TableNames.filter((t) => tables.includes(t))).to.deep.equal([]);
      const { StreamNames = [] } = await new KinesisClient(config()).send(new ListStreamsCommand({}));
      expect(StreamNames).to.not.include(outputs.KinesisStream);
      expect(await logGroupsOf(logs, functions)).to.deep.equal([]);
    });
  });

  // --- helpers -------------------------------------------------------------

  async function listRoot(stack: string) {
    const cfn = new CloudFormationClient(config());
    const { StackResourceSummaries = [] } = await cfn.send(new ListStackResourcesCommand({ StackName: stack }));
    return StackResourceSummaries;
  }

  async function nestedStackId(): Promise<string> {
    const nested = (await listRoot(stackName)).find((r) => r.ResourceType === 'AWS::CloudFormation::Stack');
    expect(nested?.PhysicalResourceId, 'ConfigHelperStack physical id').to.be.a('string');
    return nested!.PhysicalResourceId!;
  }

  async function invokeApi(request: unknown): Promise<{ functionError?: string; body: unknown }> {
    const lambda = new LambdaClient(clientConfig(connection!, testClient));
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: outputs.LambdaAPIFunction, Payload: Buffer.from(JSON.stringify(request)) }),
    );
    return { functionError: result.FunctionError, body: JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8')) };
  }
});

async function queryAll(dynamodb: DynamoDBClient, table: string, sensor: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'SensorId = :s',
        ExpressionAttributeValues: { ':s': { S: sensor } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function readArchive(s3: S3Client, bucket: string): Promise<ArchiveLine[]> {
  const lines: ArchiveLine[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      lines.push(...parseArchiveBody(await body.Body!.transformToString('utf8')));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return lines;
}

async function metricTotal(cloudwatch: CloudWatchClient, metric: string, dimensions: Dimension[], statistic: 'SampleCount' | 'Sum'): Promise<number> {
  const now = Date.now();
  const { Datapoints = [] } = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: METRIC_NAMESPACE,
      MetricName: metric,
      Dimensions: dimensions,
      StartTime: new Date(now - 3 * 3600_000),
      EndTime: new Date(now + 3600_000),
      Period: 60,
      Statistics: [statistic],
    }),
  );
  return Datapoints.reduce((sum, d) => sum + (d[statistic] ?? 0), 0);
}

async function logGroupsOf(logs: CloudWatchLogsClient, functions: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const fn of functions) {
    const name = `/aws/lambda/${fn}`;
    const { logGroups = [] } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
    found.push(...logGroups.filter((g) => g.logGroupName === name).map((g) => g.logGroupName!));
  }
  return found;
}

/** Rewrites a zip with one more file: different bytes, same working code. */
async function rewriteZipWithExtraFile(zipPath: string, name: string, content: string): Promise<void> {
  const entries = await new Promise<{ name: string; data: Buffer }[]>((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const found: { name: string; data: Buffer }[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            found.push({ name: entry.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(found));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
  const out = new yazl.ZipFile();
  for (const entry of entries) out.addBuffer(entry.data, entry.name);
  out.addBuffer(Buffer.from(content), name);
  out.end();
  const chunks: Buffer[] = [];
  for await (const chunk of out.outputStream) chunks.push(chunk as Buffer);
  writeFileSync(zipPath, Buffer.concat(chunks));
}
