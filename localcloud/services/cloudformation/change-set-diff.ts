/**
 * What a deployment would change, before it runs: each resource to Add,
 * Modify (in place or by Replacement True/False/Conditional) or Remove, with
 * the properties that differ. Values that only exist after deployment (the
 * new physical ID of a resource being replaced) are unknown now: a change
 * that depends on one is "Dynamic", and a replacement it may cause "Conditional".
 */
import type { Change, ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import { changedProperties, deepEqual } from './deep-equal.js';
import type { StackRecord } from './model.js';
import type { DeploymentPlan } from './plan.js';
import type { ProviderRegistry } from './registry.js';
import { evaluationScope, resourceProperties } from './scope.js';
import type { StackStore } from './store.js';
import { parseTemplate, topologicalLayers } from './template/index.js';

/** Stands in for a value that will only be known during deployment. */
const UNKNOWN = '{{localcloud:unknown-until-deployed}}';

export function diffDeployment(
  stack: StackRecord,
  plan: DeploymentPlan,
  registry: ProviderRegistry,
  store: StackStore,
): Change[] {
  const existing = Object.fromEntries(
    Object.entries(stack.resources).filter(([, r]) => r.physicalId !== undefined && !r.status.startsWith('DELETE_')),
  );
  // Resources whose physical ID or attributes will change: references to them are unknown until deployed.
  const changing = new Set<string>();
  // A copy of the stack: previewing must not record imports on the real one.
  const base = evaluationScope({ ...stack }, plan, registry, store);
  const scope = {
    ...base,
    ref: (id: string) => (changing.has(id) || !existing[id] ? UNKNOWN : base.ref!(id)),
    getAtt: (id: string, attribute: string) => {
      if (changing.has(id) || !existing[id]) return UNKNOWN;
      try {
        return base.getAtt!(id, attribute);
      } catch {
        return UNKNOWN;
      }
    },
  };

  const changes: Change[] = [];
  for (const logicalId of topologicalLayers(plan.graph).flat()) {
    const declaration = plan.template.Resources[logicalId]!;
    const previous = existing[logicalId];
    if (!previous) {
      changing.add(logicalId);
      changes.push(resourceChange({ Action: 'Add', LogicalResourceId: logicalId, ResourceType: declaration.Type, Scope: [], Details: [] }));
      continue;
    }
    const provider = registry.get(declaration.Type)!;
    let properties: Record<string, unknown> | undefined;
    try {
      properties = resourceProperties(plan, logicalId, scope);
    } catch {
      properties = undefined; // depends on something unknown in a way evaluation cannot carry (e.g. Fn::Select on it)
    }
    const typeChanged = previous.type !== declaration.Type;
    const changed = properties ? changedProperties(previous.properties, properties) : Object.keys(declaration.Properties ?? {});
    if (!typeChanged && changed.length === 0) {
      if (provider.alwaysUpdate) {
        changes.push(
          resourceChange({
            Action: 'Modify',
            LogicalResourceId: logicalId,
            PhysicalResourceId: previous.physicalId,
            ResourceType: declaration.Type,
            Replacement: 'False',
            Scope: [],
            Details: [{ Evaluation: 'Dynamic', ChangeSource: 'Automatic', Target: { Attribute: 'Properties', RequiresRecreation: 'Never' } }],
          }),
        );
      }
      continue;
    }

    const previousDeclaration = previousRawProperties(stack, logicalId);
    const details: ResourceChangeDetail[] = changed.map((name) => {
      const dynamic = !properties || JSON.stringify(properties[name] ?? null).includes(UNKNOWN);
      const recreation = typeChanged || !provider.update || provider.replaceOnChange?.includes(name) ? 'Always' : provider.requiresReplacement ? 'Conditionally' : 'Never';
      const direct = previousDeclaration === undefined || !deepEqual(previousDeclaration[name], declaration.Properties?.[name]);
      return {
        Target: { Attribute: 'Properties', Name: name, RequiresRecreation: recreation },
        Evaluation: dynamic ? 'Dynamic' : 'Static',
        ChangeSource: direct ? 'DirectModification' : dynamic ? 'ResourceReference' : 'ParameterReference',
      };
    });
    const replacement = replacementOf(details, typeChanged, provider.requiresReplacement && properties ? provider.requiresReplacement(previous.properties, properties) : false);
    if (replacement !== 'False') changing.add(logicalId);
    changes.push(
      resourceChange({
        Action: 'Modify',
        LogicalResourceId: logicalId,
        PhysicalResourceId: previous.physicalId,
        ResourceType: declaration.Type,
        Replacement: replacement,
        Scope: ['Properties'],
        Details: details,
      }),
    );
  }

  for (const [logicalId, previous] of Object.entries(existing)) {
    if (plan.graph.has(logicalId)) continue;
    changes.push(
      resourceChange({
        Action: 'Remove',
        LogicalResourceId: logicalId,
        PhysicalResourceId: previous.physicalId,
        ResourceType: previous.type,
        PolicyAction: previous.deletionPolicy === 'Retain' ? 'Retain' : 'Delete',
        Scope: [],
        Details: [],
      }),
    );
  }
  return changes;
}

function replacementOf(details: ResourceChangeDetail[], typeChanged: boolean, providerSaysReplace: boolean): 'True' | 'False' | 'Conditional' {
  if (typeChanged || providerSaysReplace) return 'True';
  const recreating = details.filter((d) => d.Target?.RequiresRecreation === 'Always');
  if (recreating.some((d) => d.Evaluation === 'Static')) return 'True';
  if (recreating.length > 0 || details.some((d) => d.Target?.RequiresRecreation === 'Conditionally')) return 'Conditional';
  return 'False';
}

function resourceChange(change: NonNullable<Change['ResourceChange']>): Change {
  return { Type: 'Resource', ResourceChange: change };
}

/** The template-level (unevaluated) properties the resource was last deployed from, to tell direct edits apart. */
function previousRawProperties(stack: StackRecord, logicalId: string): Record<string, unknown> | undefined {
  try {
    return parseTemplate(stack.templateBody).Resources?.[logicalId]?.Properties ?? {};
  } catch {
    return undefined;
  }
}
