import type { ServiceRequest } from '../../core/types.js';
import type { RequiredPermission } from '../types.js';

/**
 * State an action map cannot read from the request alone (an IAM entity's
 * path, the user behind an access key, the function of an event source
 * mapping). The evaluator passes these from the running services; without
 * them the maps fall back to what the request says (path `/`, `*`).
 */
export interface ActionLookups {
  /** Path of an IAM user, role or group (`/`, `/division/`), undefined when there is no such entity. */
  iamPath?(accountId: string, kind: 'user' | 'role' | 'group', name: string): string | undefined;
  /** The IAM user an access key belongs to (IAM's implicit `UserName` is the caller's own). */
  iamUserOfAccessKey?(accessKeyId: string): { accountId: string; userName: string } | undefined;
  /** ARN of the function an event source mapping invokes, for `lambda:FunctionArn`. */
  eventSourceMappingFunctionArn?(uuid: string): string | undefined;
  /** The id (ARN) of the live stack of that name, undefined when there is none. */
  stackIdOf?(accountId: string, region: string, stackName: string): string | undefined;
}

/** What each service's module exports: the permissions one request needs. */
export type ActionMap = (operation: string, input: any, req: ServiceRequest, lookups?: ActionLookups) => RequiredPermission[];

export function permission(action: string, resource: string, context?: RequiredPermission['context']): RequiredPermission {
  return context && Object.keys(context).length > 0 ? { action, resource, context } : { action, resource };
}

/**
 * An operation the service's table does not know yet. It still needs a
 * permission (`<prefix>:<Operation>` on `*`), so a missing row can never turn
 * into an operation anyone may call.
 */
export function unmapped(prefix: string, operation: string): RequiredPermission[] {
  return [permission(`${prefix}:${operation}`, '*')];
}

/** A non-empty string field of the input, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Condition-key context from optional fields, leaving out the absent ones. */
export function contextOf(entries: Record<string, string | string[] | undefined>): Record<string, string | string[]> | undefined {
  let context: Record<string, string | string[]> | undefined;
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined) continue;
    (context ??= {})[key] = value;
  }
  return context;
}

/** `iam:PassRole` for a role handed to a service, with the service as AWS reports it. */
export function passRole(roleArn: string, service: string): RequiredPermission {
  return permission('iam:PassRole', roleArn, { 'iam:PassedToService': service });
}
