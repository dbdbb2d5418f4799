/**
 * How a stack's template sees the world while it is deployed: parameters,
 * conditions and mappings from the plan, Ref and Fn::GetAtt from the stack's
 * resources as they exist right now, Fn::ImportValue from other stacks' exports.
 */
import type { StackRecord } from './model.js';
import type { DeploymentPlan } from './plan.js';
import type { ProviderRegistry } from './registry.js';
import type { StackStore } from './store.js';
import { parameterValues, resolve, resolveDynamicReferences, TemplateError, type EvaluationScope, type StackContext } from './template/index.js';

export function stackContext(stack: StackRecord): StackContext {
  return {
    accountId: stack.accountId,
    region: stack.region,
    stackId: stack.stackId,
    stackName: stack.stackName,
    notificationArns: stack.notificationArns,
  };
}

export function evaluationScope(
  stack: StackRecord,
  plan: DeploymentPlan,
  registry: ProviderRegistry,
  store: StackStore,
): EvaluationScope {
  return {
    stack: stackContext(stack),
    parameters: parameterValues(plan.parameters),
    conditions: plan.conditions,
    mappings: plan.template.Mappings,
    ref: (logicalId) => {
      const physicalId = stack.resources[logicalId]?.physicalId;
      if (physicalId === undefined) throw new TemplateError(`Template error: resource ${logicalId} has no physical ID yet`);
      return physicalId;
    },
    getAtt: (logicalId, attribute) => {
      const resource = stack.resources[logicalId];
      if (!resource) throw new TemplateError(`Template error: instance of Fn::GetAtt references undefined resource ${logicalId}`);
      const provided = registry.get(resource.type)?.getAtt?.(attribute, resource);
      if (provided !== undefined) return provided;
      if (Object.hasOwn(resource.attributes, attribute)) return resource.attributes[attribute];
      if (resource.type.startsWith('Custom::') || resource.type === 'AWS::CloudFormation::CustomResource') {
        throw new TemplateError(`CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object ${resource.physicalId ?? logicalId}`);
      }
      throw new TemplateError(`Template error: attribute ${attribute} of resource ${logicalId} (${resource.type}) is not available`);
    },
    importValue: (exportName) => {
      const exported = store.exports(stack.accountId, stack.region).get(exportName);
      if (!exported) throw new TemplateError(`No export named ${exportName} found`);
      if (!stack.imports?.includes(exportName)) stack.imports = [...(stack.imports ?? []), exportName];
      return exported.value;
    },
  };
}

/** A resource's properties with every intrinsic evaluated (an absent Properties block is `{}`). */
export function resourceProperties(plan: DeploymentPlan, logicalId: string, scope: EvaluationScope): Record<string, unknown> {
  const declaration = plan.template.Resources[logicalId]!;
  const resolved = (resolve(declaration.Properties ?? {}, scope, { at: ['Resources', logicalId, 'Properties'] }) ?? {}) as Record<string, unknown>;
  // Dynamic references are resolved last, so that ones assembled by Fn::Sub or Fn::Join are read too.
  if (!plan.parameterStore || !JSON.stringify(resolved).includes('{{resolve:')) return resolved;
  return resolveDynamicReferences(resolved, declaration.Type, plan.parameterStore) as Record<string, unknown>;
}
