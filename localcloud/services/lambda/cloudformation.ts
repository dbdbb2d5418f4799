/**
 * CloudFormation resource types of Lambda (functions, event source mappings,
 * permissions, versions, aliases, layer versions and their permissions), provisioned through the Lambda API like any client would.
 * Inline code (`Code.ZipFile`) is zipped the way CloudFormation does it:
 * into `index.js` for Node.js runtimes (`index.py` for Python), so
 * `Handler: index.handler` works and `cfn-response` resolves (the Lambda
 * service provides it to every function).
 */
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  AddLayerVersionPermissionCommand,
  AddPermissionCommand,
  DeleteLayerVersionCommand,
  PublishLayerVersionCommand,
  RemoveLayerVersionPermissionCommand,
  CreateAliasCommand,
  DeleteAliasCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionCode,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import yazl from 'yazl';
import { deepEqual } from '../cloudformation/deep-equal.js';
import {
  ignoreNotFound,
  pollUntil,
  removedTagKeys,
  ResourceFailure,
  tagMap,
  toBoolean,
  toNumber,
  type Properties,
  type ResourceProvider,
  type ResourceRequest,
} from '../cloudformation/provider.js';

// --- AWS::Lambda::Function ---

/** Properties UpdateFunctionConfiguration takes; a change to any of them is an in-place update. */
const CONFIGURATION_PROPERTIES = [
  'Description',
  'Handler',
  'MemorySize',
  'Role',
  'Runtime',
  'Timeout',
  'Environment',
  'Layers',
  'TracingConfig',
  'DeadLetterConfig',
  'KmsKeyArn',
  'EphemeralStorage',
  'VpcConfig',
  'ImageConfig',
  'LoggingConfig',
];

/** The zip CloudFormation builds from inline code: one file, named after the runtime's convention. */
export function inlineCodeZip(source: string, runtime: string | undefined): Promise<Buffer> {
  const fileName = runtime?.startsWith('python') ? 'index.py' : 'index.js';
  const zip = new yazl.ZipFile();
  // A fixed date keeps the bytes (and so CodeSha256) the same for the same source.
  zip.addBuffer(Buffer.from(source, 'utf8'), fileName, { mtime: new Date(Date.UTC(2020, 0, 1)), mode: 0o100644 });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

async function functionCode(p: Properties): Promise<FunctionCode> {
  const code = (p.Code ?? {}) as Properties;
  if (code.ZipFile !== undefined) {
    if (!p.Runtime || !/^(nodejs|python)/.test(String(p.Runtime))) {
      throw new ResourceFailure('ZipFile can only be used with Node.js and Python runtimes');
    }
    return { ZipFile: await inlineCodeZip(String(code.ZipFile), p.Runtime) };
  }
  if (code.ImageUri !== undefined) return { ImageUri: code.ImageUri };
  if (code.S3Bucket === undefined || code.S3Key === undefined) {
    throw new ResourceFailure('Properties validation failed: Code must specify S3Bucket and S3Key, ZipFile or ImageUri');
  }
  return { S3Bucket: code.S3Bucket, S3Key: code.S3Key, ...(code.S3ObjectVersion ? { S3ObjectVersion: code.S3ObjectVersion } : {}) };
}

function configuration(p: Properties) {
  return {
    ...(p.Description !== undefined ? { Description: String(p.Description) } : {}),
    ...(p.Handler !== undefined ? { Handler: p.Handler } : {}),
    ...(p.MemorySize !== undefined ? { MemorySize: toNumber(p.MemorySize) } : {}),
    ...(p.Role !== undefined ? { Role: p.Role } : {}),
    ...(p.Runtime !== undefined ? { Runtime: p.Runtime } : {}),
    ...(p.Timeout !== undefined ? { Timeout: toNumber(p.Timeout) } : {}),
    ...(p.Environment !== undefined ? { Environment: { Variables: stringMap(p.Environment.Variables) } } : {}),
    ...(p.Layers !== undefined ? { Layers: p.Layers } : {}),
    ...(p.TracingConfig !== undefined ? { TracingConfig: p.TracingConfig } : {}),
    ...(p.DeadLetterConfig !== undefined ? { DeadLetterConfig: p.DeadLetterConfig } : {}),
    ...(p.KmsKeyArn !== undefined ? { KMSKeyArn: p.KmsKeyArn } : {}),
    ...(p.EphemeralStorage !== undefined ? { EphemeralStorage: { Size: toNumber(p.EphemeralStorage.Size) } } : {}),
    ...(p.VpcConfig !== undefined ? { VpcConfig: p.VpcConfig } : {}),
    ...(p.ImageConfig !== undefined ? { ImageConfig: p.ImageConfig } : {}),
    ...(p.LoggingConfig !== undefined ? { LoggingConfig: p.LoggingConfig } : {}),
  };
}

function stringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** Lambda accepts no change while a previous one is still being applied: wait for it to settle. */
async function untilSettled(request: ResourceRequest, name: string): Promise<FunctionConfiguration> {
  const lambda = request.client(LambdaClient);
  const settled = await pollUntil(
    async () => {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      return config.State === 'Pending' || config.LastUpdateStatus === 'InProgress' ? undefined : config;
    },
    request.signal,
    { what: `function ${name} to become Active` },
  );
  if (settled.State === 'Failed' || settled.LastUpdateStatus === 'Failed') {
    throw new ResourceFailure(`Function ${name} failed: ${settled.StateReason ?? settled.LastUpdateStatusReason ?? 'unknown reason'}`);
  }
  return settled;
}

async function applyConcurrency(request: ResourceRequest, name: string, next: unknown, previous?: unknown): Promise<void> {
  if (next === previous) return;
  const lambda = request.client(LambdaClient);
  const value = toNumber(next);
  if (value !== undefined) await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: value }));
  else await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
}

const lambdaFunction: ResourceProvider = {
  type: 'AWS::Lambda::Function',
  attributes: ['Arn', 'SnapStartResponse', 'SnapStartResponse.ApplyOn', 'SnapStartResponse.OptimizationStatus'],
  requiredProperties: ['Code', 'Role'],
  nameProperty: 'FunctionName',
  replaceOnChange: ['FunctionName', 'PackageType'],
  async create(request) {
    const p = request.properties;
    const name = (p.FunctionName as string | undefined) ?? request.physicalName({ maxLength: 64 });
    const lambda = request.client(LambdaClient);
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Code: await functionCode(p),
        ...configuration(p),
        Role: String(p.Role),
        ...(p.PackageType ? { PackageType: p.PackageType } : {}),
        ...(p.Architectures ? { Architectures: p.Architectures } : {}),
        ...(p.Tags ? { Tags: tagMap(p.Tags) } : {}),
      }),
    );
    if (created.State === 'Pending') await untilSettled(request, name);
    await applyConcurrency(request, name, p.ReservedConcurrentExecutions);
    return { physicalId: name, attributes: { Arn: created.FunctionArn } };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: name } = request;
    const lambda = request.client(LambdaClient);
    if (!deepEqual(p.Code, old.Code) || !deepEqual(p.Architectures, old.Architectures)) {
      const code = await functionCode(p);
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ...code, ...(p.Architectures ? { Architectures: p.Architectures } : {}) }));
      await untilSettled(request, name);
    }
    if (CONFIGURATION_PROPERTIES.some((property) => !deepEqual(p[property], old[property]))) {
      // A property removed from the template goes back to Lambda's default.
      const cleared = {
        ...(old.Description !== undefined && p.Description === undefined ? { Description: '' } : {}),
        ...(old.Environment !== undefined && p.Environment === undefined ? { Environment: { Variables: {} } } : {}),
        ...(old.Timeout !== undefined && p.Timeout === undefined ? { Timeout: 3 } : {}),
        ...(old.MemorySize !== undefined && p.MemorySize === undefined ? { MemorySize: 128 } : {}),
      };
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...cleared, ...configuration(p) }));
      await untilSettled(request, name);
    }
    await applyConcurrency(request, name, p.ReservedConcurrentExecutions, old.ReservedConcurrentExecutions);
    if (!deepEqual(p.Tags, old.Tags)) {
      const arn = request.attributes.Arn as string;
      const removed = removedTagKeys(p.Tags, old.Tags);
      if (removed.length > 0) await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: removed }));
      if (p.Tags?.length) await lambda.send(new TagResourceCommand({ Resource: arn, Tags: tagMap(p.Tags) }));
    }
    return { physicalId: name, attributes: request.attributes };
  },
  async delete(request) {
    await request.client(LambdaClient).send(new DeleteFunctionCommand({ FunctionName: request.physicalId })).catch(ignoreNotFound);
  },
};

// --- AWS::Lambda::EventSourceMapping ---

const MAPPING_SETTINGS = [
  'BatchSize',
  'Enabled',
  'MaximumBatchingWindowInSeconds',
  'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds',
  'BisectBatchOnFunctionError',
  'ParallelizationFactor',
  'DestinationConfig',
  'FunctionResponseTypes',
  'TumblingWindowInSeconds',
  'FilterCriteria',
];

function mappingSettings(p: Properties) {
  return {
    ...(p.BatchSize !== undefined ? { BatchSize: toNumber(p.BatchSize) } : {}),
    ...(p.Enabled !== undefined ? { Enabled: toBoolean(p.Enabled) } : {}),
    ...(p.MaximumBatchingWindowInSeconds !== undefined ? { MaximumBatchingWindowInSeconds: toNumber(p.MaximumBatchingWindowInSeconds) } : {}),
    ...(p.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: toNumber(p.MaximumRetryAttempts) } : {}),
    ...(p.MaximumRecordAgeInSeconds !== undefined ? { MaximumRecordAgeInSeconds: toNumber(p.MaximumRecordAgeInSeconds) } : {}),
    ...(p.BisectBatchOnFunctionError !== undefined ? { BisectBatchOnFunctionError: toBoolean(p.BisectBatchOnFunctionError) } : {}),
    ...(p.ParallelizationFactor !== undefined ? { ParallelizationFactor: toNumber(p.ParallelizationFactor) } : {}),
    ...(p.DestinationConfig !== undefined ? { DestinationConfig: p.DestinationConfig } : {}),
    ...(p.FunctionResponseTypes !== undefined ? { FunctionResponseTypes: p.FunctionResponseTypes } : {}),
    ...(p.TumblingWindowInSeconds !== undefined ? { TumblingWindowInSeconds: toNumber(p.TumblingWindowInSeconds) } : {}),
    ...(p.FilterCriteria !== undefined ? { FilterCriteria: p.FilterCriteria } : {}),
  };
}

/** A mapping is usable once it has left Creating/Updating/Enabling. */
async function untilMappingSettled(request: ResourceRequest, uuid: string) {
  const lambda = request.client(LambdaClient);
  return pollUntil(
    async () => {
      const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      return ['Creating', 'Updating', 'Enabling', 'Disabling'].includes(mapping.State ?? '') ? undefined : mapping;
    },
    request.signal,
    { what: `event source mapping ${uuid}` },
  );
}

const eventSourceMapping: ResourceProvider = {
  type: 'AWS::Lambda::EventSourceMapping',
  attributes: ['Id', 'EventSourceMappingArn'],
  requiredProperties: ['FunctionName'],
  replaceOnChange: ['EventSourceArn', 'StartingPosition', 'StartingPositionTimestamp', 'SelfManagedEventSource', 'Queues', 'Topics'],
  async create(request) {
    const p = request.properties;
    const mapping = await request.client(LambdaClient).send(
      new CreateEventSourceMappingCommand({
        FunctionName: p.FunctionName,
        EventSourceArn: p.EventSourceArn,
        ...(p.StartingPosition ? { StartingPosition: p.StartingPosition } : {}),
        ...(p.StartingPositionTimestamp !== undefined ? { StartingPositionTimestamp: new Date(toNumber(p.StartingPositionTimestamp)! * 1000) } : {}),
        ...mappingSettings(p),
      }),
    );
    const settled = await untilMappingSettled(request, mapping.UUID!);
    return { physicalId: mapping.UUID!, attributes: { Id: mapping.UUID, EventSourceMappingArn: settled.EventSourceMappingArn } };
  },
  async update(request) {
    const { properties: p, previousProperties: old } = request;
    const changed = p.FunctionName !== old.FunctionName || MAPPING_SETTINGS.some((name) => !deepEqual(p[name], old[name]));
    if (changed) {
      await request.client(LambdaClient).send(
        new UpdateEventSourceMappingCommand({
          UUID: request.physicalId,
          FunctionName: p.FunctionName,
          ...mappingSettings(p),
          // Removing Enabled from the template re-enables the mapping (the default).
          ...(p.Enabled === undefined && old.Enabled !== undefined ? { Enabled: true } : {}),
        }),
      );
      await untilMappingSettled(request, request.physicalId);
    }
    return { physicalId: request.physicalId, attributes: request.attributes };
  },
  async delete(request) {
    await request.client(LambdaClient).send(new DeleteEventSourceMappingCommand({ UUID: request.physicalId })).catch(ignoreNotFound);
  },
};

// --- AWS::Lambda::Permission ---

const permission: ResourceProvider = {
  type: 'AWS::Lambda::Permission',
  requiredProperties: ['Action', 'FunctionName', 'Principal'],
  // Every property of a permission statement is immutable: a change adds a new statement.
  async create(request) {
    const p = request.properties;
    const statementId = request.physicalName({ maxLength: 100 });
    await request.client(LambdaClient).send(
      new AddPermissionCommand({
        FunctionName: p.FunctionName,
        StatementId: statementId,
        Action: p.Action,
        Principal: p.Principal,
        ...(p.SourceArn ? { SourceArn: p.SourceArn } : {}),
        ...(p.SourceAccount ? { SourceAccount: String(p.SourceAccount) } : {}),
        ...(p.EventSourceToken ? { EventSourceToken: p.EventSourceToken } : {}),
        ...(p.FunctionUrlAuthType ? { FunctionUrlAuthType: p.FunctionUrlAuthType } : {}),
        ...(p.PrincipalOrgID ? { PrincipalOrgID: p.PrincipalOrgID } : {}),
      }),
    );
    return { physicalId: statementId };
  },
  async delete(request) {
    await request
      .client(LambdaClient)
      .send(new RemovePermissionCommand({ FunctionName: request.properties.FunctionName, StatementId: request.physicalId }))
      .catch(ignoreNotFound);
  },
};

// --- AWS::Lambda::Version ---

/** Properties this local cloud cannot honour: refused rather than ignored. */
function refuseUnsupported(p: Properties, names: readonly string[]): void {
  const given = names.filter((name) => p[name] !== undefined);
  if (given.length > 0) throw new ResourceFailure(`${given.join(', ')} is not supported by this local cloud's Lambda`);
}

/**
 * A published version: Ref is its ARN (`...:function:name:3`), GetAtt
 * `Version` its number. Versions are immutable, so any change publishes a new
 * one (replacement) and the old one is deleted in cleanup.
 */
const lambdaVersion: ResourceProvider = {
  type: 'AWS::Lambda::Version',
  attributes: ['FunctionArn', 'Version'],
  requiredProperties: ['FunctionName'],
  async create(request) {
    const p = request.properties;
    refuseUnsupported(p, ['ProvisionedConcurrencyConfig', 'RuntimePolicy']);
    const published = await request.client(LambdaClient).send(
      new PublishVersionCommand({
        FunctionName: String(p.FunctionName),
        ...(p.Description !== undefined ? { Description: String(p.Description) } : {}),
        ...(p.CodeSha256 !== undefined ? { CodeSha256: String(p.CodeSha256) } : {}),
      }),
    );
    return { physicalId: published.FunctionArn!, attributes: { FunctionArn: published.FunctionArn, Version: published.Version } };
  },
  async delete(request) {
    const version = request.attributes.Version as string | undefined;
    if (!version) return;
    await request
      .client(LambdaClient)
      .send(new DeleteFunctionCommand({ FunctionName: String(request.properties.FunctionName), Qualifier: version }))
      .catch(ignoreNotFound);
  },
};

// --- AWS::Lambda::Alias ---

/** The template's `[{FunctionVersion, FunctionWeight}]` as the API's version → weight map. */
function routingConfig(p: Properties): { AdditionalVersionWeights: Record<string, number> } | undefined {
  const weights = (p.RoutingConfig as Properties | undefined)?.AdditionalVersionWeights as Properties[] | undefined;
  if (weights === undefined) return undefined;
  return { AdditionalVersionWeights: Object.fromEntries(weights.map((w) => [String(w.FunctionVersion), toNumber(w.FunctionWeight)!])) };
}

/** Ref is the alias ARN. Name and function are its identity (a change replaces it); the rest updates in place. */
const lambdaAlias: ResourceProvider = {
  type: 'AWS::Lambda::Alias',
  attributes: ['AliasArn'],
  requiredProperties: ['FunctionName', 'FunctionVersion', 'Name'],
  replaceOnChange: ['FunctionName', 'Name'],
  async create(request) {
    const p = request.properties;
    refuseUnsupported(p, ['ProvisionedConcurrencyConfig']);
    const routing = routingConfig(p);
    const alias = await request.client(LambdaClient).send(
      new CreateAliasCommand({
        FunctionName: String(p.FunctionName),
        Name: String(p.Name),
        FunctionVersion: String(p.FunctionVersion),
        ...(p.Description !== undefined ? { Description: String(p.Description) } : {}),
        ...(routing ? { RoutingConfig: routing } : {}),
      }),
    );
    return { physicalId: alias.AliasArn!, attributes: { AliasArn: alias.AliasArn } };
  },
  async update(request) {
    const { properties: p, physicalId } = request;
    refuseUnsupported(p, ['ProvisionedConcurrencyConfig']);
    await request.client(LambdaClient).send(
      new UpdateAliasCommand({
        FunctionName: String(p.FunctionName),
        Name: String(p.Name),
        FunctionVersion: String(p.FunctionVersion),
        // Removed from the template: back to no description, no routing.
        Description: p.Description !== undefined ? String(p.Description) : '',
        RoutingConfig: routingConfig(p) ?? { AdditionalVersionWeights: {} },
      }),
    );
    return { physicalId, attributes: request.attributes };
  },
  async delete(request) {
    const p = request.properties;
    await request.client(LambdaClient).send(new DeleteAliasCommand({ FunctionName: String(p.FunctionName), Name: String(p.Name) })).catch(ignoreNotFound);
  },
};

// --- AWS::Lambda::LayerVersion ---

/** A layer version is immutable: any change publishes a new one (replacement). Ref is its version ARN. */
const layerVersion: ResourceProvider = {
  type: 'AWS::Lambda::LayerVersion',
  attributes: ['LayerVersionArn'],
  requiredProperties: ['Content'],
  async create(request) {
    const p = request.properties;
    const content = (p.Content ?? {}) as Properties;
    if (content.S3Bucket === undefined || content.S3Key === undefined) {
      throw new ResourceFailure('Properties validation failed: Content must specify S3Bucket and S3Key');
    }
    const published = await request.client(LambdaClient).send(
      new PublishLayerVersionCommand({
        LayerName: p.LayerName !== undefined ? String(p.LayerName) : request.physicalName({ maxLength: 140 }),
        Content: { S3Bucket: String(content.S3Bucket), S3Key: String(content.S3Key), ...(content.S3ObjectVersion ? { S3ObjectVersion: String(content.S3ObjectVersion) } : {}) },
        ...(p.Description !== undefined ? { Description: String(p.Description) } : {}),
        ...(p.CompatibleRuntimes !== undefined ? { CompatibleRuntimes: p.CompatibleRuntimes } : {}),
        ...(p.CompatibleArchitectures !== undefined ? { CompatibleArchitectures: p.CompatibleArchitectures } : {}),
        ...(p.LicenseInfo !== undefined ? { LicenseInfo: String(p.LicenseInfo) } : {}),
      }),
    );
    return { physicalId: published.LayerVersionArn!, attributes: { LayerVersionArn: published.LayerVersionArn } };
  },
  async delete(request) {
    const { layer, version } = splitLayerVersionArn(request.physicalId);
    await request.client(LambdaClient).send(new DeleteLayerVersionCommand({ LayerName: layer, VersionNumber: version })).catch(ignoreNotFound);
  },
};

/** `arn:...:layer:name:3` → the layer ARN and the version number. */
function splitLayerVersionArn(arn: string): { layer: string; version: number } {
  const colon = arn.lastIndexOf(':');
  const version = Number(arn.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(version)) throw new ResourceFailure(`LayerVersionArn ${arn} is not a layer version ARN`);
  return { layer: arn.slice(0, colon), version };
}

// --- AWS::Lambda::LayerVersionPermission ---

/** One statement of a layer version's policy; every property is immutable. Ref is `<layer version ARN>#<statement id>`. */
const layerVersionPermission: ResourceProvider = {
  type: 'AWS::Lambda::LayerVersionPermission',
  requiredProperties: ['Action', 'LayerVersionArn', 'Principal'],
  async create(request) {
    const p = request.properties;
    const { layer, version } = splitLayerVersionArn(String(p.LayerVersionArn));
    const statementId = request.physicalName({ maxLength: 100 });
    await request.client(LambdaClient).send(
      new AddLayerVersionPermissionCommand({
        LayerName: layer,
        VersionNumber: version,
        StatementId: statementId,
        Action: String(p.Action),
        Principal: String(p.Principal),
        ...(p.OrganizationId !== undefined ? { OrganizationId: String(p.OrganizationId) } : {}),
      }),
    );
    return { physicalId: `${p.LayerVersionArn}#${statementId}` };
  },
  async delete(request) {
    const [arn, statementId] = request.physicalId.split('#');
    const { layer, version } = splitLayerVersionArn(arn!);
    await request
      .client(LambdaClient)
      .send(new RemoveLayerVersionPermissionCommand({ LayerName: layer, VersionNumber: version, StatementId: statementId }))
      .catch(ignoreNotFound);
  },
};

export const resourceProviders: ResourceProvider[] = [
  lambdaFunction,
  eventSourceMapping,
  permission,
  lambdaVersion,
  lambdaAlias,
  layerVersion,
  layerVersionPermission,
];
