/** Picks a target by name (TARGET / --target). */
import { UserError } from '../support/errors.js';
import { awsTarget } from './aws.js';
import { embeddedTarget } from './embedded.js';
import { endpointTarget } from './endpoint.js';
import { localstackTarget } from './localstack.js';
import { TARGET_NAMES, type Target, type TargetName } from './types.js';

const TARGETS: Record<TargetName, Target> = {
  embedded: embeddedTarget,
  localstack: localstackTarget,
  endpoint: endpointTarget,
  aws: awsTarget,
};

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

export function targetByName(name: string): Target {
  if (!isTargetName(name)) {
    throw new UserError(`unknown target '${name}': choose one of ${TARGET_NAMES.join(', ')} (TARGET=... or --target ...)`);
  }
  return TARGETS[name];
}

export * from './types.js';
export { clientConfig, s3ClientConfig, callerAccount } from './clients.js';
