/**
 * Which capabilities CreateStack must be given for a template: AWS refuses
 * IAM resources unless the caller acknowledges them, and named IAM resources
 * need the stronger acknowledgement.
 */
import type { Template } from './types.js';

export type Capability = 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM';

/** IAM types, with the property that gives the resource a custom name. */
const IAM_TYPES: Record<string, string | undefined> = {
  'AWS::IAM::AccessKey': undefined,
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Policy': undefined,
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::UserToGroupAddition': undefined,
};

export interface CapabilityRequirement {
  /** Empty when no acknowledgement is needed. */
  capabilities: Capability[];
  /** Why, for ValidateTemplate's CapabilitiesReason. */
  reason?: string;
  /** The IAM resources that caused it. */
  resources: string[];
}

export function requiredCapabilities(template: Template): CapabilityRequirement {
  const iamResources: string[] = [];
  let named = false;
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (!Object.hasOwn(IAM_TYPES, resource.Type)) continue;
    iamResources.push(logicalId);
    const nameProperty = IAM_TYPES[resource.Type];
    if (nameProperty && resource.Properties?.[nameProperty] !== undefined) named = true;
  }
  if (iamResources.length === 0) return { capabilities: [], resources: [] };
  return {
    capabilities: [named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM'],
    reason: `The following resource(s) require capabilities: [${[...new Set(iamResources.map((id) => template.Resources[id]!.Type))].join(', ')}]`,
    resources: iamResources,
  };
}
