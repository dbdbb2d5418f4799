import type { CloudContext } from '../core/types.js';
import type { IamProvider } from '../services/iam/index.js';
import { leastPrivilegePolicy } from './policy/index.js';
import type { IamMode } from './mode.js';
import type { PrincipalUsage, UsageRecorder } from './usage.js';

/** One statement of a principal's policies that allowed nothing that ran. */
export interface UnusedGrant {
  policy: string;
  sid?: string;
  statementIndex: number;
  actions: string[];
  resources: string[];
  /** The statement allowed some requests, but these of its actions never. */
  partly?: boolean;
}

export interface PrincipalReport {
  principal: string;
  kind: string;
  requests: number;
  /** action → resources it was allowed on, sorted. */
  used: Record<string, string[]>;
  denied: { action: string; resource: string; count: number; last: string; reason: string }[];
  /** A policy that allows exactly what ran: what to compare with the policy you ship. */
  leastPrivilegePolicy: unknown;
  /** Grants in the principal's identity policies that nothing used. */
  unused: UnusedGrant[];
}

export interface IamReport {
  mode: IamMode;
  generatedAt: string;
  /** True when a cap was reached and some usage was not recorded. */
  truncated: boolean;
  principals: PrincipalReport[];
}

/** What `localcloud iam report` shows: per principal, what ran, what was denied, and what was granted for nothing. */
export function buildIamReport(ctx: CloudContext, mode: IamMode, usage: UsageRecorder): IamReport {
  const iam = ctx.service<IamProvider>('iam');
  const principals = usage
    .principals()
    .sort((a, b) => a.arn.localeCompare(b.arn))
    .map((p) => principalReport(p, iam));
  return { mode, generatedAt: new Date().toISOString(), truncated: usage.truncated, principals };
}

function principalReport(usage: PrincipalUsage, iam: IamProvider | undefined): PrincipalReport {
  const used: Record<string, string[]> = {};
  const pairs: { action: string; resource: string }[] = [];
  for (const [action, resources] of [...usage.allowed].sort(([a], [b]) => a.localeCompare(b))) {
    used[action] = [...resources].sort();
    for (const resource of resources) pairs.push({ action, resource });
  }
  return {
    principal: usage.arn,
    kind: usage.kind,
    requests: usage.requests,
    used,
    denied: [...usage.denied.values()].map((d) => ({ ...d })),
    leastPrivilegePolicy: pairs.length > 0 ? leastPrivilegePolicy(pairs) : null,
    unused: unusedGrants(usage, iam),
  };
}

function unusedGrants(usage: PrincipalUsage, iam: IamProvider | undefined): UnusedGrant[] {
  const entity = entityOf(usage.arn);
  if (!iam || !entity || !usage.accountId) return [];
  const texts = iam.policyTexts(usage.accountId, entity);
  if (!texts) return [];
  const usedActions = [...usage.allowed.keys()];
  const unused: UnusedGrant[] = [];
  for (const policy of texts.policies) {
    let statements: Record<string, unknown>[];
    try {
      const parsed = JSON.parse(policy.document) as { Statement?: unknown };
      statements = (Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]).filter((s): s is Record<string, unknown> => !!s && typeof s === 'object');
    } catch {
      continue;
    }
    statements.forEach((statement, index) => {
      if (statement.Effect !== 'Allow' || !statement.Action) return;
      const actions = list(statement.Action);
      const resources = list(statement.Resource ?? '*');
      const sid = typeof statement.Sid === 'string' ? statement.Sid : undefined;
      if (!usage.statementsUsed.has(`${policy.id}#${index}`)) {
        unused.push({ policy: policy.id, sid, statementIndex: index, actions, resources });
        return;
      }
      const idle = actions.filter((pattern) => !usedActions.some((action) => wildcardMatch(pattern, action)));
      if (idle.length > 0) unused.push({ policy: policy.id, sid, statementIndex: index, actions: idle, resources, partly: true });
    });
  }
  return unused;
}

/** The IAM entity whose policies apply to a reported ARN (users and roles; roots have none). */
function entityOf(arn: string): { type: 'user' | 'role'; name: string } | undefined {
  const match = /^arn:aws[\w-]*:iam::\d{12}:(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match ? { type: match[1] as 'user' | 'role', name: match[2] } : undefined;
}

function list(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** IAM action patterns: `*` and `?`, case-insensitive. */
function wildcardMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(value);
}

/** The report as text for a terminal: one block per principal. */
export function formatIamReport(report: IamReport): string {
  const lines: string[] = [`IAM report (mode ${report.mode}, ${report.generatedAt})`];
  if (report.principals.length === 0) lines.push('', 'No requests were authorized yet: run something (make up, make e2e) and ask again.');
  for (const p of report.principals) {
    lines.push('', `${p.principal}  (${p.kind}, ${p.requests} checks)`);
    const used = Object.entries(p.used);
    if (used.length > 0) {
      lines.push('  used:');
      for (const [action, resources] of used) lines.push(`    ${action}  ${resources.join(', ')}`);
    }
    if (p.denied.length > 0) {
      lines.push('  denied:');
      for (const d of p.denied) lines.push(`    ${d.action}  ${d.resource}  ×${d.count}`, `      ${d.reason}`);
    }
    if (p.unused.length > 0) {
      lines.push('  granted but never used:');
      for (const u of p.unused) {
        lines.push(`    ${u.policy}${u.sid ? ` (${u.sid})` : ''} statement ${u.statementIndex}${u.partly ? ', these actions' : ''}: ${u.actions.join(', ')} on ${u.resources.join(', ')}`);
      }
    }
    if (p.leastPrivilegePolicy) {
      lines.push('  least-privilege policy for what ran:');
      for (const line of JSON.stringify(p.leastPrivilegePolicy, null, 2).split('\n')) lines.push(`    ${line}`);
    }
  }
  if (report.truncated) lines.push('', 'Note: a cap was reached; some usage was not recorded.');
  return lines.join('\n');
}
