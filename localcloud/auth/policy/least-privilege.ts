/**
 * The smallest policy that allows exactly what ran, for the policy report:
 * each resource gets the set of actions used on it, and resources with the
 * same set share one statement. Resources are written literally — a `*`, `?`
 * or `$` that is part of a name (an S3 key may hold one) is written as the
 * policy variable `${*}`, `${?}` or `${$}` — so nothing beyond them matches.
 */
import type { PolicyDocument, PolicyStatement } from './types.js';

export function leastPrivilegePolicy(used: Array<{ action: string; resource: string }>): PolicyDocument {
  // resource → actions, deduplicated case-insensitively (IAM's action matching), keeping the first spelling.
  const actionsByResource = new Map<string, Map<string, string>>();
  for (const { action, resource } of used) {
    let actions = actionsByResource.get(resource);
    if (!actions) actionsByResource.set(resource, (actions = new Map()));
    const key = action.toLowerCase();
    if (!actions.has(key)) actions.set(key, action);
  }

  // action set → resources
  const groups = new Map<string, { actions: string[]; resources: string[] }>();
  for (const [resource, actions] of actionsByResource) {
    const sorted = [...actions.values()].sort(byLowerCase);
    const key = sorted.map((a) => a.toLowerCase()).join('\n');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { actions: sorted, resources: [] }));
    group.resources.push(resource);
  }

  const statements: PolicyStatement[] = [...groups.values()]
    .map((group) => ({ actions: group.actions, resources: group.resources.map(literalResource).sort() }))
    .sort((a, b) => byLowerCase(a.actions[0]!, b.actions[0]!) || a.resources[0]!.localeCompare(b.resources[0]!))
    .map(({ actions, resources }) => ({
      Effect: 'Allow',
      Action: actions.length === 1 ? actions[0]! : actions,
      Resource: resources.length === 1 ? resources[0]! : resources,
    }));
  return { Version: '2012-10-17', Statement: statements };
}

/** `*` alone means "no resource-level permission" and stays a wildcard; anywhere else the characters are literal. */
function literalResource(resource: string): string {
  if (resource === '*') return resource;
  return resource.replace(/[*?$]/g, (c) => `\${${c}}`);
}

function byLowerCase(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
