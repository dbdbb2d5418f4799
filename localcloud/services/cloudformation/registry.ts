/**
 * Resource type -> provider. Each service contributes the types of its own
 * service from `services/<svc>/cloudformation.ts`; the CloudFormation service
 * adds its own (nested stacks, custom resources) when it is created, and
 * tests may register extra types.
 */
import type { ResourceProvider } from './provider.js';
import { resourceProviders as cloudWatchProviders } from '../cloudwatch/cloudformation.js';
import { resourceProviders as dynamoDbProviders } from '../dynamodb/cloudformation.js';
import { resourceProviders as iamProviders } from '../iam/cloudformation.js';
import { resourceProviders as kinesisProviders } from '../kinesis/cloudformation.js';
import { resourceProviders as lambdaProviders } from '../lambda/cloudformation.js';
import { resourceProviders as logsProviders } from '../logs/cloudformation.js';
import { resourceProviders as s3Providers } from '../s3/cloudformation.js';
import { resourceProviders as snsProviders } from '../sns/cloudformation.js';
import { resourceProviders as sqsProviders } from '../sqs/cloudformation.js';
import { resourceProviders as ssmProviders } from '../ssm/cloudformation.js';

export const CUSTOM_RESOURCE_TYPE = 'AWS::CloudFormation::CustomResource';

export class ProviderRegistry {
  private readonly providers = new Map<string, ResourceProvider>();

  constructor(providers: readonly ResourceProvider[] = []) {
    for (const provider of providers) this.register(provider);
  }

  register(provider: ResourceProvider): void {
    this.providers.set(provider.type, provider);
  }

  /** `Custom::Anything` is served by the custom resource provider. */
  get(type: string): ResourceProvider | undefined {
    return this.providers.get(type) ?? (type.startsWith('Custom::') ? this.providers.get(CUSTOM_RESOURCE_TYPE) : undefined);
  }

  has(type: string): boolean {
    return this.get(type) !== undefined;
  }

  types(): string[] {
    return [...this.providers.keys()].sort();
  }
}

/** The providers every service folder contributes. */
export function serviceProviders(): ResourceProvider[] {
  return [...iamProviders, ...s3Providers, ...dynamoDbProviders, ...kinesisProviders, ...lambdaProviders, ...logsProviders, ...cloudWatchProviders, ...sqsProviders, ...snsProviders, ...ssmProviders];
}
