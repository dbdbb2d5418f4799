/**
 * CloudFormation resource types of CloudWatch Logs, provisioned through the
 * Logs API like any client would.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ignoreNotFound, removedTagKeys, tagMap, toNumber, type ResourceProvider, type ResourceRequest } from '../cloudformation/provider.js';

const logGroupArn = (request: ResourceRequest, name: string) =>
  `arn:aws:logs:${request.stack.region}:${request.stack.accountId}:log-group:${name}:*`;

async function applyRetention(logs: CloudWatchLogsClient, name: string, retention: unknown, previous?: unknown) {
  const days = toNumber(retention);
  if (days !== undefined) await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days }));
  else if (previous !== undefined) await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: name }));
}

const logGroup: ResourceProvider = {
  type: 'AWS::Logs::LogGroup',
  attributes: ['Arn'],
  nameProperty: 'LogGroupName',
  replaceOnChange: ['LogGroupName'],
  async create(request) {
    const { properties: p } = request;
    const name = (p.LogGroupName as string | undefined) ?? request.physicalName({ maxLength: 512 });
    const logs = request.client(CloudWatchLogsClient);
    const tags = tagMap(p.Tags);
    await logs.send(
      new CreateLogGroupCommand({
        logGroupName: name,
        ...(p.KmsKeyId ? { kmsKeyId: String(p.KmsKeyId) } : {}),
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
      }),
    );
    await applyRetention(logs, name, p.RetentionInDays);
    return { physicalId: name, attributes: { Arn: logGroupArn(request, name) } };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: name } = request;
    const logs = request.client(CloudWatchLogsClient);
    if (p.RetentionInDays !== old.RetentionInDays) await applyRetention(logs, name, p.RetentionInDays, old.RetentionInDays);
    const [tags, removed] = [tagMap(p.Tags), removedTagKeys(p.Tags, old.Tags)];
    const arn = logGroupArn(request, name).replace(/:\*$/, '');
    if (removed.length > 0) await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: removed }));
    if (Object.keys(tags).length > 0) await logs.send(new TagResourceCommand({ resourceArn: arn, tags }));
    return { physicalId: name, attributes: { Arn: logGroupArn(request, name) } };
  },
  async delete(request) {
    const logs = request.client(CloudWatchLogsClient);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: request.physicalId })).catch(ignoreNotFound);
  },
};

export const resourceProviders: ResourceProvider[] = [logGroup];
