/**
 * AWS::SSM::Parameter, provisioned through the SSM API like any client would.
 * As on AWS, CloudFormation creates String and StringList parameters only
 * (not SecureString), Ref returns the name, and Fn::GetAtt gives Type and Value.
 */
import { randomBytes } from 'node:crypto';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import { ignoreNotFound, ResourceFailure, type Properties, type ResourceProvider, type ResourceRequest } from '../cloudformation/provider.js';

const TEMPLATE_TYPES = ['String', 'StringList'];
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** AWS::SSM::Parameter's Tags is a JSON object (`{"team": "iot"}`), unlike most types' Key/Value list. */
function tagObject(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((tag: { Key: string; Value: unknown }) => [tag.Key, String(tag.Value)]));
  if (typeof tags !== 'object') throw new ResourceFailure('Properties validation failed: Tags must be a JSON object of key/value pairs');
  return Object.fromEntries(Object.entries(tags as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
}

/** CloudFormation names unnamed parameters `CFN-<logical id>-<random>`. */
function generatedName(request: ResourceRequest): string {
  const suffix = [...randomBytes(12)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
  return `CFN-${request.logicalId}-${suffix}`;
}

function putInput(name: string, p: Properties, overwrite: boolean): PutParameterCommandInput {
  const type = String(p.Type);
  if (!TEMPLATE_TYPES.includes(type)) {
    throw new ResourceFailure(
      type === 'SecureString'
        ? 'SecureString is not a supported parameter type for AWS::SSM::Parameter: CloudFormation creates String and StringList parameters only'
        : `Properties validation failed for resource: #/Type: ${type} is not a valid enum value (String, StringList)`,
    );
  }
  if (p.Policies !== undefined) {
    throw new ResourceFailure('Parameter policies are not served by localcloud (no scheduler or EventBridge acts on them); remove Policies');
  }
  return {
    Name: name,
    Type: type as 'String' | 'StringList',
    Value: Array.isArray(p.Value) ? p.Value.join(',') : String(p.Value),
    Overwrite: overwrite,
    ...(p.Description !== undefined ? { Description: String(p.Description) } : {}),
    ...(p.AllowedPattern !== undefined ? { AllowedPattern: String(p.AllowedPattern) } : {}),
    ...(p.Tier !== undefined ? { Tier: p.Tier } : {}),
    ...(p.DataType !== undefined ? { DataType: String(p.DataType) } : {}),
  };
}

const attributesOf = (p: Properties) => ({ Type: String(p.Type), Value: Array.isArray(p.Value) ? p.Value.join(',') : String(p.Value) });

const parameter: ResourceProvider = {
  type: 'AWS::SSM::Parameter',
  attributes: ['Type', 'Value'],
  requiredProperties: ['Type', 'Value'],
  nameProperty: 'Name',
  replaceOnChange: ['Name'],
  async create(request) {
    const { properties: p } = request;
    const name = p.Name !== undefined ? String(p.Name) : generatedName(request);
    const ssm = request.client(SSMClient);
    const tags = tagObject(p.Tags);
    await ssm.send(
      new PutParameterCommand({
        ...putInput(name, p, false),
        ...(Object.keys(tags).length > 0 ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
      }),
    );
    return { physicalId: name, attributes: attributesOf(p) };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: name } = request;
    const ssm = request.client(SSMClient);
    const changed = ['Type', 'Value', 'Description', 'AllowedPattern', 'Tier', 'DataType', 'Policies'].some(
      (key) => JSON.stringify(p[key]) !== JSON.stringify(old[key]),
    );
    if (changed) await ssm.send(new PutParameterCommand(putInput(name, p, true)));
    const [tags, previous] = [tagObject(p.Tags), tagObject(old.Tags)];
    const removed = Object.keys(previous).filter((key) => !Object.hasOwn(tags, key));
    if (removed.length > 0) await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: name, TagKeys: removed }));
    if (Object.keys(tags).length > 0) {
      await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
    }
    return { physicalId: name, attributes: attributesOf(p) };
  },
  async delete(request) {
    await request.client(SSMClient).send(new DeleteParameterCommand({ Name: request.physicalId })).catch(ignoreNotFound);
  },
};

export const resourceProviders: ResourceProvider[] = [parameter];
