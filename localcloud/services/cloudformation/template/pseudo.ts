/**
 * Pseudo parameters: the `AWS::*` names every template can Ref without
 * declaring them. Their values come from the stack being deployed.
 */
import type { ParameterValue } from './types.js';

export interface StackContext {
  accountId: string;
  region: string;
  stackId: string;
  stackName: string;
  notificationArns?: string[];
  /** Derived from the region when absent ('aws', 'aws-cn', 'aws-us-gov'). */
  partition?: string;
  /** Derived from the region when absent ('amazonaws.com', or 'amazonaws.com.cn' in China). */
  urlSuffix?: string;
}

/** Refs that remove the property they stand in (see intrinsics.ts). */
export const NO_VALUE_NAME = 'AWS::NoValue';

export const PSEUDO_PARAMETER_NAMES: readonly string[] = [
  'AWS::AccountId',
  'AWS::NotificationARNs',
  NO_VALUE_NAME,
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
];

export function isPseudoParameter(name: string): boolean {
  return PSEUDO_PARAMETER_NAMES.includes(name);
}

export function partitionForRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function urlSuffixForRegion(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The value of every pseudo parameter except AWS::NoValue, which is not a value. */
export function pseudoParameterValue(name: string, stack: StackContext): ParameterValue | undefined {
  switch (name) {
    case 'AWS::AccountId':
      return stack.accountId;
    case 'AWS::NotificationARNs':
      return [...(stack.notificationArns ?? [])];
    case 'AWS::Partition':
      return stack.partition ?? partitionForRegion(stack.region);
    case 'AWS::Region':
      return stack.region;
    case 'AWS::StackId':
      return stack.stackId;
    case 'AWS::StackName':
      return stack.stackName;
    case 'AWS::URLSuffix':
      return stack.urlSuffix ?? urlSuffixForRegion(stack.region);
    default:
      return undefined;
  }
}
