import type { Principal, RequiredPermission } from './types.js';

/** Why a request was (or would have been) refused, as recorded for the report. */
export interface RecordedDenial {
  action: string;
  resource: string;
  reason: string;
  count: number;
  /** ISO 8601 of the last time. */
  last: string;
}

/** What one principal did, aggregated by the IAM identity policies apply to. */
export interface PrincipalUsage {
  /** A user ARN, a role ARN (all sessions of a role together), or an account root. */
  arn: string;
  kind: Principal['kind'];
  accountId?: string;
  /** action → resources it was allowed on. */
  allowed: Map<string, Set<string>>;
  denied: Map<string, RecordedDenial>;
  /** `<policy id>#<statement index>` of every statement that allowed something. */
  statementsUsed: Set<string>;
  requests: number;
}

/** Caps that keep a cloud left running for days at flat memory. */
const MAX_PRINCIPALS = 500;
const MAX_RESOURCES_PER_ACTION = 200;
const MAX_DENIALS_PER_PRINCIPAL = 500;

/**
 * Records, per principal, what IAM allowed and denied: the raw material of
 * `localcloud iam report`. Bounded: past the caps, new entries are dropped
 * (and the report says so), never the process's memory.
 */
export class UsageRecorder {
  private readonly byArn = new Map<string, PrincipalUsage>();
  truncated = false;

  allowed(principal: Principal, permission: RequiredPermission, statement?: { policyId: string; index: number }): void {
    const usage = this.entry(principal);
    if (!usage) return;
    usage.requests++;
    let resources = usage.allowed.get(permission.action);
    if (!resources) usage.allowed.set(permission.action, (resources = new Set()));
    if (resources.size < MAX_RESOURCES_PER_ACTION) resources.add(permission.resource);
    else if (!resources.has(permission.resource)) this.truncated = true;
    if (statement) usage.statementsUsed.add(`${statement.policyId}#${statement.index}`);
  }

  denied(principal: Principal, permission: RequiredPermission, reason: string, at = new Date()): void {
    const usage = this.entry(principal);
    if (!usage) return;
    usage.requests++;
    const key = `${permission.action} ${permission.resource}`;
    const found = usage.denied.get(key);
    if (found) {
      found.count++;
      found.last = at.toISOString();
      found.reason = reason;
    } else if (usage.denied.size < MAX_DENIALS_PER_PRINCIPAL) {
      usage.denied.set(key, { action: permission.action, resource: permission.resource, reason, count: 1, last: at.toISOString() });
    } else {
      this.truncated = true;
    }
  }

  principals(): PrincipalUsage[] {
    return [...this.byArn.values()];
  }

  private entry(principal: Principal): PrincipalUsage | undefined {
    const arn = usageArn(principal);
    let usage = this.byArn.get(arn);
    if (!usage) {
      if (this.byArn.size >= MAX_PRINCIPALS) {
        this.truncated = true;
        return undefined;
      }
      usage = { arn, kind: principal.kind, accountId: principal.accountId, allowed: new Map(), denied: new Map(), statementsUsed: new Set(), requests: 0 };
      this.byArn.set(arn, usage);
    }
    return usage;
  }
}

/** Sessions of a role are reported under the role: that is where a policy would change. */
export function usageArn(principal: Principal): string {
  return principal.kind === 'assumed-role' ? principal.roleArn : principal.arn;
}
