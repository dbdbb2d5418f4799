/**
 * AWS::DynamoDB::Table, provisioned through the DynamoDB API. The table must
 * be ACTIVE before CloudFormation calls it created (dependents write to it at
 * once), so creation and updates wait for that, asking DescribeTable.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type GlobalSecondaryIndexUpdate,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { deepEqual } from '../cloudformation/deep-equal.js';
import {
  ignoreNotFound,
  pollUntil,
  removedTagKeys,
  tagList,
  toBoolean,
  toNumber,
  untilGone,
  type Properties,
  type ResourceProvider,
  type ResourceRequest,
} from '../cloudformation/provider.js';

function throughput(value: any) {
  return value ? { ReadCapacityUnits: toNumber(value.ReadCapacityUnits), WriteCapacityUnits: toNumber(value.WriteCapacityUnits) } : undefined;
}

function globalIndex(index: any) {
  return {
    IndexName: index.IndexName,
    KeySchema: index.KeySchema,
    Projection: index.Projection,
    ...(index.ProvisionedThroughput ? { ProvisionedThroughput: throughput(index.ProvisionedThroughput) } : {}),
  };
}

function streamSpecification(p: Properties) {
  return p.StreamSpecification
    ? { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType }
    : undefined;
}

function createInput(name: string, p: Properties): CreateTableCommandInput {
  return {
    TableName: name,
    AttributeDefinitions: p.AttributeDefinitions,
    KeySchema: p.KeySchema,
    ...(p.BillingMode ? { BillingMode: p.BillingMode } : {}),
    ...(p.ProvisionedThroughput ? { ProvisionedThroughput: throughput(p.ProvisionedThroughput) } : {}),
    ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map(globalIndex) } : {}),
    ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
    ...(p.StreamSpecification ? { StreamSpecification: streamSpecification(p) } : {}),
    ...(p.SSESpecification ? { SSESpecification: { Enabled: toBoolean(p.SSESpecification.SSEEnabled) } } : {}),
    ...(p.TableClass ? { TableClass: p.TableClass } : {}),
    ...(p.DeletionProtectionEnabled !== undefined ? { DeletionProtectionEnabled: toBoolean(p.DeletionProtectionEnabled) } : {}),
    ...(Array.isArray(p.Tags) && p.Tags.length > 0 ? { Tags: tagList(p.Tags) } : {}),
  };
}

/** Waits until the table and all its indexes are ACTIVE; returns its description. */
async function untilActive(request: ResourceRequest, name: string): Promise<TableDescription> {
  const ddb = request.client(DynamoDBClient);
  return pollUntil(
    async () => {
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
      return Table?.TableStatus === 'ACTIVE' && indexesActive ? Table : undefined;
    },
    request.signal,
    { what: `table ${name} to become ACTIVE` },
  );
}

function attributesOf(table: TableDescription) {
  return { Arn: table.TableArn, ...(table.LatestStreamArn ? { StreamArn: table.LatestStreamArn } : {}) };
}

async function applyTimeToLive(request: ResourceRequest, name: string, next: any, previous?: any): Promise<void> {
  if (deepEqual(next, previous)) return;
  const ddb = request.client(DynamoDBClient);
  if (next) {
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: next.AttributeName, Enabled: toBoolean(next.Enabled) ?? false },
      }),
    );
  } else if (previous && toBoolean(previous.Enabled)) {
    const { TimeToLiveDescription } = await ddb.send(new DescribeTimeToLiveCommand({ TableName: name }));
    if (TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED') {
      await ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: previous.AttributeName, Enabled: false } }));
    }
  }
}

/** The GSI creations/deletions/throughput changes between two index lists, as UpdateTable takes them (one per call). */
function indexUpdates(next: any[] = [], previous: any[] = []): GlobalSecondaryIndexUpdate[] {
  const updates: GlobalSecondaryIndexUpdate[] = [];
  const before = new Map(previous.map((index) => [index.IndexName, index]));
  const after = new Map(next.map((index) => [index.IndexName, index]));
  for (const name of before.keys()) if (!after.has(name)) updates.push({ Delete: { IndexName: name } });
  for (const [name, index] of after) {
    const old = before.get(name);
    if (!old) updates.push({ Create: globalIndex(index) });
    else if (!deepEqual(old.ProvisionedThroughput, index.ProvisionedThroughput) && index.ProvisionedThroughput) {
      updates.push({ Update: { IndexName: name, ProvisionedThroughput: throughput(index.ProvisionedThroughput) } });
    }
  }
  return updates;
}

const table: ResourceProvider = {
  type: 'AWS::DynamoDB::Table',
  attributes: ['Arn', 'StreamArn'],
  requiredProperties: ['KeySchema'],
  nameProperty: 'TableName',
  replaceOnChange: ['TableName', 'KeySchema', 'LocalSecondaryIndexes'],
  async create(request) {
    const p = request.properties;
    const name = (p.TableName as string | undefined) ?? request.physicalName({ maxLength: 255 });
    await request.client(DynamoDBClient).send(new CreateTableCommand(createInput(name, p)));
    const description = await untilActive(request, name);
    await applyTimeToLive(request, name, p.TimeToLiveSpecification);
    return { physicalId: name, attributes: attributesOf(description) };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: name } = request;
    const ddb = request.client(DynamoDBClient);
    const tableChanges: Record<string, unknown> = {};
    if (p.BillingMode !== old.BillingMode && p.BillingMode) tableChanges.BillingMode = p.BillingMode;
    if (!deepEqual(p.ProvisionedThroughput, old.ProvisionedThroughput) && p.ProvisionedThroughput) {
      tableChanges.ProvisionedThroughput = throughput(p.ProvisionedThroughput);
    }
    if (!deepEqual(p.StreamSpecification, old.StreamSpecification)) {
      // DynamoDB changes a stream's view type only by closing it and opening another.
      if (p.StreamSpecification && old.StreamSpecification) {
        await ddb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
      }
      tableChanges.StreamSpecification = p.StreamSpecification ? streamSpecification(p) : { StreamEnabled: false };
    }
    if (Object.keys(tableChanges).length > 0) {
      await ddb.send(new UpdateTableCommand({ TableName: name, ...tableChanges }));
      await untilActive(request, name);
    }
    // DynamoDB takes one index change per UpdateTable call.
    for (const update of indexUpdates(p.GlobalSecondaryIndexes, old.GlobalSecondaryIndexes)) {
      await ddb.send(new UpdateTableCommand({ TableName: name, AttributeDefinitions: p.AttributeDefinitions, GlobalSecondaryIndexUpdates: [update] }));
      await untilActive(request, name);
    }
    await applyTimeToLive(request, name, p.TimeToLiveSpecification, old.TimeToLiveSpecification);
    const description = await untilActive(request, name);
    if (!deepEqual(p.Tags, old.Tags)) {
      const [tags, removed] = [tagList(p.Tags), removedTagKeys(p.Tags, old.Tags)];
      if (removed.length > 0) await ddb.send(new UntagResourceCommand({ ResourceArn: description.TableArn, TagKeys: removed }));
      if (tags.length > 0) await ddb.send(new TagResourceCommand({ ResourceArn: description.TableArn, Tags: tags }));
    }
    return { physicalId: name, attributes: attributesOf(description) };
  },
  async delete(request) {
    const ddb = request.client(DynamoDBClient);
    const name = request.physicalId;
    try {
      await ddb.send(new DeleteTableCommand({ TableName: name }));
    } catch (err) {
      return ignoreNotFound(err);
    }
    await untilGone(() => ddb.send(new DescribeTableCommand({ TableName: name })), request.signal, `table ${name} to be deleted`);
  },
};

export const resourceProviders: ResourceProvider[] = [table];
