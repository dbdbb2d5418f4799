/**
 * `AWS::CDK::Metadata`: the resource every CDK app adds by default. On AWS it
 * provisions nothing (its `Analytics` property is the CDK's usage metadata,
 * read by AWS for statistics), so here too create, update and delete do
 * nothing. Like AWS, it gets a UUID as its physical ID, which is what Ref
 * returns; it has no attributes.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceProvider } from './provider.js';

export const CDK_METADATA_TYPE = 'AWS::CDK::Metadata';

export function cdkMetadataProvider(): ResourceProvider {
  return {
    type: CDK_METADATA_TYPE,
    attributes: [],
    async create() {
      return { physicalId: randomUUID() };
    },
    async update(request) {
      return { physicalId: request.physicalId };
    },
    async delete() {},
  };
}
