/**
 * Evaluates the Conditions section once per deployment. Conditions may name
 * other conditions, so each is evaluated on first use, remembered, and a
 * condition that leads back to itself is reported as a cycle.
 */
import { circularDependency, resourceInConditions, undefinedCondition } from './errors.js';
import { evaluateConditionFunction, type EvaluationScope } from './intrinsics.js';

/** The scope conditions see: parameters, pseudo parameters and mappings, but no resources. */
export type ConditionScope = Omit<EvaluationScope, 'conditions' | 'ref' | 'getAtt'>;

export function evaluateConditions(
  conditions: Readonly<Record<string, unknown>> | undefined,
  scope: ConditionScope,
): Map<string, boolean> {
  const definitions = conditions ?? {};
  const results = new Map<string, boolean>();
  const inProgress: string[] = [];

  // Conditions are evaluated before any resource exists: naming one is a template error.
  const conditionScope: EvaluationScope = {
    ...scope,
    ref: (name) => {
      throw resourceInConditions([name]);
    },
    getAtt: (logicalId) => {
      throw resourceInConditions([logicalId]);
    },
  };

  const valueOf = (name: string, usedBy: string): boolean => {
    const known = results.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(definitions, name)) throw undefinedCondition(name, usedBy);
    const cycleStart = inProgress.indexOf(name);
    if (cycleStart >= 0) throw circularDependency('conditions', inProgress.slice(cycleStart));
    inProgress.push(name);
    const result = evaluateConditionFunction(
      definitions[name],
      conditionScope,
      (other) => valueOf(other, `condition ${name}`),
      ['Conditions', name],
    );
    inProgress.pop();
    results.set(name, result);
    return result;
  };

  for (const name of Object.keys(definitions)) valueOf(name, `condition ${name}`);
  return results;
}
